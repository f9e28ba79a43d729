// The staff change feed over HTTP (docs/web.md, "Live updates"): what changed after a cursor,
// each job or technician once with its current document, in pages, for staff only; and
// GET /me, which the web apps ask once to know whose token they hold.
#include <gtest/gtest.h>

#include <set>

#include "sync/cursor.h"
#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

class FeedTest : public SyncTest {
 protected:
  Response feed(const std::string& cursor, int limit = 0, const std::string& token = "") {
    std::string path = "/api/v1/feed?";
    if (!cursor.empty()) path += "cursor=" + cursor + "&";
    if (limit) path += "limit=" + std::to_string(limit);
    return s().get(path, token.empty() ? w().dispatcher : token);
  }
  // Where the feed stands now.
  std::string now_cursor() {
    auto r = feed("");
    EXPECT_EQ(r.status, 200) << r.text;
    EXPECT_TRUE(r.body["jobs"].empty());
    EXPECT_TRUE(r.body["technicians"].empty());
    EXPECT_FALSE(r.body["reset"].get<bool>());
    return r.body["cursor"];
  }
  static std::multiset<std::int64_t> ids(const json& list) {
    std::multiset<std::int64_t> out;
    for (const auto& item : list) out.insert(item["id"].get<std::int64_t>());
    return out;
  }
};

TEST_F(FeedTest, ANewJobAndEachLaterChangeComeOnceWithTheCurrentDocument) {
  auto cursor = now_cursor();
  auto created = s().post("/api/v1/jobs",
                          {{"site_id", w().site_id},
                           {"kind", "repair"},
                           {"severity", "critical"},
                           {"description", "cold room at +9 C"},
                           {"auto_assign", false}},
                          w().dispatcher);
  ASSERT_EQ(created.status, 201) << created.text;
  std::int64_t id = created.body["id"];
  auto first = feed(cursor);
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(ids(first.body["jobs"]), std::multiset<std::int64_t>{id});
  EXPECT_EQ(first.body["jobs"][0], s().get("/api/v1/jobs/" + std::to_string(id), w().manager).body)
      << "the feed's document is the job's REST document";
  EXPECT_FALSE(first.body["has_more"].get<bool>());
  cursor = first.body["cursor"];
  EXPECT_TRUE(feed(cursor).body["jobs"].empty()) << "nothing changed since";

  // Two changes between polls: the job comes once, as it is after both.
  auto path = "/api/v1/jobs/" + std::to_string(id);
  ASSERT_EQ(s().post(path + "/assign", {{"technician_id", w().tech_a}, {"force", true}},
                     w().dispatcher)
                .status,
            200);
  ASSERT_EQ(s().post(path + "/status", {{"to", "accepted"}}, w().dispatcher).status, 200);
  auto second = feed(cursor);
  ASSERT_EQ(ids(second.body["jobs"]), std::multiset<std::int64_t>{id});
  EXPECT_EQ(second.body["jobs"][0]["status"], "accepted");
  EXPECT_EQ(second.body["jobs"][0]["technician_id"], w().tech_a);
}

TEST_F(FeedTest, ATechniciansNewPositionComesThroughTheFeed) {
  auto cursor = now_cursor();
  auto pushed = push(w().tablet_b,
                     {op("location", std::nullopt, {{"lat", 31.25}, {"lon", 121.48}})});
  ASSERT_EQ(pushed.status, 200) << pushed.text;
  auto r = feed(cursor);
  ASSERT_EQ(ids(r.body["technicians"]), std::multiset<std::int64_t>{w().tech_b});
  EXPECT_DOUBLE_EQ(r.body["technicians"][0]["location"]["lat"].get<double>(), 31.25);
  EXPECT_TRUE(r.body["jobs"].empty());
}

TEST_F(FeedTest, ChangesComeInPagesThatLoseNothing) {
  auto cursor = now_cursor();
  std::multiset<std::int64_t> made;
  for (int i = 0; i < 5; ++i) {
    auto j = s().post("/api/v1/jobs",
                      {{"site_id", w().site_id},
                       {"kind", "maintenance"},
                       {"severity", "minor"},
                       {"auto_assign", false}},
                      w().dispatcher);
    ASSERT_EQ(j.status, 201) << j.text;
    made.insert(j.body["id"].get<std::int64_t>());
  }
  std::multiset<std::int64_t> seen;
  int pages = 0;
  for (bool more = true; more && pages < 10; ++pages) {
    auto r = feed(cursor, 2);
    ASSERT_EQ(r.status, 200) << r.text;
    for (auto id : ids(r.body["jobs"])) seen.insert(id);
    more = r.body["has_more"];
    cursor = r.body["cursor"];
  }
  EXPECT_EQ(seen, made);
  EXPECT_EQ(pages, 3) << "2 + 2 + 1";
}

TEST_F(FeedTest, ACursorFromElsewhereResetsAndABrokenOneIsRefused) {
  auto other = sync::encode_staff_cursor({"0123456789abcdef", 1});
  auto r = feed(other);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_TRUE(r.body["reset"].get<bool>());
  EXPECT_TRUE(r.body["jobs"].empty());
  auto fresh = feed(r.body["cursor"]);
  EXPECT_FALSE(fresh.body["reset"].get<bool>()) << "the cursor a reset gives is this database's";

  auto broken = feed("s1.0123.5.deadbeef");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(broken.error_code(), "bad_request");
  EXPECT_EQ(feed("", 0, w().tablet_a).status, 403) << "technicians use sync, not the staff feed";
  EXPECT_EQ(feed("", 0, w().manager).status, 200);
}

TEST_F(FeedTest, MeNamesTheTokensRoleAndTechnician) {
  auto me = s().get("/api/v1/me", w().tablet_a);
  ASSERT_EQ(me.status, 200) << me.text;
  EXPECT_EQ(me.body["role"], "technician");
  EXPECT_EQ(me.body["technician_id"], w().tech_a);
  auto desk = s().get("/api/v1/me", w().dispatcher);
  EXPECT_EQ(desk.body["role"], "dispatcher");
  EXPECT_TRUE(desk.body["technician_id"].is_null());
  EXPECT_EQ(s().get("/api/v1/me", "fs_not_a_token").status, 401);
}

}  // namespace
}  // namespace fieldserve::testing
