// The engine's learned parts, worked out by hand: service-time estimates, re-planning and
// move-up. Scenarios on the equator, where a degree of longitude is 111.319491 km and each
// geodesic km takes 117 s of driving (1.3 road km at 40 km/h).
#include <gtest/gtest.h>

#include "equator.h"

#include "dispatch/coverage.h"
#include "dispatch/replan.h"
#include "dispatch/service_times.h"

namespace fieldserve::dispatch {
namespace {

using testing::east;
using testing::kKmPerDegree;

using namespace std::chrono_literals;

const Instant kNow = testing::kEquatorNow;
const GeodesicTravel kTravel;

TEST(ServiceTimes, WithoutHistoryThePriorHolds) {
  ServiceTimeModel m({.prior_minutes = 60});
  auto e = m.estimate({JobKind::repair, {"hvac"}, ""});
  EXPECT_DOUBLE_EQ(e.expected_minutes, 60);
  EXPECT_DOUBLE_EQ(e.spread_minutes, 30);
}

TEST(ServiceTimes, HistoryIsShrunkTowardThePriorByItsWeight) {
  // Five 20 min jobs: median 20, p90 20. (5 × 60 + 5 × 20) / 10 = 40 at the kind level; the
  // skills level shrinks toward that: (5 × 40 + 5 × 20) / 10 = 30. Spread: 15, then 7.5.
  ServiceTimeModel m({.prior_minutes = 60});
  for (int i = 0; i < 5; ++i) m.record({JobKind::repair, {"hvac"}, ""}, 20);
  auto e = m.estimate({JobKind::repair, {"hvac"}, ""});
  EXPECT_DOUBLE_EQ(e.expected_minutes, 30);
  EXPECT_DOUBLE_EQ(e.spread_minutes, 7.5);
  // Another skill has only the kind level: 40, 15.
  EXPECT_DOUBLE_EQ(m.estimate({JobKind::repair, {"pump"}, ""}).expected_minutes, 40);
}

TEST(ServiceTimes, TheMedianNotTheMeanSoOneJobLeftOpenDoesNotMoveIt) {
  ServiceTimeModel m({.prior_minutes = 60, .prior_weight = 0});
  for (int i = 0; i < 9; ++i) m.record({JobKind::inspection, {}, ""}, 30);
  m.record({JobKind::inspection, {}, ""}, 700);  // a long day: kept, but the median holds
  m.record({JobKind::inspection, {}, ""}, 900);  // over 12 hours: not time on site, ignored
  auto e = m.estimate({JobKind::inspection, {}, ""});
  EXPECT_DOUBLE_EQ(e.expected_minutes, 30);
  EXPECT_DOUBLE_EQ(e.spread_minutes, 0);  // p90 of ten is the 9th: 30
  EXPECT_EQ(m.samples({JobKind::inspection, {}, ""}), 10u);
}

TEST(ServiceTimes, TheEquipmentModelLevelIsUsedWhereKnown) {
  ServiceTimeModel m({.prior_minutes = 60, .prior_weight = 0});
  for (int i = 0; i < 4; ++i) m.record({JobKind::repair, {"hvac"}, "X100"}, 120);
  for (int i = 0; i < 4; ++i) m.record({JobKind::repair, {"hvac"}, ""}, 30);
  EXPECT_DOUBLE_EQ(m.estimate({JobKind::repair, {"hvac"}, "X100"}).expected_minutes, 120);
  EXPECT_DOUBLE_EQ(m.estimate({JobKind::repair, {"hvac"}, ""}).expected_minutes, 30);
}

Technician tech(TechnicianId id) {
  Technician t;
  t.id = id;
  t.skills = {"hvac"};
  for (auto& d : t.shift) d = DaySpan{0, 1440};
  t.max_open_jobs = 4;
  return t;
}

const std::vector<std::string> kHvac{"hvac"};

// A job not yet started at 1 km east: 60 min on site expected, p90 at 90.
QueuedJob not_started(JobId id, Severity severity, Instant due) {
  return {id, severity, JobStatus::assigned, east(1), due, std::nullopt, false, {60, 30}, &kHvac};
}

// A minor job at 0 on site for 10 min of an expected 60 (p90 at 90): 50 min to go.
QueuedJob on_site_50_minutes_to_go() {
  return {10,           Severity::minor, JobStatus::on_site, east(0), kNow,
          kNow - 10min, false,           {60, 30},           &kHvac};
}

// A (technician 1) on site at 0 with 50 min to go, job 11 queued next at 1 km east; B (technician
// 2) idle `b_km` east of 0. The states point at the technicians: not to be copied.
struct QueuedBehindOnSite {
  Technician a = tech(1), b = tech(2);
  std::vector<TechnicianState> states;
  QueuedBehindOnSite(Severity severity, Instant due, double b_km) {
    TechnicianState sa{&a, east(0), "UTC", {}}, sb{&b, east(b_km), "UTC", {}};
    sa.queue.push_back(on_site_50_minutes_to_go());
    sa.queue.push_back(not_started(11, severity, due));
    states = {sa, sb};
  }
  QueuedBehindOnSite(const QueuedBehindOnSite&) = delete;
  QueuedBehindOnSite& operator=(const QueuedBehindOnSite&) = delete;
};

TEST(Replan, AJobThatWouldBeLateInAQueueMovesToAFreeTechnician) {
  // A stands at the site of two serious jobs 1 km east, due in 40 min, 60 min on site each: the
  // second is reached at 60 + 1.95 min, late. B is idle 5 km east of them: 6.5 road km, 9.75
  // min. Before: one serious breach (4). The optimizer moves one job to B: none.
  auto a = tech(1), b = tech(2);
  TechnicianState sa{&a, east(0), "UTC", {}}, sb{&b, east(6), "UTC", {}};
  for (JobId id : {11, 12}) sa.queue.push_back(not_started(id, Severity::serious, kNow + 40min));
  std::vector<TechnicianState> states{sa, sb};
  auto moves = replan(states, default_policy(), kNow, kTravel);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].from, 1);
  EXPECT_EQ(moves[0].to, 2);
  // Locked by a dispatcher: nothing moves.
  for (auto& q : states[0].queue) q.locked = true;
  EXPECT_TRUE(replan(states, default_policy(), kNow, kTravel).empty());
}

