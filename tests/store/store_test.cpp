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

#include "domain/error.h"
#include "store/hot_queries.h"
#include "store/migrations.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "store_fixture.h"

namespace fieldserve::store {
namespace {

// ---- migrations ----

TEST(StoreMigrations, FreshMemoryDatabaseIsAtTheLatestSchemaVersion) {
  auto store = Store::open(":memory:", 0);
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  EXPECT_GE(latest_schema_version(), 2);
}

TEST(StoreMigrations, ReopeningAFileIsIdempotentAndKeepsData) {
  TempDb file;
  CenterId id = 0;
  {
    auto store = Store::open(file.path, 2);
    EXPECT_EQ(store->schema_version(), latest_schema_version());
    id = store->write([](Tx& tx) { return tx.insert_center(make_center("Kept")); });
  }
  auto store = Store::open(file.path, 2);
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  for (int i = 0; i < 3; ++i) {  // more reads than readers: each lease goes back to the pool
    auto c = store->read([&](Tx& tx) { return tx.center(id); });
    ASSERT_TRUE(c);
    EXPECT_EQ(c->name, "Kept");
  }
  store.reset();
  RawDb raw(file.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(latest_schema_version()));
}

TEST(StoreMigrations, RefusesADatabaseFromANewerSchema) {
  TempDb file;
  Store::open(file.path, 0).reset();
  ASSERT_EQ(RawDb(file.path).exec("INSERT INTO schema_migrations VALUES (99, 0)").first, SQLITE_OK);
  EXPECT_THROW(Store::open(file.path, 0), StoreError);
}

// A file that cannot be switched to WAL (here: another connection holds a read transaction on a
// file in rollback mode, so SQLite quietly answers the old mode) is refused, not served without
// the durability and concurrency the store promises.
TEST(StoreConnections, RefusesAFileThatStaysOutOfWalMode) {
  TempDb file;
  {
    sqlite3* create = nullptr;
    ASSERT_EQ(sqlite3_open_v2(file.path.c_str(), &create,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(create, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(create);
  }
  RawDb other(file.path);
  ASSERT_EQ(other.exec("BEGIN; SELECT * FROM t").first, SQLITE_OK);
  try {
    Store::open(file.path, 0);
    ADD_FAILURE() << "opened a database that is not in WAL mode";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("journal_mode"), std::string::npos) << e.what();
  }
  other.exec("COMMIT");
}

TEST(StoreConnections, AFreshFileIsInWalModeWithForeignKeys) {
  TempDb file;
  Store::open(file.path, 1).reset();
  EXPECT_EQ(RawDb(file.path).scalar("PRAGMA journal_mode"), "wal");
}

// Migration 5 rebuilds the feed table: every row stays, and a sequence number handed out before
// (even of a pruned row) is never handed out again.
TEST(StoreMigrations, TheFeedRebuildKeepsRowsAndTheSequence) {
  TempDb file;
  {
    SqliteConnection conn(file.path, false);
    ASSERT_EQ(migrate(conn, 4), 4);
    conn.exec("INSERT INTO sync_changes (technician_id, job_id) VALUES (1, 10), (1, 11), (2, 12)");
    conn.exec("DELETE FROM sync_changes WHERE seq = 3");  // pruned: the newest number is gone
  }
  auto store = Store::open(file.path, 0);
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  store.reset();
  RawDb raw(file.path);
  EXPECT_EQ(raw.scalar("SELECT group_concat(seq || ':' || job_id) FROM sync_changes"), "1:10,2:11");
  ASSERT_EQ(raw.exec("INSERT INTO sync_changes (technician_id, job_id) VALUES (1, 13)").first,
            SQLITE_OK);
  EXPECT_EQ(raw.scalar("SELECT MAX(seq) FROM sync_changes"), "4");
  EXPECT_EQ(
      raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%sync_changes_rebuilt%'"),
      "0");
  EXPECT_EQ(
      raw.exec("INSERT INTO sync_changes (technician_id, job_id, removed) VALUES (1, 1, 'lost')")
          .first,
      SQLITE_CONSTRAINT);
}

// A constant IN list makes SQLite build a throwaway b-tree on every execution. The statements a
// sync push runs per op (and the triggers they fire) must not have one.
TEST(StoreMigrations, ThePushPathBuildsNoThrowawayTables) {
  TempDb file;
  Store::open(file.path, 0).reset();
  RawDb raw(file.path);
  for (const char* sql : {
           "INSERT INTO job_notes (job_id, technician_id, author, text, at, received_at) "
           "VALUES (1, 1, 'a', 't', 0, 0)",
           "INSERT INTO job_parts (job_id, technician_id, part_number, qty, at, received_at) "
           "VALUES (1, 1, 'P', 1, 0, 0)",
           "INSERT INTO note_runs (job_id, first_id, last_id, previous) VALUES (1, 1, 1, "
           "(SELECT last_run FROM note_run_heads WHERE job_id = 1))",
           "INSERT INTO note_run_heads (job_id, last_run) VALUES (1, 1) "
           "ON CONFLICT (job_id) DO UPDATE SET last_run = excluded.last_run",
           "UPDATE jobs SET status = 'on_site', version = version + 1 WHERE id = 1",
       }) {
    std::string plan;
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw.db, (std::string("EXPLAIN ") + sql).c_str(), -1, &q, nullptr),
              SQLITE_OK)
        << sql;
    while (sqlite3_step(q) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
      plan += ' ';
    }
    sqlite3_finalize(q);
    EXPECT_EQ(plan.find("OpenEphemeral"), std::string::npos) << sql;
  }
}

// Migration 7 finds notes through runs: every note stored before it is still found by its job, in
// order, and the per-note index is gone.
TEST(StoreMigrations, NotesStoredBeforeRunsAreStillFoundByJob) {
  TempDb file;
  {
    SqliteConnection conn(file.path, false);
    ASSERT_EQ(migrate(conn, 6), 6);
    conn.exec("PRAGMA foreign_keys = OFF");  // notes alone: their jobs play no part here
    conn.exec(
        "INSERT INTO job_notes (job_id, author, text, at, received_at) VALUES "
        "(1, 'a', 'one', 0, 0), (2, 'a', 'other', 0, 0), (1, 'a', 'two', 0, 0)");
  }
  auto store = Store::open(file.path, 0);
  auto notes = store->read([](Tx& tx) { return tx.notes_of({1}); });
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].text, "one");
  EXPECT_EQ(notes[1].text, "two");
  store.reset();
  RawDb raw(file.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'job_notes_by_job'"), "0");
}

// Migration 8 chains the runs of migration 7 per job: a job's notes from several runs, with
// another job's between them, come back in order, and a note written after it joins the chain.
TEST(StoreMigrations, RunsAreChainedPerJobAndNewNotesJoinTheChain) {
  TempDb file;
  {
    SqliteConnection conn(file.path, false);
    ASSERT_EQ(migrate(conn, 7), 7);
    conn.exec("PRAGMA foreign_keys = OFF");
    conn.exec(
        "INSERT INTO job_notes (id, job_id, author, text, at, received_at) VALUES "
        "(1, 1, 'a', 'one', 0, 0), (2, 1, 'a', 'two', 0, 0), (3, 2, 'a', 'other', 0, 0), "
        "(4, 2, 'a', 'another', 0, 0), (5, 1, 'a', 'three', 0, 0);"
        "INSERT INTO job_note_runs (job_id, first_id, last_id) VALUES (1, 1, 2), (2, 3, 4), (1, 5, "
        "5);");
  }
  auto store = Store::open(file.path, 0);
  auto s = seed(*store);
  store->write([&](Tx& tx) {
    for (int i = 0; i < 2; ++i) {  // jobs 1 and 2, which the notes above belong to
      tx.insert_job(make_job(s.site, Severity::general, JobStatus::assigned, kT0, s.tech));
    }
    tx.insert_note({0, 1, std::nullopt, "a", "four", kT0, kT0, std::nullopt});
    return true;
  });
  std::vector<std::string> texts;
  for (const auto& n : store->read([](Tx& tx) { return tx.notes_of({1}); }))
    texts.push_back(n.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"one", "two", "three", "four"}));
  EXPECT_EQ(store->read([](Tx& tx) { return tx.notes_of({2}); }).size(), 2u);
}

