// Complaints over HTTP: deadlines by account tier, escalation by the running server's monitor,
// answers, filters, the technician report's count, and bad input (docs/after-sales.md).
#include <gtest/gtest.h>

#include <thread>

#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

using std::chrono::hours;

class ComplaintsHttpTest : public SyncTest {
 protected:
  std::int64_t standard_customer() {
    auto r = s().post("/api/v1/customers", {{"name", "Corner Shop"}, {"account_tier", "standard"}},
                      w().dispatcher);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body["id"];
  }
  Response complain(json body) {
    if (!body.contains("channel")) body["channel"] = "phone";
    if (!body.contains("text")) body["text"] = "the engineer left without fixing it";
    return s().post("/api/v1/complaints", body, w().dispatcher);
  }
  static std::chrono::seconds span(const json& from, const json& to) {
    return *parse_rfc3339(to.get<std::string>()) - *parse_rfc3339(from.get<std::string>());
  }
};

TEST_F(ComplaintsHttpTest, AKeyAccountHasFourHoursAndAnyOtherTwentyFour) {
  auto key = complain({{"customer_id", w().customer_id}, {"severity", "serious"}});
  ASSERT_EQ(key.status, 201) << key.text;
  EXPECT_EQ(key.body["status"], "open");
  EXPECT_EQ(key.body["escalated"], false);
  EXPECT_TRUE(key.body["escalated_at"].is_null());
  EXPECT_TRUE(key.body["answer"].is_null());
  EXPECT_TRUE(key.body["answered_late"].is_null());
  EXPECT_EQ(key.body["severity"], "serious");
  EXPECT_EQ(span(key.body["received_at"], key.body["due"]), hours(4));
  auto other = complain({{"customer_id", standard_customer()}, {"channel", "email"}});
  ASSERT_EQ(other.status, 201);
  EXPECT_EQ(other.body["severity"], "normal");
  EXPECT_EQ(span(other.body["received_at"], other.body["due"]), hours(24));
}