TEST(Replan, NothingMovesWhenThePlanIsNotBetter) {
  // A serious job on time where it is and a minor one due in 10 hours behind it: moving either
  // to B, 5 km further away, only adds kilometres.
  auto a = tech(1), b = tech(2);
  TechnicianState sa{&a, east(0), "UTC", {}}, sb{&b, east(6), "UTC", {}};
  sa.queue.push_back(not_started(11, Severity::serious, kNow + 40min));
  sa.queue.push_back(not_started(12, Severity::minor, kNow + 600min));
  std::vector<TechnicianState> states{sa, sb};
  EXPECT_TRUE(replan(states, default_policy(), kNow, kTravel).empty());
}

TEST(TakeOver, AFreedTechnicianTakesACriticalJobQueuedBehindAnotherJob) {
  // A is on site at 0 with 50 min to go (60 expected, 10 done), a critical job 1 km east queued
  // next: A is expected there at 50 + 1.95 = 51.95 min. B has just freed up 2 km beyond it:
  // 3.9 min away. B takes it.
  QueuedBehindOnSite scene(Severity::critical, kNow + 45min, 3);
  auto& states = scene.states;
  auto move = take_over_critical(states, 2, kNow, kTravel);
  ASSERT_TRUE(move);
  EXPECT_EQ(move->job_id, 11);
  EXPECT_EQ(move->from, 1);
  EXPECT_EQ(move->to, 2);
  // A does not take from B: that is B's own queue, and A is on site.
  EXPECT_FALSE(take_over_critical(states, 1, kNow, kTravel));
}

TEST(TakeOver, ATechnicianStillDrivingToACriticalJobIsTurnedBack) {
  // A is 40 km east of a critical job at 1 km, driving to it: 39 km, 76.05 min from where A is
  // now. B frees up at 3 km: 3.9 min. B takes it over and A turns back.
  auto a = tech(1), b = tech(2);
  TechnicianState sa{&a, east(40), "UTC", {}}, sb{&b, east(3), "UTC", {}};
  auto driving = not_started(11, Severity::critical, kNow + 45min);
  driving.status = JobStatus::en_route;
  sa.queue.push_back(driving);
  std::vector<TechnicianState> states{sa, sb};
  auto move = take_over_critical(states, 2, kNow, kTravel);
  ASSERT_TRUE(move);
  EXPECT_EQ(move->job_id, 11);
  EXPECT_EQ(move->from, 1);
  // A locked one stays with the technician the dispatcher chose.
  states[0].queue[0].locked = true;
  EXPECT_FALSE(take_over_critical(states, 2, kNow, kTravel));
}

