#include "app/report_service.h"

#include <cmath>
#include <map>

namespace fieldserve::app {
namespace {

constexpr auto kMaxWindow = std::chrono::days{732};

}  // namespace

Result<ReportWindow> ReportService::window(std::optional<Instant> from,
                                           std::optional<Instant> to) const {
  ReportWindow w;
  w.to = to.value_or(clock_.now() + std::chrono::seconds{1});
  w.from = from.value_or(w.to - std::chrono::days{30});
  if (w.from >= w.to) return fail(ErrorCode::validation_failed, "from must come before to");
  if (w.to - w.from > kMaxWindow) {
    return fail(ErrorCode::validation_failed, "a report covers at most 732 days; ask for less");
  }
  return w;
}

Result<std::vector<dispatch::SlaGroup>> ReportService::sla(
    const ReportWindow& window, const store::SlaRowFilter& filter,
    const std::vector<dispatch::ReportDimension>& dims, Instant now) {
  return store_.read([&](store::Tx& tx) -> Result<std::vector<dispatch::SlaGroup>> {
    std::map<CenterId, std::string> zones;
    for (const auto& c : tx.all_centers()) zones[c.id] = c.time_zone;
    auto builder = dispatch::SlaReportBuilder::create(dims, now, zones);
    if (!builder) return std::unexpected(builder.error());
    tx.visit_sla_rows(window.from, window.to, filter,
                      [&](const SlaRow& row) { builder->add(row); });
    return builder->finish();
  });
}

BreachPage ReportService::breaches(const ReportWindow& window, const store::SlaRowFilter& filter,
                                   std::optional<SlaTarget> target,
                                   const std::optional<store::BreachPosition>& after, int limit,
                                   Instant now) {
  return store_.read([&](store::Tx& tx) {
    BreachPage page;
    auto rows = tx.breaches(window.from, window.to, now, filter, target, after, limit + 1);
    page.more = static_cast<int>(rows.size()) > limit;
    if (page.more) rows.resize(static_cast<std::size_t>(limit));
    for (auto& row : rows) {
      const auto& c = row.job.targets[static_cast<int>(row.target)];
      Instant until = c.done_at.value_or(now);
      double late = std::round(static_cast<double>((until - c.due).count()) / 6.0) / 10.0;
      auto decision = tx.latest_decision(row.job.job_id);
      page.items.push_back({std::move(row), late, std::move(decision)});
    }
    return page;
  });
}

std::vector<TechnicianFigures> ReportService::technicians(const ReportWindow& window) {
  return store_.read([&](store::Tx& tx) {
    std::map<TechnicianId, TechnicianFigures> figures;
    for (const auto& row : tx.jobs_done(window.from, window.to)) {
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
    for (const auto& [id, count] : tx.complaints_per_technician(window.from, window.to)) {
      figures[id].complaints = count;
    }
    std::map<CenterId, Center> centers;
    for (auto& c : tx.all_centers()) centers.emplace(c.id, c);
    auto visits = tx.visits(window.from, window.to);
    std::vector<TechnicianId> ids;
    for (const auto& v : visits) {
      if (ids.empty() || ids.back() != v.technician_id) ids.push_back(v.technician_id);
    }
    for (const auto& [id, f] : figures) ids.push_back(id);
    std::map<TechnicianId, Technician> technicians;
    for (auto& t : tx.technicians_by_id(ids)) technicians.emplace(t.id, t);
    std::optional<geo::LatLon> previous;
    std::int64_t previous_day = 0;
    TechnicianId previous_technician = 0;
    // Each center's zone is looked up once and its offset period reused: visits come by
    // technician in time order.
    std::map<CenterId, dispatch::LocalDays> days;
    for (const auto& v : visits) {
      auto tech = technicians.find(v.technician_id);
      if (tech == technicians.end()) continue;
      auto center = centers.find(tech->second.home_center_id);
      if (center == centers.end()) continue;
      auto zone = days.find(center->first);
      if (zone == days.end()) zone = days.emplace(center->first, center->second.time_zone).first;
      auto day = zone->second.day(v.at);
      if (v.technician_id != previous_technician || day != previous_day) {
        previous = center->second.location;
      }
      auto& f = figures[v.technician_id];
      f.travel_km += travel_.road_km(*previous, v.site);
      ++f.visits;
      previous = v.site;
      previous_day = day;
      previous_technician = v.technician_id;
    }
    std::vector<TechnicianFigures> out;
    for (auto& [id, f] : figures) {
      f.technician_id = id;
      if (auto tech = technicians.find(id); tech != technicians.end()) f.name = tech->second.name;
      f.labour_hours = static_cast<double>(f.on_site_s) / 3600.0;
      f.labour_cost = f.labour_hours * costs_.labour_per_hour;
      f.travel_cost = f.travel_km * costs_.travel_per_km;
      f.total_cost = f.labour_cost + f.travel_cost + f.parts_cost;
      out.push_back(std::move(f));
    }
    return out;
  });
}

std::vector<PartForecast> ReportService::parts(const ReportWindow& window,
                                               std::optional<CenterId> center) {
  return store_.read([&](store::Tx& tx) {
    auto units = tx.installed_units(window.to, center);
    std::vector<PartForecast> out;
    for (const auto& row : tx.part_usage(window.from, window.to, center)) {
      auto installed = units.find(row.center_id);
      out.push_back(forecast_part(row.part_number, row.center_id, row.used,
                                  installed == units.end() ? 0 : installed->second,
                                  window.to - window.from));
    }
    return out;
  });
}

}  // namespace fieldserve::app