// The sync path's hot statements, as the store runs them: the feed by its bucket index, notes by
// rowid ranges, and no sort or automatic index over a table.
TEST(StoreMigrations, TheSyncPathsHotQueriesUseTheirIndexes) {
  TempDb file;
  {
    auto store = Store::open(file.path, 0);
    auto s = seed(*store);
    store->write([&](Tx& tx) {  // enough notes that a scan would look different from a seek
      auto job = tx.insert_job(make_job(s.site, Severity::general, JobStatus::assigned, kT0,
                                        s.tech));
      for (int i = 0; i < 300; ++i)
        tx.insert_note({0, job, s.tech, "a", "n", kT0, kT0, std::nullopt});
      return true;
    });
  }
  RawDb raw(file.path);
  struct Expect {
    std::string sql;
    const char* uses;
  };
  for (const auto& [sql, uses] : {Expect{kFeedAfterSql, "sync_changes_by_bucket"},
                                  Expect{kFeedHasAfterSql, "sync_changes_by_bucket"},
                                  Expect{notes_of_jobs_sql("(SELECT value FROM json_each(:ids))"),
                                         "SEARCH n USING INTEGER PRIMARY KEY"}}) {
    std::string plan;
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw.db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &q, nullptr),
              SQLITE_OK)
        << sql;
    while (sqlite3_step(q) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(q, 3));
      plan += "; ";
    }
    sqlite3_finalize(q);
    EXPECT_NE(plan.find(uses), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("AUTOMATIC"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN sync_changes"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN n; "), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN r; "), std::string::npos) << sql << "\n" << plan;
  }
}

