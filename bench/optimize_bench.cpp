// Batch optimize, 1,000 unstarted jobs × 500 technicians: the exact min-cost-flow plan against a
// greedy baseline in the same run (each job in arrival-due order to the technician with a free
// place and the least travel among those on time, else the earliest). Deterministic for the seed.
//   build/release/bench/optimize_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "dispatch/optimizer.h"

namespace fieldserve::dispatch {
namespace {

const Instant kNow = from_epoch_s(1'795'000'000);

struct Instance {
  std::vector<Technician> techs;
  std::vector<OptimizeTechnician> technicians;
  std::vector<OptimizeJob> jobs;
};

const Instance& instance() {
  static Instance in = [] {
    Instance in;
    std::mt19937 rng(20261123);
    const std::vector<std::string> skills{"hvac",      "electrical", "refrigeration",
                                          "generator", "ups",        "controls"};
    std::uniform_real_distribution<double> lat(48.0, 52.0),
        lon(6.0, 12.0);  // a 450 × 440 km region
    std::uniform_int_distribution<int> busy(0, 180), places(1, 4), sev(0, 3), due(20, 600), k(0, 5);
    in.techs.resize(500);
    for (int i = 0; i < 500; ++i) {
      auto& t = in.techs[i];
      t.id = i + 1;
      t.skills = {skills[i % 6], skills[k(rng)]};
      for (auto& d : t.shift) d = DaySpan{0, 1440};
    }
    for (int i = 0; i < 500; ++i) {
      in.technicians.push_back({&in.techs[i],
                                {lat(rng), lon(rng)},
                                "UTC",
                                kNow + std::chrono::minutes(busy(rng)),
                                places(rng)});
    }
    for (int j = 0; j < 1000; ++j) {
      in.jobs.push_back({j + 1,
                         static_cast<Severity>(sev(rng)),
                         {lat(rng), lon(rng)},
                         {skills[k(rng)]},
                         kNow + std::chrono::minutes(due(rng)),
                         std::nullopt});
    }
    return in;
  }();
  return in;
}

std::vector<std::optional<TechnicianId>> greedy(const Instance& in, const SlaPolicy& policy,
                                                const TravelModel& travel) {
  std::vector<std::size_t> order(in.jobs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](auto a, auto b) { return in.jobs[a].arrival_due < in.jobs[b].arrival_due; });
  std::vector<int> used(in.technicians.size(), 0);
  std::vector<std::optional<TechnicianId>> out(in.jobs.size());
  for (auto i : order) {
    const auto& job = in.jobs[i];
    std::optional<std::size_t> on_time, earliest;
    double on_time_km = 0;
    Instant earliest_eta{};
    for (std::size_t k = 0; k < in.technicians.size(); ++k) {
      const auto& t = in.technicians[k];
      if (used[k] >= t.free_places || !may_take(t, job, policy, kNow)) continue;
      auto leg = travel.leg(t.position, job.site);
      Instant eta = std::max(kNow, t.free_at) + leg.time;
      if (eta <= job.arrival_due && (!on_time || leg.road_km < on_time_km))
        on_time = k, on_time_km = leg.road_km;
      if (!earliest || eta < earliest_eta) earliest = k, earliest_eta = eta;
    }
    auto pick = on_time ? on_time : earliest;
    if (pick) {
      ++used[*pick];
      out[i] = in.technicians[*pick].technician->id;
    }
  }
  return out;
}

void BM_OptimizeMinCostFlow(benchmark::State& state) {
  const auto& in = instance();
  auto policy = default_policy();
  GeodesicTravel travel;
  OptimizePlan plan;
  for (auto _ : state) {
    plan = optimize(in.jobs, in.technicians, policy, kNow, travel);
    benchmark::DoNotOptimize(plan);
  }
  auto again = optimize(in.jobs, in.technicians, policy, kNow, travel);
  state.counters["weighted_breaches"] = plan.after.weighted_breaches;
  state.counters["km"] = plan.after.km;
  state.counters["unassigned"] = plan.after.unassigned;
  state.counters["deterministic"] = again.assignment == plan.assignment ? 1 : 0;
}

void BM_OptimizeGreedyBaseline(benchmark::State& state) {
  const auto& in = instance();
  auto policy = default_policy();
  GeodesicTravel travel;
  Score s;
  for (auto _ : state) {
    auto assignment = greedy(in, policy, travel);
    s = score_assignment(in.jobs, in.technicians, assignment, kNow, travel);
    benchmark::DoNotOptimize(s);
  }
  state.counters["weighted_breaches"] = s.weighted_breaches;
  state.counters["km"] = s.km;
  state.counters["unassigned"] = s.unassigned;
}

BENCHMARK(BM_OptimizeMinCostFlow)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OptimizeGreedyBaseline)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fieldserve::dispatch

BENCHMARK_MAIN();