TEST(TakeOver, NotForArrivalsPracticallyEqualNorForLessSevereJobs) {
  // B freed 26 km beyond the critical job: 50.7 min away against A's 51.95, 1.25 min earlier,
  // inside the 2 min in which arrivals count as equal: the job stays.
  QueuedBehindOnSite scene(Severity::critical, kNow + 45min, 27);
  auto& states = scene.states;
  EXPECT_FALSE(take_over_critical(states, 2, kNow, kTravel));
  // 25 km beyond (48.75 min, 3.2 min earlier) it moves; a serious job in its place does not.
  states[1].position = east(26);
  EXPECT_TRUE(take_over_critical(states, 2, kNow, kTravel));
  states[0].queue[1].severity = Severity::serious;
  EXPECT_FALSE(take_over_critical(states, 2, kNow, kTravel));
  // Nor does a locked critical job.
  states[0].queue[1].severity = Severity::critical;
  states[0].queue[1].locked = true;
  EXPECT_FALSE(take_over_critical(states, 2, kNow, kTravel));
}

TEST(Rescue, AJobTheQueueNoLongerReachesInTimeGoesToTheNearestIdleTechnicianWhoDoes) {
  // A is on site at 0 with 50 min to go; queued behind: serious job 11 at 1 km east due in 40
  // min, reached at 51.95 min (late), and minor job 12 due in 10 hours. B idle 2 km beyond the
  // serious job (3.9 min), C idle 19 km beyond it (37.05 min, also in time): B, the least
  // travel, takes job 11; the minor job has hours to spare and stays.
  auto a = tech(1), b = tech(2), c = tech(3);
  TechnicianState sa{&a, east(0), "UTC", {}}, sb{&b, east(3), "UTC", {}},
      sc{&c, east(20), "UTC", {}};
  sa.queue.push_back(on_site_50_minutes_to_go());
  sa.queue.push_back(not_started(11, Severity::serious, kNow + 40min));
  sa.queue.push_back(not_started(12, Severity::minor, kNow + 600min));
  std::vector<TechnicianState> states{sa, sb, sc};
  auto moves = rescue_late_jobs(states, kNow, kTravel);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].job_id, 11);
  EXPECT_EQ(moves[0].from, 1);
  EXPECT_EQ(moves[0].to, 2);
  // Without B, C takes it; without B and C nobody can, and it stays.
  states.erase(states.begin() + 1);
  moves = rescue_late_jobs(states, kNow, kTravel);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].to, 3);
  states.pop_back();
  EXPECT_TRUE(rescue_late_jobs(states, kNow, kTravel).empty());
  // A minor job as late stays: an idle technician is kept for more severe calls.
  states.push_back(sc);
  states[0].queue[1].severity = Severity::minor;
  EXPECT_TRUE(rescue_late_jobs(states, kNow, kTravel).empty());
  states[0].queue[1].severity = Severity::general;
  EXPECT_EQ(rescue_late_jobs(states, kNow, kTravel).size(), 1u);
}

TEST(Rescue, AtRiskMeansReachedWithinItsMarginOrFifteenMinutesOfTheDue) {
  // Reached at 51.95 min behind a job on site whose overrun spread is 30 min: the margin the
  // engine counts on is 30 min. Due at 81 min leaves 29.05, at risk; due at 82 leaves 30.05, not.
  // With a spread of 10 min the margin is under 15 and 15 min decides: due at 66 leaves 14.05, at
  // risk; due at 67 leaves 15.05, not.
  QueuedBehindOnSite scene(Severity::serious, kNow + 81min, 3);
  auto& states = scene.states;
  EXPECT_EQ(rescue_late_jobs(states, kNow, kTravel).size(), 1u);
  states[0].queue[1].arrival_due = kNow + 82min;
  EXPECT_TRUE(rescue_late_jobs(states, kNow, kTravel).empty());
  states[0].queue[0].service.spread_minutes = 10;
  states[0].queue[1].arrival_due = kNow + 66min;
  EXPECT_EQ(rescue_late_jobs(states, kNow, kTravel).size(), 1u);
  states[0].queue[1].arrival_due = kNow + 67min;
  EXPECT_TRUE(rescue_late_jobs(states, kNow, kTravel).empty());
}

