#include "dispatch/optimizer.h"

#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "dispatch/engine.h"
#include "dispatch/replay.h"
#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

// Breaches dominate lateness, and lateness kilometres: one weighted breach costs more than any
// total of weighted minutes late, and one weighted minute late more than 1,000 km. So a job late
// wherever it goes still goes where it is least late, not where the drive is shortest.
constexpr std::int64_t kBreachCost = 1'000'000'000'000;
constexpr std::int64_t kLateMinuteCost = 1'000'000;
constexpr int kUnassignedFactor = 2;  // nobody is worse than a late technician

// Each technician's k-th place starts after k jobs' service: the job in place k arrives at
// max(now, free_at) + k × service + travel from where the technician is.
std::chrono::seconds place_time(const OptimizeTechnician& t) {
  return std::chrono::seconds(static_cast<std::int64_t>(std::max(1.0, t.place_minutes) * 60));
}

struct PairCost {
  bool breach;
  std::int64_t late_minutes;
  double km;
};

PairCost pair_cost(const OptimizeTechnician& t, const OptimizeJob& job, int place, Instant now,
                   const Leg& leg) {
  Instant eta = std::max(now, t.free_at) + place_time(t) * place + leg.time;
  auto late = std::chrono::duration_cast<std::chrono::minutes>(eta - job.arrival_due).count();
  return {eta > job.arrival_due, std::clamp<std::int64_t>(late, 0, 10'000), leg.road_km};
}

int weight(Severity s) { return kBreachWeights[static_cast<int>(s)]; }

}  // namespace

bool may_take(const OptimizeTechnician& t, const OptimizeJob& job, const SlaPolicy& policy,
              Instant now) {
  const auto& tech = *t.technician;
  if (!tech.active) return false;
  for (const auto& s : job.required_skills) {
    if (std::find(tech.skills.begin(), tech.skills.end(), s) == tech.skills.end()) return false;
  }
  if (!on_shift_by(tech.shift, t.time_zone, now, std::max(now, job.arrival_due))) return false;
  // The spherical distance (within 0.5 % of the geodesic) settles all but the borderline cases;
  // the exact geodesic costs 25 times as much.
  double widest = policy.tier(job.severity).dispatch_radius_km * 4;
  double rough = geo::haversine_km(t.position, job.site);
  if (rough > widest * 1.01) return false;
  if (rough < widest * 0.99) return true;
  return geo::geodesic_km(t.position, job.site) <= widest;
}

Score score_assignment(std::span<const OptimizeJob> jobs,
                       std::span<const OptimizeTechnician> technicians,
                       const std::vector<std::optional<TechnicianId>>& assignment, Instant now,
                       const TravelModel& travel) {
  std::map<TechnicianId, std::size_t> index;
  for (std::size_t k = 0; k < technicians.size(); ++k) index[technicians[k].technician->id] = k;
  std::map<std::size_t, std::vector<std::size_t>> by_technician;
  Score s;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto it = assignment[i] ? index.find(*assignment[i]) : index.end();
    if (it == index.end()) {
      ++s.unassigned;
      s.weighted_breaches += weight(jobs[i].severity) * kUnassignedFactor;
    } else {
      by_technician[it->second].push_back(i);
    }
  }
  // A technician's jobs take places 0, 1, 2, ...; in place p a job is on time when p is at most
  // its latest place. Which jobs can all be on time is then unit-time scheduling with deadlines,
  // and taking jobs heaviest first, each into the latest free place that keeps it on time, is
  // optimal (the greedy algorithm on a matroid). Kilometres do not depend on the places.
  for (auto& [k, list] : by_technician) {
    const auto& t = technicians[k];
    Instant start = std::max(now, t.free_at);
    std::vector<std::int64_t> latest(list.size());
    for (std::size_t n = 0; n < list.size(); ++n) {
      const auto& job = jobs[list[n]];
      auto leg = travel.leg(t.position, job.site);
      s.km += leg.road_km;
      auto slack = job.arrival_due - (start + leg.time);
      latest[n] = slack.count() < 0 ? -1 : slack.count() / place_time(t).count();
    }
    std::vector<std::size_t> order(list.size());
    for (std::size_t n = 0; n < order.size(); ++n) order[n] = n;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return weight(jobs[list[a]].severity) > weight(jobs[list[b]].severity);
    });
    std::vector<bool> taken(list.size(), false);
    for (auto n : order) {
      std::int64_t place = std::min<std::int64_t>(latest[n],
                                                  static_cast<std::int64_t>(list.size()) - 1);
      while (place >= 0 && taken[place]) --place;
      if (place >= 0) {
        taken[place] = true;
      } else {
        s.weighted_breaches += weight(jobs[list[n]].severity);  // late wherever it goes
      }
    }
  }
  return s;
}

