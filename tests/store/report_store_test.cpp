// The technician report's reads: visits and labour per job, worked out by hand from the events,
// whether the events arrive in one transaction, late, or were stored before the job kept a tally.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace fieldserve::store {
namespace {

using namespace std::chrono_literals;

void add_event(Tx& tx, JobId job, const char* type, JobStatus from, JobStatus to,
               std::chrono::minutes at) {
  JobEvent e;
  e.job_id = job;
  e.type = type;
  e.from_status = from;
  e.to_status = to;
  e.actor = "t";
  e.at = kT0 + at;
  e.received_at = kT0 + at;
  tx.insert_event(e);
}

// A job resolved at 1060 min with a hold between two visits, two priced parts and one unpriced,
// a sign-off rated 5 and a follow-up scored 4.
JobId visited_job(Store& store, const Seed& s) {
  return store.write([&](Tx& tx) {
    auto j = make_job(s.site, Severity::general, JobStatus::resolved, kT0, s.tech);
    j.clock(SlaTarget::restore).done_at = kT0 + 1060min;
    auto id = tx.insert_job(j);
    auto event = [&](const char* type, JobStatus from, JobStatus to, std::chrono::minutes at) {
      add_event(tx, id, type, from, to, at);
    };
    // Written out of time order, as a tablet that syncs late writes them: the resume first.
    event("status", JobStatus::on_hold, JobStatus::on_site, 1000min);
    event("status", JobStatus::assigned, JobStatus::accepted, 5min);
    event("status", JobStatus::accepted, JobStatus::en_route, 10min);
    event("status", JobStatus::en_route, JobStatus::on_site, 30min);
    event("status", JobStatus::on_site, JobStatus::on_hold, 90min);
    event("sla_breached", JobStatus::on_hold, JobStatus::on_hold, 95min);  // not a step
    event("status", JobStatus::on_site, JobStatus::resolved, 1060min);
    // Two FLT-200 at 18.75 and a part without a price; a sign-off rated 5 and a follow-up
    // scored 4.
    tx.put_part_price("FLT-200", 18.75);
    tx.insert_part({0, id, s.tech, {"FLT-200", 2}, std::nullopt, kT0 + 60min, kT0 + 60min, {}});
    tx.insert_part({0, id, s.tech, {"GSK-12", 1}, std::nullopt, kT0 + 60min, kT0 + 60min, {}});
    Signoff so;
    so.id = "00000000-0000-7000-8000-000000000002";
    so.job_id = id;
    so.technician_id = s.tech;
    so.signer_name = "Wang Fang";
    so.signed_at = so.signed_at_device = so.received_at = kT0 + 1050min;
    so.signature_png = "png";
    so.rating = 5;
    tx.insert_signoff(so);
    (void)tx.insert_follow_up(FollowUp{.job_id = id,
                                       .customer_id = s.customer,
                                       .due = kT0 + 200h,
                                       .status = FollowUpStatus::done,
                                       .reached = true,
                                       .satisfaction = 4});
    return id;
  });
}

TEST(JobsDone, VisitsAndLabourComeFromTheStatusEventsInTimeOrder) {
  TempDb file;
  auto store = Store::open(file.path, 0);
  auto s = seed(*store);
  auto job = visited_job(*store, s);
  auto rows = store->read([&](Tx& tx) { return tx.jobs_done(kT0, kT0 + 48h); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].job_id, job);
  // On site at 30 until the hold at 90, and again from the resume at 1000 to 1060: two visits,
  // 60 + 60 minutes of labour.
  EXPECT_EQ(rows[0].visits, 2);
  EXPECT_EQ(rows[0].on_site_s, 120 * 60);
  EXPECT_DOUBLE_EQ(rows[0].parts_cost, 37.5);
  EXPECT_EQ(rows[0].unpriced_parts, 1);
  EXPECT_EQ(rows[0].rating_sum, 5 + 4);
  EXPECT_EQ(rows[0].ratings, 2);
  EXPECT_TRUE(store->read([&](Tx& tx) { return tx.jobs_done(kT0, kT0 + 1h); }).empty())
      << "done is when restore was done";
}

TEST(JobsDone, AnEventThatArrivesLateIsCountedInTimeOrder) {
  TempDb file;
  auto store = Store::open(file.path, 0);
  auto s = seed(*store);
  auto job = visited_job(*store, s);
  // A tablet that was offline sends a hold at 40 and a resume at 50 inside the first visit: on
  // site 30–40, 50–90 and 1000–1060 is three visits and 10 + 40 + 60 minutes.
  store->write([&](Tx& tx) {
    add_event(tx, job, "status", JobStatus::on_site, JobStatus::on_hold, 40min);
    add_event(tx, job, "status", JobStatus::on_hold, JobStatus::on_site, 50min);
    return true;
  });
  auto rows = store->read([&](Tx& tx) { return tx.jobs_done(kT0, kT0 + 48h); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].visits, 3);
  EXPECT_EQ(rows[0].on_site_s, 110 * 60);
  // A note-like event without a status changes nothing.
  store->write([&](Tx& tx) {
    JobEvent e;
    e.job_id = job;
    e.type = "needs_review";
    e.actor = "t";
    e.at = e.received_at = kT0 + 45min;
    tx.insert_event(e);
    return true;
  });
  EXPECT_EQ(store->read([&](Tx& tx) { return tx.jobs_done(kT0, kT0 + 48h); })[0].on_site_s,
            110 * 60);
}

TEST(JobsDone, MigrationThirteenTalliesTheEventsStoredBeforeIt) {
  TempDb file;
  {
    auto store = Store::open(file.path, 0);
    visited_job(*store, seed(*store));
  }
  {
    RawDb raw(file.path);
    ASSERT_EQ(raw.exec(std::string(kUndoMigration14) + kUndoMigration13).first, SQLITE_OK);
  }
  auto store = Store::open(file.path, 0);
  auto rows = store->read([&](Tx& tx) { return tx.jobs_done(kT0, kT0 + 48h); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].visits, 2);
  EXPECT_EQ(rows[0].on_site_s, 120 * 60);
  EXPECT_EQ(rows[0].rating_sum, 5 + 4);
  EXPECT_DOUBLE_EQ(rows[0].parts_cost, 37.5);
}

}  // namespace
}  // namespace fieldserve::store
