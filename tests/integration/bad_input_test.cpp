// Every class of bad input gets a 4xx with the error shape of the API conventions, never a 500, and
// the server keeps serving afterwards.
#include <gtest/gtest.h>

#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

class BadInputTest : public WorldTest {
 protected:
  void TearDown() override {
    // Whatever came before, the server still answers.
    EXPECT_EQ(server_->get("/healthz", "").status, 200);
  }

  // Asserts status and error code, and that the body has the documented shape.
  void expect_error(const Response& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.text;
    ASSERT_TRUE(r.body.is_object()) << r.text;
    ASSERT_TRUE(r.body.contains("error")) << r.text;
    EXPECT_EQ(r.body["error"]["code"], code) << r.text;
    EXPECT_TRUE(r.body["error"]["message"].is_string());
    EXPECT_TRUE(r.body["error"]["details"].is_array());
  }

  json valid_job() {
    return {{"site_id", world_->site_id},
            {"kind", "repair"},
            {"severity", "serious"},
            {"auto_assign", false}};
  }
};

TEST_F(BadInputTest, MalformedJsonIs400) {
  auto r = s().send("POST", "/api/v1/customers", "{\"name\": ", "application/json",
                    {{"Authorization", "Bearer " + admin()}});
  expect_error(r, 400, "malformed_json");
}

TEST_F(BadInputTest, NonObjectBodyIs400) {
  auto r = s().send("POST", "/api/v1/customers", "[1,2]", "application/json",
                    {{"Authorization", "Bearer " + admin()}});
  expect_error(r, 400, "malformed_json");
}

TEST_F(BadInputTest, DeeplyNestedJsonIsRefusedBeforeParsing) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  std::string body = "{\"name\": " + deep + "}";
  auto r = s().send("POST", "/api/v1/customers", body, "application/json",
                    {{"Authorization", "Bearer " + admin()}});
  expect_error(r, 400, "malformed_json");
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("deeper"), std::string::npos);
}

TEST_F(BadInputTest, WrongContentTypeIs415) {
  auto r = s().send("POST", "/api/v1/customers", "name=x", "application/x-www-form-urlencoded",
                    {{"Authorization", "Bearer " + admin()}});
  expect_error(r, 415, "unsupported_media_type");
}

TEST_F(BadInputTest, UnknownFieldIs422AndNamed) {
  auto body = valid_job();
  body["severty"] = "critical";
  auto r = s().post("/api/v1/jobs", body, admin());
  expect_error(r, 422, "unknown_field");
  EXPECT_EQ(r.body["error"]["details"], json::array({"severty"}));
}

TEST_F(BadInputTest, UnknownNestedFieldIs422) {
  auto r = s().post("/api/v1/customers", {{"name", "X"}, {"contact", {{"mail", "a@b.c"}}}},
                    admin());
  expect_error(r, 422, "unknown_field");
  EXPECT_EQ(r.body["error"]["details"], json::array({"contact.mail"}));
}

TEST_F(BadInputTest, WrongTypesAre422WithEveryProblemListed) {
  auto r = s().post("/api/v1/jobs", {{"site_id", "one"}, {"kind", 7}, {"severity", "serious"}},
                    admin());
  expect_error(r, 422, "validation_failed");
  EXPECT_EQ(r.body["error"]["details"].size(), 2u) << r.text;
}

TEST_F(BadInputTest, OutOfRangeCoordinatesAre422) {
  for (auto [lat, lon] : {std::pair{90.0001, 0.0}, std::pair{-91.0, 0.0}, std::pair{0.0, 180.5},
                          std::pair{0.0, -181.0}}) {
    auto r = s().post("/api/v1/sites",
                      {{"customer_id", world_->customer_id},
                       {"address", "x"},
                       {"location", {{"lat", lat}, {"lon", lon}}}},
                      admin());
    expect_error(r, 422, "validation_failed");
  }
  auto edge = s().post("/api/v1/sites",
                       {{"customer_id", world_->customer_id},
                        {"address", "pole"},
                        {"location", {{"lat", 90}, {"lon", -180}}}},
                       admin());
  EXPECT_EQ(edge.status, 201) << edge.text;
}

TEST_F(BadInputTest, BadEnumsAre422) {
  auto body = valid_job();
  body["severity"] = "urgent";
  expect_error(s().post("/api/v1/jobs", body, admin()), 422, "validation_failed");
  expect_error(s().post("/api/v1/tokens", {{"role", "root"}, {"name", "x"}}, admin()), 422,
               "validation_failed");
  expect_error(s().post("/api/v1/customers", {{"name", "x"}, {"account_tier", "gold"}}, admin()),
               422, "validation_failed");
}

TEST_F(BadInputTest, MalformedTimestampsAre422) {
  for (const char* t : {"2026-11-22 09:30:00", "2026-02-30T00:00:00Z", "2026-11-22T09:30:00",
                        "yesterday", "2026-11-22T25:00:00Z", "2026-11-22T09:30:00+8:00"}) {
    auto body = valid_job();
    body["reported_at"] = t;
    expect_error(s().post("/api/v1/jobs", body, admin()), 422, "validation_failed");
  }
}

TEST_F(BadInputTest, FutureReportedAtIs422) {
  auto body = valid_job();
  body["reported_at"] = "2099-01-01T00:00:00Z";
  auto r = s().post("/api/v1/jobs", body, admin());
  expect_error(r, 422, "validation_failed");
  EXPECT_NE(r.text.find("future"), std::string::npos);
}