TEST_F(ComplaintsHttpTest, ComplaintsPastTheirDueAreEscalatedByTheRunningServer) {
  // Received five hours ago from a key account: due an hour ago.
  auto late = complain({{"customer_id", w().customer_id}, {"received_at", now_text(-hours(5))}});
  ASSERT_EQ(late.status, 201) << late.text;
  std::int64_t id = late.body["id"];
  json now;
  // The monitor ticks every second; give it up to 30 (a bounded wait for the event, no timing).
  for (int i = 0; i < 300; ++i) {
    now = s().get("/api/v1/complaints/" + std::to_string(id), w().manager).body;
    if (now["escalated"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(now["escalated"], true) << now;
  EXPECT_FALSE(now["escalated_at"].is_null());
  EXPECT_NE(s().log_containing("complaint escalated"), "");
  auto overdue = s().get("/api/v1/complaints?overdue=true&limit=500", w().manager);
  bool listed = false;
  for (const auto& c : overdue.body["items"]) listed = listed || c["id"] == id;
  EXPECT_TRUE(listed);

  auto answered = s().post("/api/v1/complaints/" + std::to_string(id) + "/answer",
                           {{"answer", "a technician comes today at 3"}}, w().dispatcher);
  ASSERT_EQ(answered.status, 200) << answered.text;
  EXPECT_EQ(answered.body["status"], "answered");
  EXPECT_EQ(answered.body["answered_late"], true);
  EXPECT_EQ(answered.body["answer"], "a technician comes today at 3");
  auto twice = s().post("/api/v1/complaints/" + std::to_string(id) + "/answer",
                        {{"answer", "again"}}, w().dispatcher);
  EXPECT_EQ(twice.status, 409);
  overdue = s().get("/api/v1/complaints?overdue=true&limit=500", w().manager);
  for (const auto& c : overdue.body["items"]) EXPECT_NE(c["id"], id) << "answered is not overdue";
}

TEST_F(ComplaintsHttpTest, AnAnswerWithinTheDueIsNotLateAndFiltersFindEachComplaint) {
  auto shop = standard_customer();
  auto a = complain({{"customer_id", shop}, {"received_at", now_text(-hours(2))}});
  auto b = complain({{"customer_id", w().customer_id}});
  ASSERT_EQ(a.status, 201);
  ASSERT_EQ(b.status, 201);
  std::int64_t a_id = a.body["id"];
  auto before = s().post("/api/v1/complaints/" + std::to_string(a_id) + "/answer",
                         {{"answer", "sorry"}, {"answered_at", now_text(-hours(3))}},
                         w().dispatcher);
  EXPECT_EQ(before.status, 422) << "an answer before the complaint";
  auto answered = s().post("/api/v1/complaints/" + std::to_string(a_id) + "/answer",
                           {{"answer", "sorry"}, {"answered_at", now_text(-hours(1))}},
                           w().dispatcher);
  ASSERT_EQ(answered.status, 200) << answered.text;
  EXPECT_EQ(answered.body["answered_late"], false);

  auto ids = [&](const std::string& query) {
    std::set<std::int64_t> out;
    auto r = s().get("/api/v1/complaints?limit=500&" + query, w().manager);
    EXPECT_EQ(r.status, 200) << r.text;
    for (const auto& c : r.body["items"]) out.insert(c["id"].get<std::int64_t>());
    return out;
  };
  EXPECT_EQ(ids("customer_id=" + std::to_string(shop)), std::set<std::int64_t>{a_id});
  EXPECT_TRUE(ids("status=answered").contains(a_id));
  EXPECT_FALSE(ids("status=open").contains(a_id));
  EXPECT_TRUE(ids("status=open").contains(b.body["id"].get<std::int64_t>()));
  EXPECT_EQ(s().get("/api/v1/complaints?status=closed", w().manager).status, 400);
  EXPECT_EQ(s().get("/api/v1/complaints?overdue=yes", w().manager).status, 400);
}

TEST_F(ComplaintsHttpTest, AComplaintAboutAJobNamesItsTechnicianAndCountsInTheReport) {
  auto job = job_for(w().tech_a);
  auto c = complain({{"customer_id", w().customer_id}, {"job_id", job}});
  ASSERT_EQ(c.status, 201) << c.text;
  EXPECT_EQ(c.body["technician_id"], w().tech_a) << "the job's technician by default";
  auto named = complain({{"customer_id", w().customer_id}, {"technician_id", w().tech_a}});
  ASSERT_EQ(named.status, 201);
  auto report = s().get("/api/v1/reports/technicians", w().manager);
  ASSERT_EQ(report.status, 200) << report.text;
  std::map<std::int64_t, std::int64_t> counts;
  for (const auto& t : report.body["items"]) counts[t["technician_id"]] = t["complaints"];
  EXPECT_EQ(counts[w().tech_a], 2);
  EXPECT_EQ(counts[w().tech_b], 0);
}

TEST_F(ComplaintsHttpTest, BadComplaintsAreRefusedWithTheFieldNamed) {
  auto shop = standard_customer();
  auto job = job_for(w().tech_a);  // at the world's customer's site, not the shop's
  auto expect = [&](const json& body, int status, const std::string& needle) {
    auto r = complain(body);
    EXPECT_EQ(r.status, status) << body << " → " << r.text;
    EXPECT_NE(r.text.find(needle), std::string::npos) << r.text;
  };
  expect({{"customer_id", 999999}}, 422, "customer_id");
  expect({{"customer_id", w().customer_id}, {"job_id", 999999}}, 422, "job_id");
  expect({{"customer_id", shop}, {"job_id", job}}, 422, "job_id");
  expect({{"customer_id", w().customer_id}, {"technician_id", 999999}}, 422, "technician_id");
  expect({{"customer_id", w().customer_id}, {"channel", "fax"}}, 422, "channel");
  expect({{"customer_id", w().customer_id}, {"severity", "urgent"}}, 422, "severity");
  expect({{"customer_id", w().customer_id}, {"text", ""}}, 422, "text");
  expect({{"customer_id", w().customer_id}, {"received_at", now_text(hours(2))}}, 422,
         "received_at");
  expect({{"customer_id", w().customer_id}, {"mood", "angry"}}, 422, "mood");
  EXPECT_EQ(s().post("/api/v1/complaints",
                     {{"customer_id", w().customer_id}, {"channel", "web"}, {"text", "x"}},
                     w().manager)
                .status,
            403);
  EXPECT_EQ(s().get("/api/v1/complaints", w().tablet_a).status, 403)
      << "complaints are office work";
  EXPECT_EQ(s().get("/api/v1/complaints/999999", w().manager).status, 404);
  EXPECT_EQ(s().post("/api/v1/complaints/999999/answer", {{"answer", "x"}}, w().dispatcher).status,
            404);
}

}  // namespace
}  // namespace fieldserve::testing
