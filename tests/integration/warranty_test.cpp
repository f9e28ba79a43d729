// Warranty over HTTP: the unit's entitlement, the block each repair job carries (REST and sync),
// exchanges, and bad input (docs/after-sales.md, "Warranty"). The rules themselves are
// table-tested in tests/domain/warranty_test.cpp; here each case is worked out from the dates.
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

using std::chrono::hours;
constexpr hours kDay{24};

class WarrantyTest : public SyncTest {
 protected:
  // A unit at the world's site sold `days_ago` days ago.
  std::int64_t unit(int days_ago, int warranty_months = 12) {
    auto r = s().post("/api/v1/equipment",
                      {{"site_id", w().site_id},
                       {"model", "CH-200"},
                       {"serial", server::new_uuid()},
                       {"sold_at", now_text(-days_ago * kDay)},
                       {"warranty_months", warranty_months}},
                      w().dispatcher);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body["id"];
  }
  Response repair(std::int64_t unit, const std::string& fault, int reported_days_ago = 0) {
    return s().post("/api/v1/jobs",
                    {{"site_id", w().site_id},
                     {"kind", "repair"},
                     {"severity", "general"},
                     {"equipment_id", unit},
                     {"fault", fault},
                     {"reported_at", now_text(-reported_days_ago * kDay)},
                     {"auto_assign", false}},
                    w().dispatcher);
  }
  void move(std::int64_t job, const std::string& to, const json& extra = json::object()) {
    json body = extra;
    body["to"] = to;
    auto r = s().post("/api/v1/jobs/" + std::to_string(job) + "/status", body, w().dispatcher);
    ASSERT_EQ(r.status, 200) << to << ": " << r.text;
  }
  void resolve(std::int64_t job) {
    ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(job) + "/assign",
                       {{"technician_id", w().tech_a}, {"force", true}}, w().dispatcher)
                  .status,
              200);
    for (const char* to : {"accepted", "en_route", "on_site", "resolved"}) move(job, to);
  }
  json warranty(std::int64_t unit, const std::string& query = "fault=compressor") {
    auto r = s().get("/api/v1/equipment/" + std::to_string(unit) + "/warranty?" + query,
                     w().manager);
    EXPECT_EQ(r.status, 200) << r.text;
    return r.body;
  }
};

TEST_F(WarrantyTest, AUnitsEntitlementFollowsTheDaysSinceItsSale) {
  auto id = unit(100);
  auto now = warranty(id);
  EXPECT_EQ(now["equipment_id"], id);
  EXPECT_EQ(now["days"], 100);
  EXPECT_EQ(now["in_warranty"], true);
  EXPECT_EQ(now["basis"], "in_warranty");
  EXPECT_EQ(now["remedies"], json({"repair"}));
  EXPECT_EQ(now["fault"], "compressor");
  EXPECT_EQ(now["failed_repairs"], 0);
  auto sold = *parse_rfc3339(now["period_start"].get<std::string>());
  auto until = *parse_rfc3339(now["warranty_until"].get<std::string>());
  EXPECT_GE(until - sold, 365 * kDay);  // twelve calendar months: 365 or 366 days
  EXPECT_LE(until - sold, 366 * kDay);

  auto at = [&](std::chrono::seconds after_sale) {
    return "fault=compressor&at=" + format_rfc3339(sold + after_sale);
  };
  EXPECT_EQ(warranty(id, at(7 * kDay))["basis"], "within_7_days");
  EXPECT_EQ(warranty(id, at(7 * kDay))["remedies"], json({"return", "exchange", "repair"}));
  EXPECT_EQ(warranty(id, at(8 * kDay))["basis"], "within_15_days");
  EXPECT_EQ(warranty(id, at(16 * kDay))["basis"], "in_warranty");
  auto late = warranty(id,
                       "fault=compressor&at=" + format_rfc3339(until + std::chrono::seconds(1)));
  EXPECT_EQ(late["basis"], "out_of_warranty");
  EXPECT_EQ(late["remedies"], json({"paid_repair"}));
  EXPECT_EQ(warranty(id, "fault=compressor&at=" + format_rfc3339(until))["in_warranty"], true);

  auto path = "/api/v1/equipment/" + std::to_string(id) + "/warranty";
  auto before = s().get(path + "?at=" + format_rfc3339(sold - std::chrono::seconds(1)),
                        w().manager);
  EXPECT_EQ(before.status, 422);
  EXPECT_EQ(s().get(path + "?at=yesterday", w().manager).status, 400);
  EXPECT_EQ(s().get(path + "?fault=" + std::string(65, 'x'), w().manager).status, 400);
  EXPECT_EQ(s().get("/api/v1/equipment/999999/warranty", w().manager).status, 404);
  EXPECT_EQ(s().get(path, w().tablet_a).status, 403);
}

