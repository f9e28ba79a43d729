// The technician report's reads: visits and labour per job, worked out by hand from the events.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace fieldserve::store {
namespace {

using namespace std::chrono_literals;

TEST(JobsDone, VisitsAndLabourComeFromTheStatusEventsInTimeOrder) {
  TempDb file;
  auto store = Store::open(file.path, 0);
  auto s = seed(*store);
  auto job = store->write([&](Tx& tx) {
    auto j = make_job(s.site, Severity::general, JobStatus::resolved, kT0, s.tech);
    j.clock(SlaTarget::restore).done_at = kT0 + 1060min;
    auto id = tx.insert_job(j);
    auto event = [&](const char* type, JobStatus from, JobStatus to, std::chrono::minutes at) {
      JobEvent e;
      e.job_id = id;
      e.type = type;
      e.from_status = from;
      e.to_status = to;
      e.actor = "t";
      e.at = kT0 + at;
      e.received_at = kT0 + at;
      tx.insert_event(e);
    };
    // Written out of time order, as a tablet that syncs late writes them: the resume first.
    event("status", JobStatus::on_hold, JobStatus::on_site, 1000min);
    event("status", JobStatus::assigned, JobStatus::accepted, 5min);
    event("status", JobStatus::accepted, JobStatus::en_route, 10min);
    event("status", JobStatus::en_route, JobStatus::on_site, 30min);
    event("status", JobStatus::on_site, JobStatus::on_hold, 90min);
    event("sla_breached", JobStatus::on_hold, JobStatus::on_hold, 95min);  // not a step
    event("status", JobStatus::on_site, JobStatus::resolved, 1060min);
    return id;
  });
  auto rows = store->read([&](Tx& tx) { return tx.jobs_done(kT0, kT0 + 48h); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].job_id, job);
  // On site at 30 until the hold at 90, and again from the resume at 1000 to 1060: two visits,
  // 60 + 60 minutes of labour.
  EXPECT_EQ(rows[0].visits, 2);
  EXPECT_EQ(rows[0].on_site_s, 120 * 60);
  EXPECT_TRUE(store->read([&](Tx& tx) { return tx.jobs_done(kT0, kT0 + 1h); }).empty())
      << "done is when restore was done";
}

}  // namespace
}  // namespace fieldserve::store
