// geo/: coordinate validity, geodesic distance and nearest point.
// Reference values come from GeographicLib called here directly, from closed forms on the WGS84
// ellipsoid (an equatorial arc is a·Δλ; the meridian quadrant is 10 001 965.729 m) and from the
// GeodSolve documentation example — never from the code under test.
#include <GeographicLib/Geodesic.hpp>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "geo/distance.h"
#include "geo/lat_lon.h"

namespace fieldserve::geo {
namespace {

constexpr double kEquatorialRadiusKm = 6378.137;      // WGS84 a
constexpr double kMeridianQuadrantKm = 10001.965729;  // pole to equator on WGS84
constexpr double kDeg = std::numbers::pi / 180.0;

double reference_km(const LatLon& a, const LatLon& b) {
  double meters = 0;
  GeographicLib::Geodesic::WGS84().Inverse(a.lat, a.lon, b.lat, b.lon, meters);
  return meters / 1000.0;
}

// ---- is_valid ----

TEST(IsValid, AcceptsOrdinaryAndBoundaryCoordinates) {
  EXPECT_TRUE(is_valid({31.23, 121.47}));
  EXPECT_TRUE(is_valid({0, 0}));
  EXPECT_TRUE(is_valid({90, 180}));
  EXPECT_TRUE(is_valid({-90, -180}));
}

TEST(IsValid, RejectsLatitudeOutsideMinus90To90) {
  EXPECT_FALSE(is_valid({90.000001, 0}));
  EXPECT_FALSE(is_valid({-90.5, 0}));
  EXPECT_FALSE(is_valid({121.47, 31.23}));  // lat and lon swapped
}

TEST(IsValid, RejectsLongitudeOutsideMinus180To180) {
  EXPECT_FALSE(is_valid({0, 180.000001}));
  EXPECT_FALSE(is_valid({0, -181}));
  EXPECT_FALSE(is_valid({0, 360}));
}

TEST(IsValid, RejectsNanAndInfinity) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(is_valid({nan, 0}));
  EXPECT_FALSE(is_valid({0, nan}));
  EXPECT_FALSE(is_valid({inf, 0}));
  EXPECT_FALSE(is_valid({0, -inf}));
}

// ---- geodesic_km ----

TEST(GeodesicKm, SamePointIsZero) { EXPECT_EQ(geodesic_km({31.23, 121.47}, {31.23, 121.47}), 0.0); }

TEST(GeodesicKm, EquatorialArcIsRadiusTimesAngle) {
  // Along the equator a short geodesic is the equator itself: s = a·Δλ.
  for (double deg : {0.01, 0.1, 1.0, 10.0}) {
    EXPECT_NEAR(geodesic_km({0, 0}, {0, deg}), kEquatorialRadiusKm * deg * kDeg, 1e-9) << deg;
  }
}

TEST(GeodesicKm, PoleToEquatorIsTheMeridianQuadrant) {
  EXPECT_NEAR(geodesic_km({90, 0}, {0, 0}), kMeridianQuadrantKm, 1e-6);
  EXPECT_NEAR(geodesic_km({0, 17}, {-90, 0}), kMeridianQuadrantKm, 1e-6);
}

TEST(GeodesicKm, AntipodalEquatorPointsGoOverThePole) {
  // The shortest path between (0,0) and (0,180) is a meridian through a pole: two quadrants,
  // shorter than half the equator (π·a ≈ 20 037.5 km).
  EXPECT_NEAR(geodesic_km({0, 0}, {0, 180}), 2 * kMeridianQuadrantKm, 1e-6);
  EXPECT_LT(geodesic_km({0, 0}, {0, 180}), std::numbers::pi * kEquatorialRadiusKm);
}

TEST(GeodesicKm, MatchesTheGeodSolveDocumentationExample) {
  // GeodSolve -i: "40.6 -73.8 51.6 -0.5" (JFK to LHR) gives s12 = 5551759.400 m.
  EXPECT_NEAR(geodesic_km({40.6, -73.8}, {51.6, -0.5}), 5551.759400, 1e-6);
}

TEST(GeodesicKm, MatchesGeographicLibForCityPairs) {
  const std::array<std::array<LatLon, 2>, 5> pairs{{
      {LatLon{31.23, 121.47}, LatLon{39.90, 116.40}},   // Shanghai – Beijing
      {LatLon{52.52, 13.405}, LatLon{48.137, 11.575}},  // Berlin – Munich
      {LatLon{41.88, -87.63}, LatLon{-33.87, 151.21}},  // Chicago – Sydney
      {LatLon{-0.5, 179.9}, LatLon{0.5, -179.9}},       // across the antimeridian
      {LatLon{89.9, 0}, LatLon{89.9, 180}},             // across the pole
  }};
  for (const auto& p : pairs) {
    EXPECT_NEAR(geodesic_km(p[0], p[1]), reference_km(p[0], p[1]), 1e-9)
        << p[0].lat << "," << p[0].lon << " -> " << p[1].lat << "," << p[1].lon;
  }
}

TEST(GeodesicKm, IsSymmetric) {
  LatLon a{31.23, 121.47}, b{30.0, 120.0};
  EXPECT_NEAR(geodesic_km(a, b), geodesic_km(b, a), 1e-9);
}

TEST(GeodesicKm, ResolvesBandBoundariesBelowAMetre) {
  // 10 km and 10.0004 km along the equator must come out on either side of 10.0 + 0.0002.
  double ten_km_deg = 10.0 / kEquatorialRadiusKm / kDeg;
  double ten_0004_deg = 10.0004 / kEquatorialRadiusKm / kDeg;
  EXPECT_NEAR(geodesic_km({0, 0}, {0, ten_km_deg}), 10.0, 1e-9);
  EXPECT_GT(geodesic_km({0, 0}, {0, ten_0004_deg}), 10.0003);
}

// ---- nearest ----

TEST(Nearest, NoPointsGivesNullopt) {
  EXPECT_EQ(nearest({0, 0}, std::span<const LatLon>{}), std::nullopt);
}

TEST(Nearest, SinglePointIsIndexZero) {
  std::vector<LatLon> points{{10, 10}};
  EXPECT_EQ(nearest({0, 0}, points), 0u);
}

TEST(Nearest, PicksTheClosestByGeodesicNotByDegrees) {
  // At 60° N a degree of longitude is about half a degree of latitude: (60, 1.5) is ~83.7 km
  // away, (60.9, 0) ~100 km, although 1.5 > 0.9 in plain degrees.
  std::vector<LatLon> points{{60.9, 0}, {60, 1.5}};
  ASSERT_LT(reference_km({60, 0}, points[1]), reference_km({60, 0}, points[0]));
  EXPECT_EQ(nearest({60, 0}, points), 1u);
}

TEST(Nearest, WorksAcrossTheAntimeridian) {
  // From 179.9° E, a point at 179.9° W is 0.2° away; one at 179° E is 0.9° away.
  std::vector<LatLon> points{{0, 179.0}, {0, -179.9}};
  EXPECT_EQ(nearest({0, 179.9}, points), 1u);
}

TEST(Nearest, TiesGoToTheLowerIndex) {
  // Mirror images across the equator are exactly equally far from a point on it.
  std::vector<LatLon> points{{5, 30}, {1, 10}, {-1, 10}};
  ASSERT_EQ(reference_km({0, 10}, points[1]), reference_km({0, 10}, points[2]));
  EXPECT_EQ(nearest({0, 10}, points), 1u);
  std::vector<LatLon> same{{2, 2}, {2, 2}};
  EXPECT_EQ(nearest({0, 0}, same), 0u);
}

}  // namespace
}  // namespace fieldserve::geo
