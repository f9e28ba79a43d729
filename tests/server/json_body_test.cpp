#include "server/cli/device.h"
#include "server/http/json_body.h"
#include "sync/op_rules.h"

#include <gtest/gtest.h>

namespace fieldserve::server {
namespace {

TEST(JsonDepth, CountsNestingAndIgnoresBracketsInStrings) {
  EXPECT_EQ(json_nesting_depth("{}"), 1);
  EXPECT_EQ(json_nesting_depth("{\"a\": [[1]]}"), 3);
  EXPECT_EQ(json_nesting_depth("{\"a\": \"[[[[[[\"}"), 1);
  EXPECT_EQ(json_nesting_depth("{\"a\": \"\\\"[[[\"}"), 1);
}

TEST(JsonDepth, RejectsDeepDocumentsWithoutRecursing) {
  std::string deep = "{\"a\":" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  auto r = parse_json_object(deep);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::malformed_json);
  std::string at_limit = std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(parse_json_object("{\"a\":" + at_limit + "}"));
}

TEST(ParseJsonObject, RejectsNonObjectsAndGarbage) {
  EXPECT_FALSE(parse_json_object("[]"));
  EXPECT_FALSE(parse_json_object("42"));
  EXPECT_FALSE(parse_json_object(""));
  EXPECT_FALSE(parse_json_object("{\"a\":1"));
  EXPECT_TRUE(parse_json_object("{\"a\":1}"));
}

TEST(FieldReader, UnknownFieldsWinOverOtherProblemsAndAreAllNamed) {
  json body = {{"name", 5}, {"typo", 1}, {"other", 2}};
  FieldReader r(body);
  r.text("name", true);
  auto done = r.finish();
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::unknown_field);
  EXPECT_EQ(done.error().details, (std::vector<std::string>{"other", "typo"}));
}

TEST(FieldReader, CollectsEveryProblem) {
  json body = {{"a", "x"}, {"b", 500}, {"c", "not a time"}};
  FieldReader r(body);
  EXPECT_FALSE(r.integer("a", true, 0, 10));
  EXPECT_FALSE(r.integer("b", true, 0, 10));
  EXPECT_FALSE(r.instant("c", true));
  EXPECT_FALSE(r.text("d", true));
  auto done = r.finish();
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::validation_failed);
  EXPECT_EQ(done.error().details.size(), 4u);
}

TEST(FieldReader, TextLimitsCountCharactersNotBytes) {
  // "风" is three bytes of UTF-8, the emoji four: a note in Chinese at the limit is as long as
  // one in English, as the tablet's maxlength counts it.
  std::string wind;
  for (int i = 0; i < 4000; ++i) wind += "风";
  std::string emoji;
  for (int i = 0; i < 10; ++i) emoji += "\xF0\x9F\x94\xA7";
  json body = {{"at_limit", wind}, {"over", wind + "风"}, {"short", emoji}};
  FieldReader r(body);
  EXPECT_TRUE(r.text("at_limit", true, 4000));
  EXPECT_FALSE(r.text("over", true, 4000));
  EXPECT_TRUE(r.text("short", true, 10));
  auto done = r.finish();
  ASSERT_FALSE(done);
  ASSERT_EQ(done.error().details.size(), 1u);
  EXPECT_EQ(done.error().details[0], "over: must be at most 4000 characters");
}

TEST(FieldReader, LocationChecksRangeAndNestedUnknownFields) {
  json body = {{"location", {{"lat", 91}, {"lon", 0}}}};
  FieldReader r(body);
  EXPECT_FALSE(r.location("location", true));
  EXPECT_FALSE(r.finish());
  json extra = {{"location", {{"lat", 1}, {"lon", 2}, {"alt", 3}}}};
  FieldReader r2(extra);
  auto loc = r2.location("location", true);
  ASSERT_TRUE(loc);
  auto done = r2.finish();
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().details, (std::vector<std::string>{"location.alt"}));
}

TEST(FieldReader, IntegersOutsideInt64AreProblemsNotWraparounds) {
  json body = json::parse(R"({"id": 18446744073709551615})");
  FieldReader r(body);
  EXPECT_FALSE(r.integer("id", true, 1, INT64_MAX));
  EXPECT_FALSE(r.finish());
  json fractional = {{"id", 1.5}};
  FieldReader r2(fractional);
  EXPECT_FALSE(r2.integer("id", true, 1, 10));
}

TEST(FieldReader, WeeklyHoursNeedStartBeforeEnd) {
  json ok = {{"shift", {{"mon", {"00:00", "24:00"}}, {"sun", {"22:00", "23:59"}}}}};
  FieldReader r(ok);
  auto hours = r.weekly_hours("shift", true);
  ASSERT_TRUE(hours);
  EXPECT_EQ((*hours)[0]->end_min, 1440);
  EXPECT_FALSE((*hours)[1].has_value());
  for (json bad :
       {json{{"shift", {{"mon", {"09:00", "09:00"}}}}}, json{{"shift", {{"mon", "09:00-17:00"}}}},
        json{{"shift", {{"mon", {"9:00", "17:00"}}}}},
        json{{"shift", {{"xyz", {"09:00", "17:00"}}}}}}) {
    FieldReader b(bad);
    EXPECT_FALSE(b.weekly_hours("shift", true)) << bad.dump();
  }
}

TEST(FieldReader, SkillsAreValidatedAndDeduplicated) {
  json body = {{"skills", {"hvac", "hvac", "ups"}}};
  FieldReader r(body);
  auto skills = r.skills("skills", true);
  ASSERT_TRUE(skills);
  EXPECT_EQ(*skills, (std::vector<std::string>{"hvac", "ups"}));
  json bad = {{"skills", {"HVAC"}}};
  FieldReader b(bad);
  EXPECT_FALSE(b.skills("skills", true));
}

}  // namespace
}  // namespace fieldserve::server

// ---- device op ids ----

namespace fieldserve::server {
namespace {

// Op ids are UUIDv7: version 7, the RFC variant, and later ids sort after earlier ones, so the
// ledger appends them.
TEST(NewUuidV7, IsAVersion7UuidThatSortsByTime) {
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'790'000'000));
  auto first = new_uuid_v7(t0);
  auto same_ms = new_uuid_v7(t0);
  auto later = new_uuid_v7(t0 + std::chrono::milliseconds(1));
  EXPECT_TRUE(sync::is_uuid(first)) << first;
  EXPECT_EQ(first[14], '7') << first;
  EXPECT_NE(std::string("89ab").find(first[19]), std::string::npos) << first;
  EXPECT_EQ(first.substr(0, 13), "01a0c450-6c00") << "48-bit Unix milliseconds first";
  EXPECT_NE(first, same_ms) << "random bits after the time";
  EXPECT_LT(first, later);
  EXPECT_LT(same_ms, later);
}

}  // namespace
}  // namespace fieldserve::server
