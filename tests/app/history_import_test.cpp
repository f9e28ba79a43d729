// A history import works out each repair job's warranty block once per unit at commit rather
// than as each job is written; the blocks must be what a live write of the same jobs would give:
// each job judged by the unit's history as it stood at the job's report, worked out by hand here.
#include "app/history_import.h"

#include <algorithm>

#include "app/effects.h"
#include "app_fixture.h"

namespace fieldserve::app {
namespace {

using namespace std::chrono_literals;

// The sale, 80 days before the test's clock: days below count from it.
const Instant kSold = kMonday10 - std::chrono::days{80};

class HistoryImportTest : public AppTest {
 protected:
  EquipmentId unit = 0;

  void SetUp() override {
    AppTest::SetUp();
    unit = store->write([&](store::Tx& tx) {
      return tx.insert_equipment(Equipment{
          .site_id = site, .model = "CH-200", .serial = "S1", .sold_at = kSold});
    });
  }

  // A repair on the unit for `fault`, reported on day `day`; resolved a day later unless `open`.
  HistoricJob repair(const std::string& fault, int day, bool open = false) {
    HistoricJob h;
    h.job.kind = JobKind::repair;
    h.job.severity = Severity::general;
    h.job.site_id = site;
    h.job.equipment_id = unit;
    h.job.fault = fault;
    h.job.description = fault;
    h.job.reported_at = kSold + std::chrono::days{day};
    h.technician = tech;
    auto at = h.job.reported_at;
    h.events.push_back({"assigned", at + 10min});
    h.events.push_back({"accepted", at + 20min});
    if (!open) {
      h.events.push_back({"en_route", at + 30min});
      h.events.push_back({"on_site", at + 90min});
      h.events.push_back({"resolved", at + 24h});
    }
    return h;
  }

  // Imports `history` in one transaction; returns every repair job on the unit, by report.
  std::vector<JobId> import(std::vector<HistoricJob> history) {
    auto stored = write(*store, [&](store::Tx& tx, Effects& fx) -> Result<bool> {
      for (auto& h : history) {
        if (auto ok = import_job(writer, tx, fx, h); !ok) return std::unexpected(ok.error());
      }
      return true;
    });
    EXPECT_TRUE(stored) << stored.error().message;
    auto jobs_now = store->read([&](store::Tx& tx) { return tx.repair_jobs_of(unit); });
    std::sort(jobs_now.begin(), jobs_now.end(),
              [](const Job& a, const Job& b) { return a.reported_at < b.reported_at; });
    std::vector<JobId> ids;
    for (const auto& j : jobs_now) ids.push_back(j.id);
    return ids;
  }

  JobWarranty block(JobId id) {
    auto job = store->read([&](store::Tx& tx) { return tx.job(id); });
    EXPECT_TRUE(job && job->warranty) << "job " << id << " has no warranty block";
    return job && job->warranty ? *job->warranty : JobWarranty{};
  }
};

TEST_F(HistoryImportTest, EachJobIsJudgedByTheUnitsHistoryAtItsReport) {
  // Imported in one transaction, as `fieldserve import` does, earliest first:
  //  - door fault on day 4: rule 1 (d <= 7);
  //  - compressor on day 30: no failed repair before it, in warranty;
  //  - compressor on day 49: one failed repair (day 30), still in warranty;
  //  - compressor on day 70, still open (10 days): two failed repairs (days 30 and 49), repeat
  //    failure.
  auto ids = import({repair("door", 4), repair("compressor", 30), repair("compressor", 49),
                     repair("compressor", 70, true)});
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(block(ids[0]).basis, WarrantyBasis::within_7_days);
  EXPECT_EQ(block(ids[1]).basis, WarrantyBasis::in_warranty);
  EXPECT_EQ(block(ids[2]).basis, WarrantyBasis::in_warranty);
  EXPECT_EQ(block(ids[3]).basis, WarrantyBasis::repeat_failure);
  for (auto id : ids) EXPECT_TRUE(block(id).in_warranty);
}

TEST_F(HistoryImportTest, AJobImportedLaterSeesTheRepairsImportedBefore) {
  import({repair("compressor", 30), repair("compressor", 49)});
  auto ids = import({repair("compressor", 70, true), repair("door", 75)});
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(block(ids[2]).basis, WarrantyBasis::repeat_failure);
  // Another fault repeats nothing.
  EXPECT_EQ(block(ids[3]).basis, WarrantyBasis::in_warranty);
}

}  // namespace
}  // namespace fieldserve::app
