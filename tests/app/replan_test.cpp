// Rolling re-planning in the server (docs/decisions.md, "Re-planning and move-up"): when a
// technician resolves a job, they take over a critical job they reach first, and the jobs not yet
// started around it are planned again.
#include "app/sla_ticker.h"
#include "app_fixture.h"

namespace fieldserve::app {
namespace {

using namespace std::chrono_literals;

class ReplanTest : public AppTest {
 protected:
  TechnicianId second = 0;

  // Two critical jobs at the site, both given to the fixture's technician (the only one then):
  // the second is reached after the first's expected 60 minutes on site, past its 45-minute
  // target. Then a second technician standing at the site does a job and resolves it.
  std::pair<JobId, JobId> two_critical_jobs_then_a_second_technician_frees_up() {
    auto first = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                    .severity = Severity::critical,
                                                    .required_skills = {"hvac"}});
    auto late = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                   .severity = Severity::critical,
                                                   .required_skills = {"hvac"}});
    EXPECT_TRUE(first && late);
    EXPECT_EQ(late->technician_id, tech);
    second_technician_at_the_site();
    clock.advance(5min);
    second_does_a_job_at_the_site();
    return {first->id, late->id};
  }

  // The fixture's technician (the only one then) gets a minor job at the site and is on site.
  void fixture_technician_on_site_at_a_minor_job() {
    auto minor = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                    .severity = Severity::minor,
                                                    .required_skills = {"hvac"}});
    ASSERT_TRUE(minor);
    ASSERT_EQ(minor->technician_id, tech);
    for (auto to : {StatusRequest::accepted, StatusRequest::en_route, StatusRequest::on_site}) {
      ASSERT_TRUE(jobs.change_status(dispatcher_who, minor->id, to, std::nullopt, std::nullopt));
    }
  }

  void second_technician_at_the_site() {
    second = store->write([&](store::Tx& tx) {
      Technician t{.name = "Zhang Min", .skills = {"hvac"}, .home_center_id = center};
      t.location = geo::LatLon{31.24, 121.50};
      for (auto& day : t.shift) day = DaySpan{0, 1440};
      return tx.insert_technician(t);
    });
  }

  // A minor job assigned by hand to the second technician, done and resolved: they are free.
  void second_does_a_job_at_the_site() {
    auto own = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                  .severity = Severity::minor,
                                                  .required_skills = {"hvac"},
                                                  .auto_assign = false});
    ASSERT_TRUE(own);
    ASSERT_TRUE(jobs.assign(dispatcher_who, own->id, second, false));
    for (auto to : {StatusRequest::en_route, StatusRequest::on_site, StatusRequest::resolved}) {
      auto moved = jobs.change_status(dispatcher_who, own->id, to, std::nullopt, std::nullopt);
      ASSERT_TRUE(moved) << moved.error().message;
    }
  }
};

TEST_F(ReplanTest, ATechnicianWhoFreesUpTakesTheCriticalJobTheyReachFirst) {
  // The fixture's technician starts from the center, about 3 km from the site (some 6 min of
  // driving); the second is at the site. The more urgent of the two critical jobs (the first,
  // due first) is reached 6 min earlier by the second technician: a take-over. The other one is
  // then the fixture technician's next job, on time: the re-plan after it finds nothing to move.
  auto [first, late] = two_critical_jobs_then_a_second_technician_frees_up();
  auto moved = store->read([&](store::Tx& tx) { return *tx.job(first); });
  EXPECT_EQ(moved.technician_id, second);
  EXPECT_EQ(moved.status, JobStatus::assigned);
  auto events = events_of(first);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, "assigned");
  EXPECT_EQ(events.back().detail, "take-over; from technician " + std::to_string(tech));
  EXPECT_EQ(store->read([&](store::Tx& tx) { return tx.job(late)->technician_id; }), tech);
  // The explanation is of the move, not of the first decision: it names who has the job now.
  EXPECT_EQ(moved.dispatch_reason, "take_over");
  auto explained = jobs.explanation(first);
  ASSERT_TRUE(explained);
  EXPECT_EQ(explained->decision.chosen, second);
  EXPECT_EQ(explained->decision.reason, "take_over");
  EXPECT_EQ(explained->decision.decided_at, clock.now());
  EXPECT_NE(explained->decision.candidates.find(std::to_string(second)), std::string::npos);
}

TEST_F(ReplanTest, WithRollingReplanOffNothingMoves) {
  auto off = policy.policy();
  off.dispatch.rolling_replan = false;
  policy.set_policy(off);
  auto [first, late] = two_critical_jobs_then_a_second_technician_frees_up();
  EXPECT_EQ(store->read([&](store::Tx& tx) { return tx.job(first)->technician_id; }), tech);
  EXPECT_EQ(store->read([&](store::Tx& tx) { return tx.job(late)->technician_id; }), tech);
}

TEST_F(ReplanTest, ATechnicianStillDrivingToACriticalJobIsTurnedBackWhenAnotherIsFreeNearer) {
  // The fixture's technician is driving from the center (about 6 min away) to a critical job.
  // A second technician at the site resolves a minor job there: 0 min away, they take it over.
  auto critical = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                     .severity = Severity::critical,
                                                     .required_skills = {"hvac"}});
  ASSERT_TRUE(critical);
  ASSERT_EQ(critical->technician_id, tech);
  for (auto to : {StatusRequest::accepted, StatusRequest::en_route}) {
    ASSERT_TRUE(jobs.change_status(dispatcher_who, critical->id, to, std::nullopt, std::nullopt));
  }
  second_technician_at_the_site();
  second_does_a_job_at_the_site();
  auto moved = store->read([&](store::Tx& tx) { return *tx.job(critical->id); });
  EXPECT_EQ(moved.technician_id, second);
  EXPECT_EQ(moved.status, JobStatus::assigned);
  auto events = events_of(critical->id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().from_status, JobStatus::en_route);
  EXPECT_EQ(events.back().detail, "take-over; from technician " + std::to_string(tech));
}

