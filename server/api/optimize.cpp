// POST /api/v1/dispatch/optimize: the batch optimizer over every job not yet started.
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
}

}  // namespace fieldserve::server
