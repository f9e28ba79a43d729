// Job lifecycle actions: manual assignment, status moves, cancellation, the event log and the
// last dispatch decision.
#include "domain/job_status.h"
#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/job_json.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// What the actions' bodies may hold.
namespace job_action_body {
const schema::Field technician_id = schema::id("technician_id");
const schema::Field force = schema::optional(schema::boolean(
    "force", "assign: also an inactive or full technician; auto-assign: dispatch again"));
const schema::Field to = schema::enumeration("to", {"accepted", "en_route", "on_site", "on_hold",
                                                    "resumed", "resolved", "closed"});
const schema::Field hold_reason = schema::optional(schema::enumeration(
    "reason", names_of({HoldReason::waiting_parts, HoldReason::waiting_customer}),
    "why it goes on hold (with to: on_hold)"));
const schema::Field note = schema::optional(schema::text("note", 4000));
const schema::Field cancel_reason = schema::optional(schema::text("reason", 1000));
}  // namespace job_action_body

// Reads a job action's body with `read` (it reads its fields into its captures); the fields
// must all be known.
template <class Read>
Result<void> read_action(RouteRequest& req, Read read) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  FieldReader r(*body);
  read(r);
  return r.finish();
}

Result<Reply> assign_job(Services& s, RouteRequest& req) {
  std::optional<std::int64_t> technician_id;
  bool force = false;
  auto ok = read_action(req, [&](FieldReader& r) {
    technician_id = r.integer(job_action_body::technician_id, true);
    force = r.boolean(job_action_body::force, true).value_or(false);
  });
  if (!ok) return std::unexpected(ok.error());
  auto done = s.jobs.assign(req.who(), req.path_id(), *technician_id, force);
  if (!done) return std::unexpected(done.error());
  const auto& check = done->check;
  std::string out;
  Instant valid_until = Instant::max();
  out += '{';
  append_job_fields(out, done->job, s.policy.policy(), s.clock.now(), valid_until);
  out += R"(,"broken_rules":)";
  out += json(check.broken).dump();
  out += R"(,"assignment_check":)";
  out += json{{"distance_km", check.distance_km},
              {"eta", format_rfc3339(check.eta)},
              {"missing_skills", check.missing_skills}}
             .dump();
  out += '}';
  return json_text_reply(std::move(out), 200, done->job.version);
}

Result<Reply> change_status(Services& s, RouteRequest& req) {
  std::optional<StatusRequest> to;
  std::optional<HoldReason> reason;
  std::optional<std::string> note;
  auto ok = read_action(req, [&](FieldReader& r) {
    to = r.one_of(job_action_body::to, true, parse_status_request);
    reason = r.one_of(job_action_body::hold_reason, true, parse_hold_reason);
    note = r.text(job_action_body::note, true);
  });
  if (!ok) return std::unexpected(ok.error());
  auto job = s.jobs.change_status(req.who(), req.path_id(), *to, reason, note);
  if (!job) return std::unexpected(job.error());
  return job_reply(*job, s.policy.policy(), s.clock.now());
}

Result<Reply> cancel_job(Services& s, RouteRequest& req) {
  std::optional<std::string> reason;
  auto ok = read_action(req, [&](FieldReader& r) {
    reason = r.text(job_action_body::cancel_reason, true);
  });
  if (!ok) return std::unexpected(ok.error());
  auto job = s.jobs.cancel(req.who(), req.path_id(), reason);
  if (!job) return std::unexpected(job.error());
  return job_reply(*job, s.policy.policy(), s.clock.now());
}

Result<Reply> auto_assign_job(Services& s, RouteRequest& req) {
  bool force = false;
  auto ok = read_action(req, [&](FieldReader& r) {
    force = r.boolean(job_action_body::force, true).value_or(false);
  });
  if (!ok) return std::unexpected(ok.error());
  auto job = s.jobs.auto_assign(req.who(), req.path_id(), force);
  if (!job) return std::unexpected(job.error());
  return job_reply(*job, s.policy.policy(), s.clock.now());
}

