#include "server/api/json/policy_json.h"

#include "server/http/json_body.h"

namespace fieldserve::server {

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
  return {{"tiers", tiers}};
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
          static_cast<int>(r.integer("response_minutes", true, 1, 525600).value_or(0));
      auto calendar = r.text("calendar", true, 32);
      if (calendar == "24x7") tier.calendar = dispatch::CalendarKind::always;
      else if (calendar == "business_hours") tier.calendar = dispatch::CalendarKind::business_hours;
      else if (calendar) r.problem("calendar", "must be 24x7 or business_hours");
      tier.dispatch_radius_km = r.number("dispatch_radius_km", true, 0.001, 20000).value_or(0);
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
          if (!b.is_null("max_km")) band.max_km = b.number("max_km", true, 0.001, 20000);
          else b.accept("max_km");
          band.arrival_minutes =
              static_cast<int>(b.integer("arrival_minutes", true, 1, 525600).value_or(0));
          band.restore_minutes =
              static_cast<int>(b.integer("restore_minutes", true, 1, 525600).value_or(0));
          r.merge(b);
          tier.bands.push_back(band);
        }
      }
      tier_reader.merge(r);
    }
    top.merge(tier_reader);
  }
  if (auto done = top.finish(); !done) return std::unexpected(done.error());
  if (auto valid = dispatch::validate(policy); !valid) return std::unexpected(valid.error());
  return policy;
}

}  // namespace fieldserve::server
