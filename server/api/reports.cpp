// Managers' reports (docs/sla.md): SLA compliance grouped by tier, technician, center, day or
// week, as JSON or CSV; the list of breached targets; technicians' figures.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "dispatch/sla_report.h"
#include "server/api/csv.h"
#include "server/api/handlers.h"
#include "server/api/reports_support.h"
#include "server/api/services.h"

namespace fieldserve::server {
namespace {

json figures_json(const dispatch::TargetFigures& f) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return {{"met", f.met},
          {"breached", f.breached},
          {"pending", f.pending},
          {"compliance_pct", opt(f.compliance_pct)},
          {"p50_minutes", opt(f.p50_minutes)},
          {"p90_minutes", opt(f.p90_minutes)}};
}

Reply sla_csv(const std::vector<dispatch::ReportDimension>& dims,
              const std::vector<dispatch::SlaGroup>& groups) {
  std::vector<std::string> header;
  header.reserve(dims.size() + 2 + kSlaTargets.size() * 6);
  for (auto d : dims) header.emplace_back(to_string(d));
  header.insert(header.end(), {"count", "cancelled"});
  for (SlaTarget t : kSlaTargets) {
    for (const char* column :
         {"met", "breached", "pending", "compliance_pct", "p50_minutes", "p90_minutes"}) {
      header.push_back(std::string(to_string(t)) + "_" + column);
    }
  }
  CsvTable csv(header);
  for (const auto& g : groups) {
    for (const auto& part : g.key) csv.text(part);
    csv.integer(g.count).integer(g.cancelled);
    for (const auto& f : g.targets) {
      csv.integer(f.met).integer(f.breached).integer(f.pending);
      csv.number(f.compliance_pct, 2).number(f.p50_minutes, 2).number(f.p90_minutes, 2);
    }
    csv.end_row();
  }
  return std::move(csv).reply("sla-report.csv");
}

Result<Reply> sla_report(Services& s, RouteRequest& req) {
  auto window = report_window(s, req);
  if (!window) return std::unexpected(window.error());
  auto filter = report_filter(req);
  if (!filter) return std::unexpected(filter.error());
  std::vector<dispatch::ReportDimension> dims;
  std::string group_by = req.query("group_by").value_or("tier");
  for (std::size_t start = 0; start <= group_by.size();) {
    auto end = std::min(group_by.find(',', start), group_by.size());
    auto d = dispatch::parse_report_dimension(std::string_view(group_by).substr(start,
                                                                                end - start));
    if (!d || std::find(dims.begin(), dims.end(), *d) != dims.end()) {
      return fail(ErrorCode::validation_failed,
                  "group_by takes tier, technician, center, day or week, each at most once, "
                  "separated by commas");
    }
    dims.push_back(*d);
    start = end + 1;
  }
  std::string format = req.query("format").value_or("json");
  if (format != "json" && format != "csv") {
    return fail(ErrorCode::validation_failed, "format must be json or csv");
  }
  auto now = s.clock.now();
  auto groups = s.reports.sla(*window, *filter, dims, now);
  if (!groups) return std::unexpected(groups.error());
  if (format == "csv") return sla_csv(dims, *groups);
  json items = json::array();
  for (const auto& g : *groups) {
    json keys = json::object();
    std::string key;
    for (std::size_t i = 0; i < dims.size(); ++i) {
      keys[std::string(to_string(dims[i]))] = g.key[i];
      key += (i ? "/" : "") + g.key[i];
    }
    json item = {{"key", key}, {"keys", keys}, {"count", g.count}, {"cancelled", g.cancelled}};
    for (SlaTarget t : kSlaTargets) {
      item[std::string(to_string(t))] = figures_json(g.targets[static_cast<int>(t)]);
    }
    items.push_back(std::move(item));
  }
  json group_names = json::array();
  for (auto d : dims) group_names.push_back(std::string(to_string(d)));
  return json_reply({{"from", format_rfc3339(window->from)},
                     {"to", format_rfc3339(window->to)},
                     {"as_of", format_rfc3339(now)},
                     {"group_by", group_names},
                     {"groups", std::move(items)}});
}

// "b1.<reported_at>.<job>.<target>": where the previous page ended.
std::string breach_cursor(const store::BreachRow& row) {
  return "b1." + std::to_string(to_epoch_s(row.job.reported_at)) + "." +
         std::to_string(row.job.job_id) + "." + std::to_string(static_cast<int>(row.target));
}

std::optional<store::BreachPosition> parse_breach_cursor(const std::string& text) {
  if (text.rfind("b1.", 0) != 0) return std::nullopt;
  std::int64_t parts[3];
  const char* p = text.data() + 3;
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc{} || parts[i] < 0) return std::nullopt;
    p = next;
    if (i < 2) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end || parts[2] > 2) return std::nullopt;
  return store::BreachPosition{from_epoch_s(parts[0]), parts[1], static_cast<int>(parts[2])};
}

