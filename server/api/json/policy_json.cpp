#include "server/api/json/policy_json.h"

#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// A tier's fields and a band's, as the policy document holds them.
namespace field {
const schema::Field response_minutes = schema::integer("response_minutes", 1, 525600);
const schema::Field calendar = schema::enumeration("calendar", {"24x7", "business_hours"},
                                                   "which hours the tier's clocks count");
const schema::Field dispatch_radius_km = schema::number("dispatch_radius_km");
const schema::Field max_km =
    schema::nullable(schema::number("max_km", "the band's upper limit; null: unbounded (last)"));
const schema::Field arrival_minutes = schema::integer("arrival_minutes", 1, 525600);
const schema::Field restore_minutes = schema::integer("restore_minutes", 1, 525600);
const schema::Field service_minutes = schema::optional(schema::integer(
    "service_minutes", 1, 1440, "expected time on site before any history (default 60)"));
const schema::Field rolling_replan = schema::optional(schema::boolean(
    "rolling_replan",
    "re-plan jobs not yet started when a technician frees up or a critical job comes in "
    "(default true)"));
const schema::Field key_hours = schema::optional(
    schema::integer("key_hours", 1, 720, "to answer a key account's complaint (default 4)"));
const schema::Field standard_hours = schema::optional(
    schema::integer("standard_hours", 1, 720, "to answer any other complaint (default 24)"));
}  // namespace field

schema::Field bounded(schema::Field f, double min, double max) {
  f.minimum = min;
  f.maximum = max;
  return f;
}

}  // namespace

nlohmann::json policy_schema() {
  namespace s = schema;
  auto band = s::object_schema({bounded(field::max_km, 0.001, 20000), field::arrival_minutes,
                                field::restore_minutes});
  json bands = s::array_of(band);
  bands["minItems"] = 1;
  bands["maxItems"] = 16;
  auto tier = s::object_schema(
      {field::response_minutes, field::calendar, bounded(field::dispatch_radius_km, 0.001, 20000),
       s::object("bands", bands, "ascending by max_km, the last unbounded")});
  std::vector<s::Field> tiers;
  tiers.reserve(kSeverities.size());
  for (Severity sev : kSeverities) tiers.push_back(s::object(std::string(to_string(sev)), tier));
  return s::object_schema(
      {s::object("tiers", s::object_schema(tiers)),
       s::optional(s::object("dispatch",
                             s::object_schema({field::service_minutes, field::rolling_replan}),
                             "how the engine plans (optional)")),
       s::optional(s::object("complaints",
                             s::object_schema({field::key_hours, field::standard_hours}),
                             "hours to answer a complaint by account tier (optional)"))});
}

nlohmann::json policy_to_json(const dispatch::SlaPolicy& policy) {
  json tiers = json::object();
  for (Severity s : kSeverities) {
    const auto& t = policy.tier(s);
    json bands = json::array();
    for (const auto& b : t.bands) {
      bands.push_back({{"max_km", b.max_km ? json(*b.max_km) : json(nullptr)},
                       {"arrival_minutes", b.arrival_minutes},
                       {"restore_minutes", b.restore_minutes}});
    }
    tiers[std::string(to_string(s))] = {
        {"response_minutes", t.response_minutes},
        {"calendar", t.calendar == dispatch::CalendarKind::always ? "24x7" : "business_hours"},
        {"dispatch_radius_km", t.dispatch_radius_km},
        {"bands", bands}};
  }
  return {{"tiers", tiers},
          {"dispatch",
           {{"service_minutes", policy.dispatch.service_minutes},
            {"rolling_replan", policy.dispatch.rolling_replan}}},
          {"complaints",
           {{"key_hours", policy.complaints.key_hours},
            {"standard_hours", policy.complaints.standard_hours}}}};
}

Result<dispatch::SlaPolicy> policy_from_json(const nlohmann::json& document) {
  if (!document.is_object())
    return fail(ErrorCode::validation_failed, "the policy must be an object");
  FieldReader top(document);
  const json* tiers = top.object("tiers", true);
  dispatch::SlaPolicy policy;
  if (tiers) {
    FieldReader tier_reader(*tiers, "tiers");
    for (Severity s : kSeverities) {
      std::string name(to_string(s));
      const json* tier_json = tier_reader.object(name.c_str(), true);
      if (!tier_json) continue;
      FieldReader r(*tier_json, "tiers." + name);
      auto& tier = policy.tiers[static_cast<int>(s)];
      tier.response_minutes =
          static_cast<int>(r.integer(field::response_minutes, true).value_or(0));
      auto calendar = r.text(field::calendar, true);
      if (calendar == "24x7") tier.calendar = dispatch::CalendarKind::always;
      else if (calendar == "business_hours") tier.calendar = dispatch::CalendarKind::business_hours;
      else if (calendar) r.problem(field::calendar, "must be 24x7 or business_hours");
      tier.dispatch_radius_km =
          r.number(bounded(field::dispatch_radius_km, 0.001, 20000), true).value_or(0);
      auto it = tier_json->find("bands");
      r.accept("bands");
      if (it == tier_json->end() || !it->is_array() || it->empty() || it->size() > 16) {
        r.problem("bands", "must be an array of 1 to 16 bands");
      } else {
        for (std::size_t i = 0; i < it->size(); ++i) {
          const auto& band_json = (*it)[i];
          if (!band_json.is_object()) {
            r.problem("bands", "each band must be an object");
            continue;
          }
          FieldReader b(band_json, "tiers." + name + ".bands[" + std::to_string(i) + "]");
          dispatch::DistanceBand band;
          if (!b.is_null(field::max_km)) {
            band.max_km = b.number(bounded(field::max_km, 0.001, 20000), true);
          } else {
            b.accept(field::max_km);
          }
          band.arrival_minutes =
              static_cast<int>(b.integer(field::arrival_minutes, true).value_or(0));
          band.restore_minutes =
              static_cast<int>(b.integer(field::restore_minutes, true).value_or(0));
          r.merge(b);
          tier.bands.push_back(band);
        }
      }
      tier_reader.merge(r);
    }
    top.merge(tier_reader);
  }
  if (const json* settings = top.object("dispatch", false)) {
    FieldReader d(*settings, "dispatch");
    if (auto m = d.integer(field::service_minutes, false))
      policy.dispatch.service_minutes = static_cast<int>(*m);
    if (auto r = d.boolean(field::rolling_replan, false)) policy.dispatch.rolling_replan = *r;
    top.merge(d);
  }
  if (const json* settings = top.object("complaints", false)) {
    FieldReader c(*settings, "complaints");
    if (auto h = c.integer(field::key_hours, false))
      policy.complaints.key_hours = static_cast<int>(*h);
    if (auto h = c.integer(field::standard_hours, false))
      policy.complaints.standard_hours = static_cast<int>(*h);
    top.merge(c);
  }
  if (auto done = top.finish(); !done) return std::unexpected(done.error());
  if (auto valid = dispatch::validate(policy); !valid) return std::unexpected(valid.error());
  return policy;
}

}  // namespace fieldserve::server