TEST(Rescue, ACriticalJobLateEitherWayGoesToWhoeverGetsThereHalfAnHourSooner) {
  // A is on site at 0 with 50 min to go (p90 30 min later); critical job 11 at 1 km east is due
  // in 20 min: A reaches it at 51.95 min, counted on at 81.95 with the 30 min margin. B idle 20 km
  // beyond it: 26 road km, 39 min, late too, but 42.95 min sooner than A can be counted on: B.
  // B 30 km beyond it: 58.5 min, only 23.45 sooner: it stays. A serious job as late stays.
  QueuedBehindOnSite scene(Severity::critical, kNow + 20min, 21);
  auto& states = scene.states;
  auto moves = rescue_late_jobs(states, kNow, kTravel);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].job_id, 11);
  EXPECT_EQ(moves[0].to, 2);
  states[1].position = east(31);
  EXPECT_TRUE(rescue_late_jobs(states, kNow, kTravel).empty());
  states[1].position = east(21);
  states[0].queue[1].severity = Severity::serious;
  EXPECT_TRUE(rescue_late_jobs(states, kNow, kTravel).empty());
}

TEST(MoveUp, AnIdleTechnicianMovesTowardDemandNobodyCovers) {
  // 25 critical hvac calls 10 km east; two idle technicians at 0. Moving one there cuts the
  // drive to the next call from 19.5 min (10 km) to about 0, for 13 road km: a move.
  DemandHistory history(2);
  for (int i = 0; i < 25; ++i) history.record(east(10), {"hvac"}, kNow - std::chrono::hours(i));
  const std::vector<std::string> skills{"hvac"};
  std::vector<IdleTechnician> idle{{0, east(0), &skills}, {1, east(0), &skills}};
  std::vector<std::size_t> movable{1};
  auto move = best_move_up(idle, movable, history, kNow, kTravel, {});
  ASSERT_TRUE(move);
  EXPECT_EQ(move->index, 1u);
  EXPECT_NEAR(move->to.lon * kKmPerDegree, 10, 1e-6);
  EXPECT_NEAR(move->km, 13, 1e-3);
  EXPECT_NEAR(move->gain_minutes, 19.5, 0.2);
  // Someone already there: nothing to gain.
  idle[0].at = east(10);
  EXPECT_FALSE(best_move_up(idle, movable, history, kNow, kTravel, {}));
}

TEST(MoveUp, DemandForTwoSkillsIsCoveredOnlyByATechnicianWithBoth) {
  DemandHistory history(2);
  for (int i = 0; i < 25; ++i)
    history.record(east(10), {"pump", "hvac"}, kNow - std::chrono::hours(i));
  const std::vector<std::string> one{"hvac"}, both{"hvac", "pump"};
  std::vector<IdleTechnician> idle{{0, east(0), &one}, {1, east(0), &both}};
  std::vector<std::size_t> only_one{0}, only_both{1};
  EXPECT_FALSE(best_move_up(idle, only_one, history, kNow, kTravel, {}));
  auto move = best_move_up(idle, only_both, history, kNow, kTravel, {});
  ASSERT_TRUE(move);
  EXPECT_EQ(move->index, 1u);
}

TEST(MoveUp, NoMoveBeforeEnoughHistory) {
  DemandHistory history(2);
  for (int i = 0; i < 19; ++i) history.record(east(10), {"hvac"}, kNow - std::chrono::hours(i));
  const std::vector<std::string> skills{"hvac"};
  std::vector<IdleTechnician> idle{{0, east(0), &skills}};
  std::vector<std::size_t> movable{0};
  EXPECT_FALSE(best_move_up(idle, movable, history, kNow, kTravel, {}));
}

}  // namespace
}  // namespace fieldserve::dispatch
