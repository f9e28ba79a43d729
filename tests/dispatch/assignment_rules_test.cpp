// dispatch/assignment_rules: which rules a manual assignment breaks, and shifts read in a zone.
// Technician and site sit on the equator 0.1° apart: 11.131949 km geodesic (a·Δλ), 14.471534 road
// km at circuity 1.3, 1302.44 s at 40 km/h, so the ETA is now + 1303 s.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <numbers>

#include "dispatch/assignment_rules.h"

namespace fieldserve::dispatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr double kSiteKm = 6378.137 * 0.1 * std::numbers::pi / 180.0;
constexpr std::chrono::seconds kTravel{1303};

// Monday 2026-11-23 10:00 in Shanghai (UTC+8) = 02:00Z.
const Instant kMondayTenLocal = Instant{sys_days{2026y / 11 / 23} + 2h};

WeeklyHours weekdays(int start_min, int end_min) {
  WeeklyHours h{};
  for (int d = 0; d < 5; ++d) h[d] = DaySpan{start_min, end_min};
  return h;
}

// A technician who breaks no rule for the job; each test spoils one thing.
struct Scenario {
  Center home;
  Site site;
  Technician tech;
  Job job;
  TierPolicy tier = default_policy().tier(Severity::critical);  // radius 60 km
  int open_jobs = 0;
  Instant now = kMondayTenLocal;

  Scenario() {
    home.id = 1;
    home.location = {0, 0};
    home.time_zone = "Asia/Shanghai";
    site.id = 2;
    site.location = {0, 0.1};
    tech.id = 3;
    tech.skills = {"hvac", "electrical"};
    tech.home_center_id = 1;
    tech.location = geo::LatLon{0, 0};
    tech.shift = weekdays(8 * 60, 17 * 60);
    tech.max_open_jobs = 6;
    job.required_skills = {"hvac"};
    job.clock(SlaTarget::arrival).due = now + 1h;
  }

  AssignmentCheck check() const {
    return check_assignment(AssignmentInput{job, site, tech, home, tier, open_jobs, now},
                            GeodesicTravel{});
  }
};

TEST(CheckAssignment, CleanAssignmentBreaksNoRule) {
  Scenario s;
  auto c = s.check();
  EXPECT_THAT(c.broken, IsEmpty());
  EXPECT_THAT(c.missing_skills, IsEmpty());
  EXPECT_NEAR(c.distance_km, kSiteKm, 1e-9);
  EXPECT_EQ(c.eta, s.now + kTravel);
}

TEST(CheckAssignment, ReportsInactive) {
  Scenario s;
  s.tech.active = false;
  EXPECT_THAT(s.check().broken, ElementsAre("inactive"));
}

TEST(CheckAssignment, ReportsOffShift) {
  Scenario s;
  s.now = Instant{sys_days{2026y / 11 / 23} + 12h};  // 20:00 local
  s.job.clock(SlaTarget::arrival).due = s.now + 1h;
  EXPECT_THAT(s.check().broken, ElementsAre("off_shift"));
}

TEST(CheckAssignment, AShiftStartingBeforeTheArrivalDueIsNotOffShift) {
  // 07:30 local, the shift starts at 08:00: with the arrival due at 08:30 the technician can take
  // it (the engine counts them eligible too); due at 07:50, they cannot.
  Scenario s;
  s.now = kMondayTenLocal - 2h - 30min;
  s.job.clock(SlaTarget::arrival).due = s.now + 1h;
  EXPECT_THAT(s.check().broken, IsEmpty());
  s.job.clock(SlaTarget::arrival).due = s.now + 20min;
  EXPECT_THAT(s.check().broken, ElementsAre("off_shift", "eta_misses_due"));
}

TEST(CheckAssignment, ReportsMissingSkillsAndNamesThem) {
  Scenario s;
  s.job.required_skills = {"plc", "hvac", "welding"};
  auto c = s.check();
  EXPECT_THAT(c.broken, ElementsAre("missing_skills"));
  EXPECT_THAT(c.missing_skills, ElementsAre("plc", "welding"));
}

TEST(CheckAssignment, SkillsMatchWholeNamesOnly) {
  Scenario s;
  s.job.required_skills = {"hva"};
  EXPECT_THAT(s.check().missing_skills, ElementsAre("hva"));
}

TEST(CheckAssignment, ReportsCapacityAtTheLimit) {
  Scenario s;
  s.open_jobs = 6;
  EXPECT_THAT(s.check().broken, ElementsAre("capacity"));
  s.open_jobs = 5;
  EXPECT_THAT(s.check().broken, IsEmpty());
}

TEST(CheckAssignment, ReportsRadiusWhenTheSiteIsFartherThanTheTierAllows) {
  Scenario s;
  s.tier.dispatch_radius_km = 11.1;  // site is 11.13 km away
  auto c = s.check();
  EXPECT_THAT(c.broken, ElementsAre("radius"));
  EXPECT_NEAR(c.distance_km, kSiteKm, 1e-9);
  s.tier.dispatch_radius_km = 11.2;
  EXPECT_THAT(s.check().broken, IsEmpty());
}

TEST(CheckAssignment, ReportsEtaMissesDueWhenArrivalWouldBeLate) {
  Scenario s;
  s.job.clock(SlaTarget::arrival).due = s.now + kTravel - 1s;
  EXPECT_THAT(s.check().broken, ElementsAre("eta_misses_due"));
}

