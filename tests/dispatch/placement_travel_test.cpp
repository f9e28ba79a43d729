// dispatch/site_placement and dispatch/travel. Points lie on the equator, where a short geodesic
// is an arc of the equator: distance = a·Δλ with a = 6378.137 km (WGS84), so every expected value
// is plain arithmetic written here.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <vector>

#include "dispatch/site_placement.h"
#include "dispatch/travel.h"

namespace fieldserve::dispatch {
namespace {

constexpr double kA = 6378.137;  // km

double equator_km(double degrees) { return kA * degrees * std::numbers::pi / 180.0; }

Center center_at(CenterId id, double lon) {
  Center c;
  c.id = id;
  c.name = "center " + std::to_string(id);
  c.location = {0, lon};
  c.time_zone = "UTC";
  return c;
}

// ---- place_site ----

TEST(PlaceSite, ChoosesTheNearestCenter) {
  // Ids differ from positions so an index/id mix-up shows.
  std::vector<Center> centers{center_at(7, 0.0), center_at(3, 1.0), center_at(11, -2.0)};
  auto p = place_site({0, 0.7}, centers, std::nullopt);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->center_id, 3);
  EXPECT_NEAR(p->distance_km, equator_km(0.3), 1e-9);
}

TEST(PlaceSite, KeepsAnExplicitCenterEvenIfAnotherIsNearer) {
  std::vector<Center> centers{center_at(7, 0.0), center_at(3, 1.0)};
  auto p = place_site({0, 0.2}, centers, CenterId{3});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->center_id, 3);
  EXPECT_NEAR(p->distance_km, equator_km(0.8), 1e-9);
}

TEST(PlaceSite, UnknownExplicitCenterGivesNullopt) {
  std::vector<Center> centers{center_at(7, 0.0), center_at(3, 1.0)};
  EXPECT_EQ(place_site({0, 0.2}, centers, CenterId{99}), std::nullopt);
  EXPECT_EQ(place_site({0, 0.2}, centers, CenterId{0}), std::nullopt);
}

TEST(PlaceSite, NoCentersGivesNullopt) {
  EXPECT_EQ(place_site({0, 0}, {}, std::nullopt), std::nullopt);
  EXPECT_EQ(place_site({0, 0}, {}, CenterId{1}), std::nullopt);
}

TEST(PlaceSite, EquallyDistantCentersGoToTheFirstListed) {
  std::vector<Center> centers{center_at(5, 1.0), center_at(2, -1.0)};
  auto p = place_site({0, 0}, centers, std::nullopt);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->center_id, 5);
}

TEST(PlaceSite, SiteAtTheCenterIsZeroKilometres) {
  std::vector<Center> centers{center_at(4, 12.5)};
  auto p = place_site({0, 12.5}, centers, std::nullopt);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->center_id, 4);
  EXPECT_EQ(p->distance_km, 0.0);
}

// ---- GeodesicTravel ----

TEST(GeodesicTravel, RoadKilometresAreGeodesicTimesOnePointThree) {
  GeodesicTravel travel;
  EXPECT_NEAR(travel.road_km({0, 0}, {0, 0.1}), equator_km(0.1) * 1.3, 1e-9);
  EXPECT_NEAR(travel.road_km({0, 0}, {0, 1.0}), equator_km(1.0) * 1.3, 1e-9);
}

TEST(GeodesicTravel, TravelTimeIsAtFortyKmPerHourRoundedUp) {
  // 0.1° of equator = 11.131949 km; × 1.3 = 14.471534 km; at 40 km/h = 1302.438 s → 1303 s.
  GeodesicTravel travel;
  double exact_s = equator_km(0.1) * 1.3 / 40.0 * 3600.0;
  ASSERT_GT(exact_s, 1302.0);
  ASSERT_LT(exact_s, 1303.0);
  EXPECT_EQ(travel.travel_time({0, 0}, {0, 0.1}), std::chrono::seconds{1303});
}

TEST(GeodesicTravel, TravelTimeIsNeverShorterThanTheExactTime) {
  GeodesicTravel travel;
  for (double deg : {0.001, 0.01, 0.37, 1.0, 2.5}) {
    double exact_s = equator_km(deg) * 1.3 / 40.0 * 3600.0;
    auto t = travel.travel_time({0, 0}, {0, deg}).count();
    EXPECT_GE(static_cast<double>(t), exact_s) << deg;
    EXPECT_LT(static_cast<double>(t), exact_s + 1.0) << deg;
  }
}

TEST(GeodesicTravel, SamePlaceTakesNoTime) {
  GeodesicTravel travel;
  EXPECT_EQ(travel.travel_time({31.23, 121.47}, {31.23, 121.47}), std::chrono::seconds{0});
  EXPECT_EQ(travel.road_km({31.23, 121.47}, {31.23, 121.47}), 0.0);
}

TEST(GeodesicTravel, CircuityAndSpeedAreConfigurable) {
  // Straight line at 60 km/h: 11.131949 km → 667.917 s → 668 s.
  GeodesicTravel travel(1.0, 60.0);
  EXPECT_NEAR(travel.road_km({0, 0}, {0, 0.1}), equator_km(0.1), 1e-9);
  EXPECT_EQ(travel.travel_time({0, 0}, {0, 0.1}), std::chrono::seconds{668});
}

TEST(GeodesicTravel, WorksThroughTheTravelModelInterface) {
  GeodesicTravel concrete;
  const TravelModel& model = concrete;
  EXPECT_EQ(model.travel_time({0, 0}, {0, 0.1}), std::chrono::seconds{1303});
}

}  // namespace
}  // namespace fieldserve::dispatch
