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

std::vector<std::string> DemandHistory::skill_set(std::vector<std::string> skills) {
  std::sort(skills.begin(), skills.end());
  skills.erase(std::unique(skills.begin(), skills.end()), skills.end());
  return skills;
}

void DemandHistory::record(const geo::LatLon& at, const std::vector<std::string>& skills,
                           Instant when) {
  auto set = skill_set(skills);
  auto& cell = cells_[set][cell_of(at)];
  ++cell.by_hour[hour_of_day(when)];
  cell.lat_sum += at.lat;
  cell.lon_sum += at.lon;
  ++cell.total;
  ++calls_;
}

std::vector<std::vector<std::string>> DemandHistory::skill_sets() const {
  std::vector<std::vector<std::string>> out;
  out.reserve(cells_.size());
  for (const auto& [set, cells] : cells_) out.push_back(set);
  return out;
}

std::vector<DemandHistory::Point> DemandHistory::demand(const std::vector<std::string>& skills,
                                                        Instant when, int hour_window) const {
  std::vector<Point> out;
  auto it = cells_.find(skill_set(skills));
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
  // A technician covers a set of skills when they have every one of them.
  auto covers = [](const IdleTechnician& t, const std::vector<std::string>& set) {
    return std::all_of(set.begin(), set.end(), [&](const std::string& skill) {
      return std::find(t.skills->begin(), t.skills->end(), skill) != t.skills->end();
    });
  };
  if (history.calls() < config.min_history) return std::nullopt;

  // Per skill set some movable technician covers: the demand, and each cell's nearest and
  // second nearest idle technician, so that moving one technician re-prices a cell in O(1).
  struct SetView {
    std::vector<std::string> set;
    std::vector<DemandHistory::Point> cells;
    std::vector<double> best, second;
    std::vector<std::size_t> best_of;  // position in `idle`
    double total = 0;
  };
  std::vector<SetView> views;
  for (const auto& set : history.skill_sets()) {
    bool wanted = std::any_of(movable.begin(), movable.end(),
                              [&](std::size_t m) { return covers(idle[m], set); });
    if (!wanted) continue;
    SetView v{set, history.demand(set, now, config.hour_window), {}, {}, {}, 0};
    v.best.assign(v.cells.size(), config.cap_minutes);
    v.second.assign(v.cells.size(), config.cap_minutes);
    v.best_of.assign(v.cells.size(), idle.size());
    for (std::size_t c = 0; c < v.cells.size(); ++c) {
      v.total += v.cells[c].weight;
      for (std::size_t u = 0; u < idle.size(); ++u) {
        if (!covers(idle[u], set)) continue;
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
    views.push_back(std::move(v));
  }

  std::optional<MoveUp> best;
  for (auto m : movable) {
    const auto& unit = idle[m];
    std::vector<const SetView*> mine;
    double total = 0, before = 0;
    for (const auto& v : views) {
      if (!covers(unit, v.set)) continue;
      mine.push_back(&v);
      total += v.total;
      for (std::size_t c = 0; c < v.cells.size(); ++c)
        before += v.cells[c].weight * cost(v.best[c]);
    }
    if (total <= 0) continue;
    // The posts: the cells that weigh most in the objective as it stands, busy or badly
    // covered (a lone call far from everyone counts as much as many calls near someone).
    std::vector<std::pair<double, geo::LatLon>> ranked;
    for (const auto* v : mine) {
      for (std::size_t c = 0; c < v->cells.size(); ++c)
        ranked.emplace_back(v->cells[c].weight * cost(v->best[c]), v->cells[c].at);
    }
    auto keep = std::min(ranked.size(), static_cast<std::size_t>(config.posts));
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                      ranked.end(), [](const auto& a, const auto& b) {
                        if (a.first != b.first) return a.first > b.first;
                        return a.second.lat != b.second.lat ? a.second.lat < b.second.lat
                                                            : a.second.lon < b.second.lon;
                      });
    std::vector<geo::LatLon> posts;
    for (std::size_t i = 0; i < keep; ++i) posts.push_back(ranked[i].second);
    for (const auto& post : posts) {
      double saved = 0;
      for (const auto* v : mine) {
        for (std::size_t c = 0; c < v->cells.size(); ++c) {
          double others = v->best_of[c] == m ? v->second[c] : v->best[c];
          double after = std::min(others, minutes(post, v->cells[c].at));
          saved += v->cells[c].weight * (cost(v->best[c]) - cost(after));
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