TEST(StoreMigrations, RefusesAPathThatCannotBeOpened) {
  EXPECT_THROW(Store::open(::testing::TempDir() + "no/such/dir/x.db", 0), StoreError);
}

// ---- round trips: every stored field compared through one tuple per type ----

auto fields(const Center& c) {
  return std::tie(c.id, c.name, c.location, c.time_zone, c.business_hours, c.version);
}
auto fields(const Customer& c) {
  return std::tie(c.id, c.name, c.account_tier, c.contact, c.notes, c.version);
}
auto fields(const Site& s) {
  return std::tie(s.id, s.customer_id, s.address, s.location, s.center_id, s.center_explicit,
                  s.distance_km, s.version);
}
auto fields(const Equipment& e) {
  return std::tie(e.id, e.site_id, e.model, e.serial, e.sold_at, e.installed_at, e.warranty_months,
                  e.version);
}
auto fields(const Technician& t) {
  return std::tie(t.id, t.name, t.skills, t.home_center_id, t.location, t.location_at, t.shift,
                  t.active, t.max_open_jobs, t.version);
}
auto fields(const Job& j) {
  return std::tuple_cat(
      std::tie(j.id, j.kind, j.severity, j.site_id, j.distance_km, j.equipment_id,
               j.required_skills, j.description, j.reported_at, j.created_at, j.technician_id,
               j.assignment_locked, j.status, j.hold_reason, j.status_before_hold,
               j.hold_started_at, j.paused_s, j.needs_review, j.dispatch_reason, j.version),
      std::tie(j.sla[0].target_minutes, j.sla[0].due, j.sla[0].at_risk_at, j.sla[0].done_at),
      std::tie(j.sla[1].target_minutes, j.sla[1].due, j.sla[1].at_risk_at, j.sla[1].done_at),
      std::tie(j.sla[2].target_minutes, j.sla[2].due, j.sla[2].at_risk_at, j.sla[2].done_at));
}

// Inserts `row` and reads it back by its new id: every field must come back as written, and an
// id nobody has reads as nothing.
template <class T, class Insert, class Get>
void expect_round_trip(Store& store, T row, Insert insert, Get get) {
  row.id = store.write([&](Tx& tx) { return insert(tx, row); });
  auto got = store.read([&](Tx& tx) { return get(tx, row.id); });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(fields(*got), fields(row));
  EXPECT_FALSE(store.read([&](Tx& tx) { return get(tx, row.id + 1000).has_value(); }));
}