TEST(CheckAssignment, EtaExactlyAtDueIsNotLate) {
  Scenario s;
  s.job.clock(SlaTarget::arrival).due = s.now + kTravel;
  EXPECT_THAT(s.check().broken, IsEmpty());
}

TEST(CheckAssignment, NoEtaRuleOnceArrivalIsDone) {
  Scenario s;
  s.job.clock(SlaTarget::arrival).due = s.now - 1h;
  s.job.clock(SlaTarget::arrival).done_at = s.now - 2h;
  EXPECT_THAT(s.check().broken, IsEmpty());
}

TEST(CheckAssignment, WithoutAKnownLocationTheTechnicianStartsAtTheHomeCenter) {
  Scenario s;
  s.tech.location.reset();
  s.home.location = {0, 0.3};  // 0.2° from the site
  auto c = s.check();
  EXPECT_NEAR(c.distance_km, 2 * kSiteKm, 1e-9);
  // 2 × 1302.438 s = 2604.876 s → 2605 s.
  EXPECT_EQ(c.eta, s.now + 2605s);
}

TEST(CheckAssignment, ReportsEveryBrokenRuleTogether) {
  Scenario s;
  s.tech.active = false;
  s.now = Instant{sys_days{2026y / 11 / 22} + 2h};  // Sunday local
  s.job.required_skills = {"plc"};
  s.open_jobs = 9;
  s.tier.dispatch_radius_km = 1;
  s.job.clock(SlaTarget::arrival).due = s.now;
  EXPECT_THAT(s.check().broken, UnorderedElementsAre("inactive", "off_shift", "missing_skills",
                                                     "capacity", "radius", "eta_misses_due"));
}

// ---- is_on_shift: the shift is local time in the center's zone ----

class ShanghaiShift : public ::testing::Test {
 protected:
  WeeklyHours shift = weekdays(8 * 60, 17 * 60);
  static Instant utc(int day, std::chrono::minutes time) {
    return Instant{sys_days{2026y / 11 / std::chrono::day(day)} + time};
  }
};

TEST_F(ShanghaiShift, OnShiftAtNineLocalWhichIsOneAmUtc) {
  EXPECT_TRUE(is_on_shift(shift, "Asia/Shanghai", utc(23, 1h)));
  // The same instant read as UTC would be 01:00, before the shift: the zone matters.
  EXPECT_FALSE(is_on_shift(shift, "UTC", utc(23, 1h)));
}

TEST_F(ShanghaiShift, StartIsInclusiveAndEndExclusive) {
  EXPECT_FALSE(is_on_shift(shift, "Asia/Shanghai", utc(22, 23h + 59min)));  // Mon 07:59 local
  EXPECT_TRUE(is_on_shift(shift, "Asia/Shanghai", utc(23, 0h)));            // Mon 08:00 local
  EXPECT_TRUE(is_on_shift(shift, "Asia/Shanghai", utc(23, 8h + 59min)));    // Mon 16:59 local
  EXPECT_FALSE(is_on_shift(shift, "Asia/Shanghai", utc(23, 9h)));           // Mon 17:00 local
}

TEST_F(ShanghaiShift, AfternoonUtcIsNightInShanghai) {
  EXPECT_FALSE(is_on_shift(shift, "Asia/Shanghai", utc(23, 14h)));  // Mon 22:00 local
  EXPECT_TRUE(is_on_shift(shift, "UTC", utc(23, 14h)));
}

TEST_F(ShanghaiShift, WeekdayIsTheLocalWeekday) {
  // Sunday 20:00Z is Monday 04:00 in Shanghai: only a Monday shift covers it.
  WeeklyHours monday_only{};
  monday_only[0] = DaySpan{0, 1440};
  EXPECT_TRUE(is_on_shift(monday_only, "Asia/Shanghai", utc(22, 20h)));
  EXPECT_FALSE(is_on_shift(monday_only, "UTC", utc(22, 20h)));
  WeeklyHours sunday_only{};
  sunday_only[6] = DaySpan{0, 1440};
  EXPECT_FALSE(is_on_shift(sunday_only, "Asia/Shanghai", utc(22, 20h)));
}

TEST_F(ShanghaiShift, AShiftEndingAtTwentyFourHundredCoversTheLastMinute) {
  WeeklyHours late{};
  late[0] = DaySpan{18 * 60, 1440};
  EXPECT_TRUE(is_on_shift(late, "Asia/Shanghai", utc(23, 15h + 59min)));  // Mon 23:59 local
  EXPECT_FALSE(is_on_shift(late, "Asia/Shanghai", utc(23, 16h)));         // Tue 00:00 local
}

TEST_F(ShanghaiShift, NoShiftMeansNeverOnShift) {
  EXPECT_FALSE(is_on_shift(WeeklyHours{}, "Asia/Shanghai", utc(23, 2h)));
}

TEST_F(ShanghaiShift, AnUnknownZoneReadsAsUtc) {
  EXPECT_TRUE(is_on_shift(shift, "Mars/Olympus", utc(23, 10h)));
  EXPECT_FALSE(is_on_shift(shift, "Mars/Olympus", utc(23, 1h)));
}

}  // namespace
}  // namespace fieldserve::dispatch
