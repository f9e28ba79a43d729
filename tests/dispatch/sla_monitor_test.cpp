// dispatch/sla_monitor: what the monitor announces and when it looks again, and the durations
// kept with each verdict. Also the named failure modes of SLA engines that live in this logic.
#include <gtest/gtest.h>

#include "dispatch/calendar.h"
#include "dispatch/sla_monitor.h"
#include "dispatch/sla_policy.h"
#include "domain/job_status.h"

namespace fieldserve::dispatch {
namespace {

using namespace std::chrono_literals;

const Instant kReported = from_epoch_s(1'794'990'400);  // 2026-11-18T08:26:40Z, a Wednesday

// A critical job (24×7) 5 km from its center: response 5 min, arrival 45 min, restore 4 h.
Job critical_job() {
  Job job;
  job.id = 7;
  job.severity = Severity::critical;
  job.reported_at = kReported;
  job.status = JobStatus::assigned;
  job.sla = compute_clocks(default_policy().tier(Severity::critical), 5, kReported,
                           AlwaysOpenCalendar{}, 0);
  return job;
}

TEST(SlaMonitor, AnnouncesAtRiskThenBreachedAsTimePasses) {
  auto job = critical_job();
  auto& arrival = job.clock(SlaTarget::arrival);
  job.clock(SlaTarget::response).done_at = kReported + 1min;
  job.clock(SlaTarget::restore).done_at = std::nullopt;

  auto first = take_announcements(job, kReported + 2min);
  ASSERT_EQ(first.size(), 1u);  // the response, met
  EXPECT_EQ(first[0].target, SlaTarget::response);
  EXPECT_EQ(first[0].to, SlaState::met);
  // 75 % of 45 minutes: at risk 33:45 after the report.
  EXPECT_EQ(arrival.at_risk_at, kReported + 33min + 45s);
  EXPECT_EQ(job.sla_next_check, arrival.at_risk_at);

  auto second = take_announcements(job, arrival.at_risk_at);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].target, SlaTarget::arrival);
  EXPECT_EQ(second[0].from, SlaState::pending);
  EXPECT_EQ(second[0].to, SlaState::at_risk);
  EXPECT_EQ(second[0].at, arrival.at_risk_at);
  EXPECT_EQ(job.sla_next_check, arrival.due + 1s);

  EXPECT_TRUE(take_announcements(job, arrival.due).empty()) << "due itself still meets the target";
  auto third = take_announcements(job, arrival.due + 1s);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].to, SlaState::breached);
  EXPECT_EQ(third[0].at, arrival.due + 1s);
  // Restore's thresholds remain.
  EXPECT_EQ(job.sla_next_check, job.clock(SlaTarget::restore).at_risk_at);
  EXPECT_TRUE(take_announcements(job, arrival.due + 2s).empty()) << "nothing is announced twice";
}

TEST(SlaMonitor, ALateDeviceEventTurnsABreachedArrivalBackToMet) {
  auto job = critical_job();
  auto& arrival = job.clock(SlaTarget::arrival);
  take_announcements(job, arrival.due + 3h);
  ASSERT_EQ(arrival.announced, SlaState::breached);
  // The tablet was offline: it arrived on time and says so three hours later.
  arrival.done_at = arrival.due - 5min;
  auto changes = take_announcements(job, arrival.due + 3h);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from, SlaState::breached);
  EXPECT_EQ(changes[0].to, SlaState::met);
  EXPECT_EQ(changes[0].at, arrival.due - 5min);
}

TEST(SlaMonitor, ACancelledJobsOpenTargetsAreVoidAndNotWatched) {
  auto job = critical_job();
  job.clock(SlaTarget::response).done_at = kReported + 1min;
  job.status = JobStatus::cancelled;
  EXPECT_FALSE(is_void(job, SlaTarget::response));
  EXPECT_TRUE(is_void(job, SlaTarget::arrival));
  auto changes = take_announcements(job, kReported + 10h);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].target, SlaTarget::response);
  EXPECT_FALSE(job.sla_next_check.has_value());
}

TEST(SlaMonitor, NextCheckIsNeverInThePast) {
  auto job = critical_job();
  Instant now = job.clock(SlaTarget::restore).due + 1h;  // every threshold has passed
  take_announcements(job, now);
  EXPECT_FALSE(job.sla_next_check.has_value());
  EXPECT_FALSE(next_sla_check(job, now).has_value());
}

