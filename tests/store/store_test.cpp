// store/: migrations, round trips of every resource, optimistic versions, append-only logs,
// transaction rollback, job filters and paging, tokens. Most cases run on ":memory:"; the ones
// about files (reopen, readers, raw SQL against the triggers) use a temporary file.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.h"

namespace fieldserve::store {
namespace {

using namespace std::chrono_literals;

const Instant kT0 = from_epoch_s(1'790'000'000);

// A database file under the test temp dir, removed (with its WAL files) before and after.
class TempDb {
 public:
  TempDb() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "fieldserve_" + std::to_string(::getpid()) + "_" + info->name() +
            ".db";
    remove_files();
  }
  ~TempDb() { remove_files(); }
  const std::string& path() const { return path_; }

 private:
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  std::string path_;
};

// A plain sqlite3 connection, bypassing the store, to prove what the file itself enforces.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 2000);
  }
  ~RawDb() { sqlite3_close(db_); }
  // The SQLite result code and message of running `sql`.
  std::pair<int, std::string> exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    return {rc, message};
  }
  std::string scalar(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    std::string out;
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      out = text ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

struct Seed {
  CenterId center = 0;
  CustomerId customer = 0;
  SiteId site = 0;
  TechnicianId tech = 0;
};

Center make_center(const std::string& name) {
  Center c;
  c.name = name;
  c.location = {31.23, 121.47};
  c.time_zone = "Asia/Shanghai";
  return c;
}

Site make_site(CustomerId customer, CenterId center) {
  Site s;
  s.customer_id = customer;
  s.address = "1 Century Ave";
  s.location = {31.24, 121.50};
  s.center_id = center;
  s.distance_km = 3.25;
  return s;
}

Technician make_tech(CenterId center, const std::string& name) {
  Technician t;
  t.name = name;
  t.skills = {"hvac"};
  t.home_center_id = center;
  t.shift = default_business_hours();
  return t;
}

Seed seed(Store& store) {
  return store.write([](Tx& tx) {
    Seed s;
    s.center = tx.insert_center(make_center("Pudong"));
    Customer cu;
    cu.name = "ACME";
    s.customer = tx.insert_customer(cu);
    s.site = tx.insert_site(make_site(s.customer, s.center));
    s.tech = tx.insert_technician(make_tech(s.center, "Li Wei"));
    return s;
  });
}

Job make_job(SiteId site, Severity severity, JobStatus status, Instant reported,
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
  auto w(F&& fn) { return store->write(std::forward<F>(fn)); }
  template <class F>
  auto r(F&& fn) { return store->read(std::forward<F>(fn)); }
};

// ---- migrations ----

TEST(StoreMigrations, FreshMemoryDatabaseIsAtSchemaVersionOne) {
  auto store = Store::open(":memory:", 0);
  EXPECT_EQ(store->schema_version(), 1);
}

TEST(StoreMigrations, ReopeningAFileIsIdempotentAndKeepsData) {
  TempDb file;
  CenterId id = 0;
  {
    auto store = Store::open(file.path(), 2);
    EXPECT_EQ(store->schema_version(), 1);
    id = store->write([](Tx& tx) { return tx.insert_center(make_center("Kept")); });
  }
  auto store = Store::open(file.path(), 2);
  EXPECT_EQ(store->schema_version(), 1);
  auto c = store->read([&](Tx& tx) { return tx.center(id); });  // through a pooled reader
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "Kept");
  store.reset();
  RawDb raw(file.path());
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_migrations"), "1");
}

TEST(StoreMigrations, ReadersSeeWhatTheWriterCommitted) {
  TempDb file;
  auto store = Store::open(file.path(), 2);
  Seed s = seed(*store);
  for (int i = 0; i < 3; ++i) {  // more reads than readers: leases go back to the pool
    auto t = store->read([&](Tx& tx) { return tx.technician(s.tech); });
    ASSERT_TRUE(t);
    EXPECT_EQ(t->name, "Li Wei");
  }
}

// ---- round trips ----

