// dispatch/calendar: 24×7 and business-hours clocks, including daylight-saving days.
// Expected instants are local wall times converted by hand with the zone's known UTC offset
// (Shanghai +8 all year; Berlin CET +1 / CEST +2; Chicago CST −6 / CDT −5).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "dispatch/calendar.h"

namespace fieldserve::dispatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// The UTC instant of local wall time `time_of_day` on `day` in a zone `offset` ahead of UTC.
Instant local(year_month_day day, std::chrono::seconds time_of_day, hours offset) {
  return Instant{sys_days{day} + time_of_day - offset};
}

constexpr hours kShanghai{8};
constexpr hours kCet{1}, kCest{2};
constexpr hours kCst{-6}, kCdt{-5};

std::unique_ptr<BusinessHoursCalendar> calendar(const std::string& zone, const WeeklyHours& week) {
  auto c = BusinessHoursCalendar::create(zone, week);
  EXPECT_TRUE(c.has_value()) << (c.has_value() ? "" : c.error().message);
  return c.has_value() ? std::move(*c) : nullptr;
}

WeeklyHours sunday_all_day() {
  WeeklyHours h{};
  h[6] = DaySpan{0, 1440};
  return h;
}

// ---- AlwaysOpenCalendar ----

TEST(AlwaysOpenCalendar, AddsWallClockSeconds) {
  AlwaysOpenCalendar cal;
  Instant start = from_epoch_s(1'790'000'000);
  EXPECT_EQ(cal.add(start, 0), start);
  EXPECT_EQ(cal.add(start, 90 * 60), start + 90min);
  EXPECT_EQ(cal.add(start, 7 * 86400), start + 168h);
}

TEST(AlwaysOpenCalendar, ElapsedIsTheDifferenceAndNeverNegative) {
  AlwaysOpenCalendar cal;
  Instant a = from_epoch_s(1'790'000'000);
  EXPECT_EQ(cal.elapsed(a, a + 2h), 7200);
  EXPECT_EQ(cal.elapsed(a, a), 0);
  EXPECT_EQ(cal.elapsed(a + 2h, a), 0);
}

// ---- BusinessHoursCalendar::create ----

TEST(BusinessHoursCalendarCreate, AcceptsAKnownZoneWithOpeningHours) {
  EXPECT_TRUE(BusinessHoursCalendar::create("Asia/Shanghai", default_business_hours()));
  EXPECT_TRUE(BusinessHoursCalendar::create("UTC", sunday_all_day()));
}

TEST(BusinessHoursCalendarCreate, RejectsAnUnknownZone) {
  for (const char* zone : {"Mars/Olympus", "", "Asia/Shang hai", "+08:00"}) {
    auto c = BusinessHoursCalendar::create(zone, default_business_hours());
    ASSERT_FALSE(c.has_value()) << zone;
    EXPECT_EQ(c.error().code, ErrorCode::validation_failed);
  }
}

TEST(BusinessHoursCalendarCreate, RejectsAWeekClosedEveryDay) {
  auto c = BusinessHoursCalendar::create("Asia/Shanghai", WeeklyHours{});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::validation_failed);
}

TEST(BusinessHoursCalendarCreate, RejectsAWeekWhoseSpansAreAllEmptyOrReversed) {
  WeeklyHours h{};
  h[0] = DaySpan{9 * 60, 9 * 60};
  h[1] = DaySpan{18 * 60, 8 * 60};
  EXPECT_FALSE(BusinessHoursCalendar::create("Asia/Shanghai", h).has_value());
}

TEST(IsKnownTimeZone, KnowsIanaNamesOnly) {
  EXPECT_TRUE(is_known_time_zone("Europe/Berlin"));
  EXPECT_TRUE(is_known_time_zone("America/Chicago"));
  EXPECT_FALSE(is_known_time_zone("Europe/Atlantis"));
  EXPECT_FALSE(is_known_time_zone(""));
}

// ---- add / elapsed with Mon–Fri 08:00–18:00 in Shanghai ----

class ShanghaiOfficeHours : public ::testing::Test {
 protected:
  std::unique_ptr<BusinessHoursCalendar> cal = calendar("Asia/Shanghai", default_business_hours());
  // Friday 2026-11-20, Sunday 22, Monday 23, Tuesday 24.
  static constexpr year_month_day kFri{2026y / 11 / 20}, kSun{2026y / 11 / 22},
      kMon{2026y / 11 / 23}, kTue{2026y / 11 / 24};
};

TEST_F(ShanghaiOfficeHours, FridayFivePmPlusTwoHoursIsMondayNineAm) {
  EXPECT_EQ(cal->add(local(kFri, 17h, kShanghai), 2 * 3600), local(kMon, 9h, kShanghai));
}

TEST_F(ShanghaiOfficeHours, StartBeforeOpeningCountsFromOpening) {
  EXPECT_EQ(cal->add(local(kMon, 6h, kShanghai), 3600), local(kMon, 9h, kShanghai));
}

TEST_F(ShanghaiOfficeHours, StartOnSundayCountsFromMondayOpening) {
  EXPECT_EQ(cal->add(local(kSun, 12h, kShanghai), 30 * 60), local(kMon, 8h + 30min, kShanghai));
}

TEST_F(ShanghaiOfficeHours, StartAfterClosingCountsFromNextOpening) {
  EXPECT_EQ(cal->add(local(kMon, 19h, kShanghai), 60), local(kTue, 8h + 1min, kShanghai));
}

TEST_F(ShanghaiOfficeHours, AFullDayEndsAtClosingNotNextMorning) {
  EXPECT_EQ(cal->add(local(kMon, 8h, kShanghai), 10 * 3600), local(kMon, 18h, kShanghai));
  EXPECT_EQ(cal->add(local(kMon, 8h, kShanghai), 10 * 3600 + 1), local(kTue, 8h + 1s, kShanghai));
}

TEST_F(ShanghaiOfficeHours, AWeekOfHoursSpansToTheNextWeek) {
  // Five 10-hour days from Monday 08:00 end Friday 18:00; one more hour is next Monday 09:00.
  EXPECT_EQ(cal->add(local(kMon, 8h, kShanghai), 50 * 3600),
            local(2026y / 11 / 27, 18h, kShanghai));
  EXPECT_EQ(cal->add(local(kMon, 8h, kShanghai), 51 * 3600), local(2026y / 11 / 30, 9h, kShanghai));
}

TEST_F(ShanghaiOfficeHours, AddingZeroInsideHoursIsTheStart) {
  EXPECT_EQ(cal->add(local(kTue, 11h + 17min, kShanghai), 0), local(kTue, 11h + 17min, kShanghai));
}

TEST_F(ShanghaiOfficeHours, ElapsedSkipsNightsAndTheWeekend) {
  EXPECT_EQ(cal->elapsed(local(kFri, 17h, kShanghai), local(kMon, 9h, kShanghai)), 2 * 3600);
  EXPECT_EQ(cal->elapsed(local(kMon, 0h, kShanghai), local(2026y / 11 / 30, 0h, kShanghai)),
            50 * 3600);
}

TEST_F(ShanghaiOfficeHours, ElapsedOverClosedTimeIsZero) {
  EXPECT_EQ(cal->elapsed(local(kFri, 18h, kShanghai), local(kMon, 8h, kShanghai)), 0);
  EXPECT_EQ(cal->elapsed(local(kSun, 1h, kShanghai), local(kSun, 23h, kShanghai)), 0);
}

TEST_F(ShanghaiOfficeHours, ElapsedIsZeroWhenToIsNotAfterFrom) {
  EXPECT_EQ(cal->elapsed(local(kMon, 10h, kShanghai), local(kMon, 10h, kShanghai)), 0);
  EXPECT_EQ(cal->elapsed(local(kMon, 12h, kShanghai), local(kMon, 10h, kShanghai)), 0);
}

TEST_F(ShanghaiOfficeHours, ElapsedIsTheInverseOfAdd) {
  const Instant starts[] = {local(kMon, 8h, kShanghai), local(kMon, 13h + 7min + 3s, kShanghai),
                            local(kFri, 17h + 59min, kShanghai), local(kSun, 3h, kShanghai),
                            local(kTue, 21h, kShanghai)};
  const std::int64_t amounts[] = {1, 59, 3600, 10 * 3600, 36'001, 123'456, 14 * 86'400};
  for (Instant start : starts) {
    for (std::int64_t s : amounts) {
      EXPECT_EQ(cal->elapsed(start, cal->add(start, s)), s)
          << format_rfc3339(start) << " + " << s << " s";
    }
  }
}

// ---- daylight saving: a business day containing the change is 23 h or 25 h long ----

TEST(BusinessHoursDst, BerlinSpringForwardSundayCountsTwentyThreeHours) {
  // 2026-03-29: 02:00 CET → 03:00 CEST. Sunday opens 00:00 CET, closes Monday 00:00 CEST.
  auto cal = calendar("Europe/Berlin", sunday_all_day());
  Instant open = local(2026y / 3 / 29, 0h, kCet);
  Instant close = local(2026y / 3 / 30, 0h, kCest);
  EXPECT_EQ(cal->elapsed(local(2026y / 3 / 28, 0h, kCet), local(2026y / 3 / 31, 0h, kCest)),
            23 * 3600);
  EXPECT_EQ(cal->add(open, 23 * 3600), close);
  // One second more does not fit: it lands one second into the next Sunday.
  EXPECT_EQ(cal->add(open, 23 * 3600 + 1), local(2026y / 4 / 5, 1s, kCest));
}

TEST(BusinessHoursDst, BerlinOrdinarySundayCountsTwentyFourHours) {
  auto cal = calendar("Europe/Berlin", sunday_all_day());
  EXPECT_EQ(cal->elapsed(local(2026y / 3 / 21, 0h, kCet), local(2026y / 3 / 24, 0h, kCet)),
            24 * 3600);
}

TEST(BusinessHoursDst, BerlinFallBackSundayCountsTwentyFiveHours) {
  // 2026-10-25: 03:00 CEST → 02:00 CET. Sunday opens 00:00 CEST, closes Monday 00:00 CET.
  auto cal = calendar("Europe/Berlin", sunday_all_day());
  Instant open = local(2026y / 10 / 25, 0h, kCest);
  Instant close = local(2026y / 10 / 26, 0h, kCet);
  EXPECT_EQ(cal->elapsed(local(2026y / 10 / 24, 0h, kCest), local(2026y / 10 / 27, 0h, kCet)),
            25 * 3600);
  EXPECT_EQ(cal->add(open, 25 * 3600), close);
  EXPECT_EQ(cal->add(open, 24 * 3600), close - 1h);
}

TEST(BusinessHoursDst, BerlinOfficeHoursFollowTheWallClockAcrossTheChange) {
  // Mon–Fri 08–18: Friday 2026-03-27 17:00 CET + 2 h = Monday 2026-03-30 09:00 CEST.
  auto cal = calendar("Europe/Berlin", default_business_hours());
  EXPECT_EQ(cal->add(local(2026y / 3 / 27, 17h, kCet), 2 * 3600), local(2026y / 3 / 30, 9h, kCest));
}

TEST(BusinessHoursDst, ChicagoWeekendChangeMovesMondayOpeningByAnHourInUtc) {
  // 2026-03-08: 02:00 CST → 03:00 CDT. Friday 17:00 CST + 2 business hours = Monday 09:00 CDT,
  // which is 14:00Z, not the 15:00Z a fixed −6 h offset would give.
  auto cal = calendar("America/Chicago", default_business_hours());
  Instant friday = local(2026y / 3 / 6, 17h, kCst);
  Instant monday_nine = local(2026y / 3 / 9, 9h, kCdt);
  EXPECT_EQ(monday_nine, Instant{sys_days{2026y / 3 / 9} + 14h});
  EXPECT_EQ(cal->add(friday, 2 * 3600), monday_nine);
  EXPECT_EQ(cal->elapsed(friday, monday_nine), 2 * 3600);
}

TEST(BusinessHoursDst, ChicagoSpringForwardSundayCountsTwentyThreeHours) {
  auto cal = calendar("America/Chicago", sunday_all_day());
  EXPECT_EQ(cal->elapsed(local(2026y / 3 / 7, 0h, kCst), local(2026y / 3 / 10, 0h, kCdt)),
            23 * 3600);
}

TEST(BusinessHoursDst, OpeningInsideTheSkippedHourOpensWhenTheGapEnds) {
  // Sunday 02:30–04:00 local does not exist before 03:00 CDT on 2026-03-08: one hour is open.
  WeeklyHours h{};
  h[6] = DaySpan{2 * 60 + 30, 4 * 60};
  auto cal = calendar("America/Chicago", h);
  EXPECT_EQ(cal->elapsed(local(2026y / 3 / 8, 0h, kCst), local(2026y / 3 / 9, 0h, kCdt)), 3600);
  EXPECT_EQ(cal->add(local(2026y / 3 / 8, 0h, kCst), 60), local(2026y / 3 / 8, 3h + 1min, kCdt));
}

}  // namespace
}  // namespace fieldserve::dispatch