namespace {

struct Solution {
  std::vector<std::optional<TechnicianId>> chosen;
  std::int64_t cost = 0;
};

// The min-cost flow over the pairs allowed; with `current_only`, each job may only stay with the
// technician it has (or go to nobody): the price of the plan as it stands, in the same terms.
Solution solve(std::span<const OptimizeJob> jobs, std::span<const OptimizeTechnician> technicians,
               const std::vector<std::vector<bool>>& allowed,
               const std::vector<std::vector<Leg>>& legs, Instant now, bool current_only) {
  using Graph = lemon::ListDigraph;
  Graph g;
  auto source = g.addNode(), sink = g.addNode();
  Graph::ArcMap<std::int64_t> cost(g), capacity(g);
  std::vector<Graph::Node> job_nodes;
  std::vector<std::vector<Graph::Node>> place_nodes;  // per technician, one node per free place
  for (const auto& job : jobs) {
    job_nodes.push_back(g.addNode());
    auto in = g.addArc(source, job_nodes.back());
    capacity[in] = 1;
    cost[in] = 0;
    auto none = g.addArc(job_nodes.back(), sink);
    capacity[none] = 1;
    cost[none] = kBreachCost * weight(job.severity) * kUnassignedFactor;
  }
  for (const auto& t : technicians) {
    place_nodes.emplace_back();
    for (int place = 0; place < t.free_places; ++place) {
      place_nodes.back().push_back(g.addNode());
      auto out = g.addArc(place_nodes.back().back(), sink);
      capacity[out] = 1;
      cost[out] = 0;
    }
  }
  struct PairArc {
    Graph::Arc arc;
    std::size_t job, tech;
  };
  std::vector<PairArc> pairs;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    for (std::size_t k = 0; k < technicians.size(); ++k) {
      if (place_nodes[k].empty() || !allowed[i][k]) continue;
      if (current_only && jobs[i].current != technicians[k].technician->id) continue;
      for (std::size_t place = 0; place < place_nodes[k].size(); ++place) {
        auto c = pair_cost(technicians[k], jobs[i], static_cast<int>(place), now, legs[i][k]);
        auto arc = g.addArc(job_nodes[i], place_nodes[k][place]);
        capacity[arc] = 1;
        // Metres, so kilometres compare as integers; a later place costs one metre more per
        // place, so earlier places fill first when nothing else differs. The graph is built in
        // input order and the solver is deterministic: the same input gives the same plan.
        std::int64_t w = weight(jobs[i].severity);
        cost[arc] = (c.breach ? kBreachCost * w : 0) + kLateMinuteCost * w * c.late_minutes +
                    static_cast<std::int64_t>(std::llround(c.km * 1000)) +
                    static_cast<std::int64_t>(place);
        pairs.push_back({arc, i, k});
      }
    }
  }
  lemon::NetworkSimplex<Graph, std::int64_t, std::int64_t> solver(g);
  solver.upperMap(capacity).costMap(cost).stSupply(source, sink,
                                                   static_cast<std::int64_t>(jobs.size()));
  Solution out;
  out.chosen.resize(jobs.size());
  if (solver.run() == decltype(solver)::OPTIMAL) {
    out.cost = solver.totalCost();
    for (const auto& p : pairs) {
      if (solver.flow(p.arc) > 0) out.chosen[p.job] = technicians[p.tech].technician->id;
    }
  }
  return out;
}

}  // namespace

OptimizePlan optimize(std::span<const OptimizeJob> jobs,
                      std::span<const OptimizeTechnician> technicians, const SlaPolicy& policy,
                      Instant now, const TravelModel& travel) {
  // Who may take what, and each leg, once: both solves share them.
  std::vector<std::vector<bool>> allowed(jobs.size(), std::vector<bool>(technicians.size()));
  std::vector<std::vector<Leg>> legs(jobs.size(), std::vector<Leg>(technicians.size()));
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    for (std::size_t k = 0; k < technicians.size(); ++k) {
      if (technicians[k].free_places <= 0 || !may_take(technicians[k], jobs[i], policy, now))
        continue;
      allowed[i][k] = true;
      legs[i][k] = travel.leg(technicians[k].position, jobs[i].site);
    }
  }
  auto best = solve(jobs, technicians, allowed, legs, now, false);
  auto as_is = solve(jobs, technicians, allowed, legs, now, true);
  OptimizePlan plan;
  std::vector<std::optional<TechnicianId>> current;
  for (const auto& j : jobs) current.push_back(j.current);
  plan.before = score_assignment(jobs, technicians, current, now, travel);
  plan.after = score_assignment(jobs, technicians, best.chosen, now, travel);
  plan.cost_before = as_is.cost;
  plan.cost_after = best.cost;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    plan.assignment.emplace_back(jobs[i].id, best.chosen[i]);
  return plan;
}

}  // namespace fieldserve::dispatch
