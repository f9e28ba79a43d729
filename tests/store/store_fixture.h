#pragma once
// Shared by the store tests: temporary database files, a raw sqlite3 handle to check what the
// file itself enforces, and a seeded store.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "store/store.h"

namespace fieldserve::store {

using namespace std::chrono_literals;

inline const Instant kT0 = from_epoch_s(1'790'000'000);

// A database file under the test temp dir, removed (with its WAL files) before and after.
struct TempDb {
  std::string path = ::testing::TempDir() + "fieldserve_" + std::to_string(::getpid()) + "_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  TempDb() { remove_files(); }
  ~TempDb() { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
};

// A plain sqlite3 connection, bypassing the store, to prove what the file itself enforces.
struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::string& path) {
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  }
  ~RawDb() { sqlite3_close(db); }
  std::pair<int, std::string> exec(const std::string& sql) {  // result code and error message
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    return {rc, message};
  }
  std::string scalar(const std::string& sql) {  // first column of the first row, as text
    sqlite3_stmt* stmt = nullptr;
    std::string out = "<no row>";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
};

// Take a database back to what the migration before left, with the rows it holds, so a test can
// watch a migration fill in what it adds. Newest first: 14, then 13.
inline constexpr const char* kUndoMigration14 =
    "DROP TRIGGER staff_feed_job_insert; DROP TRIGGER staff_feed_job_update;"
    "DROP TRIGGER staff_feed_technician_insert; DROP TRIGGER staff_feed_technician_update;"
    "DROP TABLE staff_feed; DELETE FROM sqlite_sequence WHERE name = 'staff_feed';"
    "DELETE FROM schema_migrations WHERE version = 14;";
inline constexpr const char* kUndoMigration13 =
    "DROP INDEX jobs_done_in_window; DROP INDEX job_events_on_site; DROP INDEX follow_ups_scored;"
    "DROP INDEX signoffs_rated; DROP INDEX job_parts_by_job;"
    "ALTER TABLE jobs DROP COLUMN visits; ALTER TABLE jobs DROP COLUMN on_site_s;"
    "CREATE INDEX jobs_by_restore_done ON jobs(restore_done) WHERE restore_done IS NOT NULL;"
    "CREATE INDEX job_events_on_site ON job_events(at) WHERE to_status = 'on_site';"
    "CREATE INDEX job_parts_by_job ON job_parts(job_id, id);"
    "DELETE FROM schema_migrations WHERE version = 13;";

struct Seed {
  CenterId center = 0;
  CustomerId customer = 0;
  SiteId site = 0;
  TechnicianId tech = 0;
};

inline Center make_center(std::string name) {
  return Center{.name = std::move(name), .location = {31.23, 121.47}, .time_zone = "Asia/Shanghai"};
}

inline Site make_site(CustomerId customer, CenterId center) {
  return Site{.customer_id = customer,
              .address = "1 Century Ave",
              .location = {31.24, 121.50},
              .center_id = center,
              .distance_km = 3.25};
}

inline Technician make_tech(CenterId center, std::string name) {
  return Technician{.name = std::move(name),
                    .skills = {"hvac"},
                    .home_center_id = center,
                    .shift = default_business_hours()};
}

inline Seed seed(Store& store) {
  return store.write([](Tx& tx) {
    Seed s;
    s.center = tx.insert_center(make_center("Pudong"));
    s.customer = tx.insert_customer(Customer{.name = "ACME"});
    s.site = tx.insert_site(make_site(s.customer, s.center));
    s.tech = tx.insert_technician(make_tech(s.center, "Li Wei"));
    return s;
  });
}

inline Job make_job(SiteId site, Severity severity, JobStatus status, Instant reported,
                    std::optional<TechnicianId> tech = std::nullopt) {
  Job j;
  j.site_id = site;
  j.severity = severity;
  j.status = status;
  j.reported_at = reported;
  j.created_at = reported + 1min;
  j.technician_id = tech;
  for (int t = 0; t < 3; ++t) {
    j.sla[t].target_minutes = 60 * (t + 1);
    j.sla[t].due = reported + std::chrono::hours{t + 1};
    j.sla[t].at_risk_at = reported + std::chrono::minutes{45 * (t + 1)};
  }
  return j;
}

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> store = Store::open(":memory:", 0);
  Seed ids = seed(*store);

  template <class F>
  auto w(F&& fn) {
    return store->write(std::forward<F>(fn));
  }
  template <class F>
  auto r(F&& fn) {
    return store->read(std::forward<F>(fn));
  }
};

}  // namespace fieldserve::store
