// Job resources: create, read, list, change. Lifecycle actions are in job_actions.cpp.
#include "server/app.h"
#include "server/handlers/handlers.h"
#include "server/handlers/job_access.h"
#include "server/handlers/support.h"
#include "server/json/json_body.h"
#include "server/json/resource_json.h"

namespace fieldserve::server {
namespace {

// A reported_at this far ahead of the server clock is taken as clock drift and read as now;
// further ahead it is refused, because SLA clocks may never start in the future.
constexpr std::chrono::seconds kReportedAtTolerance{60};
// Earlier than this is a typo, not a late-logged request.
const Instant kEarliestReportedAt = from_epoch_s(946684800);  // 2000-01-01

struct JobInput {
  std::optional<SiteId> site_id;
  std::optional<JobKind> kind;
  std::optional<Severity> severity;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> required_skills;
  bool equipment_given = false;
  std::optional<EquipmentId> equipment_id;
  std::optional<Instant> reported_at;
  bool auto_assign = true;
};

Result<JobInput> read_job(const json& body, bool creating, Instant now) {
  FieldReader r(body);
  JobInput in;
  if (creating) {
    in.site_id = r.integer("site_id", true, 1, INT64_MAX);
    in.kind = r.one_of("kind", true, parse_job_kind, "repair, installation, maintenance, inspection");
    if (auto at = r.instant("reported_at", false)) {
      if (*at > now + kReportedAtTolerance) r.problem("reported_at", "must not be in the future");
      else if (*at < kEarliestReportedAt) r.problem("reported_at", "must not be before 2000");
      else in.reported_at = std::min(*at, now);
    }
    if (auto v = r.boolean("auto_assign", false)) in.auto_assign = *v;
  }
  in.severity = r.one_of("severity", creating, parse_severity, "critical, serious, general, minor");
  in.description = r.text("description", false, 4000, true);
  in.required_skills = r.skills("required_skills", false);
  in.equipment_given = r.has("equipment_id");
  in.equipment_id = r.integer("equipment_id", false, 1, INT64_MAX);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  return in;
}

Result<void> check_equipment(store::Tx& tx, const Job& job) {
  if (!job.equipment_id) return {};
  auto e = tx.equipment(*job.equipment_id);
  if (!e) {
    return fail(ErrorCode::unknown_reference,
                "equipment_id " + std::to_string(*job.equipment_id) + " does not exist");
  }
  if (e->site_id != job.site_id) {
    return fail(ErrorCode::validation_failed, "equipment " + std::to_string(e->id) +
                                                  " is not installed at site " +
                                                  std::to_string(job.site_id));
  }
  return {};
}

Result<Reply> create_job(RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto now = req.app.clock().now();
  auto in = read_job(*body, true, now);
  if (!in) return std::unexpected(in.error());
  auto policy = req.app.policy();
  return req.app.store().write([&](store::Tx& tx) -> Result<Reply> {
    Job job;
    job.site_id = *in->site_id;
    job.kind = *in->kind;
    job.severity = *in->severity;
    job.description = in->description.value_or("");
    job.required_skills = in->required_skills.value_or(std::vector<std::string>{});
    job.equipment_id = in->equipment_id;
    job.reported_at = in->reported_at.value_or(now);
    job.created_at = now;
    if (!tx.site(job.site_id)) {
      return fail(ErrorCode::unknown_reference, "site_id " + std::to_string(job.site_id) + " does not exist");
    }
    if (auto ok = check_equipment(tx, job); !ok) return std::unexpected(ok.error());
    if (auto ok = refresh_due_times(req.app, tx, job); !ok) return std::unexpected(ok.error());
    save_new_job(req.app, tx, job);
    auto e = job_event(job, "created", std::nullopt, req.who().actor(),
                       req.who().role == Role::dispatcher ? EventSource::dispatcher : EventSource::api, now);
    e.detail = "reported_at " + format_rfc3339(job.reported_at);
    tx.insert_event(e);
    if (in->auto_assign) req.app.dispatcher().auto_assign(req.app, tx, job, req.who().actor(), now);
    return json_reply(job_json(*tx.job(job.id), policy, now), 201);
  });
}

Result<Reply> get_job(RouteRequest& req) {
  auto job = req.app.store().read([&](store::Tx& tx) { return tx.job(req.path_id()); });
  if (auto ok = check_job_access(req, job, req.path_id()); !ok) return std::unexpected(ok.error());
  return json_reply(job_json(*job, req.app.policy(), req.app.clock().now()));
}

Result<Reply> list_jobs(RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  store::JobFilter f;
  if (auto s = req.query("status")) {
    f.status = parse_job_status(*s);
    if (!f.status) return fail(ErrorCode::bad_request, "status is not a job status");
  }
  if (auto s = req.query("severity")) {
    f.severity = parse_severity(*s);
    if (!f.severity) return fail(ErrorCode::bad_request, "severity must be critical, serious, general or minor");
  }
  for (auto [name, target] : {std::pair{"technician_id", &f.technician_id},
                              std::pair{"center_id", &f.center_id}, std::pair{"site_id", &f.site_id}}) {
    auto v = req.query_int(name);
    if (!v) return std::unexpected(v.error());
    *target = *v;
  }
  auto from = req.query_time("reported_from");
  if (!from) return std::unexpected(from.error());
  auto to = req.query_time("reported_to");
  if (!to) return std::unexpected(to.error());
  f.reported_from = *from;
  f.reported_to = *to;
  if (auto v = req.query("needs_review")) {
    if (*v != "true" && *v != "false") return fail(ErrorCode::bad_request, "needs_review must be true or false");
    f.needs_review = *v == "true";
  }
  if (auto v = req.query("sla_state")) {
    f.sla_state = parse_sla_state(*v);
    if (!f.sla_state) return fail(ErrorCode::bad_request, "sla_state must be pending, at_risk, met or breached");
  }
  if (req.is_technician()) {
    // A technician sees its own jobs whatever filter it sends.
    if (f.technician_id && f.technician_id != req.who().technician_id) {
      return fail(ErrorCode::forbidden, "a technician token lists only its own jobs");
    }
    f.technician_id = req.who().technician_id.value_or(-1);
  }
  auto rows = req.app.store().read([&](store::Tx& tx) { return tx.jobs(*page, f); });
  auto policy = req.app.policy();
  auto now = req.app.clock().now();
  return list_reply(rows, *page, [&](const Job& j) { return job_json(j, policy, now); });
}

Result<Reply> patch_job(RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto now = req.app.clock().now();
  auto in = read_job(*body, false, now);
  if (!in) return std::unexpected(in.error());
  auto policy = req.app.policy();
  return req.app.store().write([&](store::Tx& tx) -> Result<Reply> {
    auto job = tx.job(req.path_id());
    if (!job) return not_found("job", req.path_id());
    if (auto ok = check_version(*if_match, job->version); !ok) return std::unexpected(ok.error());
    if (job->status == JobStatus::closed || job->status == JobStatus::cancelled) {
      return fail(ErrorCode::conflict, "a " + std::string(to_string(job->status)) + " job cannot change");
    }
    std::vector<std::string> changed;
    if (in->description && *in->description != job->description) {
      job->description = *in->description;
      changed.push_back("description");
    }
    if (in->required_skills && *in->required_skills != job->required_skills) {
      job->required_skills = *in->required_skills;
      changed.push_back("required_skills");
    }
    if (in->equipment_given && in->equipment_id != job->equipment_id) {
      job->equipment_id = in->equipment_id;
      if (auto ok = check_equipment(tx, *job); !ok) return std::unexpected(ok.error());
      changed.push_back("equipment_id");
    }
    if (in->severity && *in->severity != job->severity) {
      changed.push_back("severity " + std::string(to_string(job->severity)) + " -> " +
                        std::string(to_string(*in->severity)));
      job->severity = *in->severity;
      if (auto ok = refresh_due_times(req.app, tx, *job); !ok) return std::unexpected(ok.error());
    }
    if (!changed.empty()) {
      save_job(req.app, tx, *job);
      auto e = job_event(*job, "updated", job->status, req.who().actor(), EventSource::dispatcher, now);
      for (const auto& c : changed) e.detail += (e.detail.empty() ? "" : "; ") + c;
      tx.insert_event(e);
    }
    return json_reply(job_json(*tx.job(job->id), policy, now));
  });
}

}  // namespace

void add_job_routes(RouteTable& routes) {
  routes.push_back({"POST", "/api/v1/jobs", kOperate, "Create a job; due times come from its tier and distance band", create_job, 201});
  routes.push_back({"GET", "/api/v1/jobs", kStaffRead | kTechnician, "List jobs (filters: status, severity, technician_id, center_id, site_id, reported_from, reported_to, needs_review)", list_jobs});
  routes.push_back({"GET", "/api/v1/jobs/{id}", kStaffRead | kTechnician, "Read a job", get_job});
  routes.push_back({"PATCH", "/api/v1/jobs/{id}", kOperate, "Change description, severity, required skills or equipment (If-Match)", patch_job});
}

}  // namespace fieldserve::server