// Failure mode: a hold that ends in the same minute the job is resolved. Engines that count in
// whole minutes, or close the pause only when the next minute starts, drop or double the pause.
TEST(SlaMonitor, AHoldEndingInTheMinuteTheJobIsResolvedCountsExactly) {
  AlwaysOpenCalendar always;
  auto job = critical_job();
  auto counted = [&](Instant a, Instant b) { return always.elapsed(a, b); };
  job.status = JobStatus::on_site;
  job.clock(SlaTarget::arrival).done_at = kReported + 30min;
  apply_status_change(job, {JobStatus::on_hold, HoldReason::waiting_parts}, kReported + 60min,
                      counted);
  Instant resumed = kReported + 3h + 20s;  // 08:26:40 + 3 h 00:20 = 11:27:00
  apply_status_change(job, {JobStatus::on_site, std::nullopt}, resumed, counted);
  EXPECT_EQ(job.paused_s, 2 * 3600 + 20);
  Instant resolved = resumed + 30s;  // the same minute
  apply_status_change(job, {JobStatus::resolved, std::nullopt}, resolved, counted);
  settle_durations(job, always);
  // Worked: 60 min before the hold and 30 s after it.
  EXPECT_EQ(job.clock(SlaTarget::restore).taken_s, 3600 + 30);
  auto clocks = compute_clocks(default_policy().tier(Severity::critical), 5, kReported, always,
                               job.paused_s);
  EXPECT_EQ(clocks[2].due, kReported + 4h + 2h + 20s);
}

TEST(SlaMonitor, OnHoldTheRestoreClockStopsWhereTheHoldBegan) {
  auto job = critical_job();
  auto& restore = job.clock(SlaTarget::restore);
  job.status = JobStatus::on_hold;
  job.hold_started_at = kReported + 1h;
  Instant much_later = restore.due + 10h;
  EXPECT_EQ(target_state(job, SlaTarget::restore, much_later), SlaState::pending);
  EXPECT_EQ(target_state(job, SlaTarget::arrival, much_later), SlaState::breached);
  take_announcements(job, much_later);
  EXPECT_EQ(restore.announced, SlaState::pending);
  EXPECT_FALSE(job.sla_next_check.has_value()) << "no restore threshold comes while on hold";
  // A hold that begins after the due does not hide the breach.
  job.hold_started_at = restore.due + 1h;
  EXPECT_EQ(target_state(job, SlaTarget::restore, much_later), SlaState::breached);
}

TEST(SlaMonitor, AHoldBegunAfterTheRestoreDueDoesNotExtendIt) {
  AlwaysOpenCalendar always;
  auto job = critical_job();
  auto counted = [&](Instant a, Instant b) { return always.elapsed(a, b); };
  job.status = JobStatus::on_site;
  Instant due = job.clock(SlaTarget::restore).due;
  apply_status_change(job, {JobStatus::on_hold, HoldReason::waiting_customer}, due, counted);
  apply_status_change(job, {JobStatus::on_site, std::nullopt}, due + 2h, counted);
  EXPECT_EQ(job.paused_s, 0) << "the hold began when the target was already reached";
  apply_status_change(job, {JobStatus::on_hold, HoldReason::waiting_parts}, due + 3h, counted);
  apply_status_change(job, {JobStatus::on_site, std::nullopt}, due + 4h, counted);
  EXPECT_EQ(job.paused_s, 0);
}

