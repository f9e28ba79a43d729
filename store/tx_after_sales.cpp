// After-sales records (docs/after-sales.md): exchanges of units under warranty, complaints
// and follow-up calls.
#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "store/db.h"
#include "store/sql_tx.h"

namespace fieldserve::store {

std::vector<EquipmentExchange> SqlTx::exchanges_of(EquipmentId unit) {
  auto q = conn_.prepare(
      "SELECT id, equipment_id, at, note, actor, recorded_at FROM equipment_exchanges "
      "WHERE equipment_id = :unit ORDER BY at, id");
  q->bind(":unit", unit);
  std::vector<EquipmentExchange> out;
  while (q->step()) {
    out.push_back({q->get_int(0), q->get_int(1), from_epoch_s(q->get_int(2)), q->get_text(3),
                   q->get_text(4), from_epoch_s(q->get_int(5))});
  }
  return out;
}

std::int64_t SqlTx::insert_exchange(const EquipmentExchange& e) {
  auto q = conn_.prepare(
      "INSERT INTO equipment_exchanges (equipment_id, at, note, actor, recorded_at) "
      "VALUES (:unit, :at, :note, :actor, :recorded) RETURNING id");
  q->bind(":unit", e.equipment_id)
      .bind(":at", to_epoch_s(e.at))
      .bind(":note", e.note)
      .bind(":actor", e.actor)
      .bind(":recorded", to_epoch_s(e.recorded_at));
  return returned_id(*q);
}

}  // namespace fieldserve::store

