// The after-sales queries of the SQLite store: the spare-parts usage (which parts count, per
// center) and migration 12's backfill of the rows it reads.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace fieldserve::store {
namespace {

using namespace std::chrono_literals;

struct PartsWorld {
  Seed s;
  JobId repair = 0, signed_repair = 0, installation = 0;
};

// A repair with pushed parts, a repair whose sign-off lists parts besides a pushed one, and an
// installation with parts.
PartsWorld parts_world(Store& store) {
  PartsWorld w;
  w.s = seed(store);
  store.write([&](Tx& tx) {
    auto job = [&](JobKind kind) {
      auto j = make_job(w.s.site, Severity::general, JobStatus::on_site, kT0, w.s.tech);
      j.kind = kind;
      return tx.insert_job(j);
    };
    w.repair = job(JobKind::repair);
    w.signed_repair = job(JobKind::repair);
    w.installation = job(JobKind::installation);
    auto part = [&](JobId id, const char* number, int qty, std::optional<std::string> signoff) {
      tx.insert_part({0, id, w.s.tech, {number, qty}, std::move(signoff), kT0 + 1h, kT0 + 1h, {}});
    };
    part(w.repair, "GSK-12", 3, std::nullopt);
    part(w.repair, "FLT-200", 1, std::nullopt);
    part(w.signed_repair, "GSK-12", 5, std::nullopt);  // the sign-off's list replaces it
    part(w.signed_repair, "FLT-200", 2, "00000000-0000-7000-8000-000000000001");
    part(w.installation, "GSK-12", 10, std::nullopt);
    return 0;
  });
  return w;
}

std::map<std::string, std::int64_t> used(Store& store, std::optional<CenterId> center = {}) {
  std::map<std::string, std::int64_t> out;
  for (const auto& row :
       store.read([&](Tx& tx) { return tx.part_usage(kT0, kT0 + 24h, center); })) {
    out[row.part_number] += row.used;
  }
  return out;
}

TEST(PartUsage, RepairsCountTheirSignOffListOrElseTheirPushedParts) {
  TempDb file;
  auto store = Store::open(file.path, 0);
  auto w = parts_world(*store);
  EXPECT_EQ(used(*store), (std::map<std::string, std::int64_t>{{"FLT-200", 3}, {"GSK-12", 3}}));
  EXPECT_EQ(used(*store, w.s.center).size(), 2u);
  EXPECT_TRUE(used(*store, w.s.center + 1).empty());
  auto outside = store->read([&](Tx& tx) { return tx.part_usage(kT0 + 2h, kT0 + 3h, {}); });
  EXPECT_TRUE(outside.empty()) << "counted at the time the part was recorded";
}

TEST(PartUsage, ASecondSignOffCountsInsteadOfTheFirstNotBesideIt) {
  // The signed repair is signed off again an hour later (a corrected sign-off) listing one
  // FLT-200 instead of two: the job used one, and the repair with pushed parts one more.
  TempDb file;
  auto store = Store::open(file.path, 0);
  auto w = parts_world(*store);
  store->write([&](Tx& tx) {
    tx.insert_part({0,
                    w.signed_repair,
                    w.s.tech,
                    {"FLT-200", 1},
                    "00000000-0000-7000-8000-000000000002",
                    kT0 + 2h,
                    kT0 + 2h,
                    {}});
    return 0;
  });
  EXPECT_EQ(used(*store), (std::map<std::string, std::int64_t>{{"FLT-200", 2}, {"GSK-12", 3}}));
}

TEST(PartUsage, MigrationTwelveFillsInTheRowsStoredBeforeIt) {
  TempDb file;
  {
    auto store = Store::open(file.path, 0);
    parts_world(*store);
  }
  {
    // The rows as version 11 left them: no site, no kind, the old index.
    RawDb raw(file.path);
    ASSERT_EQ(raw.exec(std::string(kUndoMigration14) + kUndoMigration13).first, SQLITE_OK);
    ASSERT_EQ(raw.exec("DROP INDEX job_parts_for_forecast; DROP INDEX job_parts_signed;"
                       "UPDATE job_parts SET site_id = NULL, repair = 0;"
                       "ALTER TABLE job_parts DROP COLUMN site_id;"
                       "ALTER TABLE job_parts DROP COLUMN repair;"
                       "CREATE INDEX job_parts_by_at ON job_parts(at);"
                       "DELETE FROM schema_migrations WHERE version >= 12;")
                  .first,
              SQLITE_OK);
  }
  auto store = Store::open(file.path, 0);
  EXPECT_EQ(used(*store), (std::map<std::string, std::int64_t>{{"FLT-200", 3}, {"GSK-12", 3}}));
}

}  // namespace
}  // namespace fieldserve::store
