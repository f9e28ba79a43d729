// POST /api/v1/dispatch/optimize: the batch optimizer over every job not yet started.
// GET /api/v1/dispatch/move-ups: where idle technicians could wait for the next critical call.
#include <cmath>

#include "server/api/handlers.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

const schema::Field kDryRun =
    schema::optional(schema::boolean("dry_run", "default true: report the moves, make none"));

json score_json(const dispatch::Score& s) {
  return {{"weighted_breaches", s.weighted_breaches},
          {"km", std::round(s.km * 1000) / 1000},
          {"unassigned", s.unassigned}};
}

json outcome_schema() {
  namespace sc = schema;
  auto score = sc::object_schema({sc::number("weighted_breaches", "breaches weighted by tier"),
                                  sc::number("km", "total travel"),
                                  sc::integer("unassigned", 0, std::nullopt)});
  auto move = sc::object_schema({sc::id("job_id"), sc::optional_id("from_technician_id"),
                                 sc::id("to_technician_id")});
  return sc::object_schema({sc::boolean("dry_run"), sc::integer("jobs_considered", 0, std::nullopt),
                            sc::integer("technicians_considered", 0, std::nullopt),
                            sc::array("moves", move), sc::object("before", score),
                            sc::object("after", score)});
}

Result<Reply> optimize(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  FieldReader r(*body);
  bool dry_run = r.boolean(kDryRun, true).value_or(true);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  auto outcome = s.jobs.optimize(req.who(), dry_run);
  if (!outcome) return std::unexpected(outcome.error());
  json moves = json::array();
  for (const auto& m : outcome->moves) {
    moves.push_back({{"job_id", m.job_id},
                     {"from_technician_id", m.from ? json(*m.from) : json(nullptr)},
                     {"to_technician_id", m.to}});
  }
  return json_reply({{"dry_run", outcome->dry_run},
                     {"jobs_considered", outcome->jobs_considered},
                     {"technicians_considered", outcome->technicians_considered},
                     {"moves", moves},
                     {"before", score_json(outcome->before)},
                     {"after", score_json(outcome->after)}});
}

// An integer query parameter within [low, high], `fallback` when absent.
Result<int> bounded_query(RouteRequest& req, const char* name, int low, int high, int fallback) {
  auto value = req.query_int(name);
  if (!value) return std::unexpected(value.error());
  if (!*value) return fallback;
  if (**value < low || **value > high) {
    return fail(ErrorCode::bad_request, std::string(name) + " must be an integer from " +
                                            std::to_string(low) + " to " + std::to_string(high));
  }
  return static_cast<int>(**value);
}

json point_json(const geo::LatLon& p) { return {{"lat", p.lat}, {"lon", p.lon}}; }

Result<Reply> move_ups(Services& s, RouteRequest& req) {
  auto days = bounded_query(req, "history_days", 1, 365, 28);
  if (!days) return std::unexpected(days.error());
  auto limit = bounded_query(req, "limit", 1, 100, 10);
  if (!limit) return std::unexpected(limit.error());
  auto center = req.query_id("center_id");
  if (!center) return std::unexpected(center.error());
  auto found = s.jobs.move_ups(*days, *limit, *center);
  if (!found) return std::unexpected(found.error());
  json moves = json::array();
  for (const auto& m : found->moves) {
    moves.push_back({{"technician_id", m.technician_id},
                     {"from", point_json(m.from)},
                     {"to", point_json(m.to)},
                     {"km", std::round(m.km * 10) / 10},
                     {"gain_minutes", std::round(m.gain_minutes * 100) / 100}});
  }
  return json_reply({{"history_days", *days},
                     {"center_id", *center ? json(**center) : json(nullptr)},
                     {"critical_calls", found->critical_calls},
                     {"idle_technicians", found->idle_technicians},
                     {"moves", std::move(moves)}});
}

json move_ups_schema() {
  namespace sc = schema;
  auto point = sc::object_schema({sc::number("lat"), sc::number("lon")});
  auto move = sc::object_schema(
      {sc::id("technician_id"), sc::object("from", point, "where the technician is"),
       sc::object("to", point,
                  "where to wait: the mean position of the calls of one 2 km demand cell"),
       sc::number("km", "road km of the move"),
       sc::number(
           "gain_minutes",
           "minutes the mean drive to the next critical call of their skills gets shorter")});
  return sc::object_schema(
      {sc::integer("history_days", 1, 365), sc::optional_id("center_id"),
       sc::integer("critical_calls", 0, std::nullopt, "critical jobs learned from"),
       sc::integer("idle_technicians", 0, std::nullopt, "active, on shift, no open job"),
       sc::array("moves", move, "best first; each counts the ones before it as done")});
}

}  // namespace

void add_optimize_routes(RouteTable& routes, Services& s) {
  routes.push_back({"POST",
                    "/api/v1/dispatch/optimize",
                    kOperate,
                    "Reassign every unstarted, unlocked job to minimise weighted breaches, then km "
                    "(dry_run defaults to true)",
                    bind(s, optimize),
                    200,
                    {.request = schema::object_schema({kDryRun}), .response = outcome_schema()}});
  routes.push_back(
      {"GET",
       "/api/v1/dispatch/move-ups",
       kStaffRead,
       "Where idle technicians could wait for the next critical call, learned from where critical "
       "calls came from (suggestions: nothing is moved)",
       bind(s, move_ups),
       200,
       {.response = move_ups_schema(),
        .query = {schema::optional(schema::integer(
                      "history_days", 1, 365, "critical calls of the last N days (default 28)")),
                  schema::optional(schema::integer("limit", 1, 100, "default 10")),
                  schema::optional(schema::integer(
                      "center_id", 1, std::nullopt,
                      "only this center's technicians and the calls from its sites"))},
        .errors = {404, 422}}});
}

}  // namespace fieldserve::server
