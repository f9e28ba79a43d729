#include "server/api/json/job_json.h"

#include <charconv>
#include <type_traits>

#include "dispatch/sla_monitor.h"
#include "server/http/fast_json.h"
#include "server/http/schema.h"

namespace fieldserve::server {
namespace {

// Hand-written appends rather than fmt: a page of 50 jobs writes about 2,000 fields, and fmt's
// format-string parsing was a fifth of a list request's time.
void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

void append_double(std::string& out, double v) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // shortest text that reads back as v
  out.append(buf, end);
}

void append_bool(std::string& out, bool v) { out += v ? "true" : "false"; }

template <class T>
void append_opt_number(std::string& out, const std::optional<T>& v) {
  if (!v) {
    out += "null";
  } else if constexpr (std::is_floating_point_v<T>) {
    append_double(out, *v);
  } else {
    append_int(out, *v);
  }
}

void append_name(std::string& out, std::string_view name) {  // enum names: nothing to escape
  out += '"';
  out += name;
  out += '"';
}

void append_sla(std::string& out, const Job& j, Instant now, Instant& valid_until) {
  out += '{';
  bool first = true;
  for (SlaTarget t : kSlaTargets) {
    const auto& c = j.clock(t);
    if (!c.done_at) {
      for (Instant threshold : {c.at_risk_at, c.due + std::chrono::seconds(1)}) {
        if (threshold > now) valid_until = std::min(valid_until, threshold);
      }
    }
    if (!first) out += ',';
    first = false;
    append_name(out, to_string(t));
    out += R"(:{"target_minutes":)";
    append_int(out, c.target_minutes);
    out += R"(,"due":)";
    append_time(out, c.due);
    out += R"(,"at_risk_at":)";
    append_time(out, c.at_risk_at);
    out += R"(,"done_at":)";
    append_opt_time(out, c.done_at);
    out += R"(,"state":)";
    append_name(out, to_string(dispatch::target_state(j, t, now)));
    out += '}';
  }
  out += '}';
}

// Rule 4 is read against the clock while the job is open: the page is good until it would hold.
void append_warranty(std::string& out, const Job& j, Instant now, Instant& valid_until) {
  if (!j.warranty) {
    out += "null";
    return;
  }
  const auto& w = *j.warranty;
  bool open = j.status != JobStatus::resolved && j.status != JobStatus::signed_off &&
              j.status != JobStatus::closed && j.status != JobStatus::cancelled;
  auto basis = w.basis_at(now, open);
  if (open && basis != WarrantyBasis::repair_over_30_days && w.exchange_from &&
      *w.exchange_from > now) {
    valid_until = std::min(valid_until, *w.exchange_from);
  }
  out += R"({"in_warranty":)";
  append_bool(out, w.in_warranty);
  out += R"(,"basis":)";
  append_name(out, to_string(basis));
  out += R"(,"remedies":[)";
  auto remedies = remedies_for(basis);
  for (std::size_t i = 0; i < remedies.size(); ++i) {
    if (i) out += ',';
    append_name(out, to_string(remedies[i]));
  }
  out += "]}";
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  append_json_escaped(out, text, false);
}

void append_time(std::string& out, Instant at) {
  out += '"';
  append_rfc3339(out, at);
  out += '"';
}

void append_opt_time(std::string& out, const std::optional<Instant>& at) {
  if (at) append_time(out, *at);
  else out += "null";
}

void append_location(std::string& out, const geo::LatLon& p) {
  out += R"({"lat":)";
  append_double(out, p.lat);
  out += R"(,"lon":)";
  append_double(out, p.lon);
  out += '}';
}

void append_job_fields(std::string& out, const Job& j, const dispatch::SlaPolicy& policy,
                       Instant now, Instant& valid_until) {
  // Each field's name with its punctuation is one literal: a page writes about 2,000 of them.
  out += R"("id":)";
  append_int(out, j.id);
  out += R"(,"kind":)";
  append_name(out, to_string(j.kind));
  out += R"(,"severity":)";
  append_name(out, to_string(j.severity));
  out += R"(,"status":)";
  append_name(out, to_string(j.status));
  out += R"(,"site_id":)";
  append_int(out, j.site_id);
  out += R"(,"equipment_id":)";
  append_opt_number(out, j.equipment_id);
  out += R"(,"hold_reason":)";
  if (j.hold_reason) append_name(out, to_string(*j.hold_reason));
  else out += "null";
  out += R"(,"description":)";
  append_json_string(out, j.description);
  out += R"(,"fault":)";
  if (j.fault.empty()) out += "null";
  else append_json_string(out, j.fault);
  out += R"(,"required_skills":[)";
  for (std::size_t i = 0; i < j.required_skills.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, j.required_skills[i]);
  }
  out += R"(],"reported_at":)";
  append_time(out, j.reported_at);
  out += R"(,"created_at":)";
  append_time(out, j.created_at);
  out += R"(,"technician_id":)";
  append_opt_number(out, j.technician_id);
  out += R"(,"assignment_locked":)";
  append_bool(out, j.assignment_locked);
  out += R"(,"needs_review":)";
  append_bool(out, j.needs_review);
  out += R"(,"distance_km":)";
  append_double(out, j.distance_km);
  out += R"(,"band_max_km":)";
  append_opt_number(out, dispatch::band_for(policy.tier(j.severity), j.distance_km).max_km);
  out += R"(,"dispatch":{)";
  if (!j.dispatch_reason.empty()) {
    out += R"("reason":)";
    append_json_string(out, j.dispatch_reason);
  }
  out += R"(},"warranty":)";
  append_warranty(out, j, now, valid_until);
  out += R"(,"sla":)";
  append_sla(out, j, now, valid_until);
  out += R"(,"version":)";
  append_int(out, j.version);
}

