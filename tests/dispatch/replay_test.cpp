// dispatch/replay on a stream small enough to work out by hand. On the equator one degree of
// longitude is 111.319491 km; the model drives 1.3 road km per geodesic km at 40 km/h, so each
// geodesic km takes 117 s.
#include "dispatch/replay.h"

#include <gtest/gtest.h>

namespace fieldserve::dispatch {
namespace {

using namespace std::chrono_literals;

constexpr double kKmPerDegree = 111.319491;
const Instant kT0 = from_epoch_s(1'795'000'000);
geo::LatLon east(double km) { return {0, km / kKmPerDegree}; }

struct Scenario {
  std::vector<ReplayCenter> centers{{"C", east(0), "UTC"}};
  // T1 at the center, T2 40 km east.
  std::vector<ReplayTechnician> technicians{{"T1", east(0), {"pump"}, "C"},
                                            {"T2", east(40), {"pump"}, "C"}};
  // R1 at 1 km, R2 one minute later at 2 km; both critical (24×7, band ≤10 km: arrive in 45 min,
  // restore in 240), 10 minutes on site.
  std::vector<ReplayRequest> requests{
      {"R2", kT0 + 1min, east(2), Severity::critical, JobKind::repair, {"pump"}, 10},
      {"R1", kT0, east(1), Severity::critical, JobKind::repair, {"pump"}, 10},
  };
  ReplayResult run(ReplayStrategy strategy) {
    ReplayOptions options;
    options.strategy = strategy;
    return replay(centers, technicians, requests, default_policy(), GeodesicTravel{}, options);
  }
};

TEST(Replay, TheEngineWaitsForTheNearTechnicianWhoStillMeetsTheTarget) {
  // R1 → T1 (1.3 road km, there at 1.95 min, done at 11.95 min). R2 at 1 min: T1 is busy until
  // 11.95, then 1.3 km: there at 13.9 min, within 45. T2 would need 49.4 km (74.1 min): the engine
  // waits for T1.
  auto r = Scenario{}.run(ReplayStrategy::sla);
  EXPECT_EQ(r.strategy, "sla");
  EXPECT_EQ(r.requests, 2);
  EXPECT_EQ(r.unassigned, 0);
  EXPECT_NEAR(r.total_km, 2.6, 1e-6);
  EXPECT_EQ(r.weighted_breaches, 0);
  const auto& c = r.tiers[0];
  EXPECT_EQ(c.count, 2);
  EXPECT_EQ(c.arrival_met, 2);
  ASSERT_EQ(c.arrival_minutes.size(), 2u);
  EXPECT_NEAR(percentile_nearest_rank(c.arrival_minutes, 50), 1.95, 0.02);
  EXPECT_NEAR(percentile_nearest_rank(c.arrival_minutes, 90), 13.9 - 1, 0.05);  // from R2's report
}

TEST(Replay, TheNearestBaselineSendsTheIdleFarTechnicianAndBreaches) {
  // R2 goes to T2, the only idle one: 38 km → 49.4 road km → 74.1 min, past the 45 min target.
  auto r = Scenario{}.run(ReplayStrategy::nearest);
  EXPECT_EQ(r.strategy, "nearest");
  EXPECT_NEAR(r.total_km, 1.3 + 49.4, 1e-6);
  EXPECT_EQ(r.tiers[0].arrival_met, 1);
  EXPECT_EQ(r.tiers[0].breaches, 1);  // arrival only; restore (240 min) is met
  EXPECT_EQ(r.weighted_breaches, 8);  // one critical breach
  EXPECT_NEAR(percentile_nearest_rank(r.tiers[0].arrival_minutes, 90), 74.1, 0.05);
}

TEST(Replay, RequestsNobodyCanTakeAreUnassignedAndBreachEveryTarget) {
  Scenario s;
  s.requests.push_back(
      {"R3", kT0 + 2min, east(3), Severity::minor, JobKind::repair, {"crane"}, 10});
  auto r = s.run(ReplayStrategy::sla);
  EXPECT_EQ(r.unassigned, 1);
  EXPECT_EQ(r.tiers[3].count, 1);
  EXPECT_EQ(r.tiers[3].breaches, 3);
  EXPECT_EQ(r.weighted_breaches, 3);  // minor weighs 1
}

TEST(Percentile, NearestRank) {
  EXPECT_EQ(percentile_nearest_rank({}, 50), 0);
  EXPECT_EQ(percentile_nearest_rank({5}, 90), 5);
  EXPECT_EQ(percentile_nearest_rank({4, 1, 3, 2}, 50), 2);  // rank ceil(2) = 2
  EXPECT_EQ(percentile_nearest_rank({4, 1, 3, 2}, 90), 4);  // rank ceil(3.6) = 4
  EXPECT_EQ(percentile_nearest_rank({10, 20, 30, 40, 50}, 20), 10);
}

}  // namespace
}  // namespace fieldserve::dispatch
