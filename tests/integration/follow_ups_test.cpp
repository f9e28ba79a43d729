// Follow-up calls over HTTP: made when a job closes, due a week later, listed earliest due
// first, their results recorded once, and their scores in the technician report
// (docs/after-sales.md, "Follow-ups").
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

class FollowUpsTest : public SyncTest {
 protected:
  // A repair job worked, resolved and closed through the desk; returns its id.
  std::int64_t closed_job(std::int64_t technician) {
    auto id = job_for(technician);
    std::string path = "/api/v1/jobs/" + std::to_string(id) + "/status";
    for (const char* to : {"accepted", "en_route", "on_site"}) {
      EXPECT_EQ(s().post(path, {{"to", to}}, w().dispatcher).status, 200) << to;
    }
    EXPECT_EQ(s().post(path, {{"to", "resolved"}}, w().dispatcher).status, 200);
    auto closed = s().post(path, {{"to", "closed"}}, w().dispatcher);
    EXPECT_EQ(closed.status, 200) << closed.text;
    return id;
  }
  // The follow-up of `job`, from the whole call list.
  json follow_up_of(std::int64_t job) {
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      auto r = s().get("/api/v1/followups?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor),
                       w().manager);
      EXPECT_EQ(r.status, 200) << r.text;
      for (const auto& f : r.body["items"]) {
        if (f["job_id"] == job) return f;
      }
      if (r.body["next_cursor"].is_null()) break;
      cursor = r.body["next_cursor"];
    }
    return nullptr;
  }
  Response result(std::int64_t id, const json& body, const std::string& token = "") {
    return s().post("/api/v1/followups/" + std::to_string(id) + "/result", body,
                    token.empty() ? w().dispatcher : token);
  }
};

TEST_F(FollowUpsTest, ClosingAJobMakesItsCallDueAWeekLater) {
  auto job = closed_job(w().tech_a);
  auto f = follow_up_of(job);
  ASSERT_TRUE(f.is_object()) << "no follow-up for the closed job";
  EXPECT_EQ(f["status"], "due");
  EXPECT_EQ(f["customer_id"], w().customer_id);
  EXPECT_EQ(f["technician_id"], w().tech_a);
  EXPECT_TRUE(f["reached"].is_null());
  EXPECT_TRUE(f["satisfaction"].is_null());
  auto events = s().get("/api/v1/jobs/" + std::to_string(job) + "/events?limit=50", w().manager);
  std::string closed_at;
  for (const auto& e : events.body["items"]) {
    if (e["to_status"] == "closed") closed_at = e["at"];
  }
  ASSERT_FALSE(closed_at.empty());
  EXPECT_EQ(*parse_rfc3339(f["due"].get<std::string>()) - *parse_rfc3339(closed_at),
            std::chrono::hours(7 * 24));
  // A job not closed has no call yet.
  EXPECT_TRUE(follow_up_of(job_for(w().tech_a)).is_null());
}

TEST_F(FollowUpsTest, TheListIsEarliestDueFirstAndPagesWithoutRepeats) {
  std::vector<std::int64_t> jobs;
  for (int i = 0; i < 5; ++i) jobs.push_back(closed_job(w().tech_b));
  std::vector<std::string> dues;
  std::set<std::int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto r = s().get("/api/v1/followups?status=due&limit=2" +
                         (cursor.empty() ? "" : "&cursor=" + cursor),
                     w().manager);
    ASSERT_EQ(r.status, 200) << r.text;
    for (const auto& f : r.body["items"]) {
      EXPECT_TRUE(seen.insert(f["id"].get<std::int64_t>()).second) << "listed twice: " << f;
      dues.push_back(f["due"]);
    }
    if (r.body["next_cursor"].is_null()) break;
    cursor = r.body["next_cursor"];
  }
  EXPECT_GE(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(dues.begin(), dues.end())) << "RFC 3339 UTC sorts as time";
  auto none = s().get("/api/v1/followups?due_before=2001-01-01T00:00:00Z", w().manager);
  EXPECT_TRUE(none.body["items"].empty());
  EXPECT_EQ(s().get("/api/v1/followups?cursor=12", w().manager).status, 400);
  EXPECT_EQ(s().get("/api/v1/followups?status=open", w().manager).status, 400);
}

