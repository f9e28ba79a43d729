// The spare-parts report over HTTP, on figures worked out by hand (docs/after-sales.md,
// "Spare parts").
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

using std::chrono::hours;

class PartsReportTest : public SyncTest {};

TEST_F(PartsReportTest, UsedOnRepairsPerInstalledUnitPerMonthAndTheForecast) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(s().post("/api/v1/equipment",
                       {{"site_id", w().site_id},
                        {"model", "CH-200"},
                        {"serial", "SN-" + std::to_string(i)},
                        {"sold_at", now_text(-hours(24 * 100))}},
                       w().dispatcher)
                  .status,
              201);
  }
  auto parts = [](const char* part, int qty) {
    return json{{"parts", {{{"part_number", part}, {"qty", qty}}}}};
  };
  // A: pushed parts, both counted.
  auto a = job_for(w().tech_a);
  ASSERT_EQ(statuses(push(w().tablet_a, {op("parts_used", a, parts("GSK-12", 3)),
                                         op("parts_used", a, parts("FLT-200", 1))})),
            (std::vector<std::string>{"applied", "applied"}));
  // B: a pushed part and a sign-off listing FLT-200 x1: the sign-off's list is the job's parts.
  auto b = job_for(w().tech_a);
  ASSERT_EQ(statuses(push(w().tablet_a, {op("parts_used", b, parts("GSK-12", 5)),
                                         op("signoff", b, signoff_payload())})),
            (std::vector<std::string>{"applied", "applied"}));
  // C: an installation's parts are not failures.
  auto c = job_for(w().tech_a, "installation");
  ASSERT_EQ(statuses(push(w().tablet_a, {op("parts_used", c, parts("GSK-12", 10))})),
            std::vector<std::string>{"applied"});

  // A 30-day window: months = 1, 4 units. FLT-200: 1 + 1 = 2 → 0.5 per unit-month, forecast 2.
  // GSK-12: 3 → 0.75, forecast 3.
  auto to = now_text(hours(1));
  auto from = format_rfc3339(*parse_rfc3339(to) - hours(24 * 30));
  auto r = s().get("/api/v1/reports/parts?from=" + from + "&to=" + to, w().manager);
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["items"].size(), 2u) << r.text;
  const auto& flt = r.body["items"][0];
  EXPECT_EQ(flt["part_number"], "FLT-200");
  EXPECT_EQ(flt["center_id"], w().center_id);
  EXPECT_EQ(flt["used"], 2);
  EXPECT_EQ(flt["installed_units"], 4);
  EXPECT_DOUBLE_EQ(flt["months"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(flt["failures_per_unit_month"].get<double>(), 0.5);
  EXPECT_EQ(flt["forecast_next_month"], 2);
  const auto& gsk = r.body["items"][1];
  EXPECT_EQ(gsk["part_number"], "GSK-12");
  EXPECT_EQ(gsk["used"], 3);
  EXPECT_DOUBLE_EQ(gsk["failures_per_unit_month"].get<double>(), 0.75);
  EXPECT_EQ(gsk["forecast_next_month"], 3);

  auto csv = s().get("/api/v1/reports/parts?format=csv&from=" + from + "&to=" + to, w().manager);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.text,
            "part_number,center_id,used,installed_units,months,failures_per_unit_month,"
            "forecast_next_month\r\n"
            "FLT-200," +
                std::to_string(w().center_id) +
                ",2,4,1,0.5,2\r\n"
                "GSK-12," +
                std::to_string(w().center_id) + ",3,4,1,0.75,3\r\n");
  auto elsewhere = s().get("/api/v1/reports/parts?center_id=999999", w().manager);
  EXPECT_TRUE(elsewhere.body["items"].empty());
  EXPECT_EQ(s().get("/api/v1/reports/parts", w().dispatcher).status, 403);
  EXPECT_EQ(s().get("/api/v1/reports/parts?format=pdf", w().manager).status, 422);
  // Sixty days: the same parts over two months.
  auto wide = s().get("/api/v1/reports/parts?from=" +
                          format_rfc3339(*parse_rfc3339(to) - hours(24 * 60)) + "&to=" + to,
                      w().manager);
  EXPECT_DOUBLE_EQ(wide.body["items"][1]["failures_per_unit_month"].get<double>(), 0.375);
  EXPECT_EQ(wide.body["items"][1]["forecast_next_month"], 2);  // ceil(3 / 2)
}

}  // namespace
}  // namespace fieldserve::testing