Result<Reply> breach_list(Services& s, RouteRequest& req) {
  auto window = report_window(s, req);
  if (!window) return std::unexpected(window.error());
  auto filter = report_filter(req);
  if (!filter) return std::unexpected(filter.error());
  std::optional<SlaTarget> target;
  if (auto t = req.query("target")) {
    for (SlaTarget candidate : kSlaTargets) {
      if (to_string(candidate) == *t) target = candidate;
    }
    if (!target)
      return fail(ErrorCode::validation_failed, "target must be response, arrival or restore");
  }
  int limit = 50;
  if (auto l = req.query_int("limit"); !l) {
    return std::unexpected(l.error());
  } else if (*l) {
    if (**l < 1 || **l > 500)
      return fail(ErrorCode::bad_request, "limit must be an integer from 1 to 500");
    limit = static_cast<int>(**l);
  }
  std::optional<store::BreachPosition> after;
  if (auto c = req.query("cursor"); c && !c->empty()) {
    after = parse_breach_cursor(*c);
    if (!after) return fail(ErrorCode::bad_request, "cursor is not one this server gave");
  }
  auto now = s.clock.now();
  auto page = s.reports.breaches(*window, *filter, target, after, limit, now);
  json items = json::array();
  for (const auto& b : page.items) {
    const auto& row = b.row;
    const auto& c = row.job.targets[static_cast<int>(row.target)];
    json dispatch = {
        {"reason", row.dispatch_reason.empty() ? json(nullptr) : json(row.dispatch_reason)}};
    if (b.decision) {
      dispatch["decided_at"] = format_rfc3339(b.decision->decided_at);
      dispatch["chosen_technician_id"] = b.decision->chosen ? json(*b.decision->chosen)
                                                            : json(nullptr);
      dispatch["radius_km"] = b.decision->radius_km;
      dispatch["candidates"] = json::parse(b.decision->candidates, nullptr, false);
    }
    items.push_back({{"job_id", row.job.job_id},
                     {"target", std::string(to_string(row.target))},
                     {"tier", std::string(to_string(row.job.severity))},
                     {"technician_id",
                      row.job.technician_id ? json(*row.job.technician_id) : json(nullptr)},
                     {"center_id", row.job.center_id},
                     {"reported_at", format_rfc3339(row.job.reported_at)},
                     {"due", format_rfc3339(c.due)},
                     {"done_at", c.done_at ? json(format_rfc3339(*c.done_at)) : json(nullptr)},
                     {"lateness_minutes", b.lateness_minutes},
                     {"dispatch", std::move(dispatch)}});
  }
  return json_reply({{"items", std::move(items)},
                     {"next_cursor",
                      page.more ? json(breach_cursor(page.items.back().row)) : json(nullptr)}});
}

}  // namespace