Result<Reply> get_candidates(Services& s, RouteRequest& req) {
  auto found = s.jobs.explanation(req.path_id());
  if (!found) return std::unexpected(found.error());
  const auto& decision = found->decision;
  json candidates = json::parse(decision.candidates, nullptr, false);
  if (candidates.is_discarded()) candidates = json::array();
  return json_reply({{"job_id", found->job.id},
                     {"decided_at", format_rfc3339(decision.decided_at)},
                     {"radius_km", decision.radius_km},
                     {"reason", decision.reason.empty() ? json(nullptr) : json(decision.reason)},
                     {"chosen_technician_id",
                      decision.chosen ? json(*decision.chosen) : json(nullptr)},
                     {"candidates", candidates}});
}

Result<Reply> list_events(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  auto rows = s.jobs.events(req.who(), req.path_id(), *page);
  if (!rows) return std::unexpected(rows.error());
  return list_reply(*rows, *page, event_json);
}

}  // namespace

void add_job_action_routes(RouteTable& routes, Services& s) {
  namespace sc = schema;
  auto job = sc::ref("Job");
  // The assignment answer: the job with the rules the manual choice breaks.
  auto assigned = job_schema();
  assigned["properties"]["broken_rules"] = sc::array_of(
      {{"type", "string"},
       {"enum",
        {"inactive", "off_shift", "missing_skills", "capacity", "radius", "eta_misses_due"}}});
  assigned["properties"]["assignment_check"] =
      sc::object_schema({sc::number("distance_km"), sc::timestamp("eta"),
                         sc::array("missing_skills", {{"type", "string"}})});
  assigned["required"].push_back("broken_rules");
  assigned["required"].push_back("assignment_check");
  routes.push_back(
      {"POST",
       "/api/v1/jobs/{id}/assign",
       kOperate,
       "Assign a technician by hand; the answer lists the rules it breaks",
       bind(s, assign_job),
       200,
       {.request = sc::object_schema({job_action_body::technician_id, job_action_body::force}),
        .response = assigned,
        .errors = {409}}});
  routes.push_back(
      {"POST",
       "/api/v1/jobs/{id}/auto-assign",
       kOperate,
       "Run the dispatch engine for a new job (force: dispatch an assigned, unstarted job again)",
       bind(s, auto_assign_job),
       200,
       {.request = sc::object_schema({job_action_body::force}), .response = job, .errors = {409}}});
  routes.push_back(
      {"GET",
       "/api/v1/jobs/{id}/candidates",
       kStaffRead,
       "The last dispatch decision: every technician considered and why",
       bind(s, get_candidates),
       200,
       {.response = sc::object_schema(
            {sc::id("job_id"), sc::timestamp("decided_at"),
             sc::number("radius_km", "how far the engine looked"),
             sc::nullable(sc::text("reason", 200)), sc::optional_id("chosen_technician_id"),
             sc::array("candidates", {{"type", "object"}},
                       "every technician considered, with its figures and why it was or was "
                       "not chosen")})}});
  routes.push_back(
      {"POST",
       "/api/v1/jobs/{id}/status",
       kOperate | kTechnician,
       "Move a job through its lifecycle",
       bind(s, change_status),
       200,
       {.request = sc::object_schema({job_action_body::to, job_action_body::hold_reason,
                                      job_action_body::note}),
        .response = job,
        .errors = {409}}});
  routes.push_back({"POST",
                    "/api/v1/jobs/{id}/cancel",
                    kOperate,
                    "Cancel a job before it is resolved",
                    bind(s, cancel_job),
                    200,
                    {.request = sc::object_schema({job_action_body::cancel_reason}),
                     .response = job,
                     .errors = {409}}});
  routes.push_back({"GET",
                    "/api/v1/jobs/{id}/events",
                    kStaffRead | kTechnician,
                    "The job's append-only event log",
                    bind(s, list_events),
                    200,
                    {.response = sc::page_of(sc::ref("JobEvent")), .query = page_query()}});
}

}  // namespace fieldserve::server