TEST_F(WarrantyTest, TheThirdReportOfAFaultAfterTwoRepairsEntitlesAnExchange) {
  auto id = unit(60);
  for (int i = 0; i < 2; ++i) {
    auto job = repair(id, "compressor");
    ASSERT_EQ(job.status, 201) << job.text;
    EXPECT_EQ(job.body["warranty"],
              json({{"in_warranty", true}, {"basis", "in_warranty"}, {"remedies", {"repair"}}}));
    resolve(job.body["id"]);
  }
  EXPECT_EQ(warranty(id)["failed_repairs"], 2);
  EXPECT_EQ(warranty(id)["basis"], "repeat_failure");
  auto third = repair(id, "compressor");
  ASSERT_EQ(third.status, 201);
  EXPECT_EQ(third.body["warranty"]["basis"], "repeat_failure");
  EXPECT_EQ(third.body["warranty"]["remedies"], json({"exchange"}));
  EXPECT_EQ(third.body["fault"], "compressor");
  // Another fault on the same unit is a first repair.
  EXPECT_EQ(repair(id, "fan").body["warranty"]["basis"], "in_warranty");
  // The tablet that takes the job sees the block too.
  std::int64_t job = third.body["id"];
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(job) + "/assign",
                     {{"technician_id", w().tech_b}, {"force", true}}, w().dispatcher)
                .status,
            200);
  auto docs = snapshot(w().tablet_b);
  ASSERT_TRUE(docs.contains(job));
  EXPECT_EQ(docs[job]["warranty"]["basis"], "repeat_failure");
}

TEST_F(WarrantyTest, ARepairOpenMoreThanThirtyDaysEntitlesAnExchange) {
  auto id = unit(200);
  auto recent = repair(id, "fan", 29);
  ASSERT_EQ(recent.status, 201) << recent.text;
  EXPECT_EQ(recent.body["warranty"]["basis"], "in_warranty");
  auto old = repair(id, "fan", 31);
  ASSERT_EQ(old.status, 201);
  EXPECT_EQ(old.body["warranty"]["basis"], "repair_over_30_days");
  // Every open repair on the unit is entitled: the unit has been waiting over 30 days.
  auto again = s().get("/api/v1/jobs/" + std::to_string(recent.body["id"].get<int>()), w().manager);
  EXPECT_EQ(again.body["warranty"]["basis"], "repair_over_30_days");
  // A hold for parts from now on does not undo the 31 days already run.
  std::int64_t job = old.body["id"];
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(job) + "/assign",
                     {{"technician_id", w().tech_a}, {"force", true}}, w().dispatcher)
                .status,
            200);
  move(job, "accepted");
  move(job, "en_route");
  move(job, "on_site");
  move(job, "on_hold", {{"reason", "waiting_parts"}});
  EXPECT_EQ(s().get("/api/v1/jobs/" + std::to_string(job), w().manager).body["warranty"]["basis"],
            "repair_over_30_days");
  // Cancelled, the old job no longer keeps the unit waiting: the recent one is back to a repair.
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(job) + "/cancel", json::object(),
                     w().dispatcher)
                .status,
            200);
  again = s().get("/api/v1/jobs/" + std::to_string(recent.body["id"].get<int>()), w().manager);
  EXPECT_EQ(again.body["warranty"]["basis"], "in_warranty");
  EXPECT_GT(again.body["version"].get<int>(), recent.body["version"].get<int>())
      << "a changed block is a new version, so tablets get it";
}

