// The role matrix of docs/decisions.md, checked per route and per object.
#include <gtest/gtest.h>

#include <cctype>

#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

class RolesTest : public WorldTest {
 protected:
  static void SetUpTestSuite() {
    WorldTest::SetUpTestSuite();
    auto& s = *server_;
    auto& w = *world_;
    // One job for each technician.
    for (auto [tech, slot] : {std::pair{w.tech_a, &job_a_}, std::pair{w.tech_b, &job_b_}}) {
      auto job = s.post("/api/v1/jobs",
                        {{"site_id", w.site_id},
                         {"kind", "repair"},
                         {"severity", "general"},
                         {"auto_assign", false}},
                        w.dispatcher);
      *slot = job.body["id"];
      s.post("/api/v1/jobs/" + std::to_string(*slot) + "/assign", {{"technician_id", tech}},
             w.dispatcher);
    }
  }
  static inline std::int64_t job_a_ = 0, job_b_ = 0;
  std::string job(std::int64_t id, const std::string& tail = "") {
    return "/api/v1/jobs/" + std::to_string(id) + tail;
  }
};

TEST_F(RolesTest, NoTokenOrABadTokenIs401) {
  EXPECT_EQ(s().get("/api/v1/jobs", "").status, 401);
  EXPECT_EQ(s().get("/api/v1/jobs", "fs_" + std::string(64, '0')).status, 401);
  auto r = s().send("GET", "/api/v1/jobs", "", "", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.error_code(), "unauthorized");
  // The scheme's name is case-insensitive (RFC 7235); the token is not.
  EXPECT_EQ(s().send("GET", "/api/v1/jobs", "", "", {{"Authorization", "bearer " + w().dispatcher}})
                .status,
            200);
  EXPECT_EQ(s().send("GET", "/api/v1/jobs", "", "", {{"Authorization", "BEARER " + w().dispatcher}})
                .status,
            200);
  std::string upper = w().dispatcher;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(s().send("GET", "/api/v1/jobs", "", "", {{"Authorization", "Bearer " + upper}}).status,
            401);
}

TEST_F(RolesTest, AnIdBelowOneInAFilterIsABadRequest) {
  for (const char* path :
       {"/api/v1/jobs?technician_id=0", "/api/v1/jobs?center_id=-1", "/api/v1/jobs?site_id=0",
        "/api/v1/technicians?home_center_id=0", "/api/v1/equipment?site_id=-1",
        "/api/v1/complaints?customer_id=-5", "/api/v1/sites?center_id=0",
        "/api/v1/sites?customer_id=0", "/api/v1/reports/sla?center_id=0",
        "/api/v1/reports/sla/breaches?technician_id=0", "/api/v1/dispatch/move-ups?center_id=0"}) {
    auto r = s().get(path, w().manager);
    EXPECT_EQ(r.status, 400) << path << " " << r.text;
    EXPECT_NE(r.text.find("must be an id"), std::string::npos) << path << " " << r.text;
  }
  EXPECT_EQ(s().get("/api/v1/jobs?technician_id=1", w().manager).status, 200);
}

TEST_F(RolesTest, TechnicianSeesOnlyItsOwnJobs) {
  auto list = s().get("/api/v1/jobs?limit=500", w().tablet_a);
  ASSERT_EQ(list.status, 200);
  ASSERT_FALSE(list.body["items"].empty());
  for (const auto& j : list.body["items"]) EXPECT_EQ(j["technician_id"], w().tech_a);
  EXPECT_EQ(s().get(job(job_a_), w().tablet_a).status, 200);
  EXPECT_EQ(s().get(job(job_b_), w().tablet_a).status, 403);
  EXPECT_EQ(s().get(job(job_b_, "/events"), w().tablet_a).status, 403);
  auto asked = s().get("/api/v1/jobs?technician_id=" + std::to_string(w().tech_b), w().tablet_a);
  EXPECT_EQ(asked.status, 403);
}

TEST_F(RolesTest, TechnicianCannotChangeAnotherTechniciansJob) {
  auto r = s().post(job(job_b_, "/status"), {{"to", "accepted"}}, w().tablet_a);
  EXPECT_EQ(r.status, 403);
  // The job is unchanged.
  EXPECT_EQ(s().get(job(job_b_), w().dispatcher).body["status"], "assigned");
  EXPECT_EQ(s().post(job(job_b_, "/assign"), {{"technician_id", w().tech_a}}, w().tablet_a).status,
            403);
  EXPECT_EQ(s().post(job(job_b_, "/cancel"), json::object(), w().tablet_a).status, 403);
  EXPECT_EQ(s().patch(job(job_b_), {{"description", "x"}}, w().tablet_a).status, 403);
}

