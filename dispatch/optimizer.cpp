#include "dispatch/optimizer.h"

#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include <cmath>
#include <map>

#include "dispatch/engine.h"
#include "dispatch/replay.h"
#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

// Breaches dominate kilometres: one weighted breach costs more than any total of metres.
constexpr std::int64_t kBreachCost = 1'000'000'000'000;
constexpr int kUnassignedFactor = 2;  // nobody is worse than a late technician

struct PairCost {
  bool breach;
  double km;
};

PairCost pair_cost(const OptimizeTechnician& t, const OptimizeJob& job, Instant now,
                   const TravelModel& travel) {
  Instant start = std::max(now, t.free_at);
  Instant eta = start + travel.travel_time(t.position, job.site);
  return {eta > job.arrival_due, travel.road_km(t.position, job.site)};
}

int weight(Severity s) { return kBreachWeights[static_cast<int>(s)]; }

}  // namespace

bool may_take(const OptimizeTechnician& t, const OptimizeJob& job, const SlaPolicy& policy, Instant now) {
  const auto& tech = *t.technician;
  if (!tech.active) return false;
  for (const auto& s : job.required_skills) {
    if (std::find(tech.skills.begin(), tech.skills.end(), s) == tech.skills.end()) return false;
  }
  if (!on_shift_by(tech.shift, t.time_zone, now, std::max(now, job.arrival_due))) return false;
  return geo::geodesic_km(t.position, job.site) <= policy.tier(job.severity).dispatch_radius_km * 4;
}

Score score_assignment(std::span<const OptimizeJob> jobs, std::span<const OptimizeTechnician> technicians,
                       const std::vector<std::optional<TechnicianId>>& assignment, Instant now,
                       const TravelModel& travel) {
  std::map<TechnicianId, const OptimizeTechnician*> by_id;
  for (const auto& t : technicians) by_id[t.technician->id] = &t;
  Score s;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto it = assignment[i] ? by_id.find(*assignment[i]) : by_id.end();
    if (it == by_id.end()) {
      ++s.unassigned;
      s.weighted_breaches += weight(jobs[i].severity) * kUnassignedFactor;
      continue;
    }
    auto c = pair_cost(*it->second, jobs[i], now, travel);
    if (c.breach) s.weighted_breaches += weight(jobs[i].severity);
    s.km += c.km;
  }
  return s;
}

OptimizePlan optimize(std::span<const OptimizeJob> jobs, std::span<const OptimizeTechnician> technicians,
                      const SlaPolicy& policy, Instant now, const TravelModel& travel) {
  using Graph = lemon::ListDigraph;
  Graph g;
  auto source = g.addNode(), sink = g.addNode();
  Graph::ArcMap<std::int64_t> cost(g), capacity(g);
  std::vector<Graph::Node> job_nodes, tech_nodes;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    job_nodes.push_back(g.addNode());
    auto in = g.addArc(source, job_nodes.back());
    capacity[in] = 1;
    cost[in] = 0;
    auto none = g.addArc(job_nodes.back(), sink);
    capacity[none] = 1;
    cost[none] = kBreachCost * weight(jobs[i].severity) * kUnassignedFactor;
  }
  for (const auto& t : technicians) {
    tech_nodes.push_back(g.addNode());
    auto out = g.addArc(tech_nodes.back(), sink);
    capacity[out] = std::max(0, t.free_places);
    cost[out] = 0;
  }
  struct PairArc {
    Graph::Arc arc;
    std::size_t job, tech;
  };
  std::vector<PairArc> pairs;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    for (std::size_t k = 0; k < technicians.size(); ++k) {
      if (!may_take(technicians[k], jobs[i], policy, now)) continue;
      auto c = pair_cost(technicians[k], jobs[i], now, travel);
      auto arc = g.addArc(job_nodes[i], tech_nodes[k]);
      capacity[arc] = 1;
      // Metres, so kilometres compare as integers. The graph is built in input order and the
      // solver is deterministic: the same input always gives the same plan.
      cost[arc] = (c.breach ? kBreachCost * weight(jobs[i].severity) : 0) +
                  static_cast<std::int64_t>(std::llround(c.km * 1000));
      pairs.push_back({arc, i, k});
    }
  }
  lemon::NetworkSimplex<Graph, std::int64_t, std::int64_t> solver(g);
  solver.upperMap(capacity).costMap(cost).stSupply(source, sink, static_cast<std::int64_t>(jobs.size()));
  OptimizePlan plan;
  std::vector<std::optional<TechnicianId>> chosen(jobs.size());
  if (solver.run() == decltype(solver)::OPTIMAL) {
    for (const auto& p : pairs) {
      if (solver.flow(p.arc) > 0) chosen[p.job] = technicians[p.tech].technician->id;
    }
  }
  std::vector<std::optional<TechnicianId>> current;
  for (const auto& j : jobs) current.push_back(j.current);
  plan.before = score_assignment(jobs, technicians, current, now, travel);
  plan.after = score_assignment(jobs, technicians, chosen, now, travel);
  for (std::size_t i = 0; i < jobs.size(); ++i) plan.assignment.emplace_back(jobs[i].id, chosen[i]);
  return plan;
}

}  // namespace fieldserve::dispatch
