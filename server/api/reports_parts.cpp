// The spare-parts report: failures per installed unit per month and next month's forecast, per
// center and part, as JSON or CSV (docs/after-sales.md, "Spare parts").
#include <cmath>

#include "server/api/csv.h"
#include "server/api/handlers.h"
#include "server/api/reports_support.h"

namespace fieldserve::server {
namespace {

// Rates are small (0.0123 per unit per month): six decimals keep them readable and exact enough.
double round6(double v) { return std::round(v * 1e6) / 1e6; }

Reply parts_csv(const std::vector<PartForecast>& rows) {
  CsvTable csv({"part_number", "center_id", "used", "installed_units", "months",
                "failures_per_unit_month", "forecast_next_month"});
  for (const auto& r : rows) {
    csv.text(r.part_number).integer(r.center_id).integer(r.used).integer(r.installed_units);
    csv.number(round6(r.months), 6);
    csv.number(r.failures_per_unit_month ? std::optional(round6(*r.failures_per_unit_month))
                                         : std::nullopt,
               6);
    csv.integer(r.forecast_next_month).end_row();
  }
  return std::move(csv).reply("parts-report.csv");
}

Result<Reply> parts_report(Services& s, RouteRequest& req) {
  auto window = report_window(s, req);
  if (!window) return std::unexpected(window.error());
  auto center = req.query_id("center_id");
  if (!center) return std::unexpected(center.error());
  std::string format = req.query("format").value_or("json");
  if (format != "json" && format != "csv") {
    return fail(ErrorCode::validation_failed, "format must be json or csv");
  }
  auto rows = s.reports.parts(*window, *center);
  if (format == "csv") return parts_csv(rows);
  json items = json::array();
  for (const auto& r : rows) {
    items.push_back({{"part_number", r.part_number},
                     {"center_id", r.center_id},
                     {"used", r.used},
                     {"installed_units", r.installed_units},
                     {"months", round6(r.months)},
                     {"failures_per_unit_month", r.failures_per_unit_month
                                                     ? json(round6(*r.failures_per_unit_month))
                                                     : json(nullptr)},
                     {"forecast_next_month", r.forecast_next_month}});
  }
  return json_reply({{"from", format_rfc3339(window->from)},
                     {"to", format_rfc3339(window->to)},
                     {"items", std::move(items)}});
}

}  // namespace

void add_parts_report_routes(RouteTable& routes, Services& s) {
  namespace sc = schema;
  auto row = sc::object_schema(
      {sc::text("part_number", 64), sc::id("center_id"),
       sc::integer("used", 0, std::nullopt, "on repair jobs of the center's sites, in [from, to)"),
       sc::integer("installed_units", 0, std::nullopt, "equipment sold before to"),
       sc::number("months", "(to - from) / 30 days"),
       sc::nullable(sc::number("failures_per_unit_month", "used / (installed_units x months)")),
       sc::integer("forecast_next_month", 0, std::nullopt, "ceil(rate x installed_units)")});
  auto answer = sc::object_schema({sc::timestamp("from"), sc::timestamp("to"),
                                   sc::array("items", row)});
  routes.push_back(
      {"GET",
       "/api/v1/reports/parts",
       kAdmin | kManager,
       "Spare parts per center: used on repairs in [from, to), failures per installed unit per "
       "month, next month's forecast; format json or csv",
       bind(s, parts_report),
       200,
       {.response = answer,
        .query = {sc::optional(sc::timestamp("from", "inclusive; default 30 days before to")),
                  sc::optional(sc::timestamp("to", "exclusive; default now")),
                  sc::optional(sc::id("center_id")),
                  sc::optional(sc::enumeration("format", {"json", "csv"}))},
        .errors = {422},
        .also_types = {"text/csv"}}});
}

}  // namespace fieldserve::server