#define INSERT(fn) [](Tx& tx, const auto& row) { return tx.fn(row); }
#define GET(fn) [](Tx& tx, std::int64_t id) { return tx.fn(id); }

TEST_F(StoreTest, CenterRoundTripsWithItsWeeklyHours) {
  Center c = make_center("Minhang");
  c.business_hours = WeeklyHours{};
  c.business_hours[1] = DaySpan{7 * 60 + 30, 19 * 60};
  c.business_hours[6] = DaySpan{0, 1440};
  expect_round_trip(*store, c, INSERT(insert_center), GET(center));
  expect_round_trip(*store, make_center("Default hours"), INSERT(insert_center), GET(center));
}

TEST_F(StoreTest, CustomerRoundTripsWithContactAndNotes) {
  Customer c{.name = "Globex",
             .account_tier = AccountTier::key,
             .contact = {"Hank Scorpio", "+86 21 5555 0100", "hank@globex.example"},
             .notes = "gate code 4711"};
  expect_round_trip(*store, c, INSERT(insert_customer), GET(customer));
  expect_round_trip(*store, Customer{.name = "Bare"}, INSERT(insert_customer), GET(customer));
}

TEST_F(StoreTest, SiteRoundTripsWithExplicitCenterAndDistance) {
  Site s = make_site(ids.customer, ids.center);
  s.center_explicit = true;
  s.distance_km = 12.345678;
  expect_round_trip(*store, s, INSERT(insert_site), GET(site));
}

TEST_F(StoreTest, EquipmentRoundTripsWithAndWithoutInstalledAt) {
  Equipment e{.site_id = ids.site,
              .model = "CH-900",
              .serial = "SN-1",
              .sold_at = kT0,
              .installed_at = kT0 + 48h,
              .warranty_months = 24};
  expect_round_trip(*store, e, INSERT(insert_equipment), GET(equipment));
  e.serial = "SN-2";
  e.installed_at.reset();
  expect_round_trip(*store, e, INSERT(insert_equipment), GET(equipment));
}

TEST_F(StoreTest, SerialIsTakenPerModelExceptByItself) {
  EquipmentId id = w([&](Tx& tx) {
    return tx.insert_equipment(Equipment{.site_id = ids.site, .model = "CH-900", .serial = "SN-1"});
  });
  EXPECT_TRUE(r([](Tx& tx) { return tx.serial_taken("CH-900", "SN-1", 0); }));
  EXPECT_FALSE(r([&](Tx& tx) { return tx.serial_taken("CH-900", "SN-1", id); }));
  EXPECT_FALSE(r([](Tx& tx) { return tx.serial_taken("CH-901", "SN-1", 0); }));
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
  expect_round_trip(*store, t, INSERT(insert_technician), GET(technician));
  Technician bare = make_tech(ids.center, "No fix, no skills, no shift");
  bare.skills.clear();
  bare.shift = WeeklyHours{};
  expect_round_trip(*store, bare, INSERT(insert_technician), GET(technician));
}