void append_job(std::string& out, const Job& j, const dispatch::SlaPolicy& policy, Instant now) {
  Instant valid_until = Instant::max();
  out += '{';
  append_job_fields(out, j, policy, now, valid_until);
  out += '}';
}

nlohmann::json sla_clock_schema() {
  namespace s = schema;
  return s::object_schema(
      {s::integer("target_minutes", 1, std::nullopt), s::timestamp("due"),
       s::timestamp("at_risk_at", "when the target counts as at risk"),
       s::nullable(s::timestamp("done_at", "when the target was met (or missed for good)")),
       s::enumeration("state", {"pending", "at_risk", "met", "breached"})});
}

std::vector<std::string> warranty_basis_names() {
  std::vector<std::string> out;
  for (auto b : {WarrantyBasis::within_7_days, WarrantyBasis::within_15_days,
                 WarrantyBasis::out_of_warranty, WarrantyBasis::repair_over_30_days,
                 WarrantyBasis::repeat_failure, WarrantyBasis::in_warranty}) {
    out.emplace_back(to_string(b));
  }
  return out;
}

nlohmann::json remedies_schema() {
  std::vector<std::string> names;
  for (auto r : {Remedy::return_unit, Remedy::exchange, Remedy::repair, Remedy::paid_repair}) {
    names.emplace_back(to_string(r));
  }
  return {{"type", "string"}, {"enum", names}};
}

nlohmann::json warranty_schema() {
  namespace s = schema;
  return s::object_schema({s::boolean("in_warranty", "at the report"),
                           s::enumeration("basis", warranty_basis_names()),
                           s::array("remedies", remedies_schema(), "in the standard's order")});
}

nlohmann::json job_schema() {
  namespace s = schema;
  auto names = [](auto... values) {
    std::vector<std::string> out;
    (out.emplace_back(to_string(values)), ...);
    return out;
  };
  auto clock = s::ref("SlaClock");
  return s::object_schema({
      s::id("id"),
      s::enumeration("kind", names(JobKind::repair, JobKind::installation, JobKind::maintenance,
                                   JobKind::inspection)),
      s::enumeration("severity", names(Severity::critical, Severity::serious, Severity::general,
                                       Severity::minor)),
      s::enumeration("status", names(JobStatus::new_, JobStatus::assigned, JobStatus::accepted,
                                     JobStatus::en_route, JobStatus::on_site, JobStatus::on_hold,
                                     JobStatus::resolved, JobStatus::signed_off, JobStatus::closed,
                                     JobStatus::cancelled)),
      s::id("site_id"),
      s::optional_id("equipment_id"),
      s::nullable(s::enumeration("hold_reason",
                                 names(HoldReason::waiting_parts, HoldReason::waiting_customer))),
      s::text("description", 4000),
      s::nullable(s::text("fault", 64, "a fault code, e.g. compressor; null when none was given")),
      s::array("required_skills", {{"type", "string"}}),
      s::timestamp("reported_at", "when the customer reported it; the SLA clocks start here"),
      s::timestamp("created_at"),
      s::optional_id("technician_id"),
      s::boolean("assignment_locked", "assigned by hand: the optimizer leaves it alone"),
      s::boolean("needs_review",
                 "facts arrived for the job after it moved on (reassigned, cancelled, closed), "
                 "or a dispatcher raised it; a dispatcher clears it (PATCH)"),
      s::number("distance_km", "from its site's center"),
      s::nullable(s::number("band_max_km", "upper limit of its band in its tier; null beyond")),
      s::object("dispatch", s::object_schema({s::optional(s::text("reason", 200))}),
                "why the engine chose as it did, if it dispatched the job"),
      s::nullable(s::object("warranty", warranty_schema(),
                            "repair jobs with equipment: the remedy the customer is entitled to")),
      s::object("sla", s::object_schema({s::object("response", clock), s::object("arrival", clock),
                                         s::object("restore", clock)})),
      s::integer("version", 1, std::nullopt, "bumped by every change; send it as If-Match"),
  });
}

Reply json_text_reply(std::string text, int status, std::optional<std::int64_t> version) {
  Reply r;
  r.status = status;
  r.text = std::move(text);
  if (version) {
    // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) on the chained + form.
    std::string etag = "\"";
    append_int(etag, *version);
    etag += '"';
    r.headers.emplace_back("ETag", std::move(etag));
  }
  return r;
}

Reply job_reply(const Job& j, const dispatch::SlaPolicy& policy, Instant now, int status) {
  std::string out;
  out.reserve(1024);
  append_job(out, j, policy, now);
  return json_text_reply(std::move(out), status, j.version);
}

}  // namespace fieldserve::server
