// The technician report: what each technician finished in the window and what it cost.
#include <date/tz.h>

#include <cmath>
#include <map>

#include "dispatch/sla_report.h"
#include "server/api/reports_support.h"
#include "server/api/services.h"

namespace fieldserve::server {
namespace {

constexpr auto kMaxWindow = std::chrono::days{732};

struct TechnicianFigures {
  std::int64_t jobs_done = 0;
  std::int64_t met = 0;
  std::int64_t breached = 0;
  std::int64_t fixed_first_time = 0;
  double travel_km = 0;
  std::int64_t visits = 0;
  double rating_sum = 0;
  std::int64_t ratings = 0;
  std::int64_t on_site_s = 0;
  double parts_cost = 0;
  std::int64_t unpriced_parts = 0;
};

double round2(double v) { return std::round(v * 100) / 100; }

}  // namespace

Result<ReportWindow> report_window(Services& s, const RouteRequest& req) {
  auto from = req.query_time("from");
  if (!from) return std::unexpected(from.error());
  auto to = req.query_time("to");
  if (!to) return std::unexpected(to.error());
  ReportWindow w;
  // The default window ends just after now, so what happened this second is in it.
  w.to = to->value_or(s.clock.now() + std::chrono::seconds{1});
  w.from = from->value_or(w.to - std::chrono::days{30});
  if (w.from >= w.to) return fail(ErrorCode::validation_failed, "from must come before to");
  if (w.to - w.from > kMaxWindow) {
    return fail(ErrorCode::validation_failed, "a report covers at most 732 days; ask for less");
  }
  return w;
}

Result<store::SlaRowFilter> report_filter(const RouteRequest& req) {
  store::SlaRowFilter f;
  if (auto tier = req.query("tier")) {
    f.severity = parse_severity(*tier);
    if (!f.severity)
      return fail(ErrorCode::validation_failed, "tier must be critical, serious, general or minor");
  }
  auto center = req.query_int("center_id");
  if (!center) return std::unexpected(center.error());
  f.center_id = *center;
  auto technician = req.query_int("technician_id");
  if (!technician) return std::unexpected(technician.error());
  f.technician_id = *technician;
  return f;
}

Result<Reply> technician_report(Services& s, RouteRequest& req) {
  auto window = report_window(s, req);
  if (!window) return std::unexpected(window.error());
  const auto& costs = s.costs;
  const auto& travel = s.dispatcher.travel();
  return s.store.read([&](store::Tx& tx) -> Result<Reply> {
    std::map<TechnicianId, TechnicianFigures> figures;
    for (const auto& row : tx.jobs_done(window->from, window->to)) {
      auto& f = figures[row.technician_id];
      ++f.jobs_done;
      for (int t = 0; t < 3; ++t) {
        if (!row.done_at[t]) continue;  // a job resolved is reached and answered: never here
        (*row.done_at[t] <= row.due[t] ? f.met : f.breached) += 1;
      }
      if (row.visits <= 1) ++f.fixed_first_time;
      f.rating_sum += static_cast<double>(row.rating_sum);
      f.ratings += row.ratings;
      f.on_site_s += row.on_site_s;
      f.parts_cost += row.parts_cost;
      f.unpriced_parts += row.unpriced_parts;
    }
    // Travel: each visit is reached from the site visited before it the same local day, or from
    // the technician's home center on the first visit of a day.
    std::map<CenterId, Center> centers;
    for (auto& c : tx.all_centers()) centers.emplace(c.id, c);
    auto visits = tx.visits(window->from, window->to);
    std::vector<TechnicianId> ids;
    for (const auto& v : visits) {
      if (ids.empty() || ids.back() != v.technician_id) ids.push_back(v.technician_id);
    }
    for (const auto& [id, f] : figures) ids.push_back(id);
    std::map<TechnicianId, Technician> technicians;
    for (auto& t : tx.technicians_by_id(ids)) technicians.emplace(t.id, t);
    std::optional<geo::LatLon> previous;
    std::string previous_day;
    TechnicianId previous_technician = 0;
    for (const auto& v : visits) {
      auto tech = technicians.find(v.technician_id);
      if (tech == technicians.end()) continue;
      auto center = centers.find(tech->second.home_center_id);
      if (center == centers.end()) continue;
      std::string day = dispatch::local_day_key(center->second.time_zone, v.at);
      if (v.technician_id != previous_technician || day != previous_day) {
        previous = center->second.location;
      }
      auto& f = figures[v.technician_id];
      f.travel_km += travel.road_km(*previous, v.site);
      ++f.visits;
      previous = v.site;
      previous_day = day;
      previous_technician = v.technician_id;
    }
    json items = json::array();
    for (const auto& [id, f] : figures) {
      double labour_hours = static_cast<double>(f.on_site_s) / 3600.0;
      double labour = labour_hours * costs.labour_per_hour;
      double km_cost = f.travel_km * costs.travel_per_km;
      double total = labour + km_cost + f.parts_cost;
      auto pct = [](std::int64_t part, std::int64_t whole) {
        return whole > 0
                   ? json(round2(100.0 * static_cast<double>(part) / static_cast<double>(whole)))
                   : json(nullptr);
      };
      auto tech = technicians.find(id);
      items.push_back(
          {{"technician_id", id},
           {"name", tech != technicians.end() ? json(tech->second.name) : json(nullptr)},
           {"jobs_done", f.jobs_done},
           {"sla",
            {{"met", f.met},
             {"breached", f.breached},
             {"compliance_pct", pct(f.met, f.met + f.breached)}}},
           {"first_time_fix_pct", pct(f.fixed_first_time, f.jobs_done)},
           {"visits", f.visits},
           {"travel_km", round2(f.travel_km)},
           {"mean_satisfaction", f.ratings
                                     ? json(round2(f.rating_sum / static_cast<double>(f.ratings)))
                                     : json(nullptr)},
           {"ratings", f.ratings},
           // Complaints are not recorded by this version (the after-sales rules comes later): null,
           // not 0.
           {"complaints", nullptr},
           {"cost",
            {{"labour_hours", round2(labour_hours)},
             {"labour", round2(labour)},
             {"travel", round2(km_cost)},
             {"parts", round2(f.parts_cost)},
             {"unpriced_parts", f.unpriced_parts},
             {"total", round2(total)},
             {"per_job", f.jobs_done ? json(round2(total / static_cast<double>(f.jobs_done)))
                                     : json(nullptr)}}}});
    }
    return json_reply(
        {{"from", format_rfc3339(window->from)},
         {"to", format_rfc3339(window->to)},
         {"rates",
          {{"labour_per_hour", costs.labour_per_hour}, {"travel_per_km", costs.travel_per_km}}},
         {"items", std::move(items)}});
  });
}

}  // namespace fieldserve::server
