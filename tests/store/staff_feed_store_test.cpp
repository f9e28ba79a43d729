// The staff change feed as the store keeps it: each job and technician once, at the place of its
// latest change, numbers never reused; and migration 14 enters what was stored before it.
#include <gtest/gtest.h>

#include <vector>

#include "store/store.h"
#include "store_fixture.h"

namespace fieldserve::store {
namespace {

std::vector<std::pair<bool, std::int64_t>> entries(Store& store, std::int64_t after = 0) {
  return store.read([&](Tx& tx) {
    std::vector<std::pair<bool, std::int64_t>> out;
    for (const auto& c : tx.staff_changes(after, 100)) out.emplace_back(c.technician, c.id);
    return out;
  });
}

TEST(StaffFeed, AChangedJobMovesToTheEndAndItsNumberIsNeverGivenAgain) {
  TempDb file;
  auto store = Store::open(file.path, 0);
  auto s = seed(*store);
  auto [a, b] = store->write([&](Tx& tx) {
    auto first = tx.insert_job(make_job(s.site, Severity::minor, JobStatus::new_, kT0));
    auto second = tx.insert_job(make_job(s.site, Severity::minor, JobStatus::new_, kT0));
    return std::pair(first, second);
  });
  using E = std::vector<std::pair<bool, std::int64_t>>;
  EXPECT_EQ(entries(*store), (E{{true, s.tech}, {false, a}, {false, b}}));
  auto last = store->read([](Tx& tx) { return tx.staff_feed_last(); });
  // The newest entry changes again: it must get a number above `last`, not `last` again, or a
  // console whose cursor is `last` would never see the change.
  store->write([&](Tx& tx) {
    auto job = *tx.job(b);
    job.description = "changed";
    return tx.update_job(job);
  });
  auto after = store->read([&](Tx& tx) { return tx.staff_changes(last, 100); });
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, b);
  EXPECT_GT(after[0].seq, last);
  EXPECT_EQ(entries(*store), (E{{true, s.tech}, {false, a}, {false, b}})) << "each once";
}

TEST(StaffFeed, MigrationFourteenEntersEverythingStoredBeforeIt) {
  TempDb file;
  JobId job = 0;
  Seed s;
  {
    auto store = Store::open(file.path, 0);
    s = seed(*store);
    job = store->write([&](Tx& tx) {
      return tx.insert_job(make_job(s.site, Severity::minor, JobStatus::new_, kT0));
    });
  }
  {
    RawDb raw(file.path);
    ASSERT_EQ(raw.exec(kUndoMigration14).first, SQLITE_OK);
  }
  auto store = Store::open(file.path, 0);
  using E = std::vector<std::pair<bool, std::int64_t>>;
  EXPECT_EQ(entries(*store), (E{{true, s.tech}, {false, job}}));
}

}  // namespace
}  // namespace fieldserve::store
