#pragma once
// The move-up objective computed the plain way, every idle technician against every cell for
// every post: the reference dispatch/coverage.cpp's search is held to (move_up_search_test.cpp)
// and timed against (bench/dispatch_bench.cpp). Not used by the server.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <span>

#include "dispatch/coverage.h"
#include "geo/distance.h"

namespace fieldserve::dispatch::testing {

// The plain objective, as docs/decisions.md ("Move-up") states it: the weighted mean over the
// cells of the drive (flat-earth km at the model's minutes per km, capped) from the nearest idle
// technician who covers the cell's skill set; a move goes from a technician to one of the
// `posts` cells weighing most in that objective, and the best move that passes both thresholds
// wins, the first met among equals.
inline std::optional<MoveUp> plain_move_up(std::span<const IdleTechnician> idle,
                                           std::span<const std::size_t> movable,
                                           const DemandHistory& history, Instant now,
                                           const TravelModel& travel,
                                           const CoverageConfig& config) {
  if (history.calls() < config.min_history) return std::nullopt;
  geo::LatLon a{0, 0}, b{0, 0.1};
  double per_km = std::chrono::duration<double>(travel.travel_time(a, b)).count() / 60 /
                  geo::haversine_km(a, b);
  auto minutes = [&](const geo::LatLon& x, const geo::LatLon& y) {
    double mean_lat = (x.lat + y.lat) / 2 * std::numbers::pi / 180;
    double km = std::hypot((x.lon - y.lon) * 111.2 * std::cos(mean_lat), (x.lat - y.lat) * 111.2);
    return std::min(config.cap_minutes, km * per_km);
  };
  auto cost = [&](double m) { return std::pow(m, config.tail_exponent); };
  auto covers = [](const IdleTechnician& t, const std::vector<std::string>& set) {
    return std::ranges::all_of(set,
                               [&](const auto& s) { return std::ranges::count(*t.skills, s); });
  };
  std::vector<std::pair<std::vector<std::string>, std::vector<DemandHistory::Point>>> demand;
  for (const auto& set : history.skill_sets())
    demand.emplace_back(set, history.demand(set, now, config.hour_window));
  // The objective's weighted sum and weight for technician m's skill sets, with `at` for m.
  auto objective = [&](std::size_t m, std::optional<geo::LatLon> at) {
    double sum = 0, weight = 0;
    for (const auto& [set, cells] : demand) {
      if (!covers(idle[m], set)) continue;
      for (const auto& cell : cells) {
        double nearest = config.cap_minutes;
        for (std::size_t u = 0; u < idle.size(); ++u) {
          if (!covers(idle[u], set)) continue;
          nearest = std::min(nearest, minutes(u == m && at ? *at : idle[u].at, cell.at));
        }
        sum += cell.weight * cost(nearest);
        weight += cell.weight;
      }
    }
    return std::pair{sum, weight};
  };
  auto mean = [&](double sum, double weight) {
    return std::pow(std::max(0.0, sum) / weight, 1 / config.tail_exponent);
  };
  std::optional<MoveUp> best;
  for (auto m : movable) {
    auto [before, weight] = objective(m, std::nullopt);
    if (weight <= 0) continue;
    std::vector<std::pair<double, geo::LatLon>> ranked;
    for (const auto& [set, cells] : demand) {
      if (!covers(idle[m], set)) continue;
      for (const auto& cell : cells) {
        double nearest = config.cap_minutes;
        for (const auto& u : idle)
          if (covers(u, set)) nearest = std::min(nearest, minutes(u.at, cell.at));
        ranked.emplace_back(cell.weight * cost(nearest), cell.at);
      }
    }
    std::ranges::sort(ranked, [](const auto& x, const auto& y) {
      if (x.first != y.first) return x.first > y.first;
      return x.second.lat != y.second.lat ? x.second.lat < y.second.lat
                                          : x.second.lon < y.second.lon;
    });
    ranked.resize(std::min(ranked.size(), static_cast<std::size_t>(config.posts)));
    for (const auto& [unused, post] : ranked) {
      double gain = mean(before, weight) - mean(objective(m, post).first, weight);
      double km = travel.road_km(idle[m].at, post);
      if (gain < config.min_gain_minutes || gain < config.min_gain_per_km * km) continue;
      // 1e-9: the plain sums and the search's add up in another order.
      if (!best || gain > best->gain_minutes + 1e-9) best = MoveUp{idle[m].index, post, km, gain};
    }
  }
  return best;
}

}  // namespace fieldserve::dispatch::testing