TEST_F(StoreTest, CenterRoundTripsWithItsWeeklyHours) {
  Center c = make_center("Minhang");
  c.location = {31.11, 121.38};
  c.business_hours = WeeklyHours{};
  c.business_hours[1] = DaySpan{7 * 60 + 30, 19 * 60};
  c.business_hours[6] = DaySpan{0, 1440};
  CenterId id = w([&](Tx& tx) { return tx.insert_center(c); });
  auto got = r([&](Tx& tx) { return tx.center(id); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, id);
  EXPECT_EQ(got->name, "Minhang");
  EXPECT_EQ(got->location, (geo::LatLon{31.11, 121.38}));
  EXPECT_EQ(got->time_zone, "Asia/Shanghai");
  EXPECT_EQ(got->business_hours, c.business_hours);
  EXPECT_EQ(got->version, 1);
}

TEST_F(StoreTest, CustomerRoundTripsWithContactAndNotes) {
  Customer c;
  c.name = "Globex";
  c.account_tier = AccountTier::key;
  c.contact = {"Hank Scorpio", "+86 21 5555 0100", "hank@globex.example"};
  c.notes = "gate code 4711";
  CustomerId id = w([&](Tx& tx) { return tx.insert_customer(c); });
  auto got = r([&](Tx& tx) { return tx.customer(id); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "Globex");
  EXPECT_EQ(got->account_tier, AccountTier::key);
  EXPECT_EQ(got->contact, c.contact);
  EXPECT_EQ(got->notes, "gate code 4711");
}

TEST_F(StoreTest, SiteRoundTripsWithExplicitCenterAndDistance) {
  Site s = make_site(ids.customer, ids.center);
  s.center_explicit = true;
  s.distance_km = 12.345678;
  SiteId id = w([&](Tx& tx) { return tx.insert_site(s); });
  auto got = r([&](Tx& tx) { return tx.site(id); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->customer_id, ids.customer);
  EXPECT_EQ(got->address, "1 Century Ave");
  EXPECT_EQ(got->location, (geo::LatLon{31.24, 121.50}));
  EXPECT_EQ(got->center_id, ids.center);
  EXPECT_TRUE(got->center_explicit);
  EXPECT_EQ(got->distance_km, 12.345678);
}

TEST_F(StoreTest, EquipmentRoundTripsWithAndWithoutInstalledAt) {
  Equipment e;
  e.site_id = ids.site;
  e.model = "CH-900";
  e.serial = "SN-1";
  e.sold_at = kT0;
  e.installed_at = kT0 + 48h;
  e.warranty_months = 24;
  Equipment bare = e;
  bare.serial = "SN-2";
  bare.installed_at.reset();
  auto [id, bare_id] = w([&](Tx& tx) {
    return std::pair{tx.insert_equipment(e), tx.insert_equipment(bare)};
  });
  auto got = r([&](Tx& tx) { return tx.equipment(id); });
  auto got_bare = r([&](Tx& tx) { return tx.equipment(bare_id); });
  ASSERT_TRUE(got && got_bare);
  EXPECT_EQ(got->site_id, ids.site);
  EXPECT_EQ(got->model, "CH-900");
  EXPECT_EQ(got->serial, "SN-1");
  EXPECT_EQ(got->sold_at, kT0);
  EXPECT_EQ(got->installed_at, kT0 + 48h);
  EXPECT_EQ(got->warranty_months, 24);
  EXPECT_EQ(got_bare->installed_at, std::nullopt);
  EXPECT_TRUE(r([&](Tx& tx) { return tx.serial_taken("CH-900", "SN-1", 0); }));
  EXPECT_FALSE(r([&](Tx& tx) { return tx.serial_taken("CH-900", "SN-1", id); }));
  EXPECT_FALSE(r([&](Tx& tx) { return tx.serial_taken("CH-901", "SN-1", 0); }));
}

TEST_F(StoreTest, TechnicianRoundTripsWithOptionalLocationAndShift) {
  Technician t = make_tech(ids.center, "Zhang Min");
  t.skills = {"electrical", "plc"};
  t.location = geo::LatLon{31.2, 121.4};
  t.location_at = kT0;
  t.shift = WeeklyHours{};
  t.shift[5] = DaySpan{0, 1440};
  t.active = false;
  t.max_open_jobs = 3;
  Technician nowhere = make_tech(ids.center, "No Fix");
  nowhere.skills = {};
  auto [id, nowhere_id] = w([&](Tx& tx) {
    return std::pair{tx.insert_technician(t), tx.insert_technician(nowhere)};
  });
  auto got = r([&](Tx& tx) { return tx.technician(id); });
  auto got_nowhere = r([&](Tx& tx) { return tx.technician(nowhere_id); });
  ASSERT_TRUE(got && got_nowhere);
  EXPECT_EQ(got->name, "Zhang Min");
  EXPECT_EQ(got->skills, (std::vector<std::string>{"electrical", "plc"}));
  EXPECT_EQ(got->home_center_id, ids.center);
  EXPECT_EQ(got->location, (geo::LatLon{31.2, 121.4}));
  EXPECT_EQ(got->location_at, kT0);
  EXPECT_EQ(got->shift, t.shift);
  EXPECT_FALSE(got->active);
  EXPECT_EQ(got->max_open_jobs, 3);
  EXPECT_EQ(got_nowhere->location, std::nullopt);
  EXPECT_EQ(got_nowhere->location_at, std::nullopt);
  EXPECT_TRUE(got_nowhere->skills.empty());
  EXPECT_EQ(got_nowhere->shift, default_business_hours());
}

TEST_F(StoreTest, JobRoundTripsEveryField) {
  EquipmentId eq = w([&](Tx& tx) {
    Equipment e;
    e.site_id = ids.site;
    e.model = "M";
    e.serial = "S";
    return tx.insert_equipment(e);
  });
  Job j = make_job(ids.site, Severity::serious, JobStatus::on_hold, kT0, ids.tech);
  j.kind = JobKind::installation;
  j.distance_km = 7.5;
  j.equipment_id = eq;
  j.required_skills = {"hvac", "plc"};
  j.description = "chiller trips";
  j.assignment_locked = true;
  j.hold_reason = HoldReason::waiting_customer;
  j.status_before_hold = JobStatus::on_site;
  j.hold_started_at = kT0 + 2h;
  j.paused_s = 900;
  j.needs_review = true;
  j.dispatch_reason = "no_technician_meets_target";
  j.clock(SlaTarget::arrival).done_at = kT0 + 50min;
  JobId id = w([&](Tx& tx) { return tx.insert_job(j); });
  auto got = r([&](Tx& tx) { return tx.job(id); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->kind, JobKind::installation);
  EXPECT_EQ(got->severity, Severity::serious);
  EXPECT_EQ(got->site_id, ids.site);
  EXPECT_EQ(got->distance_km, 7.5);
  EXPECT_EQ(got->equipment_id, eq);
  EXPECT_EQ(got->required_skills, j.required_skills);
  EXPECT_EQ(got->description, "chiller trips");
  EXPECT_EQ(got->reported_at, kT0);
  EXPECT_EQ(got->created_at, kT0 + 1min);
  EXPECT_EQ(got->technician_id, ids.tech);
  EXPECT_TRUE(got->assignment_locked);
  EXPECT_EQ(got->status, JobStatus::on_hold);
  EXPECT_EQ(got->hold_reason, HoldReason::waiting_customer);
  EXPECT_EQ(got->status_before_hold, JobStatus::on_site);
  EXPECT_EQ(got->hold_started_at, kT0 + 2h);
  EXPECT_EQ(got->paused_s, 900);
  EXPECT_TRUE(got->needs_review);
  EXPECT_EQ(got->dispatch_reason, "no_technician_meets_target");
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(got->sla[t].target_minutes, j.sla[t].target_minutes) << t;
    EXPECT_EQ(got->sla[t].due, j.sla[t].due) << t;
    EXPECT_EQ(got->sla[t].at_risk_at, j.sla[t].at_risk_at) << t;
    EXPECT_EQ(got->sla[t].done_at, j.sla[t].done_at) << t;
  }
  EXPECT_EQ(got->version, 1);
}

TEST_F(StoreTest, JobWithoutOptionalFieldsReadsBackEmpty) {
  JobId id = w([&](Tx& tx) { return tx.insert_job(make_job(ids.site, Severity::minor,
                                                          JobStatus::new_, kT0)); });
  auto got = r([&](Tx& tx) { return tx.job(id); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->equipment_id, std::nullopt);
  EXPECT_EQ(got->technician_id, std::nullopt);
  EXPECT_EQ(got->hold_reason, std::nullopt);
  EXPECT_EQ(got->status_before_hold, std::nullopt);
  EXPECT_EQ(got->hold_started_at, std::nullopt);
  EXPECT_TRUE(got->required_skills.empty());
  for (const auto& c : got->sla) EXPECT_EQ(c.done_at, std::nullopt);
}

TEST_F(StoreTest, UnknownIdsReadAsNothing) {
  EXPECT_EQ(r([](Tx& tx) { return tx.center(999); }), std::nullopt);
  EXPECT_FALSE(r([](Tx& tx) { return tx.customer(999).has_value(); }));
  EXPECT_FALSE(r([](Tx& tx) { return tx.site(999).has_value(); }));
  EXPECT_FALSE(r([](Tx& tx) { return tx.equipment(999).has_value(); }));
  EXPECT_FALSE(r([](Tx& tx) { return tx.technician(999).has_value(); }));
  EXPECT_FALSE(r([](Tx& tx) { return tx.job(999).has_value(); }));
}

TEST_F(StoreTest, ReferencesToMissingRowsAreRefused) {
  EXPECT_THROW(w([&](Tx& tx) { return tx.insert_site(make_site(999, ids.center)); }), StoreError);
  EXPECT_THROW(w([&](Tx& tx) { return tx.insert_technician(make_tech(999, "x")); }), StoreError);
  EXPECT_THROW(w([&](Tx& tx) {
                 return tx.insert_job(make_job(999, Severity::minor, JobStatus::new_, kT0));
               }),
               StoreError);
}

TEST_F(StoreTest, FailedInsertLeavesNoPartialRow) {
  EXPECT_THROW(w([&](Tx& tx) { return tx.insert_site(make_site(999, ids.center)); }), StoreError);
  EXPECT_EQ(r([](Tx& tx) { return tx.all_sites().size(); }), 1u);  // only the seeded one
}

// ---- optimistic versions ----

// Inserts `row`, then: the right version updates and bumps, a stale one is refused and changes
// nothing, an unknown id is refused.
template <class T, class Insert, class Get, class Update>
void expect_versioned_updates(Store& store, T row, Insert insert, Get get, Update update) {
  row.id = store.write([&](Tx& tx) { return insert(tx, row); });
  T stale = row;  // version 1
  EXPECT_TRUE(store.write([&](Tx& tx) { return update(tx, row); }));
  auto v2 = store.read([&](Tx& tx) { return get(tx, row.id); });
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->version, 2);
  EXPECT_FALSE(store.write([&](Tx& tx) { return update(tx, stale); }));
  EXPECT_EQ(store.read([&](Tx& tx) { return get(tx, row.id); })->version, 2);
  EXPECT_TRUE(store.write([&](Tx& tx) { return update(tx, *v2); }));
  EXPECT_EQ(store.read([&](Tx& tx) { return get(tx, row.id); })->version, 3);
  T ghost = *v2;
  ghost.id = 999;
  EXPECT_FALSE(store.write([&](Tx& tx) { return update(tx, ghost); }));
}

TEST_F(StoreTest, UpdatesCheckAndBumpTheVersionOfEveryResource) {
  auto& s = *store;
  expect_versioned_updates(s, make_center("C"), [](Tx& tx, const Center& c) { return tx.insert_center(c); },
      [](Tx& tx, CenterId id) { return tx.center(id); }, [](Tx& tx, const Center& c) { return tx.update_center(c); });
  expect_versioned_updates(s, Customer{.name = "N"}, [](Tx& tx, const Customer& c) { return tx.insert_customer(c); },
      [](Tx& tx, CustomerId id) { return tx.customer(id); }, [](Tx& tx, const Customer& c) { return tx.update_customer(c); });
  expect_versioned_updates(s, make_site(ids.customer, ids.center), [](Tx& tx, const Site& x) { return tx.insert_site(x); },
      [](Tx& tx, SiteId id) { return tx.site(id); }, [](Tx& tx, const Site& x) { return tx.update_site(x); });
  expect_versioned_updates(s, Equipment{.site_id = ids.site, .model = "M", .serial = "S"},
      [](Tx& tx, const Equipment& e) { return tx.insert_equipment(e); },
      [](Tx& tx, EquipmentId id) { return tx.equipment(id); }, [](Tx& tx, const Equipment& e) { return tx.update_equipment(e); });
  expect_versioned_updates(s, make_tech(ids.center, "T"), [](Tx& tx, const Technician& t) { return tx.insert_technician(t); },
      [](Tx& tx, TechnicianId id) { return tx.technician(id); }, [](Tx& tx, const Technician& t) { return tx.update_technician(t); });
  expect_versioned_updates(s, make_job(ids.site, Severity::minor, JobStatus::new_, kT0),
      [](Tx& tx, const Job& j) { return tx.insert_job(j); },
      [](Tx& tx, JobId id) { return tx.job(id); }, [](Tx& tx, const Job& j) { return tx.update_job(j); });
}

TEST_F(StoreTest, UpdateJobWritesTheChangedFields) {
  Job j = make_job(ids.site, Severity::general, JobStatus::new_, kT0);
  j.id = w([&](Tx& tx) { return tx.insert_job(j); });
  j.status = JobStatus::assigned;
  j.technician_id = ids.tech;
  j.clock(SlaTarget::response).done_at = kT0 + 3min;
  ASSERT_TRUE(w([&](Tx& tx) { return tx.update_job(j); }));
  auto got = r([&](Tx& tx) { return tx.job(j.id); });
  EXPECT_EQ(got->status, JobStatus::assigned);
  EXPECT_EQ(got->technician_id, ids.tech);
  EXPECT_EQ(got->clock(SlaTarget::response).done_at, kT0 + 3min);
}

// ---- transactions ----

TEST_F(StoreTest, WriteReturningAnErrorRollsBackAndPassesTheErrorOn) {
  CenterId id = 0;
  Result<CenterId> out = w([&](Tx& tx) -> Result<CenterId> {
    id = tx.insert_center(make_center("Doomed"));
    tx.put_setting("k", "v");
    return fail(ErrorCode::conflict, "changed my mind");
  });
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::conflict);
  EXPECT_EQ(r([&](Tx& tx) { return tx.center(id); }), std::nullopt);
  EXPECT_EQ(r([](Tx& tx) { return tx.setting("k"); }), std::nullopt);
}

TEST_F(StoreTest, WriteReturningAValueCommits) {
  Result<CenterId> out = w([&](Tx& tx) -> Result<CenterId> { return tx.insert_center(make_center("Kept")); });
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(r([&](Tx& tx) { return tx.center(*out).has_value(); }));
}

TEST_F(StoreTest, ExceptionInsideWriteRollsBackAndTheStoreStaysUsable) {
  CenterId id = 0;
  EXPECT_THROW(w([&](Tx& tx) -> int {
                 id = tx.insert_center(make_center("Doomed"));
                 throw std::runtime_error("fault");
               }),
               std::runtime_error);
  ASSERT_NE(id, 0);
  EXPECT_EQ(r([&](Tx& tx) { return tx.center(id); }), std::nullopt);
  CenterId next = w([](Tx& tx) { return tx.insert_center(make_center("After")); });
  EXPECT_TRUE(r([&](Tx& tx) { return tx.center(next).has_value(); }));
}

// ---- append-only logs ----

TEST(StoreAppendOnly, JobEventsAndAuditLogRefuseUpdateAndDeleteEvenThroughRawSql) {
  TempDb file;
  {
    auto store = Store::open(file.path(), 2);
    Seed s = seed(*store);
    store->write([&](Tx& tx) {
      JobId job = tx.insert_job(make_job(s.site, Severity::minor, JobStatus::new_, kT0));
      tx.insert_event(JobEvent{.job_id = job, .type = "created", .actor = "token:1", .at = kT0,
                               .received_at = kT0, .detail = "original"});
      tx.insert_audit(AuditEntry{.entity = "customer", .entity_id = s.customer, .action = "update",
                                 .field = "name", .old_value = "a", .new_value = "b",
                                 .actor = "token:1", .at = kT0});
      return true;
    });
  }
  RawDb raw(file.path());
  for (const char* sql : {"UPDATE job_events SET detail = 'forged'", "DELETE FROM job_events",
                          "UPDATE audit_log SET new_value = 'forged'", "DELETE FROM audit_log"}) {
    auto [rc, message] = raw.exec(sql);
    EXPECT_NE(rc, SQLITE_OK) << sql;
    EXPECT_NE(message.find("append-only"), std::string::npos) << sql << ": " << message;
  }
  EXPECT_EQ(raw.scalar("SELECT detail FROM job_events"), "original");
  EXPECT_EQ(raw.scalar("SELECT new_value FROM audit_log"), "b");
  EXPECT_EQ(raw.exec("INSERT INTO job_events (job_id, type, actor, source, at, received_at) "
                     "SELECT job_id, 'note', 'x', 'api', 1, 1 FROM job_events").first, SQLITE_OK);
}

TEST_F(StoreTest, EventsReadBackInOrderWithEveryFieldAndPage) {
  JobId job = w([&](Tx& tx) { return tx.insert_job(make_job(ids.site, Severity::minor, JobStatus::new_, kT0)); });
  JobEvent e{.job_id = job, .type = "status", .from_status = JobStatus::en_route,
             .to_status = JobStatus::on_site, .technician_id = ids.tech, .actor = "token:7",
             .source = EventSource::sync, .at = kT0 + 5min, .received_at = kT0 + 2h,
             .detail = "device clock corrected"};
  auto first = w([&](Tx& tx) { return tx.insert_event(e); });
  w([&](Tx& tx) { return tx.insert_event(JobEvent{.job_id = job, .type = "note", .actor = "import"}); });
  auto all = r([&](Tx& tx) { return tx.events(job, Page{}); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first);
  EXPECT_EQ(all[0].type, "status");
  EXPECT_EQ(all[0].from_status, JobStatus::en_route);
  EXPECT_EQ(all[0].to_status, JobStatus::on_site);
  EXPECT_EQ(all[0].technician_id, ids.tech);
  EXPECT_EQ(all[0].actor, "token:7");
  EXPECT_EQ(all[0].source, EventSource::sync);
  EXPECT_EQ(all[0].at, kT0 + 5min);
  EXPECT_EQ(all[0].received_at, kT0 + 2h);
  EXPECT_EQ(all[0].detail, "device clock corrected");
  EXPECT_EQ(all[1].from_status, std::nullopt);
  EXPECT_EQ(all[1].technician_id, std::nullopt);
  auto after = r([&](Tx& tx) { return tx.events(job, Page{.after_id = first, .limit = 10}); });
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].type, "note");
  EXPECT_TRUE(r([&](Tx& tx) { return tx.events(job + 1, Page{}).empty(); }));
}

// ---- job filters and paging ----

class JobQueryTest : public StoreTest {
 protected:
  CenterId center2 = 0;
  SiteId site2 = 0;
  TechnicianId tech2 = 0;
  JobId j1 = 0, j2 = 0, j3 = 0, j4 = 0;
  void SetUp() override {
    w([&](Tx& tx) {
      center2 = tx.insert_center(make_center("Minhang"));
      site2 = tx.insert_site(make_site(ids.customer, center2));
      tech2 = tx.insert_technician(make_tech(center2, "Wang Fang"));
      j1 = tx.insert_job(make_job(ids.site, Severity::critical, JobStatus::assigned, kT0, ids.tech));
      j2 = tx.insert_job(make_job(site2, Severity::general, JobStatus::new_, kT0 + 1h));
      Job third = make_job(ids.site, Severity::general, JobStatus::resolved, kT0 + 2h, tech2);
      third.needs_review = true;
      j3 = tx.insert_job(third);
      j4 = tx.insert_job(make_job(site2, Severity::critical, JobStatus::assigned, kT0 + 3h, ids.tech));
      return true;
    });
  }
  std::vector<JobId> ids_of(const JobFilter& f, Page page = {}) {
    std::vector<JobId> out;
    for (const Job& j : r([&](Tx& tx) { return tx.jobs(page, f); })) out.push_back(j.id);
    return out;
  }
};

TEST_F(JobQueryTest, NoFilterListsAllInIdOrder) {
  EXPECT_EQ(ids_of({}), (std::vector<JobId>{j1, j2, j3, j4}));
}

TEST_F(JobQueryTest, FiltersByStatusSeverityAndTechnician) {
  EXPECT_EQ(ids_of({.status = JobStatus::assigned}), (std::vector<JobId>{j1, j4}));
  EXPECT_EQ(ids_of({.status = JobStatus::cancelled}), std::vector<JobId>{});
  EXPECT_EQ(ids_of({.severity = Severity::general}), (std::vector<JobId>{j2, j3}));
  EXPECT_EQ(ids_of({.technician_id = ids.tech}), (std::vector<JobId>{j1, j4}));
  EXPECT_EQ(ids_of({.technician_id = tech2}), (std::vector<JobId>{j3}));
}

TEST_F(JobQueryTest, FiltersByCenterThroughTheSite) {
  EXPECT_EQ(ids_of({.center_id = ids.center}), (std::vector<JobId>{j1, j3}));
  EXPECT_EQ(ids_of({.center_id = center2}), (std::vector<JobId>{j2, j4}));
  EXPECT_EQ(ids_of({.site_id = site2}), (std::vector<JobId>{j2, j4}));
}

TEST_F(JobQueryTest, ReportedRangeIncludesFromAndExcludesTo) {
  EXPECT_EQ(ids_of({.reported_from = kT0 + 1h, .reported_to = kT0 + 3h}), (std::vector<JobId>{j2, j3}));
  EXPECT_EQ(ids_of({.reported_from = kT0 + 3h + 1s}), std::vector<JobId>{});
}

TEST_F(JobQueryTest, FiltersCombineAndNeedsReviewIsOneOfThem) {
  EXPECT_EQ(ids_of({.severity = Severity::critical, .center_id = center2}), std::vector<JobId>{j4});
  EXPECT_EQ(ids_of({.needs_review = true}), std::vector<JobId>{j3});
  EXPECT_EQ(ids_of({.needs_review = false}), (std::vector<JobId>{j1, j2, j4}));
}

TEST_F(JobQueryTest, PagesByAfterId) {
  EXPECT_EQ(ids_of({}, {.after_id = 0, .limit = 2}), (std::vector<JobId>{j1, j2}));
  EXPECT_EQ(ids_of({}, {.after_id = j2, .limit = 2}), (std::vector<JobId>{j3, j4}));
  EXPECT_EQ(ids_of({}, {.after_id = j4, .limit = 2}), std::vector<JobId>{});
  EXPECT_EQ(ids_of({.status = JobStatus::assigned}, {.after_id = j1, .limit = 5}), std::vector<JobId>{j4});
}

TEST_F(StoreTest, OpenJobCountCountsOnlyAssignedThroughOnHold) {
  TechnicianId other = w([&](Tx& tx) { return tx.insert_technician(make_tech(ids.center, "Other")); });
  w([&](Tx& tx) {
    for (JobStatus s : {JobStatus::assigned, JobStatus::accepted, JobStatus::en_route,
                        JobStatus::on_site, JobStatus::on_hold, JobStatus::new_, JobStatus::resolved,
                        JobStatus::signed_off, JobStatus::closed, JobStatus::cancelled}) {
      tx.insert_job(make_job(ids.site, Severity::minor, s, kT0, ids.tech));
    }
    return tx.insert_job(make_job(ids.site, Severity::minor, JobStatus::assigned, kT0, other));
  });
  EXPECT_EQ(r([&](Tx& tx) { return tx.open_job_count(ids.tech); }), 5);
  EXPECT_EQ(r([&](Tx& tx) { return tx.open_job_count(other); }), 1);
  EXPECT_EQ(r([](Tx& tx) { return tx.open_job_count(999); }), 0);
}

// ---- tokens ----

TEST_F(StoreTest, TokensAreFoundByHashAndCanBeRevoked) {
  const std::string hash(64, 'a');
  Token t{.role = Role::technician, .name = "tablet-7", .technician_id = ids.tech, .created_at = kT0};
  TokenId id = w([&](Tx& tx) { return tx.insert_token(t, hash); });
  auto got = r([&](Tx& tx) { return tx.token_by_hash(hash); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, id);
  EXPECT_EQ(got->role, Role::technician);
  EXPECT_EQ(got->name, "tablet-7");
  EXPECT_EQ(got->technician_id, ids.tech);
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->last_used_at, std::nullopt);
  EXPECT_FALSE(got->revoked);
  EXPECT_EQ(r([](Tx& tx) { return tx.token_by_hash(std::string(64, 'b')); }), std::nullopt);

  w([&](Tx& tx) { tx.touch_token(id, kT0 + 1h); return true; });
  EXPECT_EQ(r([&](Tx& tx) { return tx.token_by_hash(hash); })->last_used_at, kT0 + 1h);
  EXPECT_TRUE(w([&](Tx& tx) { return tx.revoke_token(id); }));
  EXPECT_TRUE(r([&](Tx& tx) { return tx.token_by_hash(hash); })->revoked);
  EXPECT_FALSE(w([](Tx& tx) { return tx.revoke_token(999); }));
}

TEST_F(StoreTest, ATokenHashIsStoredOnlyOnce) {
  Token t{.role = Role::admin, .name = "root", .created_at = kT0};
  w([&](Tx& tx) { return tx.insert_token(t, "same"); });
  EXPECT_THROW(w([&](Tx& tx) { return tx.insert_token(t, "same"); }), StoreError);
  EXPECT_EQ(r([](Tx& tx) { return tx.tokens(Page{}).size(); }), 1u);
}

}  // namespace
}  // namespace fieldserve::store