TEST_F(StoreTest, JobRoundTripsEveryField) {
  EquipmentId eq = w([&](Tx& tx) {
    return tx.insert_equipment(Equipment{.site_id = ids.site, .model = "M", .serial = "S"});
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
  expect_round_trip(*store, j, INSERT(insert_job), GET(job));
  // Nothing optional set: no equipment, technician, hold or done times.
  expect_round_trip(*store, make_job(ids.site, Severity::minor, JobStatus::new_, kT0),
                    INSERT(insert_job), GET(job));
}

TEST_F(StoreTest, ReferencesToMissingRowsAreRefusedAndLeaveNothingBehind) {
  EXPECT_THROW(w([&](Tx& tx) { return tx.insert_site(make_site(999, ids.center)); }), StoreError);
  EXPECT_THROW(w([](Tx& tx) { return tx.insert_technician(make_tech(999, "x")); }), StoreError);
  EXPECT_THROW(w([](Tx& tx) {
                 return tx.insert_job(make_job(999, Severity::minor, JobStatus::new_, kT0));
               }),
               StoreError);
  EXPECT_EQ(r([](Tx& tx) { return tx.all_sites().size(); }), 1u);  // only the seeded one
}

// ---- optimistic versions ----

// Inserts `row`, applies `change` and updates with the right version: the change is stored and
// the version bumped. The stale copy is then refused and changes nothing; an unknown id is refused.
template <class T, class Insert, class Get, class Update, class Change>
void expect_versioned_update(Store& store, T row, Insert insert, Get get, Update update,
                             Change change) {
  row.id = store.write([&](Tx& tx) { return insert(tx, row); });
  const T stale = row;  // version 1
  change(row);
  EXPECT_TRUE(store.write([&](Tx& tx) { return update(tx, row); }));
  row.version = 2;
  auto stored = [&] { return store.read([&](Tx& tx) { return get(tx, row.id); }).value(); };
  EXPECT_EQ(fields(stored()), fields(row));
  EXPECT_FALSE(store.write([&](Tx& tx) { return update(tx, stale); }));
  EXPECT_EQ(fields(stored()), fields(row));
  EXPECT_TRUE(store.write([&](Tx& tx) { return update(tx, row); }));
  EXPECT_EQ(stored().version, 3);
  T ghost = row;
  ghost.id += 1000;
  EXPECT_FALSE(store.write([&](Tx& tx) { return update(tx, ghost); }));
}

#define UPDATE(fn) [](Tx& tx, const auto& row) { return tx.fn(row); }

TEST_F(StoreTest, UpdatesStoreChangesAndRefuseAStaleVersion) {
  Store& s = *store;
  expect_versioned_update(s, make_center("C"), INSERT(insert_center), GET(center),
                          UPDATE(update_center), [](Center& c) {
                            c.name = "renamed";
                            c.business_hours[6] = DaySpan{600, 720};
                          });
  expect_versioned_update(s, Customer{.name = "N"}, INSERT(insert_customer), GET(customer),
                          UPDATE(update_customer), [](Customer& c) {
                            c.account_tier = AccountTier::key;
                            c.contact.email = "new@example.com";
                          });
  expect_versioned_update(s, make_site(ids.customer, ids.center), INSERT(insert_site), GET(site),
                          UPDATE(update_site), [](Site& x) { x.center_explicit = true; });
  expect_versioned_update(s, Equipment{.site_id = ids.site, .model = "M", .serial = "S"},
                          INSERT(insert_equipment), GET(equipment), UPDATE(update_equipment),
                          [](Equipment& e) { e.installed_at = kT0; });
  expect_versioned_update(s, make_tech(ids.center, "T"), INSERT(insert_technician), GET(technician),
                          UPDATE(update_technician), [](Technician& t) {
                            t.location = geo::LatLon{1, 2};
                            t.active = false;
                          });
  expect_versioned_update(s, make_job(ids.site, Severity::minor, JobStatus::new_, kT0),
                          INSERT(insert_job), GET(job), UPDATE(update_job), [&](Job& j) {
                            j.status = JobStatus::assigned;
                            j.technician_id = ids.tech;
                            j.clock(SlaTarget::response).done_at = kT0 + 3min;
                          });
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
  auto out = w([](Tx& tx) -> Result<CenterId> { return tx.insert_center(make_center("Kept")); });
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(r([&](Tx& tx) { return tx.center(*out).has_value(); }));
}

TEST_F(StoreTest, WriteReturningAnEmptyOptionalStillCommits) {
  // Only an std::expected error rolls back (store.h); "nothing found" is not a failure.
  // std::optional also has has_value(); an empty one must not be read as a failure.
  auto out = w([](Tx& tx) -> std::optional<int> {
    tx.put_setting("k", "v");
    return std::nullopt;
  });
  EXPECT_EQ(out, std::nullopt);
  EXPECT_EQ(r([](Tx& tx) { return tx.setting("k"); }), "v");
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
    auto store = Store::open(file.path, 2);
    Seed s = seed(*store);
    store->write([&](Tx& tx) {
      JobId job = tx.insert_job(make_job(s.site, Severity::minor, JobStatus::new_, kT0));
      tx.insert_event(JobEvent{.job_id = job,
                               .type = "created",
                               .actor = "token:1",
                               .at = kT0,
                               .received_at = kT0,
                               .detail = "original"});
      tx.insert_audit(AuditEntry{.entity = "customer",
                                 .entity_id = s.customer,
                                 .action = "update",
                                 .field = "name",
                                 .old_value = "a",
                                 .new_value = "b",
                                 .actor = "token:1",
                                 .at = kT0});
      return true;
    });
  }
  RawDb raw(file.path);
  for (const char* sql : {"UPDATE job_events SET detail = 'forged'", "DELETE FROM job_events",
                          "UPDATE audit_log SET new_value = 'forged'", "DELETE FROM audit_log"}) {
    auto [rc, message] = raw.exec(sql);
    EXPECT_NE(rc, SQLITE_OK) << sql;
    EXPECT_NE(message.find("append-only"), std::string::npos) << sql << ": " << message;
  }
  EXPECT_EQ(raw.scalar("SELECT detail FROM job_events"), "original");
  EXPECT_EQ(raw.scalar("SELECT new_value FROM audit_log"), "b");
  EXPECT_EQ(raw.exec("INSERT INTO job_events (job_id, type, actor, source, at, received_at) "
                     "SELECT job_id, 'note', 'x', 'api', 1, 1 FROM job_events")
                .first,
            SQLITE_OK);
}

auto fields(const JobEvent& e) {
  return std::tie(e.id, e.job_id, e.type, e.from_status, e.to_status, e.technician_id, e.actor,
                  e.source, e.at, e.received_at, e.detail);
}

TEST_F(StoreTest, EventsReadBackInOrderWithEveryFieldAndPageByAfterId) {
  JobId job = w([&](Tx& tx) {
    return tx.insert_job(make_job(ids.site, Severity::minor, JobStatus::new_, kT0));
  });
  JobEvent full{.job_id = job,
                .type = "status",
                .from_status = JobStatus::en_route,
                .to_status = JobStatus::on_site,
                .technician_id = ids.tech,
                .actor = "token:7",
                .source = EventSource::sync,
                .at = kT0 + 5min,
                .received_at = kT0 + 2h,
                .detail = "device clock corrected"};
  JobEvent bare{.job_id = job, .type = "note", .actor = "import", .source = EventSource::api};
  full.id = w([&](Tx& tx) { return tx.insert_event(full); });
  bare.id = w([&](Tx& tx) { return tx.insert_event(bare); });
  auto all = r([&](Tx& tx) { return tx.events(job, Page{}); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(fields(all[0]), fields(full));
  EXPECT_EQ(fields(all[1]), fields(bare));
  auto after = r([&](Tx& tx) { return tx.events(job, Page{.after_id = full.id, .limit = 10}); });
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, bare.id);
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
      // j1: center 1, critical, assigned to tech 1     j2: center 2, general, new, unassigned
      // j3: center 1, general, resolved by tech 2, review  j4: center 2, critical, tech 1
      j1 = tx.insert_job(make_job(ids.site, Severity::critical, JobStatus::assigned, kT0,
                                  ids.tech));
      j2 = tx.insert_job(make_job(site2, Severity::general, JobStatus::new_, kT0 + 1h));
      Job j = make_job(ids.site, Severity::general, JobStatus::resolved, kT0 + 2h, tech2);
      j.needs_review = true;
      j3 = tx.insert_job(j);
      j4 = tx.insert_job(make_job(site2, Severity::critical, JobStatus::assigned, kT0 + 3h,
                                  ids.tech));
      return true;
    });
  }
  // The page's ids, checked to be the same through job_stamps (the list's other way in).
  std::vector<JobId> ids_of(const JobFilter& f, Page page = {}) {
    std::vector<JobId> out, stamped;
    for (const Job& j : r([&](Tx& tx) { return tx.jobs(page, f); })) out.push_back(j.id);
    for (auto stamp : r([&](Tx& tx) { return tx.job_stamps(page, f); })) {
      stamped.push_back(stamp.id);
    }
    EXPECT_EQ(stamped, out);
    return out;
  }
};