TEST_F(BadInputTest, MissingReferencesAre422AndMissingResourcesAre404) {
  auto body = valid_job();
  body["site_id"] = 987654;
  expect_error(s().post("/api/v1/jobs", body, admin()), 422, "unknown_reference");
  expect_error(s().post("/api/v1/technicians",
                        {{"name", "x"},
                         {"skills", json::array()},
                         {"home_center_id", 5555},
                         {"shift", json::object()}},
                        admin()),
               422, "unknown_reference");
  expect_error(s().get("/api/v1/jobs/987654", admin()), 404, "not_found");
  expect_error(s().patch("/api/v1/sites/987654", {{"address", "y"}}, admin()), 404, "not_found");
  expect_error(s().post("/api/v1/jobs/987654/assign", {{"technician_id", world_->tech_a}}, admin()),
               404, "not_found");
}

TEST_F(BadInputTest, EquipmentFromAnotherSiteIsRefused) {
  auto other = s().post("/api/v1/sites",
                        {{"customer_id", world_->customer_id},
                         {"address", "other"},
                         {"location", {{"lat", 31.1}, {"lon", 121.4}}}},
                        admin());
  auto eq = s().post("/api/v1/equipment",
                     {{"site_id", other.body["id"]},
                      {"model", "UPS-3000"},
                      {"serial", "U-1"},
                      {"sold_at", "2025-01-01T00:00:00Z"}},
                     admin());
  ASSERT_EQ(eq.status, 201) << eq.text;
  auto body = valid_job();
  body["equipment_id"] = eq.body["id"];
  expect_error(s().post("/api/v1/jobs", body, admin()), 422, "validation_failed");
  auto dup = s().post("/api/v1/equipment",
                      {{"site_id", other.body["id"]},
                       {"model", "UPS-3000"},
                       {"serial", "U-1"},
                       {"sold_at", "2025-01-01T00:00:00Z"}},
                      admin());
  expect_error(dup, 409, "conflict");
}

TEST_F(BadInputTest, BadQueryParametersAre400) {
  expect_error(s().get("/api/v1/jobs?limit=0", admin()), 400, "bad_request");
  expect_error(s().get("/api/v1/jobs?limit=abc", admin()), 400, "bad_request");
  expect_error(s().get("/api/v1/jobs?limit=501", admin()), 400, "bad_request");
  expect_error(s().get("/api/v1/jobs?cursor=zzz", admin()), 400, "bad_request");
  expect_error(s().get("/api/v1/jobs?status=lost", admin()), 400, "bad_request");
  expect_error(s().get("/api/v1/jobs?reported_from=today", admin()), 400, "bad_request");
  expect_error(s().get("/api/v1/sites?customer_id=12x", admin()), 400, "bad_request");
}

TEST_F(BadInputTest, BadIfMatchIs400) {
  auto c = s().post("/api/v1/customers", {{"name", "IfMatch"}}, admin());
  auto path = "/api/v1/customers/" + std::to_string(c.body["id"].get<std::int64_t>());
  expect_error(s().patch(path, {{"notes", "x"}}, admin(), "W/\"abc\""), 400, "bad_request");
}

TEST_F(BadInputTest, InvalidShiftsBusinessHoursAndZonesAre422) {
  expect_error(s().post("/api/v1/centers",
                        {{"name", "x"},
                         {"location", {{"lat", 1}, {"lon", 1}}},
                         {"time_zone", "Mars/Olympus"}},
                        admin()),
               422, "validation_failed");
  expect_error(s().post("/api/v1/centers",
                        {{"name", "x"},
                         {"location", {{"lat", 1}, {"lon", 1}}},
                         {"time_zone", "UTC"},
                         {"business_hours", {{"mon", {"18:00", "08:00"}}}}},
                        admin()),
               422, "validation_failed");
  expect_error(s().post("/api/v1/centers",
                        {{"name", "x"},
                         {"location", {{"lat", 1}, {"lon", 1}}},
                         {"time_zone", "UTC"},
                         {"business_hours", {{"moonday", {"08:00", "18:00"}}}}},
                        admin()),
               422, "validation_failed");
  expect_error(s().post("/api/v1/technicians",
                        {{"name", "x"},
                         {"skills", {"HVAC!"}},
                         {"home_center_id", world_->center_id},
                         {"shift", {{"mon", {"08:00", "24:30"}}}}},
                        admin()),
               422, "validation_failed");
}

TEST_F(BadInputTest, OnHoldWithoutReasonIs422) {
  auto job = s().post("/api/v1/jobs", valid_job(), admin());
  auto path = "/api/v1/jobs/" + std::to_string(job.body["id"].get<std::int64_t>());
  ASSERT_EQ(s().post(path + "/assign", {{"technician_id", world_->tech_a}}, admin()).status, 200);
  ASSERT_EQ(s().post(path + "/status", {{"to", "accepted"}}, admin()).status, 200);
  expect_error(s().post(path + "/status", {{"to", "on_hold"}}, admin()), 422, "validation_failed");
  expect_error(s().post(path + "/status", {{"to", "teleported"}}, admin()), 422,
               "validation_failed");
}

TEST_F(BadInputTest, HugeNumbersAndStringsAreRefusedNotOverflowed) {
  auto body = valid_job();
  body["site_id"] = 18446744073709551615ull;
  expect_error(s().post("/api/v1/jobs", body, admin()), 422, "validation_failed");
  expect_error(s().post("/api/v1/customers", {{"name", std::string(5000, 'x')}}, admin()), 422,
               "validation_failed");
  expect_error(s().get("/api/v1/jobs/99999999999999999999", admin()), 404, "not_found");
}

TEST_F(BadInputTest, InvalidUtf8DoesNotCrashTheServer) {
  std::string body = "{\"name\": \"caf\xC3\x28\"}";
  auto r = s().send("POST", "/api/v1/customers", body, "application/json",
                    {{"Authorization", "Bearer " + admin()}});
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500);
}

}  // namespace
}  // namespace fieldserve::testing