TEST_F(WarrantyTest, ARepairReportedInTheFirstDaysKeepsItsEntitlement) {
  auto id = unit(20);
  auto job = repair(id, "fan", 10);  // reported on day 10 after the sale
  ASSERT_EQ(job.status, 201) << job.text;
  EXPECT_EQ(job.body["warranty"]["basis"], "within_15_days");
  EXPECT_EQ(job.body["warranty"]["remedies"], json({"exchange", "repair"}));
  // Jobs that are not repairs, or name no unit, carry no block.
  auto install = s().post("/api/v1/jobs",
                          {{"site_id", w().site_id},
                           {"kind", "installation"},
                           {"severity", "general"},
                           {"equipment_id", id},
                           {"auto_assign", false}},
                          w().dispatcher);
  EXPECT_TRUE(install.body["warranty"].is_null());
  EXPECT_TRUE(install.body["fault"].is_null());
  auto plain = repair(id, "fan");
  std::int64_t plain_id = plain.body["id"];
  auto cleared = s().patch("/api/v1/jobs/" + std::to_string(plain_id), {{"equipment_id", nullptr}},
                           w().dispatcher);
  ASSERT_EQ(cleared.status, 200) << cleared.text;
  EXPECT_TRUE(cleared.body["warranty"].is_null());
}

TEST_F(WarrantyTest, AnExchangeStartsThePeriodAgain) {
  auto id = unit(100);
  auto path = "/api/v1/equipment/" + std::to_string(id) + "/exchange";
  auto before_sale = s().post(path, {{"at", now_text(-101 * kDay)}}, w().dispatcher);
  EXPECT_EQ(before_sale.status, 422);
  EXPECT_NE(before_sale.text.find("at"), std::string::npos);
  EXPECT_EQ(s().post(path, {{"at", now_text(2 * kDay)}}, w().dispatcher).status, 422);
  EXPECT_EQ(s().post(path, {{"when", now_text()}}, w().dispatcher).status, 422);
  EXPECT_EQ(s().post(path, json::object(), w().manager).status, 403);
  EXPECT_EQ(s().post("/api/v1/equipment/999999/exchange", json::object(), w().dispatcher).status,
            404);

  auto done = s().post(path, {{"at", now_text(-3 * kDay)}, {"note", "compressor seized twice"}},
                       w().dispatcher);
  ASSERT_EQ(done.status, 201) << done.text;
  EXPECT_EQ(done.body["note"], "compressor seized twice");
  auto after = warranty(id);
  EXPECT_EQ(after["period_start"], done.body["at"]);
  EXPECT_EQ(after["days"], 3);
  EXPECT_EQ(after["basis"], "within_7_days");
  auto job = repair(id, "compressor");
  EXPECT_EQ(job.body["warranty"]["basis"], "within_7_days");

  auto audit = s().get("/api/v1/audit?entity=equipment&entity_id=" + std::to_string(id),
                       w().manager);
  ASSERT_EQ(audit.status, 200) << audit.text;
  bool logged = false;
  // Every audit value is JSON text (docs/decisions.md): the exchange's too, a quoted time.
  for (const auto& e : audit.body["items"]) {
    if (e["action"] != "exchange") continue;
    logged = logged ||
             json::parse(e["new_value"].get<std::string>(), nullptr, false) == done.body["at"];
  }
  EXPECT_TRUE(logged) << audit.text;
}

}  // namespace
}  // namespace fieldserve::testing
