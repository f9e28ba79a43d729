// Jobs and their append-only events.
#include <algorithm>

#include "store/db.h"
#include "store/sql_tx.h"

namespace fieldserve::store {

namespace {

constexpr const char* kJobColumns =
    "SELECT j.id, j.kind, j.severity, j.site_id, j.equipment_id, j.required_skills, "
    "j.description, j.reported_at, j.created_at, j.technician_id, j.assignment_locked, j.status, "
    "j.hold_reason, j.status_before_hold, j.hold_started_at, j.paused_s, j.needs_review, "
    "j.dispatch_reason, "
    "j.response_target, j.response_due, j.response_risk, j.response_done, "
    "j.arrival_target, j.arrival_due, j.arrival_risk, j.arrival_done, "
    "j.restore_target, j.restore_due, j.restore_risk, j.restore_done, j.version, j.distance_km, "
    "j.response_taken, j.arrival_taken, j.restore_taken, j.response_mark, j.arrival_mark, "
    "j.restore_mark, j.sla_next_check, j.fault, j.warranty_in, j.warranty_basis, "
    "j.warranty_exchange_from "
    "FROM jobs j ";

Job read_job(Statement& q) {
  Job j;
  j.id = q.get_int(0);
  j.kind = parse_job_kind(q.get_view(1)).value_or(JobKind::repair);
  j.severity = parse_severity(q.get_view(2)).value_or(Severity::general);
  j.site_id = q.get_int(3);
  j.equipment_id = q.get_opt_int(4);
  j.required_skills = split_skills(q.get_view(5));
  j.description = q.get_text(6);
  j.reported_at = from_epoch_s(q.get_int(7));
  j.created_at = from_epoch_s(q.get_int(8));
  j.technician_id = q.get_opt_int(9);
  j.assignment_locked = q.get_int(10) != 0;
  j.status = parse_job_status(q.get_view(11)).value_or(JobStatus::new_);
  if (!q.is_null(12)) j.hold_reason = parse_hold_reason(q.get_view(12));
  if (!q.is_null(13)) j.status_before_hold = parse_job_status(q.get_view(13));
  j.hold_started_at = q.get_opt_instant(14);
  j.paused_s = q.get_int(15);
  j.needs_review = q.get_int(16) != 0;
  j.dispatch_reason = q.get_text(17);
  for (int t = 0; t < 3; ++t) {
    auto& c = j.sla[t];
    int base = 18 + t * 4;
    c.target_minutes = static_cast<int>(q.get_int(base));
    c.due = from_epoch_s(q.get_int(base + 1));
    c.at_risk_at = from_epoch_s(q.get_int(base + 2));
    c.done_at = q.get_opt_instant(base + 3);
  }
  j.version = q.get_int(30);
  j.distance_km = q.get_double(31);
  for (int t = 0; t < 3; ++t) {
    j.sla[t].taken_s = q.get_opt_int(32 + t);
    j.sla[t].announced = parse_sla_state(q.get_view(35 + t)).value_or(SlaState::pending);
  }
  j.sla_next_check = q.get_opt_instant(38);
  j.fault = q.get_text(39);
  if (!q.is_null(40)) {
    j.warranty = JobWarranty{
        q.get_int(40) != 0,
        parse_warranty_basis(q.get_view(41)).value_or(WarrantyBasis::in_warranty),
        q.get_opt_instant(42)};
  }
  return j;
}

std::optional<std::string> opt_name(const auto& value) {
  return value ? std::optional(std::string(to_string(*value))) : std::nullopt;
}

// The monitor's part of a job row: durations, announced states and the next threshold.
void bind_sla_marks(Statement& q, const Job& j) {
  static constexpr const char* kNames[3][2] = {
      {":rs_k", ":rs_m"}, {":ar_k", ":ar_m"}, {":re_k", ":re_m"}};
  for (int t = 0; t < 3; ++t) {
    q.bind(kNames[t][0], j.sla[t].taken_s)
        .bind(kNames[t][1], std::string(to_string(j.sla[t].announced)));
  }
  q.bind(":next", to_epoch_s(j.sla_next_check));
}

void bind_job(Statement& q, const Job& j) {
  q.bind(":kind", std::string(to_string(j.kind)))
      .bind(":severity", std::string(to_string(j.severity)))
      .bind(":site", j.site_id)
      .bind(":km", j.distance_km)
      .bind(":equipment", j.equipment_id)
      .bind(":skills", join_skills(j.required_skills))
      .bind(":description", j.description)
      .bind(":reported", to_epoch_s(j.reported_at))
      .bind(":technician", j.technician_id)
      .bind(":locked", j.assignment_locked)
      .bind(":status", std::string(to_string(j.status)))
      .bind(":hold_reason", opt_name(j.hold_reason))
      .bind(":before_hold", opt_name(j.status_before_hold))
      .bind(":hold_started", to_epoch_s(j.hold_started_at))
      .bind(":paused", j.paused_s)
      .bind(":review", j.needs_review)
      .bind(":reason", j.dispatch_reason)
      .bind(":fault", j.fault)
      .bind(":w_in", j.warranty ? std::optional<bool>(j.warranty->in_warranty) : std::nullopt)
      .bind(":w_basis",
            j.warranty ? std::optional(std::string(to_string(j.warranty->basis))) : std::nullopt)
      .bind(":w_from", j.warranty ? to_epoch_s(j.warranty->exchange_from) : std::nullopt);
  static constexpr const char* kNames[3][4] = {{":rs_t", ":rs_d", ":rs_r", ":rs_x"},
                                               {":ar_t", ":ar_d", ":ar_r", ":ar_x"},
                                               {":re_t", ":re_d", ":re_r", ":re_x"}};
  for (int t = 0; t < 3; ++t) {
    const auto& c = j.sla[t];
    q.bind(kNames[t][0], c.target_minutes)
        .bind(kNames[t][1], to_epoch_s(c.due))
        .bind(kNames[t][2], to_epoch_s(c.at_risk_at))
        .bind(kNames[t][3], to_epoch_s(c.done_at));
  }
  bind_sla_marks(q, j);
}

}  // namespace

JobId SqlTx::insert_job(const Job& j) {
  auto q = conn_.prepare(
      "INSERT INTO jobs (id, kind, severity, site_id, distance_km, equipment_id, required_skills, "
      "description, "
      "reported_at, created_at, technician_id, assignment_locked, status, hold_reason, "
      "status_before_hold, hold_started_at, paused_s, needs_review, dispatch_reason, "
      "response_target, response_due, response_risk, response_done, "
      "arrival_target, arrival_due, arrival_risk, arrival_done, "
      "restore_target, restore_due, restore_risk, restore_done, response_taken, arrival_taken, "
      "restore_taken, response_mark, arrival_mark, restore_mark, sla_next_check, fault, "
      "warranty_in, warranty_basis, warranty_exchange_from) VALUES (:id, "
      ":kind, :severity, "
      ":site, :km, :equipment, :skills, :description, :reported, :created, :technician, :locked, "
      ":status, :hold_reason, :before_hold, :hold_started, :paused, :review, :reason, "
      ":rs_t, :rs_d, :rs_r, :rs_x, :ar_t, :ar_d, :ar_r, :ar_x, :re_t, :re_d, :re_r, :re_x, "
      ":rs_k, :ar_k, :re_k, :rs_m, :ar_m, :re_m, :next, :fault, :w_in, :w_basis, :w_from) "
      "RETURNING id");
  bind_job(*q, j);
  q->bind(":id", j.id ? std::optional(j.id) : std::nullopt)
      .bind(":created", to_epoch_s(j.created_at));
  return returned_id(*q);
}

std::optional<Job> SqlTx::job(JobId id) {
  auto q = conn_.prepare(std::string(kJobColumns) + "WHERE j.id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_job(*q);
}

namespace {

// A page of the job list: `columns` (ending in "FROM jobs j ") with only the filters given as
// conditions, so SQLite can use an index for them and does not test the absent ones row by row
// ("(:x IS NULL OR ...)" did both, a tenth of a page's cost). Each combination is one cached
// statement.
std::string job_page_sql(std::string sql, const JobFilter& f) {
  sql += "WHERE j.id > :after ";
  if (f.status) sql += "AND j.status = :status ";
  if (f.severity) sql += "AND j.severity = :severity ";
  if (f.technician_id) sql += "AND j.technician_id = :technician ";
  if (f.site_id) sql += "AND j.site_id = :site ";
  if (f.center_id) sql += "AND j.site_id IN (SELECT id FROM sites WHERE center_id = :center) ";
  if (f.reported_from) sql += "AND j.reported_at >= :from ";
  if (f.reported_to) sql += "AND j.reported_at < :to ";
  if (f.needs_review) sql += "AND j.needs_review = :review ";
  if (f.sla_state) {
    sql +=
        "AND j.status NOT IN ('resolved', 'signed_off', 'closed', 'cancelled') "
        "AND :sla IN (j.response_mark, j.arrival_mark, j.restore_mark) ";
  }
  sql += "ORDER BY j.id LIMIT :n";
  return sql;
}

void bind_job_page(Statement& q, const Page& page, const JobFilter& f) {
  q.bind(":after", page.after_id).bind(":n", page.limit);
  if (f.status) q.bind(":status", to_string(*f.status));
  if (f.severity) q.bind(":severity", to_string(*f.severity));
  if (f.technician_id) q.bind(":technician", *f.technician_id);
  if (f.site_id) q.bind(":site", *f.site_id);
  if (f.center_id) q.bind(":center", *f.center_id);
  if (f.reported_from) q.bind(":from", to_epoch_s(*f.reported_from));
  if (f.reported_to) q.bind(":to", to_epoch_s(*f.reported_to));
  if (f.needs_review) q.bind(":review", *f.needs_review);
  if (f.sla_state) q.bind(":sla", to_string(*f.sla_state));
}

}  // namespace

std::vector<Job> SqlTx::jobs(const Page& page, const JobFilter& f) {
  auto q = conn_.prepare(job_page_sql(kJobColumns, f));
  bind_job_page(*q, page, f);
  std::vector<Job> out;
  out.reserve(static_cast<std::size_t>(std::max(page.limit, 0)));
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

std::vector<JobStamp> SqlTx::job_stamps(const Page& page, const JobFilter& f) {
  auto q = conn_.prepare(job_page_sql("SELECT j.id, j.version FROM jobs j ", f));
  bind_job_page(*q, page, f);
  std::vector<JobStamp> out;
  out.reserve(static_cast<std::size_t>(std::max(page.limit, 0)));
  while (q->step()) out.push_back({q->get_int(0), q->get_int(1)});
  return out;
}

std::vector<Job> SqlTx::jobs_by_id(const std::vector<JobId>& ids) {
  std::vector<Job> out;
  if (ids.empty()) return out;
  out.reserve(ids.size());
  auto q = conn_.prepare(std::string(kJobColumns) + "WHERE j.id IN " + conn_.id_list(":ids") +
                         " ORDER BY j.id");
  q->bind(":ids", Connection::id_array(ids));
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

std::vector<Job> SqlTx::unfinished_jobs() {
  auto q = conn_.prepare(std::string(kJobColumns) +
                         "WHERE j.status NOT IN ('resolved', 'signed_off', 'closed', 'cancelled') "
                         "ORDER BY j.id");
  std::vector<Job> out;
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

std::vector<Job> SqlTx::open_jobs_of(TechnicianId id) {
  auto q =
      conn_.prepare(std::string(kJobColumns) +
                    "WHERE j.technician_id = :id AND j.status IN "
                    "('assigned', 'accepted', 'en_route', 'on_site', 'on_hold') ORDER BY j.id");
  q->bind(":id", id);
  std::vector<Job> out;
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

std::vector<QueuedRow> SqlTx::queues_of(const std::vector<TechnicianId>& ids) {
  auto q = conn_.prepare(
      "SELECT j.id, j.technician_id, j.severity, j.status, s.lat, s.lon, j.arrival_due, "
      "j.arrival_done, j.assignment_locked, j.kind, j.required_skills, "
      "COALESCE(e.model, '') FROM jobs j JOIN sites s ON s.id = j.site_id "
      "LEFT JOIN equipment e ON e.id = j.equipment_id "
      "WHERE j.technician_id IN " +
      conn_.id_list(":ids") +
      " AND j.status IN "
      "('assigned', 'accepted', 'en_route', 'on_site', 'on_hold') ORDER BY j.id");
  q->bind(":ids", Connection::id_array(ids));
  std::vector<QueuedRow> out;
  while (q->step()) {
    QueuedRow r;
    r.id = q->get_int(0);
    r.technician_id = q->get_int(1);
    r.severity = parse_severity(q->get_text(2)).value_or(Severity::general);
    r.status = parse_job_status(q->get_text(3)).value_or(JobStatus::assigned);
    r.site = {q->get_double(4), q->get_double(5)};
    r.arrival_due = from_epoch_s(q->get_int(6));
    r.arrival_done = q->get_opt_instant(7);
    r.locked = q->get_int(8) != 0;
    r.kind = parse_job_kind(q->get_view(9)).value_or(JobKind::repair);
    r.required_skills = split_skills(q->get_view(10));
    r.equipment_model = q->get_text(11);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CriticalCall> SqlTx::critical_calls(Instant since, std::optional<CenterId> center,
                                                int limit) {
  auto q =
      conn_.prepare(std::string("SELECT s.lat, s.lon, j.required_skills, j.reported_at FROM jobs j "
                                "JOIN sites s ON s.id = j.site_id "
                                "WHERE j.severity = 'critical' AND j.reported_at >= :since ") +
                    (center ? "AND s.center_id = :center " : "") +
                    "ORDER BY j.reported_at DESC, j.id DESC LIMIT :limit");
  q->bind(":since", to_epoch_s(since));
  if (center) q->bind(":center", *center);
  q->bind(":limit", limit);
  std::vector<CriticalCall> out;
  while (q->step()) {
    CriticalCall c;
    c.site = {q->get_double(0), q->get_double(1)};
    c.required_skills = split_skills(q->get_view(2));
    c.reported_at = from_epoch_s(q->get_int(3));
    out.push_back(std::move(c));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<ServiceRecord> SqlTx::service_history(int limit) {
  auto q = conn_.prepare(
      "SELECT j.kind, j.required_skills, COALESCE(e.model, ''), "
      "j.restore_done - j.arrival_done - j.paused_s FROM jobs j "
      "LEFT JOIN equipment e ON e.id = j.equipment_id "
      "WHERE j.restore_done IS NOT NULL AND j.arrival_done IS NOT NULL "
      "ORDER BY j.restore_done DESC LIMIT :limit");
  q->bind(":limit", limit);
  std::vector<ServiceRecord> out;
  while (q->step()) {
    ServiceRecord r;
    r.kind = parse_job_kind(q->get_view(0)).value_or(JobKind::repair);
    r.required_skills = split_skills(q->get_view(1));
    r.equipment_model = q->get_text(2);
    r.minutes = static_cast<double>(q->get_int(3)) / 60;
    out.push_back(std::move(r));
  }
  return out;
}

void SqlTx::insert_decision(const DecisionRecord& d) {
  auto q = conn_.prepare(
      "INSERT INTO dispatch_decisions (job_id, decided_at, chosen_technician_id, reason, "
      "radius_km, "
      "candidates) VALUES (:job, :at, :chosen, :reason, :radius, :candidates)");
  q->bind(":job", d.job_id)
      .bind(":at", to_epoch_s(d.decided_at))
      .bind(":chosen", d.chosen)
      .bind(":reason", d.reason)
      .bind(":radius", d.radius_km)
      .bind(":candidates", d.candidates)
      .exec();
}

std::optional<DecisionRecord> SqlTx::latest_decision(JobId job) {
  auto q = conn_.prepare(
      "SELECT job_id, decided_at, chosen_technician_id, reason, radius_km, candidates "
      "FROM dispatch_decisions WHERE job_id = :job ORDER BY id DESC LIMIT 1");
  q->bind(":job", job);
  if (!q->step()) return std::nullopt;
  DecisionRecord d;
  d.job_id = q->get_int(0);
  d.decided_at = from_epoch_s(q->get_int(1));
  d.chosen = q->get_opt_int(2);
  d.reason = q->get_text(3);
  d.radius_km = q->get_double(4);
  d.candidates = q->get_text(5);
  return d;
}

bool SqlTx::update_job(const Job& j) {
  auto q = conn_.prepare(
      "UPDATE jobs SET kind = :kind, severity = :severity, site_id = :site, distance_km = :km, "
      "equipment_id = :equipment, required_skills = :skills, description = :description, "
      "reported_at = :reported, technician_id = :technician, assignment_locked = :locked, "
      "status = :status, hold_reason = :hold_reason, status_before_hold = :before_hold, "
      "hold_started_at = :hold_started, paused_s = :paused, needs_review = :review, "
      "dispatch_reason = :reason, "
      "response_target = :rs_t, response_due = :rs_d, response_risk = :rs_r, response_done = "
      ":rs_x, "
      "arrival_target = :ar_t, arrival_due = :ar_d, arrival_risk = :ar_r, arrival_done = :ar_x, "
      "restore_target = :re_t, restore_due = :re_d, restore_risk = :re_r, restore_done = :re_x, "
      "response_taken = :rs_k, arrival_taken = :ar_k, restore_taken = :re_k, "
      "response_mark = :rs_m, arrival_mark = :ar_m, restore_mark = :re_m, sla_next_check = :next, "
      "fault = :fault, warranty_in = :w_in, warranty_basis = :w_basis, "
      "warranty_exchange_from = :w_from, version = version + 1 WHERE id = :id AND version = "
      ":version");
  bind_job(*q, j);
  q->bind(":id", j.id).bind(":version", j.version).exec();
  return q->changes() == 1;
}

std::vector<Job> SqlTx::jobs_due_for_sla_check(Instant now, int limit) {
  auto q = conn_.prepare(std::string(kJobColumns) +
                         "WHERE j.sla_next_check <= :now ORDER BY j.sla_next_check LIMIT :n");
  q->bind(":now", to_epoch_s(now)).bind(":n", limit);
  std::vector<Job> out;
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

void SqlTx::mark_sla(const Job& j) {
  auto q = conn_.prepare(
      "UPDATE jobs SET response_taken = :rs_k, arrival_taken = :ar_k, restore_taken = :re_k, "
      "response_mark = :rs_m, arrival_mark = :ar_m, restore_mark = :re_m, "
      "sla_next_check = :next WHERE id = :id");
  bind_sla_marks(*q, j);
  q->bind(":id", j.id).exec();
}

std::int64_t SqlTx::insert_event(const JobEvent& e) {
  auto q = conn_.prepare(
      "INSERT INTO job_events (job_id, type, from_status, to_status, technician_id, actor, source, "
      "at, received_at, detail, device_at) VALUES (:job, :type, :from, :to, :tech, :actor, "
      ":source, "
      ":at, :received, :detail, :device_at) RETURNING id");
  q->bind(":job", e.job_id)
      .bind(":type", e.type)
      .bind(":from", opt_name(e.from_status))
      .bind(":to", opt_name(e.to_status))
      .bind(":tech", e.technician_id)
      .bind(":actor", e.actor)
      .bind(":source", std::string(to_string(e.source)))
      .bind(":at", to_epoch_s(e.at))
      .bind(":received", to_epoch_s(e.received_at))
      .bind(":detail", e.detail)
      .bind(":device_at", to_epoch_s(e.device_at));
  auto id = returned_id(*q);
  if (e.to_status && !e.type.starts_with("sla")) tallies_due_.insert(e.job_id);
  return id;
}

namespace {

constexpr const char* kEventColumns =
    "SELECT id, job_id, type, from_status, to_status, technician_id, actor, source, at, "
    "received_at, detail, device_at FROM job_events ";

JobEvent read_event(Statement& q) {
  JobEvent e;
  e.id = q.get_int(0);
  e.job_id = q.get_int(1);
  e.type = q.get_text(2);
  if (!q.is_null(3)) e.from_status = parse_job_status(q.get_text(3));
  if (!q.is_null(4)) e.to_status = parse_job_status(q.get_text(4));
  e.technician_id = q.get_opt_int(5);
  e.actor = q.get_text(6);
  e.source = parse_event_source(q.get_text(7)).value_or(EventSource::api);
  e.at = from_epoch_s(q.get_int(8));
  e.received_at = from_epoch_s(q.get_int(9));
  e.detail = q.get_text(10);
  e.device_at = q.get_opt_instant(11);
  return e;
}

}  // namespace

std::vector<JobEvent> SqlTx::events(JobId job, const Page& page) {
  auto q = conn_.prepare(std::string(kEventColumns) +
                         "WHERE job_id = :job AND id > :after ORDER BY id LIMIT :n");
  q->bind(":job", job).bind(":after", page.after_id).bind(":n", page.limit);
  std::vector<JobEvent> out;
  while (q->step()) out.push_back(read_event(*q));
  return out;
}

std::vector<JobEvent> SqlTx::status_events_of(const std::vector<JobId>& jobs) {
  auto q = conn_.prepare(std::string(kEventColumns) + "WHERE job_id IN " + conn_.id_list(":ids") +
                         " AND type = 'status' "
                         "ORDER BY job_id, at, id");
  q->bind(":ids", Connection::id_array(jobs));
  std::vector<JobEvent> out;
  while (q->step()) out.push_back(read_event(*q));
  return out;
}

std::vector<Job> SqlTx::repair_jobs_of(EquipmentId unit) {
  auto q = conn_.prepare(std::string(kJobColumns) +
                         "WHERE j.equipment_id = :unit AND j.kind = 'repair' ORDER BY j.id");
  q->bind(":unit", unit);
  std::vector<Job> out;
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

}  // namespace fieldserve::store

namespace fieldserve::store {
namespace {
// The statuses a technician's device holds: from assignment until closed or cancelled. The feed
// triggers in migration 3 use the same list.
constexpr const char* kOnDevice =
    "('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off')";
}  // namespace

std::vector<Job> SqlTx::device_jobs(TechnicianId technician, JobId after, int limit) {
  auto q = conn_.prepare(std::string(kJobColumns) +
                         "WHERE j.technician_id = :tech AND j.id > :after AND j.status IN " +
                         kOnDevice + " ORDER BY j.id LIMIT :n");
  q->bind(":tech", technician).bind(":after", after).bind(":n", limit);
  std::vector<Job> out;
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

std::vector<Job> SqlTx::device_jobs_by_id(TechnicianId technician, const std::vector<JobId>& ids) {
  auto q = conn_.prepare(std::string(kJobColumns) + "WHERE j.id IN " + conn_.id_list(":ids") +
                         " AND "
                         "j.technician_id = :tech AND j.status IN " +
                         kOnDevice);
  q->bind(":tech", technician).bind(":ids", Connection::id_array(ids));
  std::vector<Job> out;
  while (q->step()) out.push_back(read_job(*q));
  return out;
}

bool SqlTx::ever_assigned(JobId job, TechnicianId technician) {
  auto q = conn_.prepare(
      "SELECT 1 FROM job_events WHERE job_id = :job AND technician_id = :tech LIMIT 1");
  q->bind(":job", job).bind(":tech", technician);
  return q->step();
}

}  // namespace fieldserve::store
