// domain/job_status: the job lifecycle of the domain model — which moves are allowed, and what
// applying one does to the hold bookkeeping and the SLA done times.
#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <utility>
#include <vector>

#include "domain/job_status.h"

namespace fieldserve {
// Failure messages print the wire name, not the enum's bytes.
inline void PrintTo(JobStatus s, std::ostream* os) { *os << to_string(s); }

namespace {

using namespace std::chrono_literals;

const Instant kT0 = from_epoch_s(1'790'000'000);

Job job_in(JobStatus status, JobKind kind = JobKind::repair) {
  Job j;
  j.id = 42;
  j.kind = kind;
  j.status = status;
  // Holds in these tests begin before the restore due, so they extend it.
  j.clock(SlaTarget::restore).due = kT0 + std::chrono::hours{1000};
  return j;
}

// Hold durations counted by a fake calendar: records each call and answers a fixed value so the
// test can tell the callback's answer apart from wall-clock seconds.
struct CountedSpy {
  std::vector<std::pair<Instant, Instant>> calls;
  std::int64_t answer = 0;
  std::function<std::int64_t(Instant, Instant)> fn() {
    return [this](Instant a, Instant b) {
      calls.emplace_back(a, b);
      return answer;
    };
  }
};

const auto kNoCount = [](Instant, Instant) -> std::int64_t { return 0; };

// Plans and applies in one step; fails the test if the plan is refused.
void transition(Job& job, StatusRequest r, Instant at,
                std::optional<HoldReason> reason = std::nullopt,
                const std::function<std::int64_t(Instant, Instant)>& counted = kNoCount) {
  auto change = plan_status_change(job, r, reason);
  ASSERT_TRUE(change.has_value()) << change.error().message;
  apply_status_change(job, *change, at, counted);
}

ErrorCode refusal(JobStatus from, StatusRequest r, JobKind kind = JobKind::repair,
                  std::optional<HoldReason> reason = std::nullopt) {
  auto change = plan_status_change(job_in(from, kind), r, reason);
  EXPECT_FALSE(change.has_value()) << "expected a refusal";
  return change.has_value() ? ErrorCode::internal : change.error().code;
}

// ---- forward moves ----

TEST(PlanStatusChange, EachForwardStepIsAllowed) {
  const std::vector<std::tuple<JobStatus, StatusRequest, JobStatus>> steps{
      {JobStatus::assigned, StatusRequest::accepted, JobStatus::accepted},
      {JobStatus::accepted, StatusRequest::en_route, JobStatus::en_route},
      {JobStatus::en_route, StatusRequest::on_site, JobStatus::on_site},
      {JobStatus::on_site, StatusRequest::resolved, JobStatus::resolved}};
  for (const auto& [from, request, to] : steps) {
    auto change = plan_status_change(job_in(from), request, std::nullopt);
    ASSERT_TRUE(change.has_value()) << to_string(from);
    EXPECT_EQ(change->to, to);
    EXPECT_EQ(change->hold_reason, std::nullopt);
  }
}

TEST(PlanStatusChange, ForwardSkipsAreAllowed) {
  EXPECT_EQ(plan_status_change(job_in(JobStatus::assigned), StatusRequest::on_site, {}).value().to,
            JobStatus::on_site);
  EXPECT_EQ(plan_status_change(job_in(JobStatus::assigned), StatusRequest::resolved, {}).value().to,
            JobStatus::resolved);
  EXPECT_EQ(plan_status_change(job_in(JobStatus::accepted), StatusRequest::on_site, {}).value().to,
            JobStatus::on_site);
}

TEST(PlanStatusChange, GoingBackwardsIsAnInvalidTransition) {
  EXPECT_EQ(refusal(JobStatus::resolved, StatusRequest::en_route), ErrorCode::invalid_transition);
  EXPECT_EQ(refusal(JobStatus::on_site, StatusRequest::accepted), ErrorCode::invalid_transition);
  EXPECT_EQ(refusal(JobStatus::en_route, StatusRequest::accepted), ErrorCode::invalid_transition);
}

TEST(PlanStatusChange, RepeatingTheCurrentStatusIsAnInvalidTransition) {
  EXPECT_EQ(refusal(JobStatus::on_site, StatusRequest::on_site), ErrorCode::invalid_transition);
  EXPECT_EQ(refusal(JobStatus::accepted, StatusRequest::accepted), ErrorCode::invalid_transition);
}

TEST(PlanStatusChange, RefusalMessageNamesBothEnds) {
  auto change = plan_status_change(job_in(JobStatus::resolved), StatusRequest::en_route, {});
  ASSERT_FALSE(change.has_value());
  EXPECT_NE(change.error().message.find("resolved"), std::string::npos);
  EXPECT_NE(change.error().message.find("en_route"), std::string::npos);
}

TEST(PlanStatusChange, NothingMovesForwardFromNewOrFromAFinishedJob) {
  for (JobStatus from :
       {JobStatus::new_, JobStatus::signed_off, JobStatus::closed, JobStatus::cancelled}) {
    for (StatusRequest r : {StatusRequest::accepted, StatusRequest::en_route,
                            StatusRequest::on_site, StatusRequest::resolved}) {
      EXPECT_EQ(refusal(from, r), ErrorCode::invalid_transition) << to_string(from);
    }
  }
}

TEST(PlanStatusChange, AJobOnHoldMustResumeBeforeMovingOn) {
  EXPECT_EQ(refusal(JobStatus::on_hold, StatusRequest::on_site), ErrorCode::invalid_transition);
  EXPECT_EQ(refusal(JobStatus::on_hold, StatusRequest::resolved), ErrorCode::invalid_transition);
}

// ---- on_hold and resumed ----

TEST(PlanStatusChange, OnHoldNeedsAReason) {
  EXPECT_EQ(refusal(JobStatus::on_site, StatusRequest::on_hold), ErrorCode::validation_failed);
}

TEST(PlanStatusChange, OnHoldIsAllowedFromAcceptedEnRouteAndOnSite) {
  for (JobStatus from : {JobStatus::accepted, JobStatus::en_route, JobStatus::on_site}) {
    auto change = plan_status_change(job_in(from), StatusRequest::on_hold,
                                     HoldReason::waiting_customer);
    ASSERT_TRUE(change.has_value()) << to_string(from);
    EXPECT_EQ(change->to, JobStatus::on_hold);
    EXPECT_EQ(change->hold_reason, HoldReason::waiting_customer);
  }
}

TEST(PlanStatusChange, OnHoldIsRefusedFromEveryOtherStatus) {
  for (JobStatus from :
       {JobStatus::new_, JobStatus::assigned, JobStatus::on_hold, JobStatus::resolved,
        JobStatus::signed_off, JobStatus::closed, JobStatus::cancelled}) {
    EXPECT_EQ(refusal(from, StatusRequest::on_hold, JobKind::repair, HoldReason::waiting_parts),
              ErrorCode::invalid_transition)
        << to_string(from);
  }
}

TEST(PlanStatusChange, ResumedIsRefusedWhenNotOnHold) {
  EXPECT_EQ(refusal(JobStatus::on_site, StatusRequest::resumed), ErrorCode::invalid_transition);
  EXPECT_EQ(refusal(JobStatus::assigned, StatusRequest::resumed), ErrorCode::invalid_transition);
  // On hold but with no record of where it came from: nowhere to resume to.
  EXPECT_EQ(refusal(JobStatus::on_hold, StatusRequest::resumed), ErrorCode::invalid_transition);
}

TEST(ApplyStatusChange, OnHoldRecordsReasonPreviousStatusAndStart) {
  Job job = job_in(JobStatus::en_route);
  transition(job, StatusRequest::on_hold, kT0, HoldReason::waiting_parts);
  EXPECT_EQ(job.status, JobStatus::on_hold);
  EXPECT_EQ(job.hold_reason, HoldReason::waiting_parts);
  EXPECT_EQ(job.status_before_hold, JobStatus::en_route);
  EXPECT_EQ(job.hold_started_at, kT0);
  EXPECT_EQ(job.paused_s, 0);
}

TEST(ApplyStatusChange, ResumedReturnsToTheStatusBeforeTheHold) {
  for (JobStatus before : {JobStatus::accepted, JobStatus::en_route, JobStatus::on_site}) {
    Job job = job_in(before);
    transition(job, StatusRequest::on_hold, kT0, HoldReason::waiting_customer);
    transition(job, StatusRequest::resumed, kT0 + 1h);
    EXPECT_EQ(job.status, before);
    EXPECT_EQ(job.hold_reason, std::nullopt);
    EXPECT_EQ(job.status_before_hold, std::nullopt);
    EXPECT_EQ(job.hold_started_at, std::nullopt);
  }
}

TEST(ApplyStatusChange, ResumingAddsTheSecondsTheCalendarCounts) {
  Job job = job_in(JobStatus::on_site);
  CountedSpy spy;
  spy.answer = 1234;  // deliberately not the 7200 wall-clock seconds of the hold
  transition(job, StatusRequest::on_hold, kT0, HoldReason::waiting_parts, spy.fn());
  EXPECT_TRUE(spy.calls.empty());
  transition(job, StatusRequest::resumed, kT0 + 2h, std::nullopt, spy.fn());
  ASSERT_EQ(spy.calls.size(), 1u);
  EXPECT_EQ(spy.calls[0].first, kT0);
  EXPECT_EQ(spy.calls[0].second, kT0 + 2h);
  EXPECT_EQ(job.paused_s, 1234);
}

TEST(ApplyStatusChange, PausesAccumulateOverSeveralHolds) {
  Job job = job_in(JobStatus::on_site);
  job.paused_s = 100;
  auto wall = [](Instant a, Instant b) { return (b - a).count(); };
  transition(job, StatusRequest::on_hold, kT0, HoldReason::waiting_parts, wall);
  transition(job, StatusRequest::resumed, kT0 + 10min, std::nullopt, wall);
  transition(job, StatusRequest::on_hold, kT0 + 1h, HoldReason::waiting_customer, wall);
  transition(job, StatusRequest::resumed, kT0 + 1h + 5min, std::nullopt, wall);
  EXPECT_EQ(job.paused_s, 100 + 600 + 300);
}

// ---- closing ----

TEST(PlanStatusChange, InstallationCannotCloseBeforeSignOff) {
  EXPECT_EQ(refusal(JobStatus::resolved, StatusRequest::closed, JobKind::installation),
            ErrorCode::invalid_transition);
  EXPECT_EQ(refusal(JobStatus::on_site, StatusRequest::closed, JobKind::installation),
            ErrorCode::invalid_transition);
  auto change = plan_status_change(job_in(JobStatus::signed_off, JobKind::installation),
                                   StatusRequest::closed, {});
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->to, JobStatus::closed);
}

TEST(PlanStatusChange, RepairClosesAfterResolved) {
  for (JobKind kind : {JobKind::repair, JobKind::maintenance, JobKind::inspection}) {
    auto change = plan_status_change(job_in(JobStatus::resolved, kind), StatusRequest::closed, {});
    ASSERT_TRUE(change.has_value()) << to_string(kind);
    EXPECT_EQ(change->to, JobStatus::closed);
  }
  EXPECT_TRUE(plan_status_change(job_in(JobStatus::signed_off), StatusRequest::closed, {}));
}

TEST(PlanStatusChange, RepairCannotCloseBeforeResolved) {
  for (JobStatus from : {JobStatus::new_, JobStatus::assigned, JobStatus::on_site,
                         JobStatus::on_hold, JobStatus::closed, JobStatus::cancelled}) {
    EXPECT_EQ(refusal(from, StatusRequest::closed), ErrorCode::invalid_transition)
        << to_string(from);
  }
}

// ---- SLA done times ----

TEST(ApplyStatusChange, FirstOnSiteSetsArrivalDone) {
  Job job = job_in(JobStatus::en_route);
  transition(job, StatusRequest::on_site, kT0);
  EXPECT_EQ(job.clock(SlaTarget::arrival).done_at, kT0);
  EXPECT_EQ(job.clock(SlaTarget::restore).done_at, std::nullopt);
  EXPECT_EQ(job.clock(SlaTarget::response).done_at, std::nullopt);
}

TEST(ApplyStatusChange, ReturningOnSiteAfterAHoldKeepsTheFirstArrival) {
  Job job = job_in(JobStatus::en_route);
  transition(job, StatusRequest::on_site, kT0);
  transition(job, StatusRequest::on_hold, kT0 + 1h, HoldReason::waiting_parts);
  transition(job, StatusRequest::resumed, kT0 + 3h);
  EXPECT_EQ(job.status, JobStatus::on_site);
  EXPECT_EQ(job.clock(SlaTarget::arrival).done_at, kT0);
}

TEST(ApplyStatusChange, ResolvedSetsRestoreDoneAndDoesNotOverwriteIt) {
  Job job = job_in(JobStatus::on_site);
  transition(job, StatusRequest::resolved, kT0 + 2h);
  EXPECT_EQ(job.clock(SlaTarget::restore).done_at, kT0 + 2h);

  Job again = job_in(JobStatus::on_site);
  again.clock(SlaTarget::restore).done_at = kT0;
  apply_status_change(again, StatusChange{JobStatus::resolved, {}}, kT0 + 5h, kNoCount);
  EXPECT_EQ(again.clock(SlaTarget::restore).done_at, kT0);
}

TEST(ApplyStatusChange, ResolvedWithoutOnSiteCountsAsArrivedThen) {
  Job job = job_in(JobStatus::accepted);
  transition(job, StatusRequest::resolved, kT0 + 3h);
  EXPECT_EQ(job.clock(SlaTarget::arrival).done_at, kT0 + 3h);
  EXPECT_EQ(job.clock(SlaTarget::restore).done_at, kT0 + 3h);
}

TEST(ApplyStatusChange, OtherMovesLeaveDoneTimesAlone) {
  Job job = job_in(JobStatus::assigned);
  transition(job, StatusRequest::accepted, kT0);
  transition(job, StatusRequest::en_route, kT0 + 1min);
  for (SlaTarget t : kSlaTargets) EXPECT_EQ(job.clock(t).done_at, std::nullopt) << to_string(t);
}

// ---- predicates ----

TEST(JobStatusPredicates, CanCancelAnyStateBeforeResolved) {
  for (JobStatus s : {JobStatus::new_, JobStatus::assigned, JobStatus::accepted,
                      JobStatus::en_route, JobStatus::on_site, JobStatus::on_hold}) {
    EXPECT_TRUE(can_cancel(s)) << to_string(s);
  }
  for (JobStatus s :
       {JobStatus::resolved, JobStatus::signed_off, JobStatus::closed, JobStatus::cancelled}) {
    EXPECT_FALSE(can_cancel(s)) << to_string(s);
  }
}

TEST(JobStatusPredicates, CanReassignOnlyBeforeOnSite) {
  for (JobStatus s :
       {JobStatus::new_, JobStatus::assigned, JobStatus::accepted, JobStatus::en_route}) {
    EXPECT_TRUE(can_reassign(s)) << to_string(s);
  }
  for (JobStatus s : {JobStatus::on_site, JobStatus::resolved, JobStatus::signed_off,
                      JobStatus::closed, JobStatus::cancelled}) {
    EXPECT_FALSE(can_reassign(s)) << to_string(s);
  }
}

TEST(JobStatusPredicates, IsOpenCountsAssignedUntilResolved) {
  for (JobStatus s : {JobStatus::assigned, JobStatus::accepted, JobStatus::en_route,
                      JobStatus::on_site, JobStatus::on_hold}) {
    EXPECT_TRUE(is_open(s)) << to_string(s);
  }
  for (JobStatus s : {JobStatus::new_, JobStatus::resolved, JobStatus::signed_off,
                      JobStatus::closed, JobStatus::cancelled}) {
    EXPECT_FALSE(is_open(s)) << to_string(s);
  }
}

TEST(JobStatusPredicates, IsStartedOnceTheTechnicianLeaves) {
  for (JobStatus s : {JobStatus::new_, JobStatus::assigned, JobStatus::accepted}) {
    EXPECT_FALSE(is_started(s)) << to_string(s);
  }
  for (JobStatus s : {JobStatus::en_route, JobStatus::on_site, JobStatus::resolved}) {
    EXPECT_TRUE(is_started(s)) << to_string(s);
  }
}

TEST(ParseStatusRequest, KnowsTheSevenRequestsAndNothingElse) {
  EXPECT_EQ(parse_status_request("accepted"), StatusRequest::accepted);
  EXPECT_EQ(parse_status_request("en_route"), StatusRequest::en_route);
  EXPECT_EQ(parse_status_request("on_site"), StatusRequest::on_site);
  EXPECT_EQ(parse_status_request("on_hold"), StatusRequest::on_hold);
  EXPECT_EQ(parse_status_request("resumed"), StatusRequest::resumed);
  EXPECT_EQ(parse_status_request("resolved"), StatusRequest::resolved);
  EXPECT_EQ(parse_status_request("closed"), StatusRequest::closed);
  for (const char* s : {"new", "assigned", "signed_off", "cancelled", "Resolved", "", "resume"}) {
    EXPECT_EQ(parse_status_request(s), std::nullopt) << s;
  }
}

}  // namespace
}  // namespace fieldserve
