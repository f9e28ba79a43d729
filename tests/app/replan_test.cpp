// Rolling re-planning in the server (docs/decisions.md, "Re-planning and move-up"): when a
// technician resolves a job, they take over a critical job they reach first, and the jobs not yet
// started around it are planned again.
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
    second = store->write([&](store::Tx& tx) {
      Technician t{.name = "Zhang Min", .skills = {"hvac"}, .home_center_id = center};
      t.location = geo::LatLon{31.24, 121.50};
      for (auto& day : t.shift) day = DaySpan{0, 1440};
      return tx.insert_technician(t);
    });
    auto own = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                  .severity = Severity::minor,
                                                  .required_skills = {"hvac"},
                                                  .auto_assign = false});
    EXPECT_TRUE(own);
    EXPECT_TRUE(jobs.assign(dispatcher_who, own->id, second, false));
    clock.advance(5min);
    for (auto to : {StatusRequest::en_route, StatusRequest::on_site, StatusRequest::resolved}) {
      auto moved = jobs.change_status(dispatcher_who, own->id, to, std::nullopt, std::nullopt);
      EXPECT_TRUE(moved) << moved.error().message;
    }
    return {first->id, late->id};
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
}

TEST_F(ReplanTest, WithRollingReplanOffNothingMoves) {
  auto off = policy.policy();
  off.dispatch.rolling_replan = false;
  policy.set_policy(off);
  auto [first, late] = two_critical_jobs_then_a_second_technician_frees_up();
  EXPECT_EQ(store->read([&](store::Tx& tx) { return tx.job(first)->technician_id; }), tech);
  EXPECT_EQ(store->read([&](store::Tx& tx) { return tx.job(late)->technician_id; }), tech);
}

}  // namespace
}  // namespace fieldserve::app