TEST_F(JobQueryTest, StampsCarryTheVersionAndJobsComeBackByIdInIdOrder) {
  w([&](Tx& tx) {
    Job j = *tx.job(j2);
    j.description = "changed";
    return tx.update_job(j);
  });
  auto stamps = r([&](Tx& tx) { return tx.job_stamps({}, {}); });
  ASSERT_EQ(stamps.size(), 4u);
  EXPECT_EQ(stamps[0].version, 1);
  EXPECT_EQ(stamps[1].version, 2);
  auto jobs = r([&](Tx& tx) { return tx.jobs_by_id({j4, j2, j4 + 100}); });
  ASSERT_EQ(jobs.size(), 2u) << "an id that does not exist is left out";
  EXPECT_EQ(jobs[0].id, j2);
  EXPECT_EQ(jobs[0].description, "changed");
  EXPECT_EQ(jobs[1].id, j4);
  EXPECT_TRUE(r([&](Tx& tx) { return tx.jobs_by_id({}); }).empty());
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
  EXPECT_EQ(ids_of({.reported_from = kT0 + 1h, .reported_to = kT0 + 3h}),
            (std::vector<JobId>{j2, j3}));
  EXPECT_EQ(ids_of({.reported_from = kT0 + 3h + 1s}), std::vector<JobId>{});
}

