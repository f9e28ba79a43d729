// Job resources: create, read, list, change. Lifecycle actions are in job_actions.cpp.
#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/job_json.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

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
  std::optional<std::string> fault;
  std::optional<std::vector<std::string>> required_skills;
  bool equipment_given = false;
  std::optional<EquipmentId> equipment_id;
  std::optional<Instant> reported_at;
  bool auto_assign = true;
  std::optional<bool> needs_review;
};

// What a job's create and PATCH bodies may hold. site_id, kind, reported_at and auto_assign are
// for create only.
namespace job_body {
const schema::Field site_id = schema::id("site_id");
const schema::Field kind = schema::enumeration(
    "kind",
    names_of({JobKind::repair, JobKind::installation, JobKind::maintenance, JobKind::inspection}));
const schema::Field reported_at = schema::optional(schema::timestamp(
    "reported_at", "default now; not before 2000, not in the future (a minute of drift is now)"));
const schema::Field auto_assign =
    schema::optional(schema::boolean("auto_assign", "run the dispatch engine now (default true)"));
const schema::Field severity = schema::enumeration("severity",
                                                   names_of({Severity::critical, Severity::serious,
                                                             Severity::general, Severity::minor}));
const schema::Field description = schema::optional(schema::text("description", 4000));
const schema::Field fault = schema::optional(schema::text(
    "fault", 64, "a fault code (compressor): warranty repairs are counted per fault; \"\" clears"));
const schema::Field required_skills = schema::optional(schema::skills("required_skills"));
const schema::Field equipment_id = schema::optional(schema::optional_id("equipment_id",
                                                                        "null clears it"));
const std::vector<schema::Field> create{site_id,     kind,  reported_at,     auto_assign, severity,
                                        description, fault, required_skills, equipment_id};
const schema::Field needs_review = schema::optional(schema::boolean(
    "needs_review", "false clears the flag the field raised; recorded as an event"));
const std::vector<schema::Field> patch{severity,        description,  fault,
                                       required_skills, equipment_id, needs_review};
}  // namespace job_body

Result<JobInput> read_job(const json& object, bool creating, Instant now) {
  FieldReader r(object);
  JobInput in;
  if (creating) {
    in.site_id = r.integer(job_body::site_id, true);
    in.kind = r.one_of(job_body::kind, true, parse_job_kind);
    if (auto at = r.instant(job_body::reported_at, true)) {
      if (*at > now + kReportedAtTolerance) {
        r.problem(job_body::reported_at, "must not be in the future");
      } else if (*at < kEarliestReportedAt) {
        r.problem(job_body::reported_at, "must not be before 2000");
      } else {
        in.reported_at = std::min(*at, now);
      }
    }
    if (auto v = r.boolean(job_body::auto_assign, true)) in.auto_assign = *v;
  }
  in.severity = r.one_of(job_body::severity, creating, parse_severity);
  in.description = r.text(job_body::description, creating);
  in.fault = r.text(job_body::fault, creating);
  in.required_skills = r.skills(job_body::required_skills, creating);
  in.equipment_given = r.has(job_body::equipment_id);
  in.equipment_id = r.integer(job_body::equipment_id, creating);
  if (!creating) in.needs_review = r.boolean(job_body::needs_review, false);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  return in;
}

Result<Reply> create_job(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto now = s.clock.now();
  auto in = read_job(*body, true, now);
  if (!in) return std::unexpected(in.error());
  app::NewJob job;
  job.site_id = *in->site_id;
  job.kind = *in->kind;
  job.severity = *in->severity;
  job.description = in->description.value_or("");
  job.fault = in->fault.value_or("");
  job.required_skills = in->required_skills.value_or(std::vector<std::string>{});
  job.equipment_id = in->equipment_id;
  job.reported_at = in->reported_at;
  job.auto_assign = in->auto_assign;
  auto created = s.jobs.create(req.who(), job);
  if (!created) return std::unexpected(created.error());
  return job_reply(*created, s.policy.policy(), now, 201);
}

Result<Reply> get_job(Services& s, RouteRequest& req) {
  auto job = s.jobs.get(req.who(), req.path_id());
  if (!job) return std::unexpected(job.error());
  return job_reply(*job, s.policy.policy(), s.clock.now());
}

