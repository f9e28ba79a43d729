// dispatch/sla_policy: the docs/sla.md default table, policy validation, distance bands, due times
// and the state of a target at a given instant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dispatch/calendar.h"
#include "dispatch/sla_policy.h"

namespace fieldserve {
// Failure messages print the wire name, not the enum's bytes.
inline void PrintTo(SlaState s, std::ostream* os) { *os << to_string(s); }
}  // namespace fieldserve

namespace fieldserve::dispatch {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr int kHour = 60;  // minutes

// ---- default_policy: docs/sla.md written out by hand ----

struct Row {
  Severity tier;
  int response_min;
  int arrive[4];  // ≤10 km, ≤30 km, ≤60 km, beyond
  int restore[4];
  CalendarKind calendar;
  double radius_km;
};

const Row kSpecTable[] = {
    {Severity::critical,
     5,
     {45, 90, 150, 240},
     {4 * kHour, 5 * kHour, 6 * kHour, 8 * kHour},
     CalendarKind::always,
     60},
    {Severity::serious,
     15,
     {90, 150, 240, 360},
     {8 * kHour, 10 * kHour, 12 * kHour, 16 * kHour},
     CalendarKind::always,
     80},
    {Severity::general,
     30,
     {4 * kHour, 6 * kHour, 8 * kHour, 24 * kHour},
     {24 * kHour, 24 * kHour, 32 * kHour, 48 * kHour},
     CalendarKind::business_hours,
     100},
    {Severity::minor,
     60,
     {8 * kHour, 24 * kHour, 48 * kHour, 72 * kHour},
     {72 * kHour, 72 * kHour, 96 * kHour, 120 * kHour},
     CalendarKind::business_hours,
     150},
};

TEST(DefaultPolicy, EqualsTheSpecTable) {
  const SlaPolicy p = default_policy();
  const std::optional<double> limits[4] = {10.0, 30.0, 60.0, std::nullopt};
  for (const Row& row : kSpecTable) {
    SCOPED_TRACE(std::string(to_string(row.tier)));
    const TierPolicy& t = p.tier(row.tier);
    EXPECT_EQ(t.response_minutes, row.response_min);
    EXPECT_EQ(t.calendar, row.calendar);
    EXPECT_EQ(t.dispatch_radius_km, row.radius_km);
    ASSERT_EQ(t.bands.size(), 4u);
    for (int b = 0; b < 4; ++b) {
      EXPECT_EQ(t.bands[b].max_km, limits[b]) << "band " << b;
      EXPECT_EQ(t.bands[b].arrival_minutes, row.arrive[b]) << "band " << b;
      EXPECT_EQ(t.bands[b].restore_minutes, row.restore[b]) << "band " << b;
    }
  }
}

TEST(DefaultPolicy, IsValid) { EXPECT_TRUE(validate(default_policy()).has_value()); }

// ---- validate: each broken rule is reported ----

std::vector<std::string> problems(const SlaPolicy& p) {
  auto r = validate(p);
  if (r.has_value()) return {};
  EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
  return r.error().details;
}

TEST(ValidatePolicy, RejectsBandsThatDoNotAscend) {
  SlaPolicy p = default_policy();
  p.tiers[0].bands[2].max_km = 20.0;  // 10, 30, 20, beyond
  EXPECT_THAT(problems(p), ::testing::ElementsAre(HasSubstr("critical.bands[2]")));
  EXPECT_THAT(problems(p)[0], HasSubstr("ascending"));
}

TEST(ValidatePolicy, RejectsTwoBandsWithTheSameLimit) {
  SlaPolicy p = default_policy();
  p.tiers[1].bands[1].max_km = 10.0;
  EXPECT_THAT(problems(p), ::testing::ElementsAre(HasSubstr("serious.bands[1]")));
}

TEST(ValidatePolicy, RejectsABoundedLastBand) {
  SlaPolicy p = default_policy();
  p.tiers[2].bands[3].max_km = 100.0;
  EXPECT_THAT(problems(p), ::testing::ElementsAre(HasSubstr("general.bands[3]")));
  EXPECT_THAT(problems(p)[0], HasSubstr("last band"));
}

TEST(ValidatePolicy, RejectsAnUnboundedBandInTheMiddle) {
  SlaPolicy p = default_policy();
  p.tiers[3].bands[1].max_km = std::nullopt;
  EXPECT_THAT(problems(p), ::testing::ElementsAre(HasSubstr("minor.bands[1]")));
  EXPECT_THAT(problems(p)[0], HasSubstr("only the last band"));
}

TEST(ValidatePolicy, RejectsArrivalLongerThanRestore) {
  SlaPolicy p = default_policy();
  p.tiers[0].bands[0].arrival_minutes = 241;  // restore is 240
  EXPECT_THAT(problems(p), ::testing::ElementsAre(HasSubstr("arrival_minutes must not exceed")));
}

TEST(ValidatePolicy, AcceptsArrivalEqualToRestore) {
  SlaPolicy p = default_policy();
  p.tiers[0].bands[0].arrival_minutes = 240;
  EXPECT_TRUE(validate(p).has_value());
}

TEST(ValidatePolicy, RejectsZeroAndNegativeTargets) {
  SlaPolicy zero_arrival = default_policy();
  zero_arrival.tiers[0].bands[0].arrival_minutes = 0;
  EXPECT_THAT(problems(zero_arrival),
              ::testing::ElementsAre(HasSubstr("targets must be positive")));

  SlaPolicy negative_restore = default_policy();
  negative_restore.tiers[1].bands[3].restore_minutes = -5;
  EXPECT_THAT(problems(negative_restore),
              ::testing::Contains(HasSubstr("targets must be positive")));

  SlaPolicy zero_response = default_policy();
  zero_response.tiers[2].response_minutes = 0;
  EXPECT_THAT(problems(zero_response), ::testing::ElementsAre(HasSubstr("general: response")));

  SlaPolicy negative_response = default_policy();
  negative_response.tiers[3].response_minutes = -1;
  EXPECT_THAT(problems(negative_response), ::testing::ElementsAre(HasSubstr("minor: response")));
}

TEST(ValidatePolicy, RejectsARadiusOfZeroOrLess) {
  for (double radius : {0.0, -10.0, std::numeric_limits<double>::quiet_NaN()}) {
    SlaPolicy p = default_policy();
    p.tiers[1].dispatch_radius_km = radius;
    EXPECT_THAT(problems(p), ::testing::ElementsAre(HasSubstr("serious: dispatch_radius_km")))
        << radius;
  }
}

TEST(ValidatePolicy, RejectsATierWithNoBands) {
  SlaPolicy p = default_policy();
  p.tiers[2].bands.clear();
  EXPECT_THAT(problems(p), ::testing::ElementsAre(HasSubstr("general: needs at least one band")));
}

TEST(ValidatePolicy, AcceptsASingleUnboundedBand) {
  SlaPolicy p = default_policy();
  p.tiers[3].bands = {DistanceBand{std::nullopt, 60, 120}};
  EXPECT_TRUE(validate(p).has_value());
}

TEST(ValidatePolicy, ReportsEveryProblemNotJustTheFirst) {
  SlaPolicy p = default_policy();
  p.tiers[0].dispatch_radius_km = 0;
  p.tiers[3].bands[3].max_km = 500.0;
  EXPECT_EQ(problems(p).size(), 2u);
}

// ---- band_for ----

TEST(BandFor, ExactlyTenKmIsInTheTenKmBand) {
  const TierPolicy t = default_policy().tier(Severity::critical);
  EXPECT_EQ(band_for(t, 10.0).max_km, 10.0);
  EXPECT_EQ(band_for(t, 10.0).arrival_minutes, 45);
}

TEST(BandFor, JustPastTenKmIsInTheThirtyKmBand) {
  const TierPolicy t = default_policy().tier(Severity::critical);
  EXPECT_EQ(band_for(t, 10.0001).max_km, 30.0);
  EXPECT_EQ(band_for(t, 10.0001).arrival_minutes, 90);
}

TEST(BandFor, EachLimitBelongsToItsOwnBand) {
  const TierPolicy t = default_policy().tier(Severity::serious);
  EXPECT_EQ(band_for(t, 0.0).max_km, 10.0);
  EXPECT_EQ(band_for(t, 30.0).max_km, 30.0);
  EXPECT_EQ(band_for(t, 30.0001).max_km, 60.0);
  EXPECT_EQ(band_for(t, 60.0).max_km, 60.0);
}

TEST(BandFor, BeyondSixtyKmIsTheUnboundedBand) {
  const TierPolicy t = default_policy().tier(Severity::critical);
  for (double km : {60.0001, 61.0, 5000.0}) {
    EXPECT_EQ(band_for(t, km).max_km, std::nullopt) << km;
    EXPECT_EQ(band_for(t, km).arrival_minutes, 240) << km;
  }
}

// ---- compute_clocks ----

const Instant kReported = from_epoch_s(1'790'000'000);

TEST(ComputeClocks, TwentyFourSevenDueIsReportedPlusTarget) {
  // critical, 12 km: ≤30 km band, arrive 90 min, restore 5 h; response 5 min.
  auto c = compute_clocks(default_policy().tier(Severity::critical), 12.0, kReported,
                          AlwaysOpenCalendar{}, 0);
  const auto& response = c[static_cast<int>(SlaTarget::response)];
  const auto& arrival = c[static_cast<int>(SlaTarget::arrival)];
  const auto& restore = c[static_cast<int>(SlaTarget::restore)];
  EXPECT_EQ(response.target_minutes, 5);
  EXPECT_EQ(response.due, kReported + 5min);
  EXPECT_EQ(arrival.target_minutes, 90);
  EXPECT_EQ(arrival.due, kReported + 90min);
  EXPECT_EQ(restore.target_minutes, 300);
  EXPECT_EQ(restore.due, kReported + 5h);
  for (const auto& clock : c) EXPECT_EQ(clock.done_at, std::nullopt);
}

TEST(ComputeClocks, AtRiskIsSeventyFivePercentOfTheTarget) {
  auto c = compute_clocks(default_policy().tier(Severity::critical), 12.0, kReported,
                          AlwaysOpenCalendar{}, 0);
  EXPECT_EQ(c[0].at_risk_at, kReported + 3min + 45s);   // 0.75 × 5 min
  EXPECT_EQ(c[1].at_risk_at, kReported + 67min + 30s);  // 0.75 × 90 min
  EXPECT_EQ(c[2].at_risk_at, kReported + 3h + 45min);   // 0.75 × 5 h
}

TEST(ComputeClocks, PausedSecondsExtendOnlyRestore) {
  const TierPolicy tier = default_policy().tier(Severity::serious);
  auto plain = compute_clocks(tier, 3.0, kReported, AlwaysOpenCalendar{}, 0);
  auto paused = compute_clocks(tier, 3.0, kReported, AlwaysOpenCalendar{}, 1800);
  for (int t : {0, 1}) {
    EXPECT_EQ(paused[t].due, plain[t].due) << t;
    EXPECT_EQ(paused[t].at_risk_at, plain[t].at_risk_at) << t;
  }
  // serious ≤10 km: restore 8 h.
  EXPECT_EQ(paused[2].due, kReported + 8h + 30min);
  EXPECT_EQ(paused[2].at_risk_at, kReported + 6h + 30min);
  EXPECT_EQ(paused[2].target_minutes, 480);
}

TEST(ComputeClocks, BusinessHoursCountOnlyOpeningTime) {
  // general, 5 km: response 30 min, arrive 4 h, restore 24 h; Shanghai (UTC+8) Mon–Fri 08–18.
  // Reported Friday 2026-11-20 16:00 local = 08:00Z.
  auto cal = BusinessHoursCalendar::create("Asia/Shanghai", default_business_hours());
  ASSERT_TRUE(cal.has_value());
  Instant reported = Instant{std::chrono::sys_days{2026y / 11 / 20} + 8h};
  auto c = compute_clocks(default_policy().tier(Severity::general), 5.0, reported, **cal, 0);
  // response: Friday 16:30 local.
  EXPECT_EQ(c[0].due, reported + 30min);
  // arrival: 2 h on Friday + 2 h on Monday → Monday 10:00 local = 02:00Z.
  EXPECT_EQ(c[1].due, Instant{std::chrono::sys_days{2026y / 11 / 23} + 2h});
  // at risk after 3 h: Monday 09:00 local = 01:00Z.
  EXPECT_EQ(c[1].at_risk_at, Instant{std::chrono::sys_days{2026y / 11 / 23} + 1h});
  // restore: 2 h Fri + 10 h Mon + 10 h Tue + 2 h Wed → Wednesday 10:00 local = 02:00Z.
  EXPECT_EQ(c[2].due, Instant{std::chrono::sys_days{2026y / 11 / 25} + 2h});
}

// ---- state_at ----

SlaClock clock_due_in_one_hour() {
  SlaClock c;
  c.target_minutes = 60;
  c.due = kReported + 1h;
  c.at_risk_at = kReported + 45min;
  return c;
}

TEST(StateAt, PendingUntilTheAtRiskInstant) {
  auto c = clock_due_in_one_hour();
  EXPECT_EQ(state_at(c, kReported), SlaState::pending);
  EXPECT_EQ(state_at(c, c.at_risk_at - 1s), SlaState::pending);
}

TEST(StateAt, AtRiskFromTheAtRiskInstantUntilDue) {
  auto c = clock_due_in_one_hour();
  EXPECT_EQ(state_at(c, c.at_risk_at), SlaState::at_risk);
  EXPECT_EQ(state_at(c, c.due - 1s), SlaState::at_risk);
}

TEST(StateAt, BreachedOnceDueHasPassedUnmet) {
  auto c = clock_due_in_one_hour();
  EXPECT_EQ(state_at(c, c.due + 1s), SlaState::breached);
  EXPECT_EQ(state_at(c, c.due + 24h), SlaState::breached);
}

TEST(StateAt, DoneAtOrBeforeDueIsMetWhateverTheTimeNow) {
  auto c = clock_due_in_one_hour();
  c.done_at = c.due;
  EXPECT_EQ(state_at(c, c.due + 48h), SlaState::met);
  c.done_at = kReported + 1s;
  EXPECT_EQ(state_at(c, kReported + 2s), SlaState::met);
}

TEST(StateAt, DoneAfterDueIsBreachedWhateverTheTimeNow) {
  auto c = clock_due_in_one_hour();
  c.done_at = c.due + 1s;
  EXPECT_EQ(state_at(c, c.due + 1s), SlaState::breached);
  EXPECT_EQ(state_at(c, c.due + 48h), SlaState::breached);
}

TEST(StateAt, AtTheDueInstantAnUnmetTargetIsNotYetBreached) {
  // Arriving in the due second still meets the target (done_at <= due), so the state must not
  // read breached in that second: docs/sla.md, "breached once due passes unmet".
  auto c = clock_due_in_one_hour();
  EXPECT_EQ(state_at(c, c.due), SlaState::at_risk);
}

}  // namespace
}  // namespace fieldserve::dispatch
