#include "dispatch/coverage.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
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

// Beyond this many degrees of latitude apart, two points are at least the cap apart (the flat
// distance is never shorter than its north-south part): a cell that far from a technician or a
// post is at the cap whatever happens there. Widened a little: a cell taken in needlessly counts
// for exactly nothing, one left out wrongly would change the answer.
double reach_degrees(const CoverageConfig& config, double per_km) {
  return config.cap_minutes / per_km / kKmPerDegreeLat * 1.01 + 1e-9;
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

std::int64_t move_up_pairs_in_reach(std::span<const IdleTechnician> idle,
                                    const DemandHistory& history, Instant now,
                                    const TravelModel& travel, const CoverageConfig& config) {
  const double reach = reach_degrees(config, minutes_per_km(travel));
  std::vector<double> lats;
  lats.reserve(idle.size());
  for (const auto& t : idle) lats.push_back(t.at.lat);
  std::sort(lats.begin(), lats.end());
  std::int64_t pairs = 0;
  for (const auto& set : history.skill_sets()) {
    for (const auto& cell : history.demand(set, now, config.hour_window)) {
      pairs += std::upper_bound(lats.begin(), lats.end(), cell.at.lat + reach) -
               std::lower_bound(lats.begin(), lats.end(), cell.at.lat - reach);
    }
  }
  return pairs;
}

std::optional<MoveUp> best_move_up(std::span<const IdleTechnician> idle,
                                   std::span<const std::size_t> movable,
                                   const DemandHistory& history, Instant now,
                                   const TravelModel& travel, const CoverageConfig& config) {
  const double per_km = minutes_per_km(travel);
  auto minutes = [&](const geo::LatLon& a, const geo::LatLon& b) {
    return std::min(config.cap_minutes, flat_km(a, b) * per_km);
  };
  const double reach = reach_degrees(config, per_km);
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

  // Idle technicians by latitude: each cell looks only at those within reach of it.
  std::vector<std::pair<double, std::size_t>> idle_by_lat;
  idle_by_lat.reserve(idle.size());
  for (std::size_t u = 0; u < idle.size(); ++u) idle_by_lat.emplace_back(idle[u].at.lat, u);
  std::sort(idle_by_lat.begin(), idle_by_lat.end());
  auto within_reach = [&](const auto& by_lat, double lat) {
    auto first = std::lower_bound(by_lat.begin(), by_lat.end(),
                                  std::pair{lat - reach, std::size_t{0}});
    auto last = std::upper_bound(by_lat.begin(), by_lat.end(),
                                 std::pair{lat + reach, std::numeric_limits<std::size_t>::max()});
    return std::span(first, last);
  };

  // Per skill set some movable technician covers: the demand, and each cell's nearest and
  // second nearest idle technician who covers it.
  struct SetView {
    std::vector<std::string> set;
    std::vector<DemandHistory::Point> cells;
    std::vector<double> best, second;
    std::vector<std::size_t> best_of;  // position in `idle`, idle.size() for nobody in reach
    std::vector<std::pair<double, std::size_t>> by_lat;  // cells
    double total = 0;
  };
  std::vector<SetView> views;
  std::vector<std::vector<char>> covered(idle.size());  // per technician, per view
  for (const auto& set : history.skill_sets()) {
    bool wanted = std::any_of(movable.begin(), movable.end(),
                              [&](std::size_t m) { return covers(idle[m], set); });
    if (!wanted) continue;
    for (std::size_t u = 0; u < idle.size(); ++u)
      covered[u].push_back(covers(idle[u], set) ? 1 : 0);
    const std::size_t view = views.size();
    SetView v{set, history.demand(set, now, config.hour_window), {}, {}, {}, {}, 0};
    v.best.assign(v.cells.size(), config.cap_minutes);
    v.second.assign(v.cells.size(), config.cap_minutes);
    v.best_of.assign(v.cells.size(), idle.size());
    for (std::size_t c = 0; c < v.cells.size(); ++c) {
      v.total += v.cells[c].weight;
      v.by_lat.emplace_back(v.cells[c].at.lat, c);
      for (auto [lat, u] : within_reach(idle_by_lat, v.cells[c].at.lat)) {
        if (!covered[u][view]) continue;
        double t = minutes(idle[u].at, v.cells[c].at);
        // Ties go to the technician listed first, whatever order they are met in.
        if (t < v.best[c] || (t == v.best[c] && v.best_of[c] != idle.size() && u < v.best_of[c])) {
          v.second[c] = v.best[c];
          v.best[c] = t;
          v.best_of[c] = u;
        } else if (t < v.second[c]) {
          v.second[c] = t;
        }
      }
    }
    std::sort(v.by_lat.begin(), v.by_lat.end());
    views.push_back(std::move(v));
  }

  // What a technician's leaving costs: the cells they are nearest to fall to the second nearest.
  struct Owned {
    std::size_t view, cell;
  };
  std::vector<std::vector<Owned>> owned(idle.size());
  std::vector<double> loss(idle.size(), 0);
  for (std::size_t view = 0; view < views.size(); ++view) {
    const auto& v = views[view];
    for (std::size_t c = 0; c < v.cells.size(); ++c) {
      auto u = v.best_of[c];
      if (u == idle.size()) continue;
      owned[u].push_back({view, c});
      loss[u] += v.cells[c].weight * (cost(v.second[c]) - cost(v.best[c]));
    }
  }

  // Technicians who cover the same skill sets share the objective and the posts. A post's
  // `base` is what a technician who is nobody's nearest would save by going there; for one who
  // is, the cells they leave are re-priced from the second nearest (see `saved` below).
  struct Post {
    geo::LatLon at;
    double base = 0;
  };
  struct Scope {
    double total = 0, before = 0;
    std::vector<Post> posts;
  };
  std::map<std::vector<char>, Scope> scopes;
  auto scope_of = [&](std::size_t m) -> const Scope& {
    auto [it, fresh] = scopes.try_emplace(covered[m]);
    Scope& scope = it->second;
    if (!fresh) return scope;
    for (std::size_t view = 0; view < views.size(); ++view) {
      if (!covered[m][view]) continue;
      const auto& v = views[view];
      scope.total += v.total;
      for (std::size_t c = 0; c < v.cells.size(); ++c)
        scope.before += v.cells[c].weight * cost(v.best[c]);
    }
    // The posts: the cells that weigh most in the objective as it stands, busy or badly
    // covered (a lone call far from everyone counts as much as many calls near someone).
    std::vector<std::pair<double, geo::LatLon>> ranked;
    for (std::size_t view = 0; view < views.size(); ++view) {
      if (!covered[m][view]) continue;
      const auto& v = views[view];
      for (std::size_t c = 0; c < v.cells.size(); ++c)
        ranked.emplace_back(v.cells[c].weight * cost(v.best[c]), v.cells[c].at);
    }
    auto keep = std::min(ranked.size(), static_cast<std::size_t>(config.posts));
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                      ranked.end(), [](const auto& a, const auto& b) {
                        if (a.first != b.first) return a.first > b.first;
                        return a.second.lat != b.second.lat ? a.second.lat < b.second.lat
                                                            : a.second.lon < b.second.lon;
                      });
    for (std::size_t i = 0; i < keep; ++i) {
      Post post{ranked[i].second, 0};
      for (std::size_t view = 0; view < views.size(); ++view) {
        if (!covered[m][view]) continue;
        const auto& v = views[view];
        for (auto [lat, c] : within_reach(v.by_lat, post.at.lat)) {
          double after = std::min(v.best[c], minutes(post.at, v.cells[c].at));
          post.base += v.cells[c].weight * (cost(v.best[c]) - cost(after));
        }
      }
      scope.posts.push_back(post);
    }
    return scope;
  };

  std::optional<MoveUp> best;
  for (auto m : movable) {
    const auto& unit = idle[m];
    const Scope& scope = scope_of(m);
    if (scope.total <= 0) continue;
    for (const auto& post : scope.posts) {
      // Demand-weighted minutes saved: the post's base, corrected where this technician was the
      // nearest (those cells start from the second nearest), less what their leaving costs.
      double saved = post.base - loss[m];
      for (auto [view, c] : owned[m]) {
        const auto& v = views[view];
        double t = minutes(post.at, v.cells[c].at);
        saved += v.cells[c].weight * ((cost(v.second[c]) - cost(std::min(v.second[c], t))) -
                                      (cost(v.best[c]) - cost(std::min(v.best[c], t))));
      }
      // In minutes: the drop in the power mean of the drive to the next critical call.
      double gain = mean_minutes(scope.before, scope.total) -
                    mean_minutes(scope.before - saved, scope.total);
      // Gains within a billionth of a minute are equal (the sums' rounding depends on their
      // order): the first met keeps it, so the answer does not hang on that rounding.
      if (gain < config.min_gain_minutes || (best && gain <= best->gain_minutes + 1e-9)) continue;
      double km = travel.road_km(unit.at, post.at);
      if (gain < config.min_gain_per_km * km) continue;
      best = MoveUp{unit.index, post.at, km, gain};
    }
  }
  return best;
}

}  // namespace fieldserve::dispatch
