// The reads behind the managers' reports (docs/sla.md). Each streams or returns plain rows;
// the adding up happens in dispatch/sla_report and server/handlers/reports.
#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "store/db.h"
#include "store/sql_tx.h"

namespace fieldserve::store {
namespace {

// Column 3 is the job's center (breach pages join sites) or its site (the report scan maps sites
// to centers in memory: a million joins cost more than the rest of the scan).
std::string sla_row_columns(const char* place) {
  return std::string("SELECT j.id, j.severity, j.technician_id, ") + place +
         ", j.reported_at, "
         "j.status = 'cancelled', j.response_due, j.response_done, j.response_taken, "
         "j.arrival_due, j.arrival_done, j.arrival_taken, j.restore_due, j.restore_done, "
         "j.restore_taken, j.dispatch_reason, "
         "CASE WHEN j.status = 'on_hold' AND j.hold_started_at < j.restore_due "
         "THEN j.hold_started_at END FROM jobs j ";
}

constexpr const char* kSlaFilter =
    "AND (j.severity = :severity OR :severity IS NULL) "
    "AND (j.technician_id = :technician OR :technician IS NULL) "
    "AND (j.site_id IN (SELECT id FROM sites WHERE center_id = :center) OR :center IS NULL) ";

// A target breached at :now: done after due, or not done, not void, and past due by the time
// its clock has run to (restore stops at the start of a hold).
std::string breached_sql(const char* target, const std::string& least) {
  std::string t(target);
  std::string until =
      t == "restore"
          ? least +
                "(:now, CASE WHEN j.status = 'on_hold' AND j.hold_started_at < j.restore_due "
                "THEN j.hold_started_at ELSE :now END)"
          : ":now";
  return "(j." + t + "_done > j." + t + "_due OR (j." + t +
         "_done IS NULL AND j.status <> "
         "'cancelled' AND j." +
         t + "_due < " + until + "))";
}

SlaRow read_sla_row(Statement& q) {
  SlaRow r;
  r.job_id = q.get_int(0);
  r.severity = parse_severity(q.get_text(1)).value_or(Severity::general);
  r.technician_id = q.get_opt_int(2);
  r.center_id = q.get_int(3);
  r.reported_at = from_epoch_s(q.get_int(4));
  r.cancelled = q.get_int(5) != 0;
  for (int t = 0; t < 3; ++t) {
    r.targets[t].due = from_epoch_s(q.get_int(6 + t * 3));
    r.targets[t].done_at = q.get_opt_instant(7 + t * 3);
    r.targets[t].taken_s = q.get_opt_int(8 + t * 3);
  }
  r.hold_started_at = q.get_opt_instant(16);
  return r;
}

// A visit: a status event that moves the job onto the site. Edits, sign-offs and notes made while
// on site also carry to_status on_site, and are not visits.
constexpr const char* kIsVisit =
    "(e.type = 'status' AND e.to_status = 'on_site' AND e.from_status IS DISTINCT FROM 'on_site')";

void bind_filter(Statement& q, const SlaRowFilter& f) {
  q.bind(":severity",
         f.severity ? std::optional(std::string(to_string(*f.severity))) : std::nullopt)
      .bind(":technician", f.technician_id)
      .bind(":center", f.center_id);
}

}  // namespace

void SqlTx::visit_sla_rows(Instant from, Instant to, const SlaRowFilter& filter,
                           const std::function<void(const SlaRow&)>& visit) {
  std::unordered_map<SiteId, CenterId> center_of;
  {
    auto sites = conn_.prepare("SELECT id, center_id FROM sites");
    while (sites->step()) center_of.emplace(sites->get_int(0), sites->get_int(1));
  }
  auto q = conn_.prepare(sla_row_columns("j.site_id") +
                         "WHERE j.reported_at >= :from AND j.reported_at < :to " + kSlaFilter);
  q->bind(":from", to_epoch_s(from)).bind(":to", to_epoch_s(to));
  bind_filter(*q, filter);
  while (q->step()) {
    auto row = read_sla_row(*q);
    auto center = center_of.find(row.center_id);  // column 3 held the site
    row.center_id = center == center_of.end() ? 0 : center->second;
    visit(row);
  }
}

std::vector<BreachRow> SqlTx::breaches(Instant from, Instant to, Instant now,
                                       const SlaRowFilter& filter, std::optional<SlaTarget> target,
                                       const std::optional<BreachPosition>& after, int limit) {
  std::string any;
  for (SlaTarget t : kSlaTargets) {
    if (target && *target != t) continue;
    if (!any.empty()) any += " OR ";
    any += breached_sql(std::string(to_string(t)).c_str(), conn_.least());
  }
  auto q = conn_.prepare(sla_row_columns("s.center_id") + "JOIN sites s ON s.id = j.site_id " +
                         "WHERE j.reported_at >= :from AND j.reported_at < :to "
                         "AND (j.reported_at, j.id) >= (:after_at, :after_id) " +
                         kSlaFilter + "AND (" + any + ") ORDER BY j.reported_at, j.id");
  q->bind(":from", to_epoch_s(from))
      .bind(":to", to_epoch_s(to))
      .bind(":now", to_epoch_s(now))
      .bind(":after_at", after ? to_epoch_s(after->reported_at) : std::int64_t{0})
      .bind(":after_id", after ? after->job_id : JobId{0});
  bind_filter(*q, filter);
  std::vector<BreachRow> out;
  while (static_cast<int>(out.size()) < limit && q->step()) {
    auto row = read_sla_row(*q);
    auto reason = q->get_text(15);
    for (SlaTarget t : kSlaTargets) {
      if (target && *target != t) continue;
      if (after && row.job_id == after->job_id && static_cast<int>(t) <= after->target) continue;
      const auto& c = row.targets[static_cast<int>(t)];
      Instant until = now;
      if (t == SlaTarget::restore && row.hold_started_at)
        until = std::min(now, *row.hold_started_at);
      bool breached = c.done_at ? *c.done_at > c.due : !row.cancelled && until > c.due;
      if (!breached || static_cast<int>(out.size()) >= limit) continue;
      out.push_back({row, t, reason});
    }
  }
  return out;
}

std::vector<DoneJobRow> SqlTx::jobs_done(Instant from, Instant to) {
  // The jobs, then what belongs to them in one joined read each, added up here: six correlated
  // sub-queries per job cost more than the rows themselves. Every read is index-only (migration
  // 13), and each job's visits and time on site are stored on it (write_visit_tallies).
  static constexpr const char* kDone =
      " FROM jobs j {} WHERE j.restore_done >= :from AND j.restore_done < :to "
      "AND j.technician_id IS NOT NULL";
  auto read = [&](const std::string& columns, const std::string& join, const std::string& extra) {
    std::string sql = "SELECT " + columns + kDone;
    sql.replace(sql.find("{}"), 2, join);
    auto q = conn_.prepare(sql + extra);
    q->bind(":from", to_epoch_s(from)).bind(":to", to_epoch_s(to));
    return q;
  };
  auto q = read(
      "j.id, j.technician_id, j.response_due, j.response_done, j.arrival_due, j.arrival_done, "
      "j.restore_due, j.restore_done, j.visits, j.on_site_s",
      "", "");
  std::vector<DoneJobRow> out;
  while (q->step()) {
    DoneJobRow r;
    r.job_id = q->get_int(0);
    r.technician_id = q->get_int(1);
    for (int t = 0; t < 3; ++t) {
      r.due[t] = from_epoch_s(q->get_int(2 + t * 2));
      r.done_at[t] = q->get_opt_instant(3 + t * 2);
    }
    r.visits = static_cast<int>(q->get_int(8));
    r.on_site_s = q->get_int(9);
    out.push_back(r);
  }
  std::unordered_map<JobId, std::size_t> row_of;
  row_of.reserve(out.size());
  for (std::size_t k = 0; k < out.size(); ++k) row_of.emplace(out[k].job_id, k);
  auto row = [&](JobId id) -> DoneJobRow* {
    auto it = row_of.find(id);
    return it == row_of.end() ? nullptr : &out[it->second];
  };
  // The customer's scores: sign-off ratings and the follow-up call's satisfaction.
  for (auto [table, column] : {std::pair{"signoffs", "rating"}, {"follow_ups", "satisfaction"}}) {
    auto scores = read(std::string("x.job_id, x.") + column,
                       std::string("JOIN ") + table + " x ON x.job_id = j.id",
                       std::string(" AND x.") + column + " IS NOT NULL");
    while (scores->step()) {
      if (auto* r = row(scores->get_int(0))) {
        r->rating_sum += scores->get_int(1);
        ++r->ratings;
      }
    }
  }
  std::unordered_map<std::string, double> prices;
  {
    auto p = conn_.prepare("SELECT part_number, unit_price FROM part_prices");
    while (p->step()) prices.emplace(p->get_text(0), p->get_double(1));
  }
  auto parts = read("p.job_id, p.part_number, p.qty", "JOIN job_parts p ON p.job_id = j.id", "");
  while (parts->step()) {
    auto* r = row(parts->get_int(0));
    if (!r) continue;
    auto price = prices.find(parts->get_text(1));
    if (price == prices.end()) {
      ++r->unpriced_parts;
    } else {
      r->parts_cost += static_cast<double>(parts->get_int(2)) * price->second;
    }
  }
  return out;
}

void SqlTx::write_visit_tallies() {
  if (tallies_due_.empty()) return;
  // Labour is the time on site: from each on_site event to the job's next status event, in the
  // order the events happened (not the order they arrived).
  auto q = conn_.prepare(
      std::string("UPDATE jobs SET (visits, on_site_s) = (SELECT COALESCE(SUM(CASE WHEN visit THEN "
                  "1 ELSE 0 END), 0), "
                  "COALESCE(SUM(CASE WHEN visit AND next_at IS NOT NULL THEN next_at - at END), 0) "
                  "FROM (SELECT e.at, ") +
      kIsVisit +
      " AS visit, LEAD(e.at) OVER (ORDER BY e.at, e.id) AS next_at FROM job_events e "
      "WHERE e.job_id = :job AND e.to_status IS NOT NULL AND e.type NOT LIKE 'sla%') AS timeline) "
      "WHERE id = :job");
  for (auto job : tallies_due_) {
    q->reset();
    q->bind(":job", job).exec();
  }
  tallies_due_.clear();
}

std::vector<VisitRow> SqlTx::visits(Instant from, Instant to) {
  // Put in order here: SQLite's sort of the rows cost as much as reading them.
  auto q = conn_.prepare(
      "SELECT COALESCE(e.technician_id, j.technician_id) AS tech, e.job_id, e.at, s.lat, s.lon, "
      "e.id FROM job_events e JOIN jobs j ON j.id = e.job_id JOIN sites s ON s.id = j.site_id "
      "WHERE " +
      std::string(kIsVisit) +
      " AND e.at >= :from AND e.at < :to "
      "AND COALESCE(e.technician_id, j.technician_id) IS NOT NULL");
  q->bind(":from", to_epoch_s(from)).bind(":to", to_epoch_s(to));
  std::vector<std::pair<VisitRow, std::int64_t>> rows;
  while (q->step()) {
    rows.push_back({{q->get_int(0), q->get_int(1), from_epoch_s(q->get_int(2)),
                     geo::LatLon{q->get_double(3), q->get_double(4)}},
                    q->get_int(5)});
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.technician_id, a.first.at, a.second) <
           std::tie(b.first.technician_id, b.first.at, b.second);
  });
  std::vector<VisitRow> out;
  out.reserve(rows.size());
  for (auto& [visit, id] : rows) out.push_back(visit);
  return out;
}

void SqlTx::put_part_price(const std::string& part_number, double unit_price) {
  auto q = conn_.prepare(
      "INSERT INTO part_prices (part_number, unit_price) VALUES (:p, :price) "
      "ON CONFLICT (part_number) DO UPDATE SET unit_price = excluded.unit_price");
  q->bind(":p", part_number).bind(":price", unit_price).exec();
}

}  // namespace fieldserve::store
