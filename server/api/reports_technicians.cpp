// The technician report (figures from app::ReportService) and the query parameters the report
// routes share.
#include <cmath>

#include "server/api/csv.h"
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
  auto center = req.query_id("center_id");
  if (!center) return std::unexpected(center.error());
  f.center_id = *center;
  auto technician = req.query_id("technician_id");
  if (!technician) return std::unexpected(technician.error());
  f.technician_id = *technician;
  return f;
}

namespace {

std::optional<double> pct(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return round2(100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

json opt(std::optional<double> v) { return v ? json(*v) : json(nullptr); }

std::optional<double> mean_satisfaction(const app::TechnicianFigures& f) {
  if (!f.ratings) return std::nullopt;
  return round2(f.rating_sum / static_cast<double>(f.ratings));
}

std::optional<double> cost_per_job(const app::TechnicianFigures& f) {
  if (!f.jobs_done) return std::nullopt;
  return round2(f.total_cost / static_cast<double>(f.jobs_done));
}

// The same figures as the JSON items, one row per technician, for a spreadsheet.
Reply technicians_csv(const std::vector<app::TechnicianFigures>& rows) {
  CsvTable csv({"technician_id", "name", "jobs_done", "sla_met", "sla_breached",
                "sla_compliance_pct", "first_time_fix_pct", "visits", "travel_km",
                "mean_satisfaction", "ratings", "complaints", "labour_hours", "labour_cost",
                "travel_cost", "parts_cost", "unpriced_parts", "total_cost", "cost_per_job"});
  for (const auto& f : rows) {
    csv.integer(f.technician_id).text(f.name.value_or("")).integer(f.jobs_done);
    csv.integer(f.met).integer(f.breached).number(pct(f.met, f.met + f.breached), 2);
    csv.number(pct(f.fixed_first_time, f.jobs_done), 2).integer(f.visits);
    csv.number(round2(f.travel_km), 2).number(mean_satisfaction(f), 2).integer(f.ratings);
    csv.integer(f.complaints).number(round2(f.labour_hours), 2).number(round2(f.labour_cost), 2);
    csv.number(round2(f.travel_cost), 2).number(round2(f.parts_cost), 2);
    csv.integer(f.unpriced_parts).number(round2(f.total_cost), 2).number(cost_per_job(f), 2);
    csv.end_row();
  }
  return std::move(csv).reply("technician-report.csv");
}

}  // namespace

Result<Reply> technician_report(Services& s, RouteRequest& req) {
  auto window = report_window(s, req);
  if (!window) return std::unexpected(window.error());
  std::string format = req.query("format").value_or("json");
  if (format != "json" && format != "csv") {
    return fail(ErrorCode::validation_failed, "format must be json or csv");
  }
  auto rows = s.reports.technicians(*window);
  if (format == "csv") return technicians_csv(rows);
  const auto& costs = s.reports.costs();
  json items = json::array();
  for (const auto& f : rows) {
    items.push_back({{"technician_id", f.technician_id},
                     {"name", f.name ? json(*f.name) : json(nullptr)},
                     {"jobs_done", f.jobs_done},
                     {"sla",
                      {{"met", f.met},
                       {"breached", f.breached},
                       {"compliance_pct", opt(pct(f.met, f.met + f.breached))}}},
                     {"first_time_fix_pct", opt(pct(f.fixed_first_time, f.jobs_done))},
                     {"visits", f.visits},
                     {"travel_km", round2(f.travel_km)},
                     {"mean_satisfaction", opt(mean_satisfaction(f))},
                     {"ratings", f.ratings},
                     {"complaints", f.complaints},
                     {"cost",
                      {{"labour_hours", round2(f.labour_hours)},
                       {"labour", round2(f.labour_cost)},
                       {"travel", round2(f.travel_cost)},
                       {"parts", round2(f.parts_cost)},
                       {"unpriced_parts", f.unpriced_parts},
                       {"total", round2(f.total_cost)},
                       {"per_job", opt(cost_per_job(f))}}}});
  }
  return json_reply(
      {{"from", format_rfc3339(window->from)},
       {"to", format_rfc3339(window->to)},
       {"rates",
        {{"labour_per_hour", costs.labour_per_hour}, {"travel_per_km", costs.travel_per_km}}},
       {"items", std::move(items)}});
}

}  // namespace fieldserve::server
