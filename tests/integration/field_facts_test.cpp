// What the field sent, as the office reads it: GET /jobs/{id}/facts, the signature image, and
// clearing needs_review (docs/after-sales.md, "Field facts").
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

class FieldFactsTest : public SyncTest {
 protected:
  static std::string path(std::int64_t job, const std::string& rest = "") {
    return "/api/v1/jobs/" + std::to_string(job) + rest;
  }
};

TEST_F(FieldFactsTest, StaffReadTheNotesPartsAndSignOffTheTabletPushed) {
  auto id = job_for(w().tech_a, "installation");
  // The tablet's clock runs two hours fast: the note keeps both times.
  auto device_now = now_text(std::chrono::hours(2));
  auto note = op("note", id, {{"text", "replaced the filter housing"}}, device_now);
  auto parts = op("parts_used", id, {{"parts", {{{"part_number", "GSK-12"}, {"qty", 2}}}}});
  auto signoff = signoff_payload();
  signoff["location"] = {{"lat", 31.2304}, {"lon", 121.4737}};
  signoff["comment"] = "quick and tidy";
  auto r = push(w().tablet_a, {note, parts, op("signoff", id, signoff)},
                now_text(std::chrono::hours(2)));
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(statuses(r), (std::vector<std::string>{"applied", "applied", "applied"})) << r.text;

  auto facts = s().get(path(id, "/facts"), w().manager);
  ASSERT_EQ(facts.status, 200) << facts.text;
  ASSERT_EQ(facts.body["notes"].size(), 1u);
  const auto& n = facts.body["notes"][0];
  EXPECT_EQ(n["text"], "replaced the filter housing");
  EXPECT_EQ(n["technician_id"], w().tech_a);
  auto device_at = parse_rfc3339(n["device_at"].get<std::string>());
  auto at = parse_rfc3339(n["at"].get<std::string>());
  ASSERT_TRUE(device_at && at);
  EXPECT_NEAR(std::chrono::duration<double>(*device_at - *at).count(), 7200, 5)
      << "device_at is the tablet's clock, at the server's";

  // The pushed part and the part listed on the sign-off, each once.
  std::map<std::string, int> qty;
  for (const auto& p : facts.body["parts"]) {
    qty[p["part_number"]] += p["qty"].get<int>();
    EXPECT_EQ(p["technician_id"], w().tech_a);
  }
  EXPECT_EQ(qty, (std::map<std::string, int>{{"GSK-12", 2}, {"FLT-200", 1}}));

  ASSERT_EQ(facts.body["signoffs"].size(), 1u);
  const auto& so = facts.body["signoffs"][0];
  EXPECT_EQ(so["id"], signoff["id"]);
  EXPECT_EQ(so["signer_name"], "Wang Fang");
  EXPECT_EQ(so["signer_role"], "facility manager");
  EXPECT_EQ(so["rating"], 5);
  EXPECT_EQ(so["comment"], "quick and tidy");
  EXPECT_DOUBLE_EQ(so["location"]["lat"].get<double>(), 31.2304);
  ASSERT_EQ(so["checklist"].size(), 1u);
  EXPECT_EQ(so["checklist"][0]["item"], "unit runs");
  EXPECT_EQ(so["checklist"][0]["ok"], true);

  // The signature URL serves the very bytes the tablet sent, to the same roles as the job.
  std::string url = so["signature_url"];
  EXPECT_EQ(url, path(id, "/signoffs/" + signoff["id"].get<std::string>() + "/signature"));
  for (const auto* token : {&w().dispatcher, &w().manager, &w().tablet_a}) {
    auto png = s().get(url, *token);
    ASSERT_EQ(png.status, 200) << png.text;
    EXPECT_EQ(png.text, tiny_png());
    auto type = png.headers.find("Content-Type");
    ASSERT_NE(type, png.headers.end());
    EXPECT_EQ(type->second, "image/png");
  }
  EXPECT_EQ(s().get(url, "").status, 401) << "the image needs the token like the rest";
}

TEST_F(FieldFactsTest, AnotherTechniciansJobAndAnotherJobsSignOffAreRefused) {
  auto mine = job_for(w().tech_a, "installation");
  auto other = job_for(w().tech_a, "installation");
  auto signoff = signoff_payload();
  ASSERT_EQ(statuses(push(w().tablet_a, {op("signoff", mine, signoff)})),
            std::vector<std::string>{"applied"});
  EXPECT_EQ(s().get(path(mine, "/facts"), w().tablet_b).status, 403);
  std::string id = signoff["id"];
  EXPECT_EQ(s().get(path(mine, "/signoffs/" + id + "/signature"), w().tablet_b).status, 403);
  auto wrong_job = s().get(path(other, "/signoffs/" + id + "/signature"), w().dispatcher);
  EXPECT_EQ(wrong_job.status, 404) << "a sign-off is found only under its own job";
  EXPECT_EQ(s().get(path(999999, "/facts"), w().dispatcher).status, 404);
  auto empty = s().get(path(other, "/facts"), w().dispatcher);
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.body["notes"].empty());
  EXPECT_TRUE(empty.body["parts"].empty());
  EXPECT_TRUE(empty.body["signoffs"].empty());
}

TEST_F(FieldFactsTest, ADispatcherClearsNeedsReviewAndTheEventLogSaysWho) {
  auto id = job_for(w().tech_a);
  ASSERT_EQ(s().post(path(id, "/cancel"), json::object(), w().dispatcher).status, 200);
  // A note for the cancelled job is kept and flags it (docs/sync-protocol.md).
  auto r = push(w().tablet_a, {op("note", id, {{"text", "customer was not home"}})});
  ASSERT_EQ(r.body["results"][0]["status"], "conflict") << r.text;
  auto flagged = s().get(path(id), w().dispatcher);
  ASSERT_TRUE(flagged.body["needs_review"]);
  std::int64_t version = flagged.body["version"];

  EXPECT_EQ(s().patch(path(id), {{"needs_review", false}}, w().manager).status, 403);
  EXPECT_EQ(s().patch(path(id), {{"needs_review", false}}, w().tablet_a).status, 403);
  auto bad = s().patch(path(id), {{"needs_review", "no"}}, w().dispatcher);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(s().patch(path(id), {{"description", "x"}}, w().dispatcher).status, 409)
      << "a cancelled job takes no other change";

  auto cleared = s().patch(path(id), {{"needs_review", false}}, w().dispatcher);
  ASSERT_EQ(cleared.status, 200) << cleared.text;
  EXPECT_FALSE(cleared.body["needs_review"]);
  EXPECT_EQ(cleared.body["version"], version + 1);
  auto listed = s().get("/api/v1/jobs?needs_review=true&limit=500", w().dispatcher);
  for (const auto& j : listed.body["items"]) EXPECT_NE(j["id"], id);

  auto events = s().get(path(id, "/events?limit=50"), w().dispatcher);
  int raised = 0, cleared_events = 0;
  for (const auto& e : events.body["items"]) {
    if (e["type"] != "needs_review") continue;
    if (e["detail"] == "cleared by a dispatcher") {
      ++cleared_events;
      EXPECT_EQ(e["source"], "dispatcher");
    } else {
      ++raised;
    }
  }
  EXPECT_EQ(raised, 1);
  EXPECT_EQ(cleared_events, 1);

  // Clearing it again changes nothing and records nothing.
  auto again = s().patch(path(id), {{"needs_review", false}}, w().dispatcher);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body["version"], version + 1);
}

}  // namespace
}  // namespace fieldserve::testing