namespace fieldserve::store {
namespace {

constexpr const char* kComplaintColumns =
    "SELECT id, customer_id, job_id, technician_id, channel, severity, text, received_at, due, "
    "status, escalated_at, answer, answered_at, created_by, created_at, version FROM complaints ";

Complaint read_complaint(Statement& q) {
  Complaint c;
  c.id = q.get_int(0);
  c.customer_id = q.get_int(1);
  c.job_id = q.get_opt_int(2);
  c.technician_id = q.get_opt_int(3);
  c.channel = parse_complaint_channel(q.get_view(4)).value_or(ComplaintChannel::phone);
  c.severity = parse_complaint_severity(q.get_view(5)).value_or(ComplaintSeverity::normal);
  c.text = q.get_text(6);
  c.received_at = from_epoch_s(q.get_int(7));
  c.due = from_epoch_s(q.get_int(8));
  c.status = parse_complaint_status(q.get_view(9)).value_or(ComplaintStatus::open);
  c.escalated_at = q.get_opt_instant(10);
  c.answer = q.get_text(11);
  c.answered_at = q.get_opt_instant(12);
  c.created_by = q.get_text(13);
  c.created_at = from_epoch_s(q.get_int(14));
  c.version = q.get_int(15);
  return c;
}

// Looks part numbers up by the view SQLite gives, without a string per row.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

void bind_complaint(Statement& q, const Complaint& c) {
  q.bind(":customer", c.customer_id)
      .bind(":job", c.job_id)
      .bind(":tech", c.technician_id)
      .bind(":channel", std::string(to_string(c.channel)))
      .bind(":severity", std::string(to_string(c.severity)))
      .bind(":text", c.text)
      .bind(":received", to_epoch_s(c.received_at))
      .bind(":due", to_epoch_s(c.due))
      .bind(":status", std::string(to_string(c.status)))
      .bind(":escalated", to_epoch_s(c.escalated_at))
      .bind(":answer", c.answer)
      .bind(":answered", to_epoch_s(c.answered_at));
}

constexpr const char* kFollowUpColumns =
    "SELECT id, job_id, customer_id, technician_id, due, status, reached, satisfaction, comment, "
    "done_at, done_by, version FROM follow_ups ";

FollowUp read_follow_up(Statement& q) {
  FollowUp f;
  f.id = q.get_int(0);
  f.job_id = q.get_int(1);
  f.customer_id = q.get_int(2);
  f.technician_id = q.get_opt_int(3);
  f.due = from_epoch_s(q.get_int(4));
  f.status = parse_follow_up_status(q.get_view(5)).value_or(FollowUpStatus::due);
  if (!q.is_null(6)) f.reached = q.get_int(6) != 0;
  if (!q.is_null(7)) f.satisfaction = static_cast<int>(q.get_int(7));
  f.comment = q.get_text(8);
  f.done_at = q.get_opt_instant(9);
  f.done_by = q.get_text(10);
  f.version = q.get_int(11);
  return f;
}

}  // namespace

ComplaintId SqlTx::insert_complaint(const Complaint& c) {
  auto q = conn_.prepare(
      "INSERT INTO complaints (customer_id, job_id, technician_id, channel, severity, text, "
      "received_at, due, status, escalated_at, answer, answered_at, created_by, created_at) "
      "VALUES (:customer, :job, :tech, :channel, :severity, :text, :received, :due, :status, "
      ":escalated, :answer, :answered, :by, :created) RETURNING id");
  bind_complaint(*q, c);
  q->bind(":by", c.created_by).bind(":created", to_epoch_s(c.created_at));
  return returned_id(*q);
}

std::optional<Complaint> SqlTx::complaint(ComplaintId id) {
  auto q = conn_.prepare(std::string(kComplaintColumns) + "WHERE id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_complaint(*q);
}

std::vector<Complaint> SqlTx::complaints(const Page& page, const ComplaintFilter& f) {
  std::string sql = std::string(kComplaintColumns) + "WHERE id > :after ";
  if (f.status) sql += "AND status = :status ";
  if (f.overdue_at) sql += "AND status = 'open' AND due < :now ";
  if (f.customer_id) sql += "AND customer_id = :customer ";
  sql += "ORDER BY id LIMIT :n";
  auto q = conn_.prepare(sql);
  q->bind(":after", page.after_id).bind(":n", page.limit);
  if (f.status) q->bind(":status", std::string(to_string(*f.status)));
  if (f.overdue_at) q->bind(":now", to_epoch_s(*f.overdue_at));
  if (f.customer_id) q->bind(":customer", *f.customer_id);
  std::vector<Complaint> out;
  while (q->step()) out.push_back(read_complaint(*q));
  return out;
}

bool SqlTx::update_complaint(const Complaint& c) {
  auto q = conn_.prepare(
      "UPDATE complaints SET customer_id = :customer, job_id = :job, technician_id = :tech, "
      "channel = :channel, severity = :severity, text = :text, received_at = :received, "
      "due = :due, status = :status, escalated_at = :escalated, answer = :answer, "
      "answered_at = :answered, version = version + 1 WHERE id = :id AND version = :version");
  bind_complaint(*q, c);
  q->bind(":id", c.id).bind(":version", c.version).exec();
  return q->changes() == 1;
}

std::vector<Complaint> SqlTx::complaints_to_escalate(Instant now, int limit) {
  auto q = conn_.prepare(std::string(kComplaintColumns) +
                         "WHERE status = 'open' AND escalated_at IS NULL AND due <= :now "
                         "ORDER BY due LIMIT :n");
  q->bind(":now", to_epoch_s(now)).bind(":n", limit);
  std::vector<Complaint> out;
  while (q->step()) out.push_back(read_complaint(*q));
  return out;
}

void SqlTx::insert_complaint_event(const ComplaintEvent& e) {
  auto q = conn_.prepare(
      "INSERT INTO complaint_events (complaint_id, type, actor, at, detail) "
      "VALUES (:complaint, :type, :actor, :at, :detail)");
  q->bind(":complaint", e.complaint_id)
      .bind(":type", e.type)
      .bind(":actor", e.actor)
      .bind(":at", to_epoch_s(e.at))
      .bind(":detail", e.detail)
      .exec();
}

std::vector<ComplaintEvent> SqlTx::complaint_events(ComplaintId id) {
  auto q = conn_.prepare(
      "SELECT id, complaint_id, type, actor, at, detail FROM complaint_events "
      "WHERE complaint_id = :id ORDER BY id");
  q->bind(":id", id);
  std::vector<ComplaintEvent> out;
  while (q->step()) {
    out.push_back({q->get_int(0), q->get_int(1), q->get_text(2), q->get_text(3),
                   from_epoch_s(q->get_int(4)), q->get_text(5)});
  }
  return out;
}

std::map<TechnicianId, std::int64_t> SqlTx::complaints_per_technician(Instant from, Instant to) {
  auto q = conn_.prepare(
      "SELECT technician_id, COUNT(*) FROM complaints WHERE technician_id IS NOT NULL "
      "AND received_at >= :from AND received_at < :to GROUP BY technician_id");
  q->bind(":from", to_epoch_s(from)).bind(":to", to_epoch_s(to));
  std::map<TechnicianId, std::int64_t> out;
  while (q->step()) out.emplace(q->get_int(0), q->get_int(1));
  return out;
}

FollowUpId SqlTx::insert_follow_up(const FollowUp& f) {
  auto q = conn_.prepare(
      "INSERT INTO follow_ups (job_id, customer_id, technician_id, due, status, reached, "
      "satisfaction, comment, done_at, done_by) VALUES (:job, :customer, :tech, :due, :status, "
      ":reached, :satisfaction, :comment, :done_at, :done_by) RETURNING id");
  q->bind(":job", f.job_id)
      .bind(":customer", f.customer_id)
      .bind(":tech", f.technician_id)
      .bind(":due", to_epoch_s(f.due))
      .bind(":status", std::string(to_string(f.status)))
      .bind(":reached", f.reached)
      .bind(":satisfaction", f.satisfaction)
      .bind(":comment", f.comment)
      .bind(":done_at", to_epoch_s(f.done_at))
      .bind(":done_by", f.done_by);
  return returned_id(*q);
}

std::optional<FollowUp> SqlTx::follow_up(FollowUpId id) {
  auto q = conn_.prepare(std::string(kFollowUpColumns) + "WHERE id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_follow_up(*q);
}

std::optional<FollowUp> SqlTx::follow_up_of_job(JobId job) {
  auto q = conn_.prepare(std::string(kFollowUpColumns) + "WHERE job_id = :job");
  q->bind(":job", job);
  if (!q->step()) return std::nullopt;
  return read_follow_up(*q);
}

std::vector<FollowUp> SqlTx::follow_ups(const FollowUpFilter& f,
                                        const std::optional<FollowUpPosition>& after, int limit) {
  std::string sql = std::string(kFollowUpColumns) + "WHERE TRUE ";
  if (f.status) sql += "AND status = :status ";
  if (f.due_before) sql += "AND due < :before ";
  if (after) sql += "AND (due, id) > (:after_due, :after_id) ";
  sql += "ORDER BY due, id LIMIT :n";
  auto q = conn_.prepare(sql);
  q->bind(":n", limit);
  if (f.status) q->bind(":status", std::string(to_string(*f.status)));
  if (f.due_before) q->bind(":before", to_epoch_s(*f.due_before));
  if (after) q->bind(":after_due", to_epoch_s(after->due)).bind(":after_id", after->id);
  std::vector<FollowUp> out;
  while (q->step()) out.push_back(read_follow_up(*q));
  return out;
}

bool SqlTx::update_follow_up(const FollowUp& f) {
  auto q = conn_.prepare(
      "UPDATE follow_ups SET status = :status, reached = :reached, satisfaction = :satisfaction, "
      "comment = :comment, done_at = :done_at, done_by = :done_by, version = version + 1 "
      "WHERE id = :id AND version = :version");
  q->bind(":status", std::string(to_string(f.status)))
      .bind(":reached", f.reached)
      .bind(":satisfaction", f.satisfaction)
      .bind(":comment", f.comment)
      .bind(":done_at", to_epoch_s(f.done_at))
      .bind(":done_by", f.done_by)
      .bind(":id", f.id)
      .bind(":version", f.version)
      .exec();
  return q->changes() == 1;
}

std::vector<PartUsageRow> SqlTx::part_usage(Instant from, Instant to,
                                            std::optional<CenterId> center) {
  // A sign-off's list, when one lists parts, is the job's parts; else its pushed records.
  std::unordered_set<JobId> signed_jobs;
  {
    auto q = conn_.prepare("SELECT DISTINCT job_id FROM job_parts WHERE signoff_id IS NOT NULL");
    while (q->step()) signed_jobs.insert(q->get_int(0));
  }
  std::unordered_map<SiteId, CenterId> center_of;
  {
    auto q = conn_.prepare("SELECT id, center_id FROM sites");
    while (q->step()) center_of.emplace(q->get_int(0), q->get_int(1));
  }
  // A year of a large history is most of a million rows: summed here from one covering index,
  // with the few part numbers interned, rather than grouped by SQL through a temporary b-tree.
  // SQLite is held to the covering index by name; PostgreSQL has no such clause and plans alone.
  auto q = conn_.prepare(
      std::string("SELECT site_id, part_number, qty, job_id, signoff_id, at FROM job_parts ") +
      (conn_.dialect() == Dialect::sqlite ? "INDEXED BY job_parts_for_forecast " : "") +
      "WHERE at >= :from AND at < :to AND repair = 1");
  q->bind(":from", to_epoch_s(from)).bind(":to", to_epoch_s(to));
  std::vector<std::string> parts;
  std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> part_index;
  std::map<std::pair<CenterId, std::size_t>, std::int64_t> used;
  // Sign-off rows wait until the window is read: a job signed off twice (a corrected sign-off)
  // counts its latest list only (latest by time, then id), never both.
  struct SignedRow {
    std::int64_t at;
    std::string signoff;
    std::pair<CenterId, std::size_t> key;
    std::int64_t qty;
  };
  std::unordered_map<JobId, std::vector<SignedRow>> signed_rows;
  while (q->step()) {
    bool from_signoff = !q->is_null(4);
    JobId job = q->get_int(3);
    if (from_signoff != signed_jobs.contains(job)) continue;
    auto site = center_of.find(q->get_int(0));
    if (site == center_of.end() || (center && site->second != *center)) continue;
    auto name = q->get_view(1);
    auto part = part_index.find(name);
    if (part == part_index.end()) {
      part = part_index.emplace(std::string(name), parts.size()).first;
      parts.emplace_back(name);
    }
    std::pair key{site->second, part->second};
    if (!from_signoff) {
      used[key] += q->get_int(2);
      continue;
    }
    signed_rows[job].push_back({q->get_int(5), q->get_text(4), key, q->get_int(2)});
  }
  for (const auto& [job, rows] : signed_rows) {
    const auto& latest =
        *std::max_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
          return std::tie(a.at, a.signoff) < std::tie(b.at, b.signoff);
        });
    for (const auto& row : rows) {
      if (row.signoff == latest.signoff) used[row.key] += row.qty;
    }
  }
  std::vector<PartUsageRow> out;
  out.reserve(used.size());
  for (const auto& [key, qty] : used) out.push_back({parts[key.second], key.first, qty});
  std::sort(out.begin(), out.end(), [](const PartUsageRow& a, const PartUsageRow& b) {
    return std::tie(a.center_id, a.part_number) < std::tie(b.center_id, b.part_number);
  });
  return out;
}

std::map<CenterId, std::int64_t> SqlTx::installed_units(Instant before,
                                                        std::optional<CenterId> center) {
  std::string sql =
      "SELECT s.center_id, COUNT(*) FROM equipment e JOIN sites s ON s.id = e.site_id "
      "WHERE e.sold_at < :before ";
  if (center) sql += "AND s.center_id = :center ";
  sql += "GROUP BY s.center_id";
  auto q = conn_.prepare(sql);
  q->bind(":before", to_epoch_s(before));
  if (center) q->bind(":center", *center);
  std::map<CenterId, std::int64_t> out;
  while (q->step()) out.emplace(q->get_int(0), q->get_int(1));
  return out;
}

}  // namespace fieldserve::store