TEST(SlaMonitor, DurationsCountOnlyBusinessHoursAcrossAWeekend) {
  WeeklyHours week{};
  for (int d = 0; d < 5; ++d) week[d] = DaySpan{8 * 60, 18 * 60};
  auto berlin = BusinessHoursCalendar::create("Europe/Berlin", week);
  ASSERT_TRUE(berlin.has_value());
  Job job;
  // Friday 2026-11-20 17:00 CET (16:00Z) to Monday 2026-11-23 09:00 CET (08:00Z).
  job.reported_at = from_epoch_s(1'795'190'400);
  job.clock(SlaTarget::response).done_at = from_epoch_s(1'795'190'400 + 64 * 3600);
  settle_durations(job, **berlin);
  EXPECT_EQ(job.clock(SlaTarget::response).taken_s, 2 * 3600);
  EXPECT_FALSE(job.clock(SlaTarget::arrival).taken_s.has_value()) << "not done: no duration";
}

// Failure mode: a daylight-saving change inside a business day. A London center open all Sunday
// counts 25 hours on 25 October 2026 (clocks go back at 02:00), so a 24-hour business target
// started at local midnight is due at 23:00 local, not at midnight.
TEST(SlaMonitor, ADaylightSavingChangeInsideABusinessDay) {
  WeeklyHours sundays{};
  sundays[6] = DaySpan{0, 24 * 60};
  auto london = BusinessHoursCalendar::create("Europe/London", sundays);
  ASSERT_TRUE(london.has_value());
  Instant midnight_bst = from_epoch_s(1'792'882'800);  // 2026-10-24T23:00:00Z = Sunday 00:00 BST
  EXPECT_EQ((*london)->add(midnight_bst, 24 * 3600), midnight_bst + 24h);  // Sunday 23:00 GMT
  EXPECT_EQ((*london)->elapsed(midnight_bst, midnight_bst + 25h), 25 * 3600);
  EXPECT_EQ((*london)->elapsed(midnight_bst, midnight_bst + 26h), 25 * 3600) << "Monday is closed";
}

// docs/sla.md's worked example, step by step: a general job at a Frankfurt site 20 km out,
// reported on a Friday afternoon, with a hold for parts from Monday to Tuesday.
TEST(SlaMonitor, TheWorkedExampleOfDocsSlaMd) {
  WeeklyHours week{};
  for (int d = 0; d < 5; ++d) week[d] = DaySpan{8 * 60, 18 * 60};
  auto berlin = BusinessHoursCalendar::create("Europe/Berlin", week);
  ASSERT_TRUE(berlin.has_value());
  const auto& cal = **berlin;
  // Frankfurt local time (CET, UTC+1) on day `d` after Friday 2026-11-20.
  auto cet = [](int d, int hh, int mm) {
    return from_epoch_s(1'795'132'800 + d * 86400 + (hh - 1) * 3600 + mm * 60);
  };
  const auto policy = default_policy();
  const auto& tier = policy.tier(Severity::general);
  Job job;
  job.severity = Severity::general;
  job.reported_at = cet(0, 16, 30);
  job.sla = compute_clocks(tier, 20, job.reported_at, cal, 0);
  EXPECT_EQ(job.clock(SlaTarget::response).due, cet(0, 17, 0));
  EXPECT_EQ(job.clock(SlaTarget::arrival).due, cet(3, 12, 30));
  EXPECT_EQ(job.clock(SlaTarget::arrival).at_risk_at, cet(3, 11, 0));
  EXPECT_EQ(job.clock(SlaTarget::restore).due, cet(5, 10, 30));

  auto counted = [&](Instant a, Instant b) { return cal.elapsed(a, b); };
  job.clock(SlaTarget::response).done_at = cet(0, 16, 50);
  job.status = JobStatus::en_route;
  apply_status_change(job, {JobStatus::on_site, std::nullopt}, cet(3, 11, 40), counted);
  apply_status_change(job, {JobStatus::on_hold, HoldReason::waiting_parts}, cet(3, 15, 0), counted);
  apply_status_change(job, {JobStatus::on_site, std::nullopt}, cet(4, 10, 0), counted);
  EXPECT_EQ(job.paused_s, 300 * 60);
  auto resumed = compute_clocks(tier, 20, job.reported_at, cal, job.paused_s);
  job.clock(SlaTarget::restore) = resumed[2];  // what the server does when a hold ends
  EXPECT_EQ(job.clock(SlaTarget::restore).due, cet(5, 15, 30));
  EXPECT_EQ(job.clock(SlaTarget::restore).at_risk_at, cet(5, 9, 30));
  apply_status_change(job, {JobStatus::resolved, std::nullopt}, cet(5, 14, 0), counted);
  settle_durations(job, cal);
  EXPECT_EQ(job.clock(SlaTarget::response).taken_s, 20 * 60);
  EXPECT_EQ(job.clock(SlaTarget::arrival).taken_s, 310 * 60);
  EXPECT_EQ(job.clock(SlaTarget::restore).taken_s, 1350 * 60);
  for (SlaTarget t : kSlaTargets) {
    EXPECT_EQ(target_state(job, t, cet(6, 0, 0)), SlaState::met) << to_string(t);
  }
}

}  // namespace
}  // namespace fieldserve::dispatch