TEST_F(RolesTest, TechnicianMovesItsOwnJobButCannotCloseIt) {
  EXPECT_EQ(s().post(job(job_a_, "/status"), {{"to", "accepted"}}, w().tablet_a).status, 200);
  EXPECT_EQ(s().get("/api/v1/technicians/" + std::to_string(w().tech_a), w().tablet_a).status, 200);
  EXPECT_EQ(s().get("/api/v1/technicians/" + std::to_string(w().tech_b), w().tablet_a).status, 403);
  EXPECT_EQ(s().get("/api/v1/customers", w().tablet_a).status, 403);
  EXPECT_EQ(s().get("/api/v1/technicians", w().tablet_a).status, 403);
}

TEST_F(RolesTest, ManagerReadsEverythingAndWritesNothing) {
  EXPECT_EQ(s().get("/api/v1/jobs", w().manager).status, 200);
  EXPECT_EQ(s().get(job(job_b_, "/events"), w().manager).status, 200);
  EXPECT_EQ(s().get("/api/v1/customers", w().manager).status, 200);
  EXPECT_EQ(s().get("/api/v1/audit", w().manager).status, 200);
  EXPECT_EQ(s().post("/api/v1/customers", {{"name", "x"}}, w().manager).status, 403);
  EXPECT_EQ(s().post(job(job_b_, "/status"), {{"to", "accepted"}}, w().manager).status, 403);
  EXPECT_EQ(s().patch("/api/v1/centers/" + std::to_string(w().center_id), {{"name", "x"}},
                      w().manager)
                .status,
            403);
  EXPECT_EQ(s().get("/api/v1/tokens", w().manager).status, 403);
}

TEST_F(RolesTest, OnlyAnAdminMakesListsAndRevokesTokens) {
  EXPECT_EQ(s().post("/api/v1/tokens", {{"role", "admin"}, {"name", "x"}}, w().dispatcher).status,
            403);
  EXPECT_EQ(s().post("/api/v1/tokens", {{"role", "admin"}, {"name", "x"}}, w().manager).status,
            403);
  EXPECT_EQ(s().post("/api/v1/tokens", {{"role", "admin"}, {"name", "x"}}, w().tablet_a).status,
            403);
  auto made = s().post("/api/v1/tokens", {{"role", "dispatcher"}, {"name", "night desk"}},
                       s().admin_token());
  ASSERT_EQ(made.status, 201);
  std::string token = made.body["token"];
  EXPECT_EQ(token.size(), 3u + 64u);
  auto list = s().get("/api/v1/tokens", s().admin_token());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.text.find(token), std::string::npos);  // never the value
  bool listed = false;
  for (const auto& t : list.body["items"]) listed = listed || t["name"] == "night desk";
  EXPECT_TRUE(listed);
  EXPECT_EQ(s().get("/api/v1/jobs", token).status, 200);
  auto id = std::to_string(made.body["id"].get<std::int64_t>());
  EXPECT_EQ(s().del("/api/v1/tokens/" + id, w().dispatcher).status, 403);
  EXPECT_EQ(s().del("/api/v1/tokens/" + id, s().admin_token()).status, 204);
  EXPECT_EQ(s().get("/api/v1/jobs", token).status, 401);
}

TEST_F(RolesTest, TechnicianTokenNeedsAnExistingTechnician) {
  EXPECT_EQ(
      s().post("/api/v1/tokens", {{"role", "technician"}, {"name", "x"}}, s().admin_token()).status,
      422);
  EXPECT_EQ(s().post("/api/v1/tokens",
                     {{"role", "technician"}, {"name", "x"}, {"technician_id", 424242}},
                     s().admin_token())
                .status,
            422);
  EXPECT_EQ(s().post("/api/v1/tokens",
                     {{"role", "manager"}, {"name", "x"}, {"technician_id", w().tech_a}},
                     s().admin_token())
                .status,
            422);
}

TEST_F(RolesTest, DispatcherCannotChangeThePolicy) {
  auto policy = s().get("/api/v1/sla-policy", w().dispatcher);
  ASSERT_EQ(policy.status, 200);
  EXPECT_EQ(s().put("/api/v1/sla-policy", policy.body, w().dispatcher).status, 403);
}

}  // namespace
}  // namespace fieldserve::testing