TEST_F(ReplanTest, ATakeOverIsNotUndoneByTheReplanOfTheSameEvent) {
  // The fixture's technician is on site at the site, 50 min into a minor job expected to take
  // 60: a critical job at the site goes to them (nobody else). A second technician 1.6 km away
  // frees up: about 4 min of driving against the at least 15 min the first still needs there
  // (half the 30 min spread is the least left of an overrunning job), so they take the critical
  // job over. The re-plan that follows prices by km between two on-time arrivals and would hand
  // it straight back to the first (0 km): the job the event just placed stays where it went.
  ASSERT_NO_FATAL_FAILURE(fixture_technician_on_site_at_a_minor_job());
  clock.advance(50min);
  auto critical = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                     .severity = Severity::critical,
                                                     .required_skills = {"hvac"}});
  ASSERT_TRUE(critical);
  ASSERT_EQ(critical->technician_id, tech);
  // A second job not started, so that the re-plan has something to weigh it against.
  auto queued = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                   .severity = Severity::general,
                                                   .required_skills = {"hvac"}});
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->technician_id, tech);
  second = store->write([&](store::Tx& tx) {
    Technician t{.name = "Zhang Min", .skills = {"hvac"}, .home_center_id = center};
    t.location = geo::LatLon{31.2544, 121.50};
    for (auto& day : t.shift) day = DaySpan{0, 1440};
    return tx.insert_technician(t);
  });
  second_does_a_job_at_the_site();
  auto moved = store->read([&](store::Tx& tx) { return *tx.job(critical->id); });
  EXPECT_EQ(moved.technician_id, second);
  auto events = events_of(critical->id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().detail, "take-over; from technician " + std::to_string(tech));
  for (const auto& e : events) EXPECT_NE(e.detail.rfind("replan", 0), 0u) << e.detail;
}

TEST_F(ReplanTest, TheTickersSweepHandsAJobAtRiskToAnIdleTechnician) {
  // The fixture's technician is on site at a minor job with a serious job queued behind it at
  // the same site. While the minor job runs to plan (60 min expected) the serious one is not at
  // risk. Once the minor job has overrun to 25 min before the serious job's arrival due, the plan
  // has it reached 15 min from now (half the 30 min spread is the least left on an overrunning
  // job): 10 min before the due, inside the 15 min at-risk window. A second technician, idle at
  // the site, takes it at the next sweep.
  ASSERT_NO_FATAL_FAILURE(fixture_technician_on_site_at_a_minor_job());
  auto serious = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                    .severity = Severity::serious,
                                                    .required_skills = {"hvac"}});
  ASSERT_TRUE(serious);
  ASSERT_EQ(serious->technician_id, tech);
  auto due = serious->clock(SlaTarget::arrival).due;
  ASSERT_GT(due - clock.now(), 80min) << "the job must start with room to spare";
  second_technician_at_the_site();
  SlaTicker ticker(*store, writer);
  ticker.sweep_with(dispatcher);
  ticker.run_once();
  EXPECT_EQ(store->read([&](store::Tx& tx) { return tx.job(serious->id)->technician_id; }), tech);

  clock.advance(std::chrono::duration_cast<std::chrono::seconds>(due - clock.now()) - 25min);
  ticker.run_once();
  auto moved = store->read([&](store::Tx& tx) { return *tx.job(serious->id); });
  EXPECT_EQ(moved.technician_id, second);
  auto events = events_of(serious->id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().detail, "rescue; from technician " + std::to_string(tech));
  EXPECT_EQ(moved.dispatch_reason, "rescue");
  EXPECT_EQ(jobs.explanation(serious->id)->decision.chosen, second);
  EXPECT_EQ(events.back().actor, "sla-monitor");
  EXPECT_EQ(LogLines::count_containing("rescued=1"), 1u);
}

}  // namespace
}  // namespace fieldserve::app

namespace fieldserve::app {
namespace {

class MoveUpSearchTest : public AppTest {};

TEST_F(MoveUpSearchTest, ASearchOverTooManyPairsIsRefusedWithTheWayOut) {
  // Three critical calls from one site, not dispatched, and the fixture's technician idle near
  // it: one demand cell, one technician within reach, 1 pair.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                   .severity = Severity::critical,
                                                   .required_skills = {"hvac"},
                                                   .auto_assign = false}));
  }
  auto fits = jobs.move_ups(28, 10, std::nullopt, 1);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->critical_calls, 3);
  EXPECT_EQ(fits->idle_technicians, 1);
  EXPECT_TRUE(fits->moves.empty());  // 3 calls are too few to learn from
  auto refused = jobs.move_ups(28, 10, std::nullopt, 0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::validation_failed);
  EXPECT_NE(refused.error().message.find("center_id"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("1 technician-cell pairs within reach"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(jobs.move_ups(28, 10, CenterId{999}).error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace fieldserve::app
