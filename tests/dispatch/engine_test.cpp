// dispatch/engine: hand-made scenarios on the equator, where a degree of longitude is
// 111.319491 km (WGS84 semi-major axis × π/180), so every expected value is worked out by hand.
#include "dispatch/engine.h"

#include <gtest/gtest.h>

#include "equator.h"

namespace fieldserve::dispatch {
namespace {

using testing::east;
using testing::kKmPerDegree;

using namespace std::chrono_literals;

const Instant kNow = testing::kEquatorNow;

WeeklyHours all_week() {
  WeeklyHours h{};
  for (auto& d : h) d = DaySpan{0, 1440};
  return h;
}

Technician tech(TechnicianId id, std::vector<std::string> skills = {"hvac"}) {
  Technician t;
  t.id = id;
  t.name = "T" + std::to_string(id);
  t.skills = std::move(skills);
  t.shift = all_week();
  t.max_open_jobs = 3;
  return t;
}

// A site on the equator at longitude 0; technicians at `km` east of it.

Job critical_job(int arrival_minutes = 45) {
  Job j;
  j.id = 100;
  j.severity = Severity::critical;
  j.required_skills = {"hvac"};
  j.reported_at = kNow;
  j.clock(SlaTarget::arrival).due = kNow + std::chrono::minutes(arrival_minutes);
  return j;
}

TierPolicy tier(double radius_km = 60) {
  TierPolicy t;
  t.response_minutes = 5;
  t.dispatch_radius_km = radius_km;
  t.bands = {{std::nullopt, 45, 240}};
  return t;
}

TechnicianState state(const Technician& t, double km_east) {
  return TechnicianState{&t, east(km_east), "UTC", {}};
}

const GeodesicTravel kTravel;  // 1.3 circuity, 40 km/h: 1 km of geodesic = 117 s of driving
const ServiceEstimate kService{60, 30};  // the job being placed: 60 min on site, p90 at 90

TEST(Engine, PicksTheCandidateThatMeetsTheTargetWithLeastTravel) {
  // 10 km away: 13 km road, 19.5 min. 20 km away: 39 min. Both meet 45 min; the nearer wins.
  auto a = tech(1), b = tech(2);
  std::vector<TechnicianState> s{state(a, 20), state(b, 10)};
  auto d = decide(critical_job(), east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(*d.chosen, 2);
  EXPECT_EQ(d.reason, "");
  EXPECT_NEAR(d.candidates[1].distance_km, 10, 1e-6);
  EXPECT_NEAR(d.candidates[1].travel_km, 13, 1e-6);
  EXPECT_EQ(d.candidates[1].eta, kNow + 1170s);  // 13 km at 40 km/h
  EXPECT_TRUE(d.candidates[0].meets_arrival_target);
}

// A is 30 km away: 39 km of road, there in 58.5 min, nothing ahead (margin 0). B is on site
// 10 km west of the new site since 10 min ago; the job there is expected to take 60 min (p90 at
// 90), so B is free in 50 min, then drives 13 km: there in 69.5 min, with a 30 min margin.
std::vector<TechnicianState> far_idle_and_near_busy(const Technician& a, const Technician& b) {
  auto sb = state(b, -10);
  sb.queue.push_back(
      {7, Severity::serious, JobStatus::on_site, east(-10), kNow, kNow - 10min, false, {60, 30}});
  return {state(a, 30), sb};
}

// A serious job due in `minutes`, decided between far_idle_and_near_busy's two technicians.
Decision serious_between_far_idle_and_near_busy(int minutes) {
  auto a = tech(1), b = tech(2);
  auto s = far_idle_and_near_busy(a, b);
  auto job = critical_job(minutes);
  job.severity = Severity::serious;
  return decide(job, east(0), kService, tier(), s, kNow, kTravel);
}

TEST(Engine, OtherTiersTakeLeastTravelAmongThoseWithComfortableSlack) {
  // A serious job due in 240 min: A has 181.5 min of slack, B 170.5 less its 30 min margin =
  // 140.5; both above a quarter of the 240 min left (60): B travels less and wins.
  auto d = serious_between_far_idle_and_near_busy(240);
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(*d.chosen, 2);
  EXPECT_EQ(d.candidates[1].eta, kNow + 50min + 1170s);
  EXPECT_EQ(d.candidates[1].free_at, kNow + 50min);
  EXPECT_EQ(d.candidates[1].queue_ahead, 1);
  EXPECT_DOUBLE_EQ(d.candidates[1].margin_minutes, 30);
  EXPECT_DOUBLE_EQ(d.candidates[1].slack_minutes, 240 - 69.5);
  EXPECT_DOUBLE_EQ(d.candidates[0].margin_minutes, 0);
}

TEST(Engine, WhenSlackIsThinMoreSlackBeatsFewerKilometres) {
  // The same two, due in 120 min. B: 50.5 min of slack less a 30 min margin leaves 20.5, under a
  // quarter of the 120 min left (30): thin. A has 61.5 min and nothing that can overrun: A wins
  // although B drives 26 km less.
  auto d = serious_between_far_idle_and_near_busy(120);
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(*d.chosen, 1);
  EXPECT_TRUE(d.candidates[1].meets_arrival_target);  // 69.5 + 30 ≤ 120: it meets, thinly
  EXPECT_DOUBLE_EQ(d.candidates[0].slack_minutes, 61.5);
}

TEST(Engine, TheMarginDecidesWhetherATargetIsMet) {
  // Due in 90 min: B's ETA (69.5) is on time, but with its 30 min margin it is not (99.5 > 90).
  auto d = serious_between_far_idle_and_near_busy(90);
  EXPECT_FALSE(d.candidates[1].meets_arrival_target);
  EXPECT_TRUE(d.candidates[0].meets_arrival_target);
  EXPECT_EQ(*d.chosen, 1);
}

TEST(Engine, ACriticalJobGoesToTheEarliestArrivalNotTheLeastTravel) {
  // Due in 120: B travels 13 km and A 39 km, but A is there at 58.5 min and B at 69.5 + 30.
  auto a = tech(1), b = tech(2);
  auto s = far_idle_and_near_busy(a, b);
  auto d = decide(critical_job(120), east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(*d.chosen, 1);
  EXPECT_EQ(d.reason, "");
}

TEST(Engine, BetweenPracticallyEqualCriticalArrivalsLeastTravelWins) {
  // A idle 20 km away: there in 39 min (26 km). B on site at the new site itself, 40 of its
  // expected 60 min done (p90 at 80): free in 20 min, 0 km, margin 20: counted on at 40 min,
  // within the 2 minutes that make arrivals equal. B drives nothing and wins; had B started 10
  // min later (counted on at 50) it would not.
  auto a = tech(1), b = tech(2);
  auto sb = state(b, 0);
  sb.queue.push_back(
      {7, Severity::general, JobStatus::on_site, east(0), kNow, kNow - 40min, false, {60, 20}});
  std::vector<TechnicianState> s{state(a, 20), sb};
  auto d = decide(critical_job(), east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(*d.chosen, 2);
  s[1].queue[0].on_site_since = kNow - 30min;
  d = decide(critical_job(), east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(*d.chosen, 1);
}

TEST(Engine, AnOverrunningJobIsExpectedToEndWithinHalfItsSpreadNotAlready) {
  // B has been on site 80 min at a job expected to take 60 (p90 90): it is overrunning, and is
  // expected free in 15 min (half the 30 min spread), not now; the margin stays 30.
  auto b = tech(2);
  auto sb = state(b, 0);
  sb.queue.push_back(
      {7, Severity::general, JobStatus::on_site, east(0), kNow, kNow - 80min, false, {60, 30}});
  std::vector<TechnicianState> s{sb};
  auto d = decide(critical_job(), east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(d.candidates[0].free_at, kNow + 15min);
  EXPECT_EQ(d.candidates[0].eta, kNow + 15min);
  EXPECT_DOUBLE_EQ(d.candidates[0].margin_minutes, 30);
  EXPECT_TRUE(d.candidates[0].meets_arrival_target);  // 15 + 30 ≤ 45
}

TEST(Engine, TheMarginAddsTheSpreadsOfTheJobsAheadAsIndependent) {
  // On site (spread 30) and one queued serious job ahead (spread 40): sqrt(30² + 40²) = 50.
  auto b = tech(2);
  auto sb = state(b, 0);
  sb.queue.push_back(
      {7, Severity::serious, JobStatus::on_site, east(0), kNow, kNow, false, {60, 30}});
  sb.queue.push_back({8,
                      Severity::serious,
                      JobStatus::assigned,
                      east(0),
                      kNow + 1h,
                      std::nullopt,
                      false,
                      {45, 40}});
  std::vector<TechnicianState> s{sb};
  auto job = critical_job(600);
  job.severity = Severity::general;
  auto d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(d.candidates[0].queue_ahead, 2);
  EXPECT_DOUBLE_EQ(d.candidates[0].margin_minutes, 50);
  EXPECT_EQ(d.candidates[0].eta, kNow + 60min + 45min);
}

TEST(Engine, WhenNobodyMeetsTheTargetTheEarliestEtaWinsAndSaysSo) {
  auto a = tech(1), b = tech(2);
  std::vector<TechnicianState> s{state(a, 40), state(b, 50)};  // 78 and 97.5 min
  auto d = decide(critical_job(45), east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(*d.chosen, 1);
  EXPECT_EQ(d.reason, "no_technician_meets_target");
  EXPECT_FALSE(d.candidates[0].meets_arrival_target);
}

TEST(Engine, EveryExclusionReasonIsExplained) {
  auto inactive = tech(1), off = tech(2), unskilled = tech(3, {"ups"}), full = tech(4),
       far = tech(5);
  inactive.active = false;
  off.shift = WeeklyHours{};  // never on shift
  full.max_open_jobs = 1;
  auto sf = state(full, 1);
  sf.queue.push_back({8, Severity::minor, JobStatus::assigned, east(2), kNow + 8h, std::nullopt});
  // The last one sits at 300 km: beyond even 4 × 60 km.
  std::vector<TechnicianState> s{state(inactive, 1), state(off, 1), state(unskilled, 1), sf,
                                 state(far, 300)};
  auto d = decide(critical_job(), east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_FALSE(d.chosen);
  EXPECT_EQ(d.reason, "no_eligible_technician");
  std::vector<std::string> reasons;
  for (const auto& c : d.candidates) reasons.push_back(c.excluded_because);
  EXPECT_EQ(reasons, (std::vector<std::string>{"inactive", "off_shift", "missing_skills",
                                               "at_capacity", "outside_radius"}));
  EXPECT_DOUBLE_EQ(d.radius_km, 240);
}

TEST(Engine, RadiusWidensByDoublingUpToFourTimes) {
  auto a = tech(1);
  std::vector<TechnicianState> s{state(a, 100)};  // beyond 60, within 120
  auto d = decide(critical_job(), east(0), kService, tier(60), s, kNow, kTravel);
  ASSERT_TRUE(d.chosen);
  EXPECT_DOUBLE_EQ(d.radius_km, 120);
  EXPECT_EQ(d.reason, "no_technician_meets_target");
  std::vector<TechnicianState> s2{state(a, 200)};  // within 240
  EXPECT_DOUBLE_EQ(decide(critical_job(), east(0), kService, tier(60), s2, kNow, kTravel).radius_km,
                   240);
}

TEST(Engine, ANearerTechnicianInsideTheRadiusIsPreferredOverWidening) {
  auto a = tech(1), b = tech(2);
  std::vector<TechnicianState> s{state(a, 100), state(b, 59)};
  auto d = decide(critical_job(), east(0), kService, tier(60), s, kNow, kTravel);
  EXPECT_EQ(*d.chosen, 2);
  EXPECT_DOUBLE_EQ(d.radius_km, 60);
  EXPECT_EQ(d.candidates[0].excluded_because, "outside_radius");
}

TEST(Engine, CriticalJobGoesRightAfterTheOnSiteJob) {
  auto a = tech(1);
  a.max_open_jobs = 5;
  auto sa = state(a, 0);
  // On site since 30 min ago (60 min service: free in 30), then two assigned serious jobs.
  sa.queue.push_back({1, Severity::serious, JobStatus::assigned, east(10), kNow + 1h,
                      std::nullopt});
  sa.queue.push_back({2, Severity::minor, JobStatus::on_site, east(5), kNow, kNow - 30min});
  sa.queue.push_back({3, Severity::serious, JobStatus::accepted, east(20), kNow + 2h,
                      std::nullopt});
  std::vector<TechnicianState> s{sa};
  auto d = decide(critical_job(120), east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(d.candidates[0].queue_ahead, 1);
  EXPECT_EQ(d.candidates[0].free_at, kNow + 30min);
  EXPECT_EQ(d.candidates[0].eta, kNow + 30min + 585s);  // 5 km → 6.5 km road → 585 s
}

TEST(Engine, GeneralJobWaitsForMoreSevereAndEarlierDueJobs) {
  auto a = tech(1);
  a.max_open_jobs = 5;
  auto sa = state(a, 0);
  sa.queue.push_back({1, Severity::serious, JobStatus::assigned, east(10), kNow + 5h,
                      std::nullopt});
  sa.queue.push_back({2, Severity::general, JobStatus::assigned, east(10), kNow + 1h,
                      std::nullopt});
  sa.queue.push_back({3, Severity::general, JobStatus::assigned, east(10), kNow + 9h,
                      std::nullopt});
  sa.queue.push_back({4, Severity::minor, JobStatus::assigned, east(10), kNow + 1h, std::nullopt});
  Job job = critical_job();
  job.severity = Severity::general;
  job.clock(SlaTarget::arrival).due = kNow + 4h;
  std::vector<TechnicianState> s{sa};
  auto d = decide(job, east(0), kService, tier(100), s, kNow, kTravel);
  // Ahead: the serious job and the general job due earlier. 10 km (1170 s) + 60 min, then 0 km
  // (same site) + 60 min, then back 10 km.
  EXPECT_EQ(d.candidates[0].queue_ahead, 2);
  EXPECT_EQ(d.candidates[0].free_at, kNow + 1170s + 2h);
  EXPECT_EQ(d.candidates[0].eta, kNow + 1170s + 2h + 1170s);
}

// A at the site with a minor job 10 km away due in 30 min (19.5 min of driving: on time as it
// stands); B idle 20 km away.
std::vector<TechnicianState> at_site_with_a_minor_job_and_far_idle(const Technician& a,
                                                                   const Technician& b) {
  auto sa = state(a, 0);
  sa.queue.push_back({5, Severity::minor, JobStatus::assigned, east(10), kNow + 30min,
                      std::nullopt});
  return {sa, state(b, 20)};
}

TEST(Engine, ATechnicianWhoseQueuedJobWouldTurnLateDoesNotMeetTheTarget) {
  // A (at the site) has a minor job 10 km away due in 30 min: 19.5 min of driving, on time. A
  // serious job due in 45 min goes ahead of it, and its 60 min of service would make it late. B
  // is 20 km away with nothing queued (39 min, on time): B gets the job although A is nearer.
  auto a = tech(1), b = tech(2);
  auto s = at_site_with_a_minor_job_and_far_idle(a, b);
  auto job = critical_job(45);
  job.severity = Severity::serious;
  auto d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(d.candidates[0].delays_job_id, 5);
  EXPECT_FALSE(d.candidates[0].meets_arrival_target);
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(*d.chosen, 2);
  EXPECT_EQ(d.reason, "");
}

TEST(Engine, ACriticalArrivalOutranksAQueuedJobItMakesLate) {
  // The same, critical: A is there now and B in 39 min, not practically equal; A takes it and
  // the minor job turns late (re-planning may move it).
  auto a = tech(1), b = tech(2);
  auto s = at_site_with_a_minor_job_and_far_idle(a, b);
  auto d = decide(critical_job(45), east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(*d.chosen, 1);
  EXPECT_EQ(d.candidates[0].delays_job_id, 5);
  EXPECT_EQ(d.reason, "");
}

TEST(Engine, ACriticalJobQueuesBehindCriticalJobsDueEarlier) {
  // A's queue: a critical job 10 km east due in 20 min, not started. The new critical job (due
  // in 45) goes behind it: 19.5 min there, 60 on site, 19.5 back: ETA 99 min.
  auto a = tech(1);
  auto sa = state(a, 0);
  sa.queue.push_back({5, Severity::critical, JobStatus::assigned, east(10), kNow + 20min,
                      std::nullopt});
  std::vector<TechnicianState> s{sa};
  auto d = decide(critical_job(45), east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(d.candidates[0].queue_ahead, 1);
  EXPECT_EQ(d.candidates[0].eta, kNow + 1170s + 60min + 1170s);
}

TEST(Engine, ShiftStartingBeforeTheArrivalDueCounts) {
  auto a = tech(1);
  a.shift = WeeklyHours{};
  // kNow is Wednesday 11:06:40 UTC; a Wednesday shift from 11:30 starts inside a 45 min arrival
  // window (due 11:51:40) but not inside a 20 min one (due 11:26:40).
  a.shift[2] = DaySpan{11 * 60 + 30, 17 * 60};
  std::vector<TechnicianState> s{state(a, 1)};
  EXPECT_EQ(decide(critical_job(45), east(0), kService, tier(), s, kNow, kTravel)
                .candidates[0]
                .excluded_because,
            "");
  EXPECT_EQ(decide(critical_job(20), east(0), kService, tier(), s, kNow, kTravel)
                .candidates[0]
                .excluded_because,
            "off_shift");
}

TEST(Triage, AJobThatCanStillBeOnTimeGoesBeforeOneAlreadyLateOfTheSameSeverity) {
  EXPECT_TRUE(triage_before(Severity::minor, kNow + 1h, Severity::minor, kNow - 1h, kNow));
  EXPECT_FALSE(triage_before(Severity::minor, kNow - 1h, Severity::minor, kNow + 1h, kNow));
  // Among the late, and among those still to keep, the earlier due first; severity above all.
  EXPECT_TRUE(triage_before(Severity::minor, kNow - 2h, Severity::minor, kNow - 1h, kNow));
  EXPECT_TRUE(triage_before(Severity::minor, kNow + 1h, Severity::minor, kNow + 2h, kNow));
  EXPECT_TRUE(triage_before(Severity::serious, kNow - 1h, Severity::minor, kNow + 1h, kNow));

  // At 0: general job 7 at 10 km east, due an hour ago; general job 8 at 20 km east, due in 50
  // min. Worked oldest-due first, job 8 would be reached at 19.5 + 60 + 19.5 = 99 min, late as
  // well. In triage order it comes first, at 39 min (on time), and job 7 at 39 + 60 + 19.5.
  auto t = tech(1);
  auto s = state(t, 0);
  s.queue.push_back({7,
                     Severity::general,
                     JobStatus::assigned,
                     east(10),
                     kNow - 1h,
                     std::nullopt,
                     false,
                     {60, 30}});
  s.queue.push_back({8,
                     Severity::general,
                     JobStatus::assigned,
                     east(20),
                     kNow + 50min,
                     std::nullopt,
                     false,
                     {60, 30}});
  auto planned = planned_arrivals(s, kNow, kTravel);
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(planned[0].id, 8);
  EXPECT_EQ(planned[0].arrive, kNow + 2340s);
  EXPECT_EQ(planned[1].id, 7);
  EXPECT_EQ(planned[1].arrive, kNow + 2340s + 60min + 1170s);
}

TEST(Preemption, AFullTechnicianWhoWouldMakeItFreesALessSevereUnstartedJob) {
  auto near = tech(1), far = tech(2);
  near.max_open_jobs = 1;
  auto sn = state(near, 5);
  sn.queue.push_back({9, Severity::minor, JobStatus::assigned, east(30), kNow + 8h, std::nullopt});
  std::vector<TechnicianState> s{sn, state(far, 50)};
  auto job = critical_job(45);
  auto d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_EQ(d.reason, "no_technician_meets_target");
  auto p = find_preemption(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->technician_id, 1);
  EXPECT_EQ(p->moved_job_id, 9);
}

TEST(Preemption, ATechnicianDrivingToALesserJobIsDivertedFromWhereTheyAre) {
  // T1 is 5 km east, driving to a minor job 30 km east, and full; T2 is idle 50 km east. For a
  // critical call at 0 due in 45 min, T2 is 65 road km away: 97.5 min, late. T1 without the
  // minor job drives 6.5 road km from where they are: 9.75 min (585 s), on time.
  auto near = tech(1), far = tech(2);
  near.max_open_jobs = 1;
  auto sn = state(near, 5);
  sn.queue.push_back({9, Severity::minor, JobStatus::en_route, east(30), kNow + 8h, std::nullopt});
  std::vector<TechnicianState> s{sn, state(far, 50)};
  auto job = critical_job(45);
  auto d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_EQ(d.reason, "no_technician_meets_target");
  EXPECT_EQ(*d.chosen, 2);
  auto p = find_preemption(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->technician_id, 1);
  EXPECT_EQ(p->moved_job_id, 9);
  EXPECT_EQ(p->eta, kNow + 585s);

  // With room for both, the job T1 is driving to is worked first: 25 km on to it (48.75 min),
  // 60 min there, 30 km back (58.5 min). The critical job cannot jump a drive under way.
  s[0].technician = &near;
  near.max_open_jobs = 3;
  d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(d.candidates[0].queue_ahead, 1);
  EXPECT_EQ(d.candidates[0].eta, kNow + 2925s + 60min + 3510s);
}

TEST(Preemption, ACallLateEitherWayGoesWhereItIsLessLate) {
  // Due in 5 min: T1 diverted from 5 km (9.75 min) is late, but T2, the decision's choice 50 km
  // away, arrives at 97.5 min. Given that arrival to beat, T1 is diverted. T2 at 6 km (11.7 min)
  // would be practically equal (9.75 + 2 > 11.7): no diversion. With nobody chosen at all (T2
  // busy and full too), T1 is diverted though late: assigned late beats waiting unassigned.
  auto near = tech(1), far = tech(2);
  near.max_open_jobs = 1;
  auto sn = state(near, 5);
  sn.queue.push_back({9, Severity::minor, JobStatus::en_route, east(30), kNow + 8h, std::nullopt});
  std::vector<TechnicianState> s{sn, state(far, 50)};
  auto job = critical_job(5);
  auto d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_EQ(d.reason, "no_technician_meets_target");
  auto beat = counted_arrival(d);
  ASSERT_TRUE(beat);
  EXPECT_EQ(*beat, kNow + 5850s);
  auto p = find_preemption(job, east(0), kService, tier(), s, kNow, kTravel, beat);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->moved_job_id, 9);
  s[1].position = east(6);
  d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  EXPECT_EQ(*counted_arrival(d), kNow + 702s);
  EXPECT_FALSE(find_preemption(job, east(0), kService, tier(), s, kNow, kTravel,
                               counted_arrival(d)));
}

TEST(Preemption, ACallOnTimeAnywayMovesOnlyAJobSomeoneElseStillReachesByItsDue) {
  // T1 (one place) is 5 km away driving to serious job 9 at 30 km east, due in 40 min; diverted,
  // T1 is at the critical site at 9.75 min. T2 is idle 20 km east: 39 min, on time for the 45 min
  // target, and 10 km from job 9 (19.5 min, in time for it): T1 is diverted, T2 can take job 9.
  // With T2 20 km west instead (still 39 min, but 50 km from job 9: 97.5 min, late) nobody else
  // keeps job 9 and the critical call, on time with T2, moves nothing. Due in 30 min, T2's 39 min
  // is late: then T1 is diverted even though job 9 will be late.
  static const std::vector<std::string> kSkills{"hvac"};
  auto t1 = tech(1), t2 = tech(2);
  t1.max_open_jobs = 1;
  auto s1 = state(t1, 5);
  s1.queue.push_back({9,
                      Severity::serious,
                      JobStatus::en_route,
                      east(30),
                      kNow + 40min,
                      std::nullopt,
                      false,
                      {60, 30},
                      &kSkills});
  std::vector<TechnicianState> s{s1, state(t2, 20)};
  auto job = critical_job();
  auto d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_EQ(d.reason, "");
  EXPECT_EQ(*counted_arrival(d), kNow + 2340s);
  auto p = find_preemption(job, east(0), kService, tier(), s, kNow, kTravel, counted_arrival(d));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->technician_id, 1);
  EXPECT_EQ(p->moved_job_id, 9);
  s[1].position = east(-20);
  d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_EQ(d.reason, "");
  EXPECT_FALSE(find_preemption(job, east(0), kService, tier(), s, kNow, kTravel,
                               counted_arrival(d)));
  job = critical_job(30);
  d = decide(job, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_EQ(d.reason, "no_technician_meets_target");
  p = find_preemption(job, east(0), kService, tier(), s, kNow, kTravel, counted_arrival(d));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->moved_job_id, 9);
}

TEST(Preemption, NeverMovesAJobOnSiteACriticalOrALockedJobAndOnlyForCriticalOrSerious) {
  auto near = tech(1);
  near.max_open_jobs = 1;
  for (auto [severity, status] : {std::pair{Severity::minor, JobStatus::on_site},
                                  std::pair{Severity::critical, JobStatus::en_route},
                                  std::pair{Severity::critical, JobStatus::assigned}}) {
    auto sn = state(near, 5);
    sn.queue.push_back({9, severity, status, east(30), kNow + 8h, std::nullopt});
    std::vector<TechnicianState> s{sn};
    EXPECT_FALSE(find_preemption(critical_job(), east(0), kService, tier(), s, kNow, kTravel));
  }
  auto locked = state(near, 5);
  locked.queue.push_back({9, Severity::minor, JobStatus::assigned, east(30), kNow + 8h,
                          std::nullopt, true});
  std::vector<TechnicianState> only_locked{locked};
  EXPECT_FALSE(find_preemption(critical_job(), east(0), kService, tier(), only_locked, kNow,
                               kTravel));
  // A serious job moves a minor job not yet under way (T1 5 km away: 9.75 min), never one the
  // technician is driving to, nor one as severe, and a general job never preempts.
  auto sn = state(near, 5);
  sn.queue.push_back({9, Severity::minor, JobStatus::assigned, east(30), kNow + 8h, std::nullopt});
  std::vector<TechnicianState> s{sn};
  auto serious = critical_job();
  serious.severity = Severity::serious;
  auto p = find_preemption(serious, east(0), kService, tier(), s, kNow, kTravel);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->moved_job_id, 9);
  EXPECT_EQ(p->eta, kNow + 585s);
  s[0].queue[0].status = JobStatus::en_route;
  EXPECT_FALSE(find_preemption(serious, east(0), kService, tier(), s, kNow, kTravel));
  s[0].queue[0].status = JobStatus::assigned;
  s[0].queue[0].severity = Severity::serious;
  EXPECT_FALSE(find_preemption(serious, east(0), kService, tier(), s, kNow, kTravel));
  auto general = serious;
  general.severity = Severity::general;
  s[0].queue[0].severity = Severity::minor;
  EXPECT_FALSE(find_preemption(general, east(0), kService, tier(), s, kNow, kTravel));
}

}  // namespace
}  // namespace fieldserve::dispatch
