// The move-up search looks only at cells and technicians within the 60 min cap of each other and
// re-prices only the cells a technician leaves (dispatch/coverage.cpp). That must not change a
// single answer: here the search is held against the objective computed the plain way, every
// idle technician against every cell for every post, over seeded random fleets in two regions
// (so some cells are out of every reach), technicians sharing a spot (ties), skill sets of one and
// two skills, and both objectives (mean and root mean square).
#include <gtest/gtest.h>

#include <random>

#include "dispatch/coverage.h"
#include "move_up_reference.h"

namespace fieldserve::dispatch::move_up_search {

const Instant kSearchNow = from_epoch_s(1'795'000'000);

TEST(MoveUpSearch, FindsTheMoveThePlainObjectiveFinds) {
  const GeodesicTravel travel;
  const std::vector<std::vector<std::string>> skill_sets{
      {"hvac"}, {"electrical"}, {"hvac", "electrical"}, {"pump"}};
  // Two regions 35 degrees of latitude apart, each about 150 km across: the cap is 40 km.
  const std::vector<geo::LatLon> regions{{45.0, 7.0}, {10.0, 7.5}};
  int compared = 0, moves = 0;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> spread(-0.7, 0.7), unit(0, 1);
    auto somewhere = [&] {
      const auto& r = regions[rng() % regions.size()];
      return geo::LatLon{r.lat + spread(rng), r.lon + spread(rng)};
    };
    DemandHistory history(2);
    int calls = 20 + static_cast<int>(rng() % 150);
    for (int c = 0; c < calls; ++c) {
      history.record(somewhere(), skill_sets[rng() % skill_sets.size()],
                     kSearchNow - std::chrono::minutes(rng() % (7 * 1440)));
    }
    std::vector<std::vector<std::string>> skills;
    std::vector<geo::LatLon> spots;
    const std::size_t technicians = 2 + rng() % 30;
    for (std::size_t t = 0; t < technicians; ++t) {
      skills.push_back(skill_sets[rng() % skill_sets.size()]);
      if (unit(rng) < 0.3) skills.back().emplace_back("pump");
      // One in four shares a spot with the one before: ties between equally near technicians.
      spots.push_back(t > 0 && unit(rng) < 0.25 ? spots.back() : somewhere());
    }
    std::vector<IdleTechnician> idle;
    for (std::size_t t = 0; t < technicians; ++t) idle.push_back({t + 100, spots[t], &skills[t]});
    std::vector<std::size_t> movable;
    for (std::size_t t = 0; t < technicians; ++t)
      if (unit(rng) < 0.6) movable.push_back(t);
    for (auto config : {CoverageConfig{}, CoverageConfig{.posts = 4, .tail_exponent = 2},
                        CoverageConfig{.cell_km = 2, .min_gain_per_km = 0.05, .cap_minutes = 90}}) {
      auto expected = testing::plain_move_up(idle, movable, history, kSearchNow, travel, config);
      auto found = best_move_up(idle, movable, history, kSearchNow, travel, config);
      SCOPED_TRACE(::testing::Message() << "seed " << seed << ", posts " << config.posts);
      ASSERT_EQ(found.has_value(), expected.has_value());
      ++compared;
      if (!found) continue;
      ++moves;
      EXPECT_EQ(found->index, expected->index);
      EXPECT_EQ(found->to.lat, expected->to.lat);
      EXPECT_EQ(found->to.lon, expected->to.lon);
      EXPECT_DOUBLE_EQ(found->km, expected->km);
      EXPECT_NEAR(found->gain_minutes, expected->gain_minutes, 1e-9);
    }
  }
  EXPECT_EQ(compared, 120);
  // The comparison means something only if many instances do move someone, and some do not.
  EXPECT_GT(moves, 25);
  EXPECT_LT(moves, 120);
}

TEST(MoveUpSearch, ItsWorkIsThePairsWithinReachByLatitude) {
  // The cap is 60 min at 1.95 min per geodesic km (1.3 road km at 40 km/h): 30.8 km, 0.277
  // degrees of latitude. Two technicians on the equator 10 km apart, one 5 degrees north; hvac
  // calls in two cells on the equator (10 and 50 km east), pump calls in a third (200 km east).
  // Latitude alone decides: both equator technicians count for every cell on the equator, even
  // 200 km away (the search prices them and finds them at the cap); the northern one for none.
  const GeodesicTravel travel;
  auto east = [](double km) { return geo::LatLon{0, km / 111.319491}; };
  DemandHistory history(2);
  for (int i = 0; i < 5; ++i) {
    history.record(east(10), {"hvac"}, kSearchNow - std::chrono::hours(i));
    history.record(east(50), {"hvac"}, kSearchNow - std::chrono::hours(i));
    history.record(east(200), {"pump"}, kSearchNow - std::chrono::hours(i));
  }
  const std::vector<std::string> skills{"hvac"};
  std::vector<IdleTechnician> idle{
      {0, east(0), &skills}, {1, east(10), &skills}, {2, {5.0, 0.1}, &skills}};
  EXPECT_EQ(move_up_pairs_in_reach(idle, history, kSearchNow, travel, {}), 6);
  idle[1].at = {0.25, 0.09};  // still within 0.277 degrees of the equator
  EXPECT_EQ(move_up_pairs_in_reach(idle, history, kSearchNow, travel, {}), 6);
  idle[1].at = {0.3, 0.09};
  EXPECT_EQ(move_up_pairs_in_reach(idle, history, kSearchNow, travel, {}), 3);
  EXPECT_EQ(move_up_pairs_in_reach({}, history, kSearchNow, travel, {}), 0);
}

}  // namespace fieldserve::dispatch::move_up_search
