#pragma once
// Coverage for the next emergency (docs/decisions.md, "Move-up"): where critical calls come
// from, learned per area and hour of day from the calls seen so far, and which idle technician,
// if any, to move toward that demand. Emergency services keep ambulances spread this way; here
// a move is made only when it shortens the expected drive to the next critical call of the
// technician's skills by enough, and by enough per kilometre it costs.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dispatch/travel.h"
#include "domain/model.h"

namespace fieldserve::dispatch {

struct CoverageConfig {
  double cell_km = 2;            // the demand grid
  int hour_window = 11;          // calls within ± this many hours of the time of day are pooled
  int posts = 16;                // where a technician may be sent: the busiest cells of a skill
  int min_history = 20;          // critical calls seen before any move
  double min_gain_minutes = 1;   // mean drive to the next critical call saved by a move
  double min_gain_per_km = 0.3;  // ... and per kilometre driven to get there
  double cap_minutes = 60;       // a cell nobody idle can reach counts as this far
  double tail_exponent = 1;      // 1: the mean drive (p-median); 2: its root mean square
};

// Critical calls seen, per required skill set, grid cell and hour of day (UTC: the daily rhythm
// is the same in any zone). A call needing two skills is demand only a technician with both can
// cover, so sets are kept whole.
class DemandHistory {
 public:
  explicit DemandHistory(double cell_km = 2) : cell_km_(cell_km) {}
  void record(const geo::LatLon& at, const std::vector<std::string>& skills, Instant when);
  struct Point {
    geo::LatLon at;  // the centroid of the cell's calls
    double weight;   // calls in the cell within the hour window
  };
  // The cells where `skills` (as a set) were needed around the hour of `when`, busiest first.
  std::vector<Point> demand(const std::vector<std::string>& skills, Instant when,
                            int hour_window) const;
  std::vector<std::vector<std::string>> skill_sets() const;
  int calls() const { return calls_; }

 private:
  struct Cell {
    std::array<int, 24> by_hour{};
    double lat_sum = 0, lon_sum = 0;
    int total = 0;
  };
  static std::vector<std::string> skill_set(std::vector<std::string> skills);
  std::pair<long, long> cell_of(const geo::LatLon& at);
  double cell_km_;
  std::optional<double> km_per_degree_lon_;  // fixed by the first call
  std::map<std::vector<std::string>, std::map<std::pair<long, long>, Cell>> cells_;
  int calls_ = 0;
};

struct IdleTechnician {
  std::size_t index = 0;  // the caller's
  geo::LatLon at;
  const std::vector<std::string>* skills = nullptr;
};

struct MoveUp {
  std::size_t index = 0;
  geo::LatLon to;
  double km = 0;            // road km of the move
  double gain_minutes = 0;  // mean drive to the next critical call of its skills, saved
};

// The work of one best_move_up: (idle technician, demand cell) pairs near enough to each other
// (within the cap, as far as latitude tells) for the search to price them, summed over the skill
// sets. Far cheaper to count than to search; the server refuses a question whose count is too
// large rather than hold a worker for seconds.
std::int64_t move_up_pairs_in_reach(std::span<const IdleTechnician> idle,
                                    const DemandHistory& history, Instant now,
                                    const TravelModel& travel, const CoverageConfig& config);

// The one move among `movable` (indexes into `idle`) that saves the most, if any passes both
// thresholds. `idle` is every idle technician: they all cover demand.
std::optional<MoveUp> best_move_up(std::span<const IdleTechnician> idle,
                                   std::span<const std::size_t> movable,
                                   const DemandHistory& history, Instant now,
                                   const TravelModel& travel, const CoverageConfig& config);

}  // namespace fieldserve::dispatch
