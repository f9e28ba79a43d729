#include "dispatch/coverage.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

constexpr double kKmPerDegreeLat = 111.2;

int hour_of_day(Instant when) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
  return static_cast<int>(((s / 3600) % 24 + 24) % 24);
}

// Minutes of driving per geodesic km under the model: coverage weighs thousands of pairs per
// decision, so it scales a flat-earth distance (exact enough across a city or a county) rather
// than asking the model for each.
double minutes_per_km(const TravelModel& travel) {
  geo::LatLon a{0, 0}, b{0, 0.1};
  double km = geo::haversine_km(a, b);
  return std::chrono::duration<double>(travel.travel_time(a, b)).count() / 60 / km;
}

double flat_km(const geo::LatLon& a, const geo::LatLon& b) {
  double mean_lat = (a.lat + b.lat) / 2 * std::numbers::pi / 180;
  double dy = (a.lat - b.lat) * kKmPerDegreeLat;
  double dx = (a.lon - b.lon) * kKmPerDegreeLat * std::cos(mean_lat);
  return std::hypot(dx, dy);
}

}  // namespace

std::pair<long, long> DemandHistory::cell_of(const geo::LatLon& at) {
  if (!km_per_degree_lon_) {
    km_per_degree_lon_ = std::max(1.0, kKmPerDegreeLat * std::cos(at.lat * std::numbers::pi / 180));
  }
  return {std::lround(std::floor(at.lat * kKmPerDegreeLat / cell_km_)),
          std::lround(std::floor(at.lon * *km_per_degree_lon_ / cell_km_))};
}

void DemandHistory::record(const geo::LatLon& at, const std::vector<std::string>& skills,
                           Instant when) {
  auto key = cell_of(at);
  for (const auto& skill : skills) {
    auto& cell = cells_[skill][key];
    ++cell.by_hour[hour_of_day(when)];
    cell.lat_sum += at.lat;
    cell.lon_sum += at.lon;
    ++cell.total;
    ++calls_[skill];
  }
}

int DemandHistory::calls(const std::string& skill) const {
  auto it = calls_.find(skill);
  return it == calls_.end() ? 0 : it->second;
}

std::vector<DemandHistory::Point> DemandHistory::demand(const std::string& skill, Instant when,
                                                        int hour_window) const {
  std::vector<Point> out;
  auto it = cells_.find(skill);
  if (it == cells_.end()) return out;
  int hour = hour_of_day(when);
  for (const auto& [key, cell] : it->second) {
    int n = 0;
    for (int h = -hour_window; h <= hour_window; ++h) n += cell.by_hour[(hour + h + 24) % 24];
    if (n == 0) continue;
    out.push_back({{cell.lat_sum / cell.total, cell.lon_sum / cell.total}, double(n)});
  }
  std::sort(out.begin(), out.end(), [](const Point& a, const Point& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.at.lat != b.at.lat ? a.at.lat < b.at.lat : a.at.lon < b.at.lon;
  });
  return out;
}

std::optional<MoveUp> best_move_up(std::span<const IdleTechnician> idle,
                                   std::span<const std::size_t> movable,
                                   const DemandHistory& history, Instant now,
                                   const TravelModel& travel, const CoverageConfig& config) {
  const double per_km = minutes_per_km(travel);
  auto minutes = [&](const geo::LatLon& a, const geo::LatLon& b) {
    return std::min(config.cap_minutes, flat_km(a, b) * per_km);
  };
  // Minutes raised to `tail_exponent` before averaging: 2 weighs a far call more than two near
  // ones, which is what the tail of the arrival times (its 90th percentile) needs.
  const double p = config.tail_exponent;
  auto cost = [p](double m) { return p == 1 ? m : std::pow(m, p); };
  auto mean_minutes = [p](double sum, double weight) {
    double mean = std::max(0.0, sum) / weight;
    return p == 1 ? mean : std::pow(mean, 1 / p);
  };
  auto has = [](const IdleTechnician& t, const std::string& skill) {
    return std::find(t.skills->begin(), t.skills->end(), skill) != t.skills->end();
  };

  // Per skill of the movable technicians: the demand, and each cell's nearest and second
  // nearest idle technician, so that moving one technician re-prices a cell in O(1).
  struct SkillView {
    std::vector<DemandHistory::Point> cells;
    std::vector<double> best, second;
    std::vector<std::size_t> best_of;  // position in `idle`
    double total = 0;
  };
  std::map<std::string, SkillView> views;
  for (auto m : movable) {
    for (const auto& skill : *idle[m].skills) {
      if (views.contains(skill) || history.calls(skill) < config.min_history) continue;
      SkillView v;
      v.cells = history.demand(skill, now, config.hour_window);
      v.best.assign(v.cells.size(), config.cap_minutes);
      v.second.assign(v.cells.size(), config.cap_minutes);
      v.best_of.assign(v.cells.size(), idle.size());
      for (std::size_t c = 0; c < v.cells.size(); ++c) {
        v.total += v.cells[c].weight;
        for (std::size_t u = 0; u < idle.size(); ++u) {
          if (!has(idle[u], skill)) continue;
          double t = minutes(idle[u].at, v.cells[c].at);
          if (t < v.best[c]) {
            v.second[c] = v.best[c];
            v.best[c] = t;
            v.best_of[c] = u;
          } else if (t < v.second[c]) {
            v.second[c] = t;
          }
        }
      }
      views.emplace(skill, std::move(v));
    }
  }

  std::optional<MoveUp> best;
  for (auto m : movable) {
    const auto& unit = idle[m];
    double total = 0, before = 0;
    for (const auto& skill : *unit.skills) {
      auto it = views.find(skill);
      if (it == views.end()) continue;
      total += it->second.total;
      for (std::size_t c = 0; c < it->second.cells.size(); ++c)
        before += it->second.cells[c].weight * cost(it->second.best[c]);
    }
    if (total <= 0) continue;
    // The posts: the busiest cells of any of its skills.
    std::vector<geo::LatLon> posts;
    for (const auto& skill : *unit.skills) {
      auto it = views.find(skill);
      if (it == views.end()) continue;
      for (std::size_t c = 0; c < it->second.cells.size() && c < std::size_t(config.posts); ++c)
        posts.push_back(it->second.cells[c].at);
    }
    for (const auto& post : posts) {
      double saved = 0;
      for (const auto& skill : *unit.skills) {
        auto it = views.find(skill);
        if (it == views.end()) continue;
        const auto& v = it->second;
        for (std::size_t c = 0; c < v.cells.size(); ++c) {
          double others = v.best_of[c] == m ? v.second[c] : v.best[c];
          double after = std::min(others, minutes(post, v.cells[c].at));
          saved += v.cells[c].weight * (cost(v.best[c]) - cost(after));
        }
      }
      // In minutes: the drop in the power mean of the drive to the next critical call.
      double gain = mean_minutes(before, total) - mean_minutes(before - saved, total);
      double km = travel.road_km(unit.at, post);
      if (gain < config.min_gain_minutes || gain < config.min_gain_per_km * km) continue;
      if (!best || gain > best->gain_minutes) best = MoveUp{unit.index, post, km, gain};
    }
  }
  return best;
}

}  // namespace fieldserve::dispatch
