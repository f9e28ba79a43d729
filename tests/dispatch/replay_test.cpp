// dispatch/replay on a stream small enough to work out by hand. On the equator one degree of
// longitude is 111.319491 km; the model drives 1.3 road km per geodesic km at 40 km/h, so each
// geodesic km takes 117 s.
#include "dispatch/replay.h"

#include <gtest/gtest.h>

#include "equator.h"

namespace fieldserve::dispatch {
namespace {

using testing::east;
using testing::kKmPerDegree;

using namespace std::chrono_literals;

const Instant kT0 = testing::kEquatorNow;

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

TEST(Replay, ACriticalCallGoesToTheArrivalTheEngineCanCountOnThenToWhoeverFreesUpFirst) {
  // R1 → T1 (1.3 road km, there at 1.95 min). R2 comes at 1 min. Nothing has finished yet, so the
  // engine knows only the prior: 60 min on site, p90 at 90. T1 is on the way to R1: free at
  // 1.95 + 60 min, then 1.3 km (1.95 min): ETA 62.9 min after R2's report, margin 30. T2 is idle
  // 38 km away: 49.4 road km, 74.1 min, margin 0. 74.1 < 92.9: T2. Nothing preempts: R1, the
  // only job T1 has, is critical too.
  // R1 really takes 10 min: T1 is free at 11.95 min, 1.3 road km (1.95 min) from R2, and T2 is
  // still 63.15 min away. T1 takes R2 over (dispatch::take_over_critical) and is there at 13.9
  // min, 12.9 after R2's report: on time. T2 turns back after 10.95 of its 74.1 min, 2/3 road km
  // a minute: 7.3 km driven for nothing, which count.
  auto r = Scenario{}.run(ReplayStrategy::sla);
  EXPECT_EQ(r.strategy, "sla");
  EXPECT_EQ(r.requests, 2);
  EXPECT_EQ(r.unassigned, 0);
  EXPECT_EQ(r.diversions, 1);
  EXPECT_NEAR(r.diverted_km, 7.3, 1e-6);
  EXPECT_NEAR(r.total_km, 1.3 + 1.3 + 7.3, 1e-6);
  EXPECT_NEAR(r.tiers[0].km, 1.3 + 1.3, 1e-6);
  EXPECT_EQ(r.weighted_breaches, 0);
  const auto& c = r.tiers[0];
  EXPECT_EQ(c.count, 2);
  EXPECT_EQ(c.arrival_met, 2);
  ASSERT_EQ(c.arrival_minutes.size(), 2u);
  EXPECT_NEAR(percentile_nearest_rank(c.arrival_minutes, 50), 1.95, 0.02);
  EXPECT_NEAR(percentile_nearest_rank(c.arrival_minutes, 90), 12.9, 0.02);
  EXPECT_EQ(r.moves, 0);  // fewer than 20 critical calls seen: no demand to cover yet
  // Work: T1 1.95 + 10 + 1.95 + 10 min, T2 10.95 min of driving, over 2 technicians × the 23.9
  // min from R1's report to R2's end.
  EXPECT_NEAR(r.utilisation_pct, 100 * (23.9 + 10.95) / (2 * 23.9), 0.1);
}

TEST(Replay, TheEngineNeverSeesTheLengthOfAJobNotYetDone) {
  // The same stream with R1 taking 10 or 200 min: when R2 comes, R1 is not done, so the engine
  // sends T2 both times. With 200 min T2 gets there (74.1 min) long before T1 is free; with 10
  // min T2 has driven from minute 1 to 11.95 (7.3 km) when T1 takes over: the same first choice.
  Scenario short_job, long_job;
  long_job.requests[1].service_minutes = 200;
  auto long_run = long_job.run(ReplayStrategy::sla);
  EXPECT_EQ(long_run.diversions, 0);
  EXPECT_NEAR(long_run.total_km, 1.3 + 49.4, 1e-6);
  auto short_run = short_job.run(ReplayStrategy::sla);
  EXPECT_EQ(short_run.diversions, 1);
  EXPECT_NEAR(short_run.diverted_km, 7.3, 1e-6);
}

TEST(Replay, LearnedServiceTimesLetTheEngineWaitForTheNearTechnician) {
  // Twenty 10 min jobs at the center first, one at a time (T1 does them: it is nearest and
  // idle). By the time R1 and R2 come, repair/pump is estimated at (5 × 60 + 20 × 10) / 25 = 20
  // min, p90 − p50 = (5 × 30 + 0) / 25 = 6. R2 (critical, 2 km): T1 is counted on at 1.95 +
  // 20 + 1.95 − 1 min ≈ 22.9 + 6; T2 at 74.1: the engine now waits for T1 and meets the target.
  Scenario s;
  for (int i = 0; i < 20; ++i) {
    s.requests.push_back({"H" + std::to_string(i),
                          kT0 - std::chrono::hours(20 - i),
                          east(0),
                          Severity::minor,
                          JobKind::repair,
                          {"pump"},
                          10});
  }
  auto r = s.run(ReplayStrategy::sla);
  EXPECT_EQ(r.tiers[0].arrival_met, 2);
  EXPECT_EQ(r.tiers[0].breaches, 0);
  EXPECT_NEAR(r.tiers[0].km, 2.6, 1e-6);
  auto n = s.run(ReplayStrategy::nearest);
  EXPECT_EQ(n.tiers[0].arrival_met, 1);  // the baseline still sends T2
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

TEST(Replay, TheBaselineWaitsForTheFirstTechnicianToFreeUp) {
  // Only T1. R2 waits until T1 is done with R1 (11.95 min), then drives 1.3 km: there at 13.9
  // min, 12.9 after its report; assigned 10.95 min after it, past the 5 min response target.
  Scenario s;
  s.technicians.pop_back();
  auto r = s.run(ReplayStrategy::nearest);
  EXPECT_EQ(r.unassigned, 0);
  EXPECT_NEAR(percentile_nearest_rank(r.tiers[0].arrival_minutes, 90), 12.9, 0.05);
  EXPECT_EQ(r.tiers[0].breaches, 1);  // response
}

TEST(Replay, RequestsNobodyCanTakeAreUnassignedAndBreachEveryTarget) {
  Scenario s;
  s.requests.push_back(
      {"R3", kT0 + 2min, east(3), Severity::minor, JobKind::repair, {"crane"}, 10});
  auto r = s.run(ReplayStrategy::sla);
  EXPECT_EQ(r.unassigned, 1);
  EXPECT_EQ(r.tiers[3].count, 1);
  EXPECT_EQ(r.tiers[3].breaches, 3);
  EXPECT_EQ(r.weighted_breaches, 3);  // minor weighs 1; R2 is on time once T1 takes it over
}

TEST(Replay, EachRequestSaysWhoWentWhenAndWhichTargetsItMissed) {
  // The hand-worked stream of the first case plus R3, which nobody has the skill for. In replay
  // order: R1 (T1, there at 1.95 min), R2 (T2 first, then T1's take-over: there at 13.9 min),
  // R3 (nobody).
  Scenario s;
  s.requests.push_back(
      {"R3", kT0 + 2min, east(3), Severity::minor, JobKind::repair, {"crane"}, 10});
  auto sla = s.run(ReplayStrategy::sla);
  ASSERT_EQ(sla.outcomes.size(), 3u);
  const auto &r1 = sla.outcomes[0], &r2 = sla.outcomes[1], &r3 = sla.outcomes[2];
  EXPECT_EQ(r1.id, "R1");
  EXPECT_EQ(r1.technician, "T1");
  EXPECT_EQ(r2.id, "R2");
  EXPECT_EQ(r2.technician, "T1");  // whoever worked it in the end, not T2 who turned back
  ASSERT_TRUE(r2.arrived.has_value());
  EXPECT_NEAR(std::chrono::duration<double>(*r2.arrived - r2.reported_at).count() / 60, 12.9, 0.02);
  EXPECT_NEAR(r2.km, 1.3, 1e-6);
  EXPECT_EQ(r2.arrival_due, r2.reported_at + 45min);
  EXPECT_FALSE(r2.response_breached || r2.arrival_breached || r2.restore_breached);
  EXPECT_EQ(r3.id, "R3");
  EXPECT_EQ(r3.technician, "");
  EXPECT_FALSE(r3.assigned.has_value());
  EXPECT_TRUE(r3.response_breached && r3.arrival_breached && r3.restore_breached);

  // The baseline sends T2 to R2: 74.1 min, past the 45 min arrival target, and only that.
  auto nearest = s.run(ReplayStrategy::nearest);
  const auto& n2 = nearest.outcomes[1];
  EXPECT_EQ(n2.technician, "T2");
  EXPECT_TRUE(n2.arrival_breached);
  EXPECT_FALSE(n2.response_breached);
  EXPECT_FALSE(n2.restore_breached);
  EXPECT_NEAR(n2.km, 49.4, 1e-6);
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
