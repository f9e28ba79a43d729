// The technician report (figures from app::ReportService) and the query parameters the report
// routes share.
#include <cmath>

#include "server/api/reports_support.h"
#include "server/api/services.h"

namespace fieldserve::server {
namespace {

double round2(double v) { return std::round(v * 100) / 100; }

}  // namespace

Result<app::ReportWindow> report_window(Services& s, const RouteRequest& req) {
  auto from = req.query_time("from");
  if (!from) return std::unexpected(from.error());
  auto to = req.query_time("to");
  if (!to) return std::unexpected(to.error());
  return s.reports.window(*from, *to);
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
  const auto& costs = s.reports.costs();
  auto pct = [](std::int64_t part, std::int64_t whole) {
    return whole > 0 ? json(round2(100.0 * static_cast<double>(part) / static_cast<double>(whole)))
                     : json(nullptr);
  };
  json items = json::array();
  for (const auto& f : s.reports.technicians(*window)) {
    items.push_back(
        {{"technician_id", f.technician_id},
         {"name", f.name ? json(*f.name) : json(nullptr)},
         {"jobs_done", f.jobs_done},
         {"sla",
          {{"met", f.met},
           {"breached", f.breached},
           {"compliance_pct", pct(f.met, f.met + f.breached)}}},
         {"first_time_fix_pct", pct(f.fixed_first_time, f.jobs_done)},
         {"visits", f.visits},
         {"travel_km", round2(f.travel_km)},
         {"mean_satisfaction",
          f.ratings ? json(round2(f.rating_sum / static_cast<double>(f.ratings))) : json(nullptr)},
         {"ratings", f.ratings},
         {"complaints", f.complaints},
         {"cost",
          {{"labour_hours", round2(f.labour_hours)},
           {"labour", round2(f.labour_cost)},
           {"travel", round2(f.travel_cost)},
           {"parts", round2(f.parts_cost)},
           {"unpriced_parts", f.unpriced_parts},
           {"total", round2(f.total_cost)},
           {"per_job", f.jobs_done ? json(round2(f.total_cost / static_cast<double>(f.jobs_done)))
                                   : json(nullptr)}}}});
  }
  return json_reply(
      {{"from", format_rfc3339(window->from)},
       {"to", format_rfc3339(window->to)},
       {"rates",
        {{"labour_per_hour", costs.labour_per_hour}, {"travel_per_km", costs.travel_per_km}}},
       {"items", std::move(items)}});
}

}  // namespace fieldserve::server
