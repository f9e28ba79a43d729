// domain/model: weekly hours text form, HH:MM, skills and the stable wire names of every enum.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "domain/model.h"

namespace fieldserve {
namespace {

// ---- parse_hhmm / format_hhmm ----

TEST(ParseHhmm, ReadsMinutesAfterMidnight) {
  EXPECT_EQ(parse_hhmm("00:00"), 0);
  EXPECT_EQ(parse_hhmm("08:30"), 8 * 60 + 30);
  EXPECT_EQ(parse_hhmm("23:59"), 23 * 60 + 59);
}

TEST(ParseHhmm, AcceptsTwentyFourHundredAsEndOfDay) { EXPECT_EQ(parse_hhmm("24:00"), 1440); }

TEST(ParseHhmm, RejectsAnythingPastTwentyFourHundred) {
  EXPECT_EQ(parse_hhmm("24:01"), std::nullopt);
  EXPECT_EQ(parse_hhmm("24:59"), std::nullopt);
  EXPECT_EQ(parse_hhmm("25:00"), std::nullopt);
  EXPECT_EQ(parse_hhmm("99:00"), std::nullopt);
}

TEST(ParseHhmm, RejectsMinutesPast59) {
  EXPECT_EQ(parse_hhmm("12:60"), std::nullopt);
  EXPECT_EQ(parse_hhmm("00:99"), std::nullopt);
}

TEST(ParseHhmm, RejectsMalformedText) {
  for (std::string_view s : {"", "8:00", "08:0", "0800", "08:00:00", "08-00", "ab:cd", " 8:00",
                             "-1:00", "08:0x", "08;00"}) {
    EXPECT_EQ(parse_hhmm(s), std::nullopt) << s;
  }
}

TEST(FormatHhmm, ZeroPadsHoursAndMinutes) {
  EXPECT_EQ(format_hhmm(0), "00:00");
  EXPECT_EQ(format_hhmm(8 * 60 + 5), "08:05");
  EXPECT_EQ(format_hhmm(1440), "24:00");
}

// ---- weekly hours ----

TEST(WeeklyHours, DefaultBusinessHoursAreMondayToFridayEightToSix) {
  WeeklyHours expected{};
  for (int d = 0; d < 5; ++d) expected[d] = DaySpan{480, 1080};
  EXPECT_EQ(default_business_hours(), expected);
  EXPECT_FALSE(default_business_hours()[5].has_value());  // Saturday
  EXPECT_FALSE(default_business_hours()[6].has_value());  // Sunday
}

TEST(WeeklyHours, EncodesOpenDaysInWeekOrderAndSkipsClosedOnes) {
  EXPECT_EQ(encode_weekly_hours(default_business_hours()),
            "mon=08:00-18:00;tue=08:00-18:00;wed=08:00-18:00;thu=08:00-18:00;fri=08:00-18:00");
  WeeklyHours sparse{};
  sparse[2] = DaySpan{9 * 60, 12 * 60 + 30};
  sparse[6] = DaySpan{0, 1440};
  EXPECT_EQ(encode_weekly_hours(sparse), "wed=09:00-12:30;sun=00:00-24:00");
}

TEST(WeeklyHours, ClosedAllWeekEncodesAsEmptyText) {
  EXPECT_EQ(encode_weekly_hours(WeeklyHours{}), "");
  EXPECT_EQ(decode_weekly_hours(""), WeeklyHours{});
}

TEST(WeeklyHours, DecodesTextWrittenByHand) {
  WeeklyHours expected{};
  expected[0] = DaySpan{7 * 60, 15 * 60};
  expected[5] = DaySpan{10 * 60, 24 * 60};
  EXPECT_EQ(decode_weekly_hours("mon=07:00-15:00;sat=10:00-24:00"), expected);
}

TEST(WeeklyHours, RoundTripsThroughText) {
  WeeklyHours hours{};
  hours[1] = DaySpan{0, 1440};
  hours[3] = DaySpan{8 * 60 + 15, 17 * 60 + 45};
  hours[6] = DaySpan{22 * 60, 24 * 60};
  EXPECT_EQ(decode_weekly_hours(encode_weekly_hours(hours)), hours);
  EXPECT_EQ(decode_weekly_hours(encode_weekly_hours(default_business_hours())),
            default_business_hours());
}

TEST(WeeklyHours, DecodeRejectsBrokenText) {
  for (std::string_view s :
       {"mon=8:00-18:00", "MON=08:00-18:00", "xyz=08:00-18:00", "mon=08:00-24:01",
        "mon=08:00_18:00", "mon:08:00-18:00", "mon=08:00-18:00;;",
        "mon=08:00-18:00,tue=08:00-18:00", "monday=08:00-18:00", "mon=08:00-18:00 ", "mon=", ";",
        "mon=18:00-08:00", "mon=08:00-08:00", "mon=08:00-18:00;"}) {
    EXPECT_EQ(decode_weekly_hours(s), std::nullopt) << s;
  }
}

// ---- skills ----

TEST(IsValidSkill, AcceptsShortLowercaseTokens) {
  EXPECT_TRUE(is_valid_skill("electrical"));
  EXPECT_TRUE(is_valid_skill("hvac_2"));
  EXPECT_TRUE(is_valid_skill("fiber-optic"));
  EXPECT_TRUE(is_valid_skill("x"));
  EXPECT_TRUE(is_valid_skill(std::string(40, 'a')));
}

TEST(IsValidSkill, RejectsEmptyLongUppercaseAndSeparators) {
  EXPECT_FALSE(is_valid_skill(""));
  EXPECT_FALSE(is_valid_skill(std::string(41, 'a')));
  EXPECT_FALSE(is_valid_skill("Electrical"));
  EXPECT_FALSE(is_valid_skill("high voltage"));
  EXPECT_FALSE(is_valid_skill("a,b"));  // would split into two skills in storage
  EXPECT_FALSE(is_valid_skill("a;b"));
  EXPECT_FALSE(is_valid_skill("caf\xc3\xa9"));
}

TEST(Skills, JoinWithCommas) {
  EXPECT_EQ(join_skills({"electrical", "hvac"}), "electrical,hvac");
  EXPECT_EQ(join_skills({"solo"}), "solo");
  EXPECT_EQ(join_skills({}), "");
}

TEST(Skills, SplitOnCommas) {
  EXPECT_EQ(split_skills("electrical,hvac,plc"),
            (std::vector<std::string>{"electrical", "hvac", "plc"}));
  EXPECT_EQ(split_skills("solo"), std::vector<std::string>{"solo"});
  EXPECT_TRUE(split_skills("").empty());
}

TEST(Skills, RoundTripThroughText) {
  std::vector<std::string> skills{"a", "b-c", "d_9"};
  EXPECT_EQ(split_skills(join_skills(skills)), skills);
  EXPECT_TRUE(split_skills(join_skills({})).empty());
}

// ---- enums: stable wire names ----

template <class E, class Parse>
void expect_wire_names(const std::vector<std::pair<E, std::string_view>>& table, Parse parse) {
  for (const auto& [value, name] : table) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(parse(name), value) << name;
  }
}

TEST(WireNames, AccountTier) {
  expect_wire_names<AccountTier>({{AccountTier::key, "key"}, {AccountTier::standard, "standard"}},
                                 parse_account_tier);
}

TEST(WireNames, JobKind) {
  expect_wire_names<JobKind>({{JobKind::repair, "repair"},
                              {JobKind::installation, "installation"},
                              {JobKind::maintenance, "maintenance"},
                              {JobKind::inspection, "inspection"}},
                             parse_job_kind);
}

TEST(WireNames, Severity) {
  expect_wire_names<Severity>({{Severity::critical, "critical"},
                               {Severity::serious, "serious"},
                               {Severity::general, "general"},
                               {Severity::minor, "minor"}},
                              parse_severity);
}

TEST(WireNames, JobStatusNewIsSpelledWithoutUnderscore) {
  expect_wire_names<JobStatus>({{JobStatus::new_, "new"},
                                {JobStatus::assigned, "assigned"},
                                {JobStatus::accepted, "accepted"},
                                {JobStatus::en_route, "en_route"},
                                {JobStatus::on_site, "on_site"},
                                {JobStatus::on_hold, "on_hold"},
                                {JobStatus::resolved, "resolved"},
                                {JobStatus::signed_off, "signed_off"},
                                {JobStatus::closed, "closed"},
                                {JobStatus::cancelled, "cancelled"}},
                               parse_job_status);
}

TEST(WireNames, HoldReasonEventSourceAndRole) {
  expect_wire_names<HoldReason>({{HoldReason::waiting_parts, "waiting_parts"},
                                 {HoldReason::waiting_customer, "waiting_customer"}},
                                parse_hold_reason);
  expect_wire_names<EventSource>({{EventSource::api, "api"},
                                  {EventSource::sync, "sync"},
                                  {EventSource::dispatcher, "dispatcher"}},
                                 parse_event_source);
  expect_wire_names<Role>({{Role::admin, "admin"},
                           {Role::dispatcher, "dispatcher"},
                           {Role::manager, "manager"},
                           {Role::technician, "technician"}},
                          parse_role);
}

TEST(WireNames, SlaTargetAndState) {
  EXPECT_EQ(to_string(SlaTarget::response), "response");
  EXPECT_EQ(to_string(SlaTarget::arrival), "arrival");
  EXPECT_EQ(to_string(SlaTarget::restore), "restore");
  EXPECT_EQ(to_string(SlaState::pending), "pending");
  EXPECT_EQ(to_string(SlaState::at_risk), "at_risk");
  EXPECT_EQ(to_string(SlaState::met), "met");
  EXPECT_EQ(to_string(SlaState::breached), "breached");
}

TEST(WireNames, ParseRejectsUnknownCaseVariantsAndPaddedNames) {
  EXPECT_EQ(parse_job_status("new_"), std::nullopt);
  EXPECT_EQ(parse_job_status("New"), std::nullopt);
  EXPECT_EQ(parse_job_status("on hold"), std::nullopt);
  EXPECT_EQ(parse_job_status(""), std::nullopt);
  EXPECT_EQ(parse_severity("CRITICAL"), std::nullopt);
  EXPECT_EQ(parse_severity("critical "), std::nullopt);
  EXPECT_EQ(parse_job_kind("repairs"), std::nullopt);
  EXPECT_EQ(parse_account_tier("vip"), std::nullopt);
  EXPECT_EQ(parse_hold_reason("waiting"), std::nullopt);
  EXPECT_EQ(parse_event_source("web"), std::nullopt);
  EXPECT_EQ(parse_role("root"), std::nullopt);
}

}  // namespace
}  // namespace fieldserve