TEST_F(JobQueryTest, FiltersCombineAndNeedsReviewIsOneOfThem) {
  EXPECT_EQ(ids_of({.severity = Severity::critical, .center_id = center2}), std::vector<JobId>{j4});
  EXPECT_EQ(ids_of({.needs_review = true}), std::vector<JobId>{j3});
  EXPECT_EQ(ids_of({.needs_review = false}), (std::vector<JobId>{j1, j2, j4}));
}

TEST_F(JobQueryTest, PagesByAfterIdInIdOrder) {
  EXPECT_EQ(ids_of({}), (std::vector<JobId>{j1, j2, j3, j4}));
  EXPECT_EQ(ids_of({}, {.after_id = 0, .limit = 2}), (std::vector<JobId>{j1, j2}));
  EXPECT_EQ(ids_of({}, {.after_id = j2, .limit = 2}), (std::vector<JobId>{j3, j4}));
  EXPECT_EQ(ids_of({}, {.after_id = j4, .limit = 2}), std::vector<JobId>{});
  EXPECT_EQ(ids_of({.status = JobStatus::assigned}, {.after_id = j1, .limit = 5}),
            std::vector<JobId>{j4});
}

TEST_F(StoreTest, OpenJobCountCountsOnlyAssignedThroughOnHold) {
  auto other = w([&](Tx& tx) { return tx.insert_technician(make_tech(ids.center, "Other")); });
  w([&](Tx& tx) {
    for (JobStatus s :
         {JobStatus::assigned, JobStatus::accepted, JobStatus::en_route, JobStatus::on_site,
          JobStatus::on_hold, JobStatus::new_, JobStatus::resolved, JobStatus::signed_off,
          JobStatus::closed, JobStatus::cancelled}) {
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
  Token t{
      .role = Role::technician, .name = "tablet-7", .technician_id = ids.tech, .created_at = kT0};
  TokenId id = w([&](Tx& tx) { return tx.insert_token(t, hash); });
  auto got = r([&](Tx& tx) { return tx.token_by_hash(hash); });
  ASSERT_TRUE(got);
  t.id = id;
  EXPECT_EQ(std::tie(got->id, got->role, got->name, got->technician_id, got->created_at,
                     got->last_used_at, got->revoked),
            std::tie(t.id, t.role, t.name, t.technician_id, t.created_at, t.last_used_at,
                     t.revoked));
  EXPECT_EQ(r([](Tx& tx) { return tx.token_by_hash(std::string(64, 'b')); }), std::nullopt);

  w([&](Tx& tx) {
    tx.touch_token(id, kT0 + 1h);
    return true;
  });
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
