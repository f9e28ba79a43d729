// One dispatch decision with 10,000 technicians and 100,000 open jobs: through the grid index
// (exact geodesics only for the technicians still in the running near the site) against brute
// force (the exact geodesic to every technician, then the same engine on those within the
// radius), in the same run. Reports p50/p99 per decision as counters. Also the move-up
// suggestions the server answers (GET /api/v1/dispatch/move-ups) over such a fleet.
//   build/release/bench/dispatch_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "dispatch/coverage.h"
#include "dispatch/engine.h"
#include "geo/distance.h"
#include "geo/grid_index.h"
#include "move_up_reference.h"

namespace fieldserve::dispatch {
namespace {

constexpr int kTechnicians = 10'000;
constexpr int kOpenJobs = 100'000;
constexpr int kCenters = 50;
const Instant kNow = from_epoch_s(1'795'000'000);

struct World {
  std::vector<geo::LatLon> centers;
  std::vector<Technician> technicians;
  std::vector<TechnicianState> states;
  geo::GridIndex index;
  std::vector<std::pair<Job, geo::LatLon>> probes;  // jobs to decide, with their sites
  TierPolicy tier;
};

geo::LatLon near(std::mt19937& rng, const geo::LatLon& c, double km) {
  std::uniform_real_distribution<double> u(-1, 1);
  return {c.lat + u(rng) * km / 111.0,
          c.lon + u(rng) * km / (111.0 * std::cos(c.lat * M_PI / 180))};
}

const World& world() {
  static World w = [] {
    World w;
    std::mt19937 rng(20261123);
    std::uniform_real_distribution<double> lat(-40, 60), lon(-120, 140);
    for (int i = 0; i < kCenters; ++i) w.centers.push_back({lat(rng), lon(rng)});
    const std::vector<std::string> skills{"hvac",      "electrical", "refrigeration",
                                          "generator", "ups",        "controls"};
    w.technicians.resize(kTechnicians);
    for (int i = 0; i < kTechnicians; ++i) {
      auto& t = w.technicians[i];
      t.id = i + 1;
      t.skills = {skills[i % 6], skills[(i / 6) % 6]};
      for (auto& d : t.shift) d = DaySpan{0, 1440};
      t.max_open_jobs = 14;
    }
    // 10 open jobs per technician on average, sites near the technician's center.
    std::uniform_int_distribution<int> sev(0, 3);
    for (int i = 0; i < kTechnicians; ++i) {
      const auto& center = w.centers[i % kCenters];
      TechnicianState s{&w.technicians[i], near(rng, center, 40), "UTC", {}};
      w.index.upsert(w.technicians[i].id, s.position);
      w.states.push_back(std::move(s));
    }
    std::uniform_int_distribution<int> who(0, kTechnicians - 1);
    for (int j = 0; j < kOpenJobs; ++j) {
      auto& s = w.states[who(rng)];
      s.queue.push_back({j + 1, static_cast<Severity>(sev(rng)), JobStatus::assigned,
                         near(rng, s.position, 20), kNow + std::chrono::minutes(30 + j % 600),
                         std::nullopt});
    }
    w.tier.dispatch_radius_km = 60;
    w.tier.response_minutes = 5;
    w.tier.bands = {{std::nullopt, 45, 240}};
    for (int p = 0; p < 256; ++p) {
      Job job;
      job.id = kOpenJobs + p + 1;
      job.severity = Severity::critical;
      job.required_skills = {skills[p % 6]};
      job.reported_at = kNow;
      job.clock(SlaTarget::arrival).due = kNow + std::chrono::minutes(45);
      w.probes.emplace_back(job, near(rng, w.centers[p % kCenters], 50));
    }
    return w;
  }();
  return w;
}

void report(benchmark::State& state, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  auto at = [&](double p) { return micros[static_cast<std::size_t>(p * (micros.size() - 1))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}

void BM_DecisionWithGridIndex(benchmark::State& state) {
  const auto& w = world();
  GeodesicTravel travel;
  std::vector<double> micros;
  std::size_t p = 0;
  std::vector<TechnicianState> near_states;
  for (auto _ : state) {
    const auto& [job, site] = w.probes[p++ % w.probes.size()];
    auto start = std::chrono::steady_clock::now();
    // Widen like the engine would: only when nobody near enough is eligible.
    Decision d;
    for (int factor = 1; factor <= 4; factor *= 2) {
      near_states.clear();
      for (auto id : w.index.near(site, w.tier.dispatch_radius_km * factor))
        near_states.push_back(w.states[id - 1]);
      d = decide(job, site, ServiceEstimate{}, w.tier, near_states, kNow, travel);
      if (d.reason != "no_eligible_technician") break;
    }
    // A critical job also looks for an earlier arrival by moving a lesser job, as the server does.
    auto preempt = find_preemption(job, site, ServiceEstimate{}, w.tier, near_states, kNow, travel,
                                   counted_arrival(d));
    benchmark::DoNotOptimize(d);
    benchmark::DoNotOptimize(preempt);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() -
                                                               start)
                         .count());
  }
  report(state, micros);
}

void BM_DecisionBruteForce(benchmark::State& state) {
  const auto& w = world();
  GeodesicTravel travel;
  std::vector<double> micros;
  std::size_t p = 0;
  std::vector<double> km(w.states.size());
  std::vector<TechnicianState> near_states;
  for (auto _ : state) {
    const auto& [job, site] = w.probes[p++ % w.probes.size()];
    auto start = std::chrono::steady_clock::now();
    // No index: the exact geodesic to every technician, then the same widening and engine.
    for (std::size_t i = 0; i < w.states.size(); ++i)
      km[i] = geo::geodesic_km(w.states[i].position, site);
    Decision d;
    for (int factor = 1; factor <= 4; factor *= 2) {
      near_states.clear();
      for (std::size_t i = 0; i < w.states.size(); ++i) {
        if (km[i] <= w.tier.dispatch_radius_km * factor) near_states.push_back(w.states[i]);
      }
      d = decide(job, site, ServiceEstimate{}, w.tier, near_states, kNow, travel);
      if (d.reason != "no_eligible_technician") break;
    }
    // A critical job also looks for an earlier arrival by moving a lesser job, as the server does.
    auto preempt = find_preemption(job, site, ServiceEstimate{}, w.tier, near_states, kNow, travel,
                                   counted_arrival(d));
    benchmark::DoNotOptimize(d);
    benchmark::DoNotOptimize(preempt);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() -
                                                               start)
                         .count());
  }
  report(state, micros);
}

// The server's move-up suggestions (app/dispatcher.cpp, suggest_move_ups): `state.range(0)`
// idle technicians over the first `state.range(1)` of the 50 clusters, 400 critical calls per
// cluster over the last four weeks (20,000 for all 50), one skill each; up to ten suggestions,
// each taking the fleet as the ones before it leave it. One cluster is one center's console.
// `search` is best_move_up, or the plain objective it is tested against (the baseline).
template <auto search>
void move_up_suggestions(benchmark::State& state) {
  const auto& w = world();
  GeodesicTravel travel;
  CoverageConfig coverage;
  const auto idle_count = static_cast<std::size_t>(state.range(0));
  const auto clusters = static_cast<int>(state.range(1));
  std::mt19937 rng(20261207);
  DemandHistory demand(coverage.cell_km);
  std::uniform_int_distribution<int> cluster(0, clusters - 1), skill(0, 5), minute(0, 28 * 1440);
  const std::vector<std::string> skills{"hvac",      "electrical", "refrigeration",
                                        "generator", "ups",        "controls"};
  for (int c = 0; c < 400 * clusters; ++c) {
    demand.record(near(rng, w.centers[cluster(rng)], 50), {skills[skill(rng)]},
                  kNow - std::chrono::minutes(minute(rng)));
  }
  // Technician i belongs to cluster i % 50 (see world()).
  std::vector<IdleTechnician> idle;
  for (std::size_t k = 0; k < w.states.size() && idle.size() < idle_count; ++k) {
    if (static_cast<int>(k % kCenters) >= clusters) continue;
    idle.push_back({idle.size(), w.states[k].position, &w.technicians[k].skills});
  }
  std::vector<double> micros;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto at = idle;
    std::vector<std::size_t> movable(at.size());
    for (std::size_t i = 0; i < movable.size(); ++i) movable[i] = i;
    int made = 0;
    for (; made < 10; ++made) {
      auto move = search(at, movable, demand, kNow, travel, coverage);
      if (!move) break;
      at[move->index].at = move->to;
      std::erase(movable, move->index);
    }
    state.counters["moves"] = made;
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() -
                                                               start)
                         .count());
  }
  report(state, micros);
}

BENCHMARK(BM_DecisionWithGridIndex)->Iterations(2000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecisionBruteForce)->Iterations(100)->Unit(benchmark::kMicrosecond);
void BM_MoveUpSuggestions(benchmark::State& state) { move_up_suggestions<best_move_up>(state); }
void BM_MoveUpSuggestionsPlain(benchmark::State& state) {
  move_up_suggestions<testing::plain_move_up>(state);
}

BENCHMARK(BM_MoveUpSuggestions)
    ->Args({50, 1})
    ->Args({200, 1})
    ->Args({300, 50})
    ->Args({3000, 50})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);
// Every technician against every cell for every post: only where that ends in seconds.
BENCHMARK(BM_MoveUpSuggestionsPlain)
    ->Args({50, 1})
    ->Args({200, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fieldserve::dispatch

BENCHMARK_MAIN();