TEST_F(FollowUpsTest, AResultIsRecordedOnceAndBadScoresAreRefused) {
  auto f = follow_up_of(closed_job(w().tech_a));
  ASSERT_TRUE(f.is_object());
  std::int64_t id = f["id"];
  EXPECT_EQ(result(id, {{"reached", true}, {"satisfaction", 0}}).status, 422);
  EXPECT_EQ(result(id, {{"reached", true}, {"satisfaction", 6}}).status, 422);
  auto not_reached = result(id, {{"reached", false}, {"satisfaction", 4}});
  EXPECT_EQ(not_reached.status, 422);
  EXPECT_NE(not_reached.text.find("satisfaction"), std::string::npos);
  EXPECT_EQ(result(id, {{"satisfaction", 4}}).status, 422) << "reached is required";
  EXPECT_EQ(result(id, {{"reached", true}, {"mood", 4}}).status, 422);
  EXPECT_EQ(result(id, {{"reached", true}}, w().manager).status, 403);
  EXPECT_EQ(s().get("/api/v1/followups", w().tablet_a).status, 403);
  EXPECT_EQ(result(999999, {{"reached", true}}).status, 404);
  // A call before the job was closed is a typing error, and would lock the real result out.
  auto before_close = result(id, {{"reached", true}, {"at", "1990-01-01T00:00:00Z"}});
  EXPECT_EQ(before_close.status, 422);
  EXPECT_NE(before_close.text.find("before the job was closed"), std::string::npos)
      << before_close.text;

  auto done = result(id, {{"reached", true}, {"satisfaction", 4}, {"comment", "quick"}});
  ASSERT_EQ(done.status, 200) << done.text;
  EXPECT_EQ(done.body["status"], "done");
  EXPECT_EQ(done.body["satisfaction"], 4);
  EXPECT_EQ(done.body["reached"], true);
  EXPECT_FALSE(done.body["done_at"].is_null());
  EXPECT_EQ(result(id, {{"reached", true}, {"satisfaction", 5}}).status, 409);
  EXPECT_EQ(s().get("/api/v1/followups/" + std::to_string(id), w().manager).body["satisfaction"],
            4);
}

TEST_F(FollowUpsTest, MeanSatisfactionAveragesSignOffRatingsAndFollowUpScores) {
  // tech_b: an installation signed off with rating 5 (its follow-up scores 4), and a repair
  // whose follow-up scores 2: (5 + 4 + 2) / 3 = 3.67 over 3 scores. A call that did not reach
  // the customer adds nothing.
  auto unreached = closed_job(w().tech_b);
  auto signed_job = job_for(w().tech_b, "installation");
  std::string path = "/api/v1/jobs/" + std::to_string(signed_job) + "/status";
  for (const char* to : {"accepted", "en_route", "on_site"})
    ASSERT_EQ(s().post(path, {{"to", to}}, w().dispatcher).status, 200);
  ASSERT_EQ(push(w().tablet_b, {op("signoff", signed_job, signoff_payload())}).status, 200);
  ASSERT_EQ(s().post(path, {{"to", "resolved"}}, w().dispatcher).status, 200);
  ASSERT_EQ(s().post(path, {{"to", "closed"}}, w().dispatcher).status, 200);
  auto repaired = closed_job(w().tech_b);
  ASSERT_EQ(result(follow_up_of(signed_job)["id"], {{"reached", true}, {"satisfaction", 4}}).status,
            200);
  ASSERT_EQ(result(follow_up_of(repaired)["id"], {{"reached", true}, {"satisfaction", 2}}).status,
            200);
  ASSERT_EQ(result(follow_up_of(unreached)["id"], {{"reached", false}}).status, 200);
  auto report = s().get("/api/v1/reports/technicians", w().manager);
  ASSERT_EQ(report.status, 200) << report.text;
  json mine;
  for (const auto& t : report.body["items"]) {
    if (t["technician_id"] == w().tech_b) mine = t;
  }
  ASSERT_TRUE(mine.is_object()) << report.text;
  EXPECT_EQ(mine["ratings"], 3);
  EXPECT_DOUBLE_EQ(mine["mean_satisfaction"].get<double>(), 3.67);
}

}  // namespace
}  // namespace fieldserve::testing