void add_report_routes(RouteTable& routes, Services& s) {
  constexpr unsigned kReports = kAdmin | kManager;
  namespace sc = schema;
  auto count = [](std::string name, std::string description = "") {
    return sc::integer(std::move(name), 0, std::nullopt, std::move(description));
  };
  auto figures = sc::object_schema(
      {count("met"), count("breached"), count("pending", "still open, not yet due"),
       sc::nullable(sc::number("compliance_pct", "met / (met + breached); null when none")),
       sc::nullable(sc::number("p50_minutes", "median minutes to done")),
       sc::nullable(sc::number("p90_minutes"))});
  auto group = sc::object_schema(
      {sc::text("key", 400, "the group's keys joined by /"),
       sc::object("keys", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}),
       count("count"), count("cancelled"), sc::object("response", figures),
       sc::object("arrival", figures), sc::object("restore", figures)});
  auto sla_answer =
      sc::object_schema({sc::timestamp("from"), sc::timestamp("to"), sc::timestamp("as_of"),
                         sc::array("group_by", {{"type", "string"}}), sc::array("groups", group)});
  auto tiers = std::vector<std::string>{"critical", "serious", "general", "minor"};
  auto breach = sc::object_schema(
      {sc::id("job_id"), sc::enumeration("target", {"response", "arrival", "restore"}),
       sc::enumeration("tier", tiers), sc::optional_id("technician_id"), sc::id("center_id"),
       sc::timestamp("reported_at"), sc::timestamp("due"), sc::nullable(sc::timestamp("done_at")),
       sc::number("lateness_minutes", "past due, to a tenth; until now while open"),
       sc::object("dispatch",
                  sc::object_schema({sc::nullable(sc::text("reason", 200)),
                                     sc::optional(sc::timestamp("decided_at")),
                                     sc::optional(sc::optional_id("chosen_technician_id")),
                                     sc::optional(sc::number("radius_km")),
                                     sc::optional(sc::array("candidates", {{"type", "object"}}))}),
                  "the last auto-dispatch decision, if there was one")});
  auto pct = [](std::string name) { return sc::nullable(sc::number(std::move(name))); };
  auto money = [](std::string name) { return sc::number(std::move(name)); };
  auto technician_row = sc::object_schema(
      {sc::id("technician_id"), sc::nullable(sc::text("name", 200)), count("jobs_done"),
       sc::object("sla",
                  sc::object_schema({count("met"), count("breached"), pct("compliance_pct")})),
       pct("first_time_fix_pct"), count("visits"), sc::number("travel_km"),
       pct("mean_satisfaction"), count("ratings"),
       sc::integer("complaints", 0, std::nullopt, "naming the technician, received in the window"),
       sc::object("cost",
                  sc::object_schema({sc::number("labour_hours"), money("labour"), money("travel"),
                                     money("parts"), count("unpriced_parts"), money("total"),
                                     pct("per_job")}))});
  auto technicians_answer = sc::object_schema(
      {sc::timestamp("from"), sc::timestamp("to"),
       sc::object("rates",
                  sc::object_schema({sc::number("labour_per_hour"), sc::number("travel_per_km")})),
       sc::array("items", technician_row)});
  // The window and filters every report reads (report_window, report_filter).
  std::vector<sc::Field> window{
      sc::optional(sc::timestamp("from", "inclusive; default 30 days before to")),
      sc::optional(sc::timestamp("to", "exclusive; default now; at most 732 days after from"))};
  auto filtered = window;
  for (auto f : {sc::enumeration("tier", {"critical", "serious", "general", "minor"}),
                 sc::id("center_id"), sc::id("technician_id")}) {
    filtered.push_back(sc::optional(std::move(f)));
  }
  auto sla_query = filtered;
  sla_query.push_back(sc::optional(sc::text(
      "group_by", 60, "tier, technician, center, day or week, comma-separated; default tier")));
  sla_query.push_back(sc::optional(sc::enumeration("format", {"json", "csv"})));
  auto breach_query = filtered;
  breach_query.push_back(sc::optional(sc::enumeration("target",
                                                      {"response", "arrival", "restore"})));
  breach_query.push_back(sc::optional(sc::integer("limit", 1, 500, "default 50")));
  breach_query.push_back(sc::optional(sc::text("cursor", 100)));
  routes.push_back(
      {"GET",
       "/api/v1/reports/sla",
       kReports,
       "SLA compliance of jobs reported in [from, to), grouped by tier, technician, "
       "center, day or week (comma-separated for several); format json or csv",
       bind(s, sla_report),
       200,
       {.response = sla_answer, .query = sla_query, .errors = {422}, .also_types = {"text/csv"}}});
  routes.push_back(
      {"GET",
       "/api/v1/reports/sla/breaches",
       kReports,
       "Breached targets of jobs reported in [from, to), with the dispatch explanation",
       bind(s, breach_list),
       200,
       {.response = sc::page_of(breach), .query = breach_query, .errors = {422}}});
  auto technicians_query = window;
  technicians_query.push_back(sc::optional(sc::enumeration("format", {"json", "csv"})));
  routes.push_back({"GET",
                    "/api/v1/reports/technicians",
                    kReports,
                    "Per technician: jobs done in [from, to), SLA compliance, first-time fix, "
                    "travel, satisfaction and cost per job",
                    bind(s, technician_report),
                    200,
                    {.response = technicians_answer,
                     .query = technicians_query,
                     .errors = {422},
                     .also_types = {"text/csv"}}});
}

}  // namespace fieldserve::server
