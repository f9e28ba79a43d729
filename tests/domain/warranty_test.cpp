// The warranty rules of docs/after-sales.md, rule by rule at each boundary. Every expected value
// is worked out by hand from the dates in the test, not from the code.
#include "domain/warranty.h"

#include <gtest/gtest.h>

namespace fieldserve {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
constexpr hours kDay{24};

Instant at(const char* text) { return *parse_rfc3339(text); }

// Sold on 2026-01-10 09:00 UTC with the default 12 months: in warranty until 2027-01-10 09:00.
const Instant kSale = at("2026-01-10T09:00:00Z");
Instant day(int d) { return kSale + d * kDay; }

UnitHistory unit() { return {kSale, 12, {}, {}}; }

RepairRecord resolved(const char* fault, int reported_day, int resolved_day) {
  return {0, fault, day(reported_day), day(resolved_day), true, {}};
}

RepairRecord open_repair(const char* fault, int reported_day) {
  return {0, fault, day(reported_day), std::nullopt, false, {}};
}

std::vector<std::string> names(WarrantyBasis b) {
  std::vector<std::string> out;
  for (auto r : remedies_for(b)) out.emplace_back(to_string(r));
  return out;
}

TEST(Warranty, DaysSevenAndEightAreTheReturnBoundary) {
  auto u = unit();
  EXPECT_EQ(assess_warranty(u, "fan", day(7)).basis, WarrantyBasis::within_7_days);
  // 7 days, 23:59:59 is still 7 whole days.
  EXPECT_EQ(assess_warranty(u, "fan", day(8) - seconds(1)).days, 7);
  EXPECT_EQ(assess_warranty(u, "fan", day(8) - seconds(1)).basis, WarrantyBasis::within_7_days);
  EXPECT_EQ(assess_warranty(u, "fan", day(8)).days, 8);
  EXPECT_EQ(assess_warranty(u, "fan", day(8)).basis, WarrantyBasis::within_15_days);
  EXPECT_EQ(names(WarrantyBasis::within_7_days),
            (std::vector<std::string>{"return", "exchange", "repair"}));
  EXPECT_EQ(names(WarrantyBasis::within_15_days), (std::vector<std::string>{"exchange", "repair"}));
}

TEST(Warranty, AReportBeforeTheSaleIsNotUnderWarranty) {
  // A repair job can carry a report time before its unit's sale date (a wrong sale date): it
  // gets no remedy of the first week, where a division toward zero used to give it day 0.
  auto u = unit();
  auto a = assess_repair_job(u, "fan", kSale - 200 * kDay, kSale - 200 * kDay);
  EXPECT_EQ(a.basis, WarrantyBasis::out_of_warranty);
  EXPECT_FALSE(a.in_warranty);
  EXPECT_EQ(names(a.basis), std::vector<std::string>{"paid_repair"});
  EXPECT_EQ(assess_warranty(u, "fan", kSale - seconds(1)).basis, WarrantyBasis::out_of_warranty);
  EXPECT_EQ(assess_warranty(u, "fan", kSale).basis, WarrantyBasis::within_7_days);
}

TEST(Warranty, DaysFifteenAndSixteenAreTheExchangeBoundary) {
  auto u = unit();
  EXPECT_EQ(assess_warranty(u, "fan", day(16) - seconds(1)).basis, WarrantyBasis::within_15_days);
  auto a = assess_warranty(u, "fan", day(16));
  EXPECT_EQ(a.basis, WarrantyBasis::in_warranty);
  EXPECT_EQ(a.days, 16);
  EXPECT_EQ(names(a.basis), std::vector<std::string>{"repair"});
}

TEST(Warranty, TheLastDayOfThePeriodIsStillInWarranty) {
  auto u = unit();
  auto last = assess_warranty(u, "fan", at("2027-01-10T09:00:00Z"));
  EXPECT_EQ(last.warranty_until, at("2027-01-10T09:00:00Z"));
  EXPECT_TRUE(last.in_warranty);
  EXPECT_EQ(last.basis, WarrantyBasis::in_warranty);
  EXPECT_EQ(last.days, 365);
  auto after = assess_warranty(u, "fan", at("2027-01-10T09:00:01Z"));
  EXPECT_FALSE(after.in_warranty);
  EXPECT_EQ(after.basis, WarrantyBasis::out_of_warranty);
  EXPECT_EQ(names(after.basis), std::vector<std::string>{"paid_repair"});
}

TEST(Warranty, APeriodEndingPastAMonthsEndEndsOnItsLastDay) {
  EXPECT_EQ(add_calendar_months(at("2026-01-31T10:00:00Z"), 1), at("2026-02-28T10:00:00Z"));
  EXPECT_EQ(add_calendar_months(at("2027-01-31T10:00:00Z"), 13), at("2028-02-29T10:00:00Z"));
  EXPECT_EQ(add_calendar_months(at("2026-03-31T23:59:59Z"), 6), at("2026-09-30T23:59:59Z"));
  EXPECT_EQ(add_calendar_months(at("2026-05-15T00:00:00Z"), 24), at("2028-05-15T00:00:00Z"));
  UnitHistory u{at("2026-01-31T10:00:00Z"), 1, {}, {}};
  EXPECT_TRUE(assess_warranty(u, "", at("2026-02-28T10:00:00Z")).in_warranty);
  EXPECT_FALSE(assess_warranty(u, "", at("2026-02-28T10:00:01Z")).in_warranty);
}

TEST(Warranty, ExactlyTwoFailedRepairsForTheSameFaultEntitleAnExchange) {
  auto u = unit();
  u.repairs = {resolved("compressor", 40, 41)};
  auto one = assess_warranty(u, "compressor", day(100));
  EXPECT_EQ(one.failed_repairs, 1);
  EXPECT_EQ(one.basis, WarrantyBasis::in_warranty);
  u.repairs.push_back(resolved("compressor", 60, 62));
  auto two = assess_warranty(u, "compressor", day(100));
  EXPECT_EQ(two.failed_repairs, 2);
  EXPECT_EQ(two.basis, WarrantyBasis::repeat_failure);
  EXPECT_EQ(names(two.basis), std::vector<std::string>{"exchange"});
  // Another fault has its own count; a report without a fault code repeats nothing.
  EXPECT_EQ(assess_warranty(u, "fan", day(100)).basis, WarrantyBasis::in_warranty);
  EXPECT_EQ(assess_warranty(u, "", day(100)).failed_repairs, 0);
  // Counted when resolved in [period start, at]: the second repair ends on day 62.
  EXPECT_EQ(assess_warranty(u, "compressor", day(62) - seconds(1)).failed_repairs, 1);
  EXPECT_EQ(assess_warranty(u, "compressor", day(62)).failed_repairs, 2);
  // A cancelled repair fixed nothing and failed nothing.
  u.repairs[1].resolved = false;
  EXPECT_EQ(assess_warranty(u, "compressor", day(100)).failed_repairs, 1);
}

TEST(Warranty, AnExchangeStartsThePeriodAndTheCountsAgain) {
  auto u = unit();
  u.repairs = {resolved("compressor", 40, 41), resolved("compressor", 60, 62)};
  u.exchanges = {day(70)};
  auto fresh = assess_warranty(u, "compressor", day(75));
  EXPECT_EQ(fresh.period_start, day(70));
  EXPECT_EQ(fresh.days, 5);
  EXPECT_EQ(fresh.failed_repairs, 0);
  EXPECT_EQ(fresh.basis, WarrantyBasis::within_7_days);
  EXPECT_EQ(fresh.warranty_until, at("2027-03-21T09:00:00Z"));  // day 70 is 2026-03-21
  // Asked about a time before the exchange, the sale still starts the period.
  EXPECT_EQ(assess_warranty(u, "compressor", day(69)).basis, WarrantyBasis::repeat_failure);
}

TEST(Warranty, ARepairOpenMoreThanThirtyDaysEntitlesAnExchange) {
  auto u = unit();
  u.repairs = {open_repair("fan", 20)};
  EXPECT_EQ(assess_warranty(u, "fan", day(50)).basis, WarrantyBasis::in_warranty)
      << "exactly 30 days is not more than 30";
  auto over = assess_warranty(u, "fan", day(50) + seconds(1));
  EXPECT_EQ(over.basis, WarrantyBasis::repair_over_30_days);
  EXPECT_EQ(names(over.basis), std::vector<std::string>{"exchange"});
  EXPECT_EQ(repair_over_30_days_from(u, day(30)), day(50) + seconds(1));
  // Once it is resolved the unit has no open repair.
  u.repairs[0] = resolved("fan", 20, 45);
  EXPECT_EQ(assess_warranty(u, "fan", day(60)).basis, WarrantyBasis::in_warranty);
  EXPECT_FALSE(repair_over_30_days_from(u, day(60)));
}

TEST(Warranty, TimeOnHoldForPartsDoesNotCount) {
  auto u = unit();
  u.repairs = {open_repair("fan", 20)};
  u.repairs[0].parts_holds = {{day(25), day(30)}};  // five days waiting for parts
  EXPECT_EQ(assess_warranty(u, "fan", day(55)).basis, WarrantyBasis::in_warranty);
  EXPECT_EQ(assess_warranty(u, "fan", day(55) + seconds(1)).basis,
            WarrantyBasis::repair_over_30_days);
  EXPECT_EQ(repair_over_30_days_from(u, day(31)), day(55) + seconds(1));
}

TEST(Warranty, NinetyDaysInAllEntitleAnExchangeWhateverTheHolds) {
  auto u = unit();
  u.repairs = {open_repair("fan", 20)};
  u.repairs[0].parts_holds = {{day(25), std::nullopt}};  // still waiting for parts
  EXPECT_EQ(assess_warranty(u, "fan", day(100)).basis, WarrantyBasis::in_warranty)
      << "80 days open, 75 of them on hold";
  EXPECT_EQ(assess_warranty(u, "fan", day(110)).basis, WarrantyBasis::in_warranty)
      << "exactly 90 days";
  EXPECT_EQ(assess_warranty(u, "fan", day(110) + seconds(1)).basis,
            WarrantyBasis::repair_over_30_days);
  // While the hold lasts only the 90 days run.
  EXPECT_EQ(repair_over_30_days_from(u, day(40)), day(110) + seconds(1));
}

TEST(Warranty, TheRulesAreTakenInOrder) {
  auto u = unit();
  u.repairs = {resolved("fan", 20, 21), resolved("fan", 22, 23), open_repair("fan", 30)};
  // Rule 4 before rule 5: two failed repairs and one open for 40 days.
  EXPECT_EQ(assess_warranty(u, "fan", day(70)).basis, WarrantyBasis::repair_over_30_days);
  // Rule 3 before rule 4: out of warranty, however long the repair.
  EXPECT_EQ(assess_warranty(u, "fan", day(400)).basis, WarrantyBasis::out_of_warranty);
  // Rules 1 and 2 before everything.
  auto early = unit();
  early.repairs = {resolved("fan", 1, 2), resolved("fan", 3, 4)};
  EXPECT_EQ(assess_warranty(early, "fan", day(5)).basis, WarrantyBasis::within_7_days);
  EXPECT_EQ(assess_warranty(early, "fan", day(12)).basis, WarrantyBasis::within_15_days);
}

TEST(Warranty, ARepairJobsBlockTakesItsReportForRulesOneToThreeAndNowForRuleFour) {
  auto u = unit();
  u.repairs = {open_repair("fan", 5)};
  // Reported on day 5: within 7 days for good, however long it stays open.
  EXPECT_EQ(assess_repair_job(u, "fan", day(5), day(60)).basis, WarrantyBasis::within_7_days);
  u.repairs = {open_repair("fan", 300)};
  // Reported in warranty on day 300 and open past the period's end: still in warranty, and
  // after 30 days open the customer may have an exchange.
  auto a = assess_repair_job(u, "fan", day(300), day(331));
  EXPECT_TRUE(a.in_warranty);
  EXPECT_EQ(a.basis, WarrantyBasis::repair_over_30_days);
  EXPECT_EQ(assess_repair_job(u, "fan", day(300), day(330)).basis, WarrantyBasis::in_warranty);
}

TEST(Warranty, BasisNamesRoundTrip) {
  for (auto b : {WarrantyBasis::within_7_days, WarrantyBasis::within_15_days,
                 WarrantyBasis::out_of_warranty, WarrantyBasis::repair_over_30_days,
                 WarrantyBasis::repeat_failure, WarrantyBasis::in_warranty}) {
    EXPECT_EQ(parse_warranty_basis(to_string(b)), b);
  }
  EXPECT_FALSE(parse_warranty_basis("lifetime"));
}

}  // namespace
}  // namespace fieldserve
