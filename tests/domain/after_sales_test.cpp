// The spare-part forecast of docs/after-sales.md, on figures worked out by hand.
#include "domain/after_sales.h"

#include <gtest/gtest.h>

namespace fieldserve {
namespace {

using std::chrono::hours;
constexpr hours kDay{24};

TEST(PartForecast, RateIsUsedPerInstalledUnitPerThirtyDayMonth) {
  // 12 filters over 90 days at a center with 40 units: 3 months, 12 / (40 × 3) = 0.1 per unit
  // per month; next month 0.1 × 40 = 4.
  auto f = forecast_part("FLT-200", 2, 12, 40, 90 * kDay);
  EXPECT_EQ(f.part_number, "FLT-200");
  EXPECT_EQ(f.center_id, 2);
  EXPECT_DOUBLE_EQ(f.months, 3.0);
  ASSERT_TRUE(f.failures_per_unit_month);
  EXPECT_DOUBLE_EQ(*f.failures_per_unit_month, 0.1);
  EXPECT_EQ(f.forecast_next_month, 4);
}

TEST(PartForecast, TheForecastRoundsUpAndIsExactOnWholeMonths) {
  EXPECT_EQ(forecast_part("P", 1, 3, 7, 30 * kDay).forecast_next_month, 3);
  // 7 over 60 days is 3.5 a month: 4.
  EXPECT_EQ(forecast_part("P", 1, 7, 9, 60 * kDay).forecast_next_month, 4);
  // 1 over 365 days is 0.08 a month: still one to keep in stock.
  auto rare = forecast_part("P", 1, 1, 500, 365 * kDay);
  EXPECT_EQ(rare.forecast_next_month, 1);
  EXPECT_NEAR(*rare.failures_per_unit_month, 1.0 / (500 * (365.0 / 30)), 1e-12);
  EXPECT_EQ(forecast_part("P", 1, 0, 10, 30 * kDay).forecast_next_month, 0);
}

TEST(PartForecast, WithoutInstalledUnitsThereIsNoRateButStillAForecast) {
  auto f = forecast_part("P", 1, 5, 0, 45 * kDay);  // 1.5 months: 5 / 1.5 = 3.33
  EXPECT_FALSE(f.failures_per_unit_month);
  EXPECT_EQ(f.forecast_next_month, 4);
}

}  // namespace
}  // namespace fieldserve
