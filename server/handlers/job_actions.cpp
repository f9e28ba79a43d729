// Job lifecycle actions: manual assignment, status moves, cancellation, and the event log.
#include "dispatch/assignment_rules.h"
#include "domain/job_status.h"
#include "server/app.h"
#include "server/handlers/handlers.h"
#include "server/handlers/job_access.h"
#include "server/handlers/support.h"
#include "server/json/json_body.h"
#include "server/json/resource_json.h"

namespace fieldserve::server {
namespace {

// Rules a dispatcher may knowingly break are reported; these two block unless `force` is sent,
// because the assignment would sit with someone who cannot take it at all.
bool blocks_without_force(const std::string& rule) {
  return rule == "inactive" || rule == "capacity";
}

EventSource source_of(const Principal& p) {
  return p.role == Role::technician ? EventSource::api : EventSource::dispatcher;
}

// The shape every job action shares: read the body with `read` (it reads its fields into its
// captures), then run `act(tx, job)` in one write transaction on the job at the path, which must
// exist and, for a technician token, be theirs.
template <class Read, class Act>
Result<Reply> job_action(RouteRequest& req, Read read, Act act) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  FieldReader r(*body);
  read(r);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  return req.app.store().write([&](store::Tx& tx) -> Result<Reply> {
    auto job = tx.job(req.path_id());
    if (auto ok = check_job_access(req, job, req.path_id()); !ok) return std::unexpected(ok.error());
    return act(tx, *job);
  });
}

std::unexpected<Error> no_longer(const Job& job, const char* what) {
  return fail(ErrorCode::invalid_transition, "job " + std::to_string(job.id) + " is " +
                                                 std::string(to_string(job.status)) +
                                                 " and can no longer be " + what);
}

Result<Reply> assign_job(RouteRequest& req) {
  std::optional<std::int64_t> technician_id;
  bool force = false;
  auto read = [&](FieldReader& r) {
    technician_id = r.integer("technician_id", true, 1, INT64_MAX);
    force = r.boolean("force", false).value_or(false);
  };
  auto now = req.app.clock().now();
  auto policy = req.app.policy();
  dispatch::GeodesicTravel travel;
  return job_action(req, read, [&](store::Tx& tx, Job& job) -> Result<Reply> {
    if (!can_reassign(job.status)) return no_longer(job, "assigned");
    auto tech = tx.technician(*technician_id);
    if (!tech) {
      return fail(ErrorCode::unknown_reference,
                  "technician_id " + std::to_string(*technician_id) + " does not exist");
    }
    auto site = tx.site(job.site_id);
    auto home = tx.center(tech->home_center_id);
    if (!site || !home) return fail(ErrorCode::internal, "the job's site or the technician's center is missing");
    int open = tx.open_job_count(tech->id) - (job.technician_id == tech->id ? 1 : 0);
    auto check = dispatch::check_assignment(
        {job, *site, *tech, *home, policy.tier(job.severity), open, now}, travel);
    std::vector<std::string> blocking;
    for (const auto& rule : check.broken) {
      if (blocks_without_force(rule)) blocking.push_back(rule);
    }
    if (!blocking.empty() && !force) {
      return fail(ErrorCode::conflict,
                  "the technician cannot take the job; send \"force\": true to assign anyway",
                  blocking);
    }
    auto previous = job.technician_id;
    auto from_status = job.status;
    assign_to(job, tech->id, true, now);
    job.dispatch_reason.clear();
    save_job(req.app, tx, job);
    auto e = job_event(job, "assigned", from_status, req.who().actor(), EventSource::dispatcher, now);
    e.detail = previous ? "manual; from technician " + std::to_string(*previous) : "manual";
    if (!check.broken.empty()) {
      e.detail += "; breaks";
      for (const auto& rule : check.broken) e.detail += " " + rule;
    }
    tx.insert_event(e);
    auto out = job_json(*tx.job(job.id), policy, now);
    out["broken_rules"] = check.broken;
    out["assignment_check"] = {{"distance_km", check.distance_km},
                               {"eta", format_rfc3339(check.eta)},
                               {"missing_skills", check.missing_skills}};
    return json_reply(out);
  });
}

Result<Reply> change_status(RouteRequest& req) {
  std::optional<StatusRequest> to;
  std::optional<HoldReason> reason;
  std::optional<std::string> note;
  auto read = [&](FieldReader& r) {
    to = r.one_of("to", true, parse_status_request,
                  "accepted, en_route, on_site, on_hold, resumed, resolved, closed");
    reason = r.one_of("reason", false, parse_hold_reason, "waiting_parts, waiting_customer");
    note = r.text("note", false, 4000, true);
  };
  auto now = req.app.clock().now();
  auto policy = req.app.policy();
  return job_action(req, read, [&](store::Tx& tx, Job& job) -> Result<Reply> {
    if (*to == StatusRequest::closed && req.is_technician()) {
      return fail(ErrorCode::forbidden, "closing a job is for dispatchers");
    }
    auto change = plan_status_change(job, *to, reason);
    if (!change) return std::unexpected(change.error());
    auto from_status = job.status;
    if (auto ok = store_status_change(req.app, tx, job, *change, now); !ok) {
      return std::unexpected(ok.error());
    }
    auto e = job_event(job, "status", from_status, req.who().actor(), source_of(req.who()), now);
    if (change->hold_reason) e.detail = std::string(to_string(*change->hold_reason));
    if (note && !note->empty()) e.detail += (e.detail.empty() ? "" : "; ") + *note;
    tx.insert_event(e);
    if (change->to == JobStatus::resolved) {
      advance_if_signed(req.app, tx, job.id, [&](const Job& moved) {
        return job_event(moved, "status", JobStatus::resolved, req.who().actor(),
                         source_of(req.who()), now);
      });
    }
    return json_reply(job_json(*tx.job(job.id), policy, now));
  });
}

Result<Reply> cancel_job(RouteRequest& req) {
  std::optional<std::string> reason;
  auto read = [&](FieldReader& r) { reason = r.text("reason", false, 1000, true); };
  auto now = req.app.clock().now();
  auto policy = req.app.policy();
  return job_action(req, read, [&](store::Tx& tx, Job& job) -> Result<Reply> {
    if (!can_cancel(job.status)) {
      return fail(ErrorCode::invalid_transition, "a " + std::string(to_string(job.status)) +
                                                     " job cannot be cancelled");
    }
    auto from_status = job.status;
    job.status = JobStatus::cancelled;
    job.hold_reason.reset();
    job.status_before_hold.reset();
    job.hold_started_at.reset();
    save_job(req.app, tx, job);
    auto e = job_event(job, "status", from_status, req.who().actor(), EventSource::dispatcher, now);
    e.detail = reason.value_or("");
    tx.insert_event(e);
    return json_reply(job_json(*tx.job(job.id), policy, now));
  });
}

Result<Reply> auto_assign_job(RouteRequest& req) {
  bool force = false;
  auto read = [&](FieldReader& r) { force = r.boolean("force", false).value_or(false); };
  auto now = req.app.clock().now();
  auto policy = req.app.policy();
  return job_action(req, read, [&](store::Tx& tx, Job& job) -> Result<Reply> {
    if (!can_reassign(job.status) || job.status == JobStatus::en_route) {
      return no_longer(job, "dispatched");
    }
    // Dispatching an assigned job again is a deliberate act: without force, a second request
    // racing the first finds the job assigned and changes nothing.
    if (job.technician_id && !force) {
      return fail(ErrorCode::conflict, std::string("job is already assigned") +
                                           (job.assignment_locked ? " by a dispatcher" : "") +
                                           "; send \"force\": true to dispatch it again");
    }
    req.app.dispatcher().auto_assign(req.app, tx, job, req.who().actor(), now);
    return json_reply(job_json(*tx.job(job.id), policy, now));
  });
}

Result<Reply> get_candidates(RouteRequest& req) {
  auto [job, decision] = req.app.store().read([&](store::Tx& tx) {
    return std::pair(tx.job(req.path_id()), tx.latest_decision(req.path_id()));
  });
  if (!job) return not_found("job", req.path_id());
  if (!decision) return fail(ErrorCode::not_found, "job " + std::to_string(job->id) + " has not been auto-dispatched");
  json candidates = json::parse(decision->candidates, nullptr, false);
  if (candidates.is_discarded()) candidates = json::array();
  return json_reply({{"job_id", job->id},
                     {"decided_at", format_rfc3339(decision->decided_at)},
                     {"radius_km", decision->radius_km},
                     {"reason", decision->reason.empty() ? json(nullptr) : json(decision->reason)},
                     {"chosen_technician_id", decision->chosen ? json(*decision->chosen) : json(nullptr)},
                     {"candidates", candidates}});
}

Result<Reply> list_events(RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  auto [job, rows] = req.app.store().read([&](store::Tx& tx) {
    return std::pair(tx.job(req.path_id()), tx.events(req.path_id(), *page));
  });
  if (auto ok = check_job_access(req, job, req.path_id()); !ok) return std::unexpected(ok.error());
  return list_reply(rows, *page, event_json);
}

}  // namespace

void add_job_action_routes(RouteTable& routes) {
  routes.push_back({"POST", "/api/v1/jobs/{id}/assign", kOperate, "Assign a technician by hand; the answer lists the rules it breaks", assign_job});
  routes.push_back({"POST", "/api/v1/jobs/{id}/auto-assign", kOperate, "Run the dispatch engine for a new job (force: dispatch an assigned, unstarted job again)", auto_assign_job});
  routes.push_back({"GET", "/api/v1/jobs/{id}/candidates", kStaffRead, "The last dispatch decision: every technician considered and why", get_candidates});
  routes.push_back({"POST", "/api/v1/jobs/{id}/status", kOperate | kTechnician, "Move a job through its lifecycle", change_status});
  routes.push_back({"POST", "/api/v1/jobs/{id}/cancel", kOperate, "Cancel a job before it is resolved", cancel_job});
  routes.push_back({"GET", "/api/v1/jobs/{id}/events", kStaffRead | kTechnician, "The job's append-only event log", list_events});
}

}  // namespace fieldserve::server
