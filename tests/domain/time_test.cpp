// domain/time: RFC 3339 parsing and formatting of whole-second UTC instants.
// Expected instants are built with std::chrono's civil calendar, independent of the parser.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "domain/time.h"

namespace fieldserve {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;

Instant utc(std::chrono::year_month_day ymd, std::chrono::seconds time_of_day) {
  return Instant{sys_days{ymd} + time_of_day};
}

// ---- parse_rfc3339: accepted forms ----

TEST(ParseRfc3339, ReadsUtcWithZ) {
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00Z"), utc(2026y / 11 / 22, 9h + 30min));
}

TEST(ParseRfc3339, AcceptsLowercaseTAndZ) {
  EXPECT_EQ(parse_rfc3339("2026-11-22t09:30:00z"), utc(2026y / 11 / 22, 9h + 30min));
}

TEST(ParseRfc3339, SubtractsAPositiveOffset) {
  // 17:30 in UTC+8 is 09:30 UTC.
  EXPECT_EQ(parse_rfc3339("2026-11-22T17:30:00+08:00"), utc(2026y / 11 / 22, 9h + 30min));
}

TEST(ParseRfc3339, AddsANegativeOffsetWithMinutes) {
  // 04:00 in UTC−05:30 is 09:30 UTC.
  EXPECT_EQ(parse_rfc3339("2026-11-22T04:00:00-05:30"), utc(2026y / 11 / 22, 9h + 30min));
}

TEST(ParseRfc3339, OffsetMayMoveTheInstantIntoAnotherDayAndYear) {
  EXPECT_EQ(parse_rfc3339("2026-01-01T01:00:00+02:00"), utc(2025y / 12 / 31, 23h));
  EXPECT_EQ(parse_rfc3339("2025-12-31T20:00:00-05:00"), utc(2026y / 1 / 1, 1h));
}

TEST(ParseRfc3339, ZeroOffsetsEqualZ) {
  auto z = parse_rfc3339("2026-11-22T09:30:00Z");
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00+00:00"), z);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00-00:00"), z);
}

TEST(ParseRfc3339, TruncatesFractionalSeconds) {
  auto whole = utc(2026y / 11 / 22, 9h + 30min + 5s);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:05.1Z"), whole);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:05.999999999Z"), whole);
  EXPECT_EQ(parse_rfc3339("2026-11-22T17:30:05.5+08:00"), whole);
}

TEST(ParseRfc3339, AcceptsLeapDayOnlyInLeapYears) {
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), utc(2024y / 2 / 29, 0s));
  EXPECT_EQ(parse_rfc3339("2000-02-29T00:00:00Z"), utc(2000y / 2 / 29, 0s));
  EXPECT_EQ(parse_rfc3339("2026-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("1900-02-29T00:00:00Z"), std::nullopt);  // century, not leap
}

TEST(ParseRfc3339, ReadsAWellKnownEpochValue) {
  // Unix time 1 000 000 000 is 2001-09-09T01:46:40Z.
  auto at = parse_rfc3339("2001-09-09T01:46:40Z");
  ASSERT_TRUE(at);
  EXPECT_EQ(to_epoch_s(*at), 1'000'000'000);
}

// ---- parse_rfc3339: rejected input ----

TEST(ParseRfc3339, RejectsImpossibleDates) {
  for (const char* s : {"2026-02-30T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z",
                        "2026-00-10T10:00:00Z", "2026-01-00T10:00:00Z", "2026-01-32T10:00:00Z"}) {
    EXPECT_EQ(parse_rfc3339(s), std::nullopt) << s;
  }
}

TEST(ParseRfc3339, RejectsTheLeapSecond60) {
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z"), std::nullopt);
}

TEST(ParseRfc3339, RejectsOutOfRangeTimeFields) {
  for (const char* s : {"2026-11-22T24:00:00Z", "2026-11-22T09:60:00Z", "2026-11-22T09:30:61Z",
                        "2026-11-22T99:00:00Z"}) {
    EXPECT_EQ(parse_rfc3339(s), std::nullopt) << s;
  }
}

TEST(ParseRfc3339, RejectsAMissingZone) {
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00.123"), std::nullopt);
}

TEST(ParseRfc3339, RejectsMalformedOffsets) {
  for (const char* s :
       {"2026-11-22T09:30:00+0800", "2026-11-22T09:30:00+08", "2026-11-22T09:30:00+8:00",
        "2026-11-22T09:30:00+24:00", "2026-11-22T09:30:00+08:60", "2026-11-22T09:30:00+08:00:00",
        "2026-11-22T09:30:00 +08:00", "2026-11-22T09:30:00UTC"}) {
    EXPECT_EQ(parse_rfc3339(s), std::nullopt) << s;
  }
}

TEST(ParseRfc3339, RejectsAFractionWithoutDigits) {
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00.Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00.+08:00"), std::nullopt);
}

TEST(ParseRfc3339, RejectsTrailingCharacters) {
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00Zx"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00Z "), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:30:00+08:00Z"), std::nullopt);
}

TEST(ParseRfc3339, RejectsGarbageAndTruncatedText) {
  for (const char* s :
       {"", "Z", "now", "2026-11-22", "2026-11-22T09:30Z", "2026-11-22T09:30:0Z",
        "26-11-22T09:30:00Z", "2026/11/22T09:30:00Z", "2026-11-22X09:30:00Z",
        "2026-11-22T09-30-00Z", "2026-1a-22T09:30:00Z", "-026-11-22T09:30:00Z", "1764000000"}) {
    EXPECT_EQ(parse_rfc3339(s), std::nullopt) << s;
  }
}

TEST(ParseRfc3339, RejectsAnEmbeddedNulByte) {
  std::string s("2026-11-22T09:30:00Z");
  s[12] = '\0';
  EXPECT_EQ(parse_rfc3339(s), std::nullopt);
}

// ---- format_rfc3339 ----

TEST(FormatRfc3339, WritesUtcWithZAndZeroPadding) {
  EXPECT_EQ(format_rfc3339(utc(2026y / 1 / 2, 3h + 4min + 5s)), "2026-01-02T03:04:05Z");
  EXPECT_EQ(format_rfc3339(Instant{}), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339, WritesInstantsBeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339(from_epoch_s(-1)), "1969-12-31T23:59:59Z");
}

TEST(FormatRfc3339, NormalisesAnOffsetInputToUtc) {
  auto at = parse_rfc3339("2026-11-22T17:30:00.750+08:00");
  ASSERT_TRUE(at);
  EXPECT_EQ(format_rfc3339(*at), "2026-11-22T09:30:00Z");
}

TEST(FormatRfc3339, RoundTripsThroughParse) {
  for (Instant at : {utc(2024y / 2 / 29, 23h + 59min + 59s), utc(2026y / 12 / 31, 0s),
                     utc(1999y / 1 / 1, 12h)}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(at)), at) << format_rfc3339(at);
  }
}

TEST(EpochSeconds, ConvertBothWays) {
  EXPECT_EQ(to_epoch_s(from_epoch_s(1'764'000'000)), 1'764'000'000);
  EXPECT_EQ(from_epoch_s(86'400), utc(1970y / 1 / 2, 0s));
}

}  // namespace
}  // namespace fieldserve
