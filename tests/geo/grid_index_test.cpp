// geo/grid_index: near() must never miss a point within the radius (checked against exact
// geodesic distances on random points), and moves and erases must be exact.
#include "geo/grid_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "geo/distance.h"

namespace fieldserve::geo {
namespace {

std::set<std::int64_t> near_set(const GridIndex& index, const LatLon& c, double km) {
  auto v = index.near(c, km);
  return {v.begin(), v.end()};
}

TEST(GridIndex, NeverMissesAPointWithinTheRadius) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> lat(-70, 70), lon(-180, 180);
  GridIndex index;
  std::vector<LatLon> points;
  for (int i = 0; i < 3000; ++i) {
    points.push_back({lat(rng), lon(rng)});
    index.upsert(i, points.back());
  }
  for (int q = 0; q < 200; ++q) {
    LatLon center{lat(rng), lon(rng)};
    double km = 50 + 10 * (q % 60);
    auto found = near_set(index, center, km);
    for (int i = 0; i < 3000; ++i) {
      if (geodesic_km(center, points[i]) <= km) {
        ASSERT_TRUE(found.contains(i)) << "point " << i << " query " << q;
      }
    }
  }
}

TEST(GridIndex, WorksAcrossTheAntimeridianAndNearThePoles) {
  GridIndex index;
  index.upsert(1, {10, 179.9});
  index.upsert(2, {10, -179.9});
  index.upsert(3, {89.9, 0});
  auto across = near_set(index, {10, 179.95}, 30);
  EXPECT_TRUE(across.contains(1));
  EXPECT_TRUE(across.contains(2));
  EXPECT_TRUE(near_set(index, {89.95, 120}, 30).contains(3));
}

TEST(GridIndex, MovesAndErasesAreExact) {
  GridIndex index;
  for (int i = 0; i < 10; ++i) index.upsert(i, {0, 0.001 * i});
  index.upsert(3, {45, 45});  // moved far away
  index.erase(5);
  index.erase(42);  // unknown: no effect
  auto at_origin = near_set(index, {0, 0}, 5);
  EXPECT_EQ(at_origin.size(), 8u);
  EXPECT_FALSE(at_origin.contains(3));
  EXPECT_FALSE(at_origin.contains(5));
  EXPECT_TRUE(near_set(index, {45, 45}, 1).contains(3));
  EXPECT_EQ(index.size(), 9u);
  ASSERT_NE(index.position(3), nullptr);
  EXPECT_EQ(index.position(3)->lat, 45);
  EXPECT_EQ(index.position(5), nullptr);
}

}  // namespace
}  // namespace fieldserve::geo