Result<Reply> list_jobs(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  store::JobFilter f;
  if (auto text = req.query("status")) {
    f.status = parse_job_status(*text);
    if (!f.status) return fail(ErrorCode::bad_request, "status is not a job status");
  }
  if (auto text = req.query("severity")) {
    f.severity = parse_severity(*text);
    if (!f.severity)
      return fail(ErrorCode::bad_request, "severity must be critical, serious, general or minor");
  }
  for (auto [name, target] :
       {std::pair{"technician_id", &f.technician_id}, std::pair{"center_id", &f.center_id},
        std::pair{"site_id", &f.site_id}}) {
    auto v = req.query_id(name);
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
    if (*v != "true" && *v != "false")
      return fail(ErrorCode::bad_request, "needs_review must be true or false");
    f.needs_review = *v == "true";
  }
  if (auto v = req.query("sla_state")) {
    f.sla_state = parse_sla_state(*v);
    if (!f.sla_state)
      return fail(ErrorCode::bad_request, "sla_state must be pending, at_risk, met or breached");
  }
  // The generation before the policy: a page rendered under a policy that changes meanwhile is
  // filed under the older generation, which no later request asks for.
  auto generation = s.policy.generation();
  auto policy = s.policy.policy();
  JobPageRenderer renderer(s.job_renders, policy, generation, s.clock.now());
  auto rows = s.jobs.list_known(req.who(), *page, f,
                                [&](store::JobStamp stamp) { return renderer.held(stamp); });
  if (!rows) return std::unexpected(rows.error());
  return renderer.reply(*rows, page->limit);
}

Result<Reply> patch_job(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto now = s.clock.now();
  auto in = read_job(*body, false, now);
  if (!in) return std::unexpected(in.error());
  app::JobChanges changes;
  changes.severity = in->severity;
  changes.description = in->description;
  changes.fault = in->fault;
  changes.required_skills = in->required_skills;
  changes.equipment_given = in->equipment_given;
  changes.equipment_id = in->equipment_id;
  changes.needs_review = in->needs_review;
  auto job = s.jobs.patch(req.who(), req.path_id(), *if_match, changes);
  if (!job) return std::unexpected(job.error());
  return job_reply(*job, s.policy.policy(), now);
}

}  // namespace

void add_job_routes(RouteTable& routes, Services& s) {
  auto job = schema::ref("Job");
  routes.push_back({"POST",
                    "/api/v1/jobs",
                    kOperate,
                    "Create a job; due times come from its tier and distance band",
                    bind(s, create_job),
                    201,
                    {.request = schema::object_schema(job_body::create), .response = job}});
  routes.push_back(
      {"GET",
       "/api/v1/jobs",
       kStaffRead | kTechnician,
       "List jobs (filters: status, severity, technician_id, center_id, site_id, reported_from, "
       "reported_to, needs_review, sla_state)",
       bind(s, list_jobs),
       200,
       {.response = schema::page_of(job),
        .query = page_query_with(
            {schema::enumeration("status", names_of({JobStatus::new_, JobStatus::assigned,
                                                     JobStatus::accepted, JobStatus::en_route,
                                                     JobStatus::on_site, JobStatus::on_hold,
                                                     JobStatus::resolved, JobStatus::signed_off,
                                                     JobStatus::closed, JobStatus::cancelled})),
             job_body::severity, schema::id("technician_id"), schema::id("center_id"),
             schema::id("site_id"), schema::timestamp("reported_from", "inclusive"),
             schema::timestamp("reported_to", "exclusive"),
             schema::enumeration("needs_review", {"true", "false"}),
             schema::enumeration("sla_state", {"pending", "at_risk", "met", "breached"},
                                 "open jobs with a target in this state")})}});
  routes.push_back({"GET",
                    "/api/v1/jobs/{id}",
                    kStaffRead | kTechnician,
                    "Read a job",
                    bind(s, get_job),
                    200,
                    {.response = job}});
  routes.push_back(
      {"PATCH",
       "/api/v1/jobs/{id}",
       kOperate,
       "Change description, severity, required skills or equipment, or clear needs_review "
       "(If-Match)",
       bind(s, patch_job),
       200,
       {.request = schema::object_schema(job_body::patch, true), .response = job}});
}

}  // namespace fieldserve::server
