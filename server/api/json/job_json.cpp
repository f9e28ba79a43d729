#include "server/api/json/job_json.h"

#include <fmt/format.h>

#include <iterator>

#include "dispatch/sla_monitor.h"
#include "server/http/fast_json.h"

namespace fieldserve::server {
namespace {

template <class T>
void append_opt_number(std::string& out, const std::optional<T>& v) {
  if (v) fmt::format_to(std::back_inserter(out), "{}", *v);
  else out += "null";
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
    fmt::format_to(std::back_inserter(out), R"("{}":{{"target_minutes":{},"due":)", to_string(t),
                   c.target_minutes);
    append_time(out, c.due);
    out += R"(,"at_risk_at":)";
    append_time(out, c.at_risk_at);
    out += R"(,"done_at":)";
    append_opt_time(out, c.done_at);
    fmt::format_to(std::back_inserter(out), R"(,"state":"{}"}})",
                   to_string(dispatch::target_state(j, t, now)));
  }
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  append_json_escaped(out, text, false);
}

void append_time(std::string& out, Instant at) {
  out += '"';
  out += format_rfc3339(at);
  out += '"';
}

void append_opt_time(std::string& out, const std::optional<Instant>& at) {
  if (at) append_time(out, *at);
  else out += "null";
}

void append_location(std::string& out, const geo::LatLon& p) {
  fmt::format_to(std::back_inserter(out), R"({{"lat":{},"lon":{}}})", p.lat, p.lon);
}

void append_job_fields(std::string& out, const Job& j, const dispatch::SlaPolicy& policy,
                       Instant now, Instant& valid_until) {
  fmt::format_to(std::back_inserter(out),
                 R"("id":{},"kind":"{}","severity":"{}","status":"{}","site_id":{},"equipment_id":)",
                 j.id, to_string(j.kind), to_string(j.severity), to_string(j.status), j.site_id);
  append_opt_number(out, j.equipment_id);
  out += R"(,"hold_reason":)";
  if (j.hold_reason) fmt::format_to(std::back_inserter(out), R"("{}")", to_string(*j.hold_reason));
  else out += "null";
  out += R"(,"description":)";
  append_json_string(out, j.description);
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
  const auto& band = dispatch::band_for(policy.tier(j.severity), j.distance_km);
  fmt::format_to(std::back_inserter(out),
                 R"(,"assignment_locked":{},"needs_review":{},"distance_km":{},"band_max_km":)",
                 j.assignment_locked, j.needs_review, j.distance_km);
  append_opt_number(out, band.max_km);
  out += R"(,"dispatch":{)";
  if (!j.dispatch_reason.empty()) {
    out += R"("reason":)";
    append_json_string(out, j.dispatch_reason);
  }
  out += R"(},"sla":)";
  append_sla(out, j, now, valid_until);
  fmt::format_to(std::back_inserter(out), R"(,"version":{})", j.version);
}

void append_job(std::string& out, const Job& j, const dispatch::SlaPolicy& policy, Instant now) {
  Instant valid_until = Instant::max();
  out += '{';
  append_job_fields(out, j, policy, now, valid_until);
  out += '}';
}

Reply json_text_reply(std::string text, int status, std::optional<std::int64_t> version) {
  Reply r;
  r.status = status;
  r.text = std::move(text);
  if (version) r.headers.emplace_back("ETag", "\"" + std::to_string(*version) + "\"");
  return r;
}

Reply job_reply(const Job& j, const dispatch::SlaPolicy& policy, Instant now, int status) {
  std::string out;
  out.reserve(1024);
  append_job(out, j, policy, now);
  return json_text_reply(std::move(out), status, j.version);
}

Reply job_list_reply(const std::vector<Job>& jobs, int page_limit,
                     const dispatch::SlaPolicy& policy, Instant now) {
  std::string out;
  out.reserve(64 + jobs.size() * 1024);
  out += R"({"items":[)";
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (i) out += ',';
    append_job(out, jobs[i], policy, now);
  }
  out += R"(],"next_cursor":)";
  if (static_cast<int>(jobs.size()) == page_limit && !jobs.empty()) {
    out += '"';
    out += std::to_string(jobs.back().id);
    out += '"';
  } else {
    out += "null";
  }
  out += '}';
  return json_text_reply(std::move(out));
}

}  // namespace fieldserve::server
