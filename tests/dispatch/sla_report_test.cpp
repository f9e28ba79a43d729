// dispatch/sla_report: the figures managers read, from rows built by hand.
#include <gtest/gtest.h>

#include "dispatch/sla_report.h"

namespace fieldserve::dispatch {
namespace {

using namespace std::chrono_literals;

const Instant kNoon = from_epoch_s(1'795'406'400);  // 2026-11-23T04:00:00Z, a Monday

SlaRow row(JobId id, Severity tier, CenterId center, Instant reported) {
  SlaRow r;
  r.job_id = id;
  r.severity = tier;
  r.center_id = center;
  r.reported_at = reported;
  for (auto& t : r.targets) t.due = reported + 1h;
  return r;
}

void done(SlaRow& r, SlaTarget target, std::chrono::seconds after_report) {
  auto& t = r.targets[static_cast<int>(target)];
  t.done_at = r.reported_at + after_report;
  t.taken_s = after_report.count();
}

TEST(NearestRank, TakesTheValueAtRankCeilingOfPTimesN) {
  std::vector<std::int64_t> v{50, 15, 40, 20, 35};
  EXPECT_EQ(nearest_rank(v, 50), 35);  // rank ceil(2.5) = 3
  EXPECT_EQ(nearest_rank(v, 90), 50);  // rank ceil(4.5) = 5
  std::vector<std::int64_t> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(nearest_rank(ten, 90), 9);
  EXPECT_EQ(nearest_rank(ten, 50), 5);
  std::vector<std::int64_t> one{42};
  EXPECT_EQ(nearest_rank(one, 90), 42);
  std::vector<std::int64_t> none;
  EXPECT_FALSE(nearest_rank(none, 50).has_value());
}

TEST(SlaReportKeys, IsoWeeksAtYearBoundaries) {
  // 2026-01-01 is a Thursday (week 1 of 2026); 2027-01-01 a Friday (week 53 of 2026);
  // 2024-12-30 a Monday that starts week 1 of 2025.
  EXPECT_EQ(iso_week_key("UTC", from_epoch_s(1'767'225'600)), "2026-W01");
  EXPECT_EQ(iso_week_key("UTC", from_epoch_s(1'798'761'600)), "2026-W53");
  EXPECT_EQ(iso_week_key("UTC", from_epoch_s(1'735'516'800)), "2025-W01");
}

// Failure mode: a viewer in another time zone. The day a job belongs to is its center's local
// day, whoever asks and whatever offset they wrote the window in.
TEST(SlaReportKeys, TheDayIsTheCentersLocalDay) {
  Instant evening_utc = from_epoch_s(1'795'368'600);  // 2026-11-22T17:30:00Z
  EXPECT_EQ(local_day_key("Asia/Shanghai", evening_utc), "2026-11-23");
  EXPECT_EQ(local_day_key("America/Chicago", evening_utc), "2026-11-22");
}

TEST(SlaReportBuilder, CountsVerdictsComplianceAndPercentilesPerGroup) {
  auto builder = SlaReportBuilder::create({ReportDimension::tier}, kNoon + 10h,
                                          {{1, "Europe/Berlin"}});
  ASSERT_TRUE(builder.has_value());
  auto a = row(1, Severity::critical, 1, kNoon);
  done(a, SlaTarget::response, 10min);  // met
  auto b = row(2, Severity::critical, 1, kNoon);
  done(b, SlaTarget::response, 2h);                            // breached
  auto c = row(3, Severity::critical, 1, kNoon + 9h + 30min);  // not done, due in the future
  auto d = row(4, Severity::minor, 1, kNoon);
  d.cancelled = true;  // nothing done: every target void
  for (const auto& r : {a, b, c, d}) builder->add(r);
  auto groups = builder->finish();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].key, std::vector<std::string>{"critical"});
  EXPECT_EQ(groups[0].count, 3);
  const auto& response = groups[0].targets[0];
  EXPECT_EQ(response.met, 1);
  EXPECT_EQ(response.breached, 1);
  EXPECT_EQ(response.pending, 1);
  EXPECT_EQ(response.compliance_pct, 50.0);
  EXPECT_EQ(response.p50_minutes, 10.0);
  EXPECT_EQ(response.p90_minutes, 120.0);
  // Arrival: jobs 1 and 2 are past due and not done, job 3 pending.
  EXPECT_EQ(groups[0].targets[1].breached, 2);
  EXPECT_EQ(groups[0].targets[1].pending, 1);
  EXPECT_FALSE(groups[0].targets[1].p50_minutes.has_value());
  EXPECT_EQ(groups[1].key, std::vector<std::string>{"minor"});
  EXPECT_EQ(groups[1].cancelled, 1);
  EXPECT_EQ(groups[1].targets[0].met + groups[1].targets[0].breached + groups[1].targets[0].pending,
            0);
  EXPECT_FALSE(groups[1].targets[0].compliance_pct.has_value());
}

// Failure mode: a figure rounded by multiplying with the step (6 of 7 is 85.71000000000001,
// 0.7 minutes 0.7000000000000001), which the JSON then prints in full.
TEST(SlaReportBuilder, RoundedFiguresAreTheNearestDoubleToTheirDecimals) {
  auto builder = SlaReportBuilder::create({ReportDimension::tier}, kNoon + 10h,
                                          {{1, "Europe/Berlin"}});
  ASSERT_TRUE(builder.has_value());
  for (int i = 0; i < 7; ++i) {
    auto r = row(10 + i, Severity::serious, 1, kNoon);
    done(r, SlaTarget::response, i < 6 ? 42s : 2h);  // six met in 42 s, one breached
    builder->add(r);
  }
  auto groups = builder->finish();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].targets[0].compliance_pct, 85.71);
  EXPECT_EQ(groups[0].targets[0].p50_minutes, 0.7);
}

TEST(SlaReportBuilder, GroupsByCenterAndLocalWeekTogether) {
  auto builder = SlaReportBuilder::create({ReportDimension::center, ReportDimension::week}, kNoon,
                                          {{1, "Asia/Shanghai"}, {2, "America/Chicago"}});
  ASSERT_TRUE(builder.has_value());
  Instant sunday_evening_utc = from_epoch_s(1'795'368'600);  // Monday already in Shanghai
  builder->add(row(1, Severity::general, 1, sunday_evening_utc));
  builder->add(row(2, Severity::general, 2, sunday_evening_utc));
  auto groups = builder->finish();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].key, (std::vector<std::string>{"1", "2026-W48"}));
  EXPECT_EQ(groups[1].key, (std::vector<std::string>{"2", "2026-W47"}));
}

TEST(SlaReportBuilder, RefusesAnUnknownZone) {
  EXPECT_FALSE(SlaReportBuilder::create({ReportDimension::day}, kNoon, {{1, "Mars/Olympus"}}));
}

}  // namespace
}  // namespace fieldserve::dispatch
