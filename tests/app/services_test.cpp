// The use cases in process, with a clock the test moves: what the integration suite checked by
// waiting on the real server's wall clock.
#include <chrono>
#include <thread>

#include "app/history_import.h"
#include "app_fixture.h"

namespace fieldserve::app {
namespace {

using namespace std::chrono_literals;

TEST_F(AppTest, ACriticalJobIsDispatchedAndAnnouncedAtOnce) {
  auto job = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                .severity = Severity::critical,
                                                .required_skills = {"hvac"}});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->technician_id, tech);
  EXPECT_EQ(job->status, JobStatus::assigned);
  auto events = events_of(job->id);
  EXPECT_EQ(count_type(events, "created"), 1u);
  EXPECT_EQ(count_type(events, "assigned"), 1u);
  EXPECT_EQ(count_type(events, "sla_met"), 1u) << "the response target is met by the assignment";
  auto why = jobs.explanation(job->id);
  ASSERT_TRUE(why);
  EXPECT_EQ(why->decision.candidates, "1 candidates") << "kept as the encoder wrote it";
}

// The ticker's half of SLA monitoring, without waiting: the clock moves past the due and one
// pass announces the breach, dated a second past due, with its log line after the commit.
TEST_F(AppTest, TheTickerAnnouncesABreachWhenTheClockPassesTheDue) {
  auto job = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                .severity = Severity::critical,
                                                .auto_assign = false});
  ASSERT_TRUE(job);
  SlaTicker ticker(*store, writer);
  EXPECT_EQ(ticker.run_once(), 0) << "nothing is due yet";
  EXPECT_EQ(count_type(events_of(job->id), "sla_breached"), 0u);
  auto due = job->clock(SlaTarget::response).due;
  clock.advance(std::chrono::duration_cast<std::chrono::seconds>(due - clock.now()) + 2s);
  EXPECT_EQ(ticker.run_once(), 1);
  auto events = events_of(job->id);
  ASSERT_EQ(count_type(events, "sla_breached"), 1u);
  for (const auto& e : events) {
    if (e.type == "sla_breached" && e.detail.rfind("response", 0) == 0) {
      EXPECT_EQ(e.at, due + 1s);
    }
  }
  EXPECT_EQ(LogLines::count_containing("job_id=" + std::to_string(job->id) +
                                       " target=response from=pending state=breached"),
            1u);
  EXPECT_EQ(ticker.run_once(), 0) << "a breach is announced once";
  EXPECT_EQ(job->version, jobs.get(dispatcher_who, job->id)->version)
      << "the ticker's bookkeeping leaves the version alone";
}

// The ticker's own thread, running while other threads change jobs (the ThreadSanitizer run of
// CI includes this test). Whether the thread or the final pass announces a breach, it is
// announced once per job: the assertions do not depend on how the threads interleave.
TEST_F(AppTest, TheTickerThreadAndWritersTogetherAnnounceEachBreachOnce) {
  std::vector<JobId> ids;
  for (int i = 0; i < 6; ++i) {
    auto job = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                  .severity = Severity::critical,
                                                  .auto_assign = false});
    ASSERT_TRUE(job);
    ids.push_back(job->id);
  }
  clock.advance(std::chrono::hours(1));  // every response target is past due
  {
    SlaTicker ticker(*store, writer, std::chrono::milliseconds(1));
    ticker.start();
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
      writers.emplace_back([&, w] {
        for (auto i = static_cast<std::size_t>(w); i < ids.size(); i += 2) {
          auto job = jobs.get(dispatcher_who, ids[i]);
          ASSERT_TRUE(job);
          auto patched = jobs.patch(dispatcher_who, ids[i], std::nullopt,
                                    JobChanges{.description = "checked " + std::to_string(i)});
          ASSERT_TRUE(patched) << patched.error().message;
        }
      });
    }
    for (auto& t : writers) t.join();
    ticker.stop();
  }
  SlaTicker(*store, writer).run_once();
  for (JobId id : ids) {
    std::size_t response_breaches = 0;
    for (const auto& e : events_of(id)) {
      response_breaches += e.type == "sla_breached" && e.detail.rfind("response", 0) == 0;
    }
    EXPECT_EQ(response_breaches, 1u) << "job " << id;
  }
}

TEST_F(AppTest, ATechnicianSeesOnlyItsOwnJobs) {
  auto mine = jobs.create(dispatcher_who, NewJob{.site_id = site, .severity = Severity::general});
  ASSERT_TRUE(mine);
  Principal other{9, Role::technician, "other", tech + 1000};
  auto read = jobs.get(other, mine->id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::forbidden);
  Principal me{8, Role::technician, "me", tech};
  EXPECT_TRUE(jobs.get(me, mine->id));
  store::JobFilter someone_else;
  someone_else.technician_id = tech + 1000;
  EXPECT_EQ(jobs.list(me, store::Page{0, 50}, someone_else).error().code, ErrorCode::forbidden);
  auto none_held = [](store::JobStamp) { return false; };
  EXPECT_EQ(jobs.list_known(me, store::Page{0, 50}, someone_else, none_held).error().code,
            ErrorCode::forbidden);
}

TEST_F(AppTest, ListKnownReadsWholeOnlyTheJobsTheCallerDoesNotHold) {
  std::vector<JobId> ids;
  for (int i = 0; i < 3; ++i) {
    auto job = jobs.create(dispatcher_who, NewJob{.site_id = site, .auto_assign = false});
    ASSERT_TRUE(job);
    ids.push_back(job->id);
  }
  std::vector<store::JobStamp> asked;
  auto rows = jobs.list_known(dispatcher_who, store::Page{0, 50}, {}, [&](store::JobStamp s) {
    asked.push_back(s);
    return s.id == ids[1];  // the caller holds the middle one
  });
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  ASSERT_EQ(asked.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*rows)[i].stamp.id, ids[i]);
    EXPECT_EQ((*rows)[i].stamp.version, 1);
    EXPECT_EQ((*rows)[i].job.has_value(), i != 1);
    if ((*rows)[i].job) {
      EXPECT_EQ((*rows)[i].job->id, ids[i]);
    }
  }
  // A technician's page holds its own jobs only, whatever it holds.
  Principal me{8, Role::technician, "me", tech};
  auto own = jobs.list_known(me, store::Page{0, 50}, {}, [](store::JobStamp) { return false; });
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->empty());
}

TEST_F(AppTest, AStalePatchIsRefusedAndChangesNothing) {
  auto job = jobs.create(dispatcher_who, NewJob{.site_id = site, .auto_assign = false});
  ASSERT_TRUE(job);
  auto stale = jobs.patch(dispatcher_who, job->id, job->version + 1,
                          JobChanges{.description = std::string("new words")});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::stale_version);
  auto fresh = jobs.patch(dispatcher_who, job->id, job->version,
                          JobChanges{.severity = Severity::critical});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->severity, Severity::critical);
  EXPECT_LT(fresh->clock(SlaTarget::arrival).due, job->clock(SlaTarget::arrival).due)
      << "a higher tier brings the due times forward";
}

class SyncServiceTest : public AppTest {
 protected:
  SyncService sync{*store, writer, dispatcher,
                   [](std::string& out, const JobDocument& doc, const dispatch::SlaPolicy&, Instant,
                      Instant&) { out += std::to_string(doc.job->id); }};
  Principal tablet{5, Role::technician, "tablet", std::nullopt};

  void SetUp() override {
    AppTest::SetUp();
    tablet.technician_id = tech;
  }

  sync::PushOp note(JobId job, std::string op_id, std::string text) {
    sync::PushOp op;
    op.op_id = std::move(op_id);
    op.type_name = "note";
    op.type = sync::OpType::note;
    op.job_id = job;
    op.at = clock.now();
    op.text = std::move(text);
    op.body = R"({"op":"as sent"})";
    op.digest = "digest-" + op.op_id;
    return op;
  }
};

TEST_F(SyncServiceTest, AnAppliedOpKeepsOnlyTheFieldsTheServerDoesNotKnow) {
  auto job = jobs.create(dispatcher_who, NewJob{.site_id = site, .required_skills = {"hvac"}});
  ASSERT_TRUE(job);
  ASSERT_EQ(job->technician_id, tech);
  auto plain = note(job->id, "018f0000-0000-7000-8000-000000000001", "checked the fan");
  auto newer = note(job->id, "018f0000-0000-7000-8000-000000000002", "replaced the belt");
  newer.unknown_fields = R"({"payload":{"photo_ids":[3,4]},"app_build":"7.2"})";
  auto results = sync.push(tablet, clock.now(), {plain, newer});
  ASSERT_TRUE(results);
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].status, sync::OpStatus::applied);
  EXPECT_EQ((*results)[1].status, sync::OpStatus::applied);
  auto [first, second] = store->read([&](store::Tx& tx) {
    return std::pair(tx.ledger_entry(plain.op_id), tx.ledger_entry(newer.op_id));
  });
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "") << "nothing unknown: the push path stays lean";
  EXPECT_EQ(second->body, newer.unknown_fields);
  // Sent again: a duplicate with the first result, nothing stored twice.
  auto again = sync.push(tablet, clock.now(), {newer});
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0].status, sync::OpStatus::duplicate);
  auto notes = store->read([&](store::Tx& tx) { return tx.notes_of({job->id}); });
  EXPECT_EQ(notes.size(), 2u);
}

// Retention without waiting: the clock moves past it, the feed is pruned, and a device whose
// cursor is older resets to a snapshot that still holds what was pushed.
TEST_F(SyncServiceTest, ADeviceBehindThePrunedFeedResetsToASnapshotWithEverythingPushed) {
  auto job = jobs.create(dispatcher_who, NewJob{.site_id = site, .required_skills = {"hvac"}});
  ASSERT_TRUE(job);
  auto first = sync.pull(tablet, std::nullopt, 50);
  ASSERT_TRUE(first);
  auto pushed = sync.push(tablet, clock.now(),
                          {note(job->id, "018f0000-0000-7000-8000-000000000009", "x")});
  ASSERT_TRUE(pushed);
  ASSERT_EQ((*pushed)[0].status, sync::OpStatus::applied);

  EXPECT_EQ(sync.prune_feed(std::chrono::days(1)), 0) << "nothing is a day old yet";
  auto resumed = sync.pull(tablet, first->cursor, 50);
  ASSERT_TRUE(resumed);
  EXPECT_FALSE(resumed->reset);

  // The feed stamps its rows with the database's own time (they are written by triggers), so
  // the clock moves to a day past the machine's time, whatever that is.
  clock.advance(std::chrono::duration_cast<std::chrono::seconds>(SystemClock().now() -
                                                                 clock.now()) +
                std::chrono::hours(25));
  EXPECT_GT(sync.prune_feed(std::chrono::days(1)), 0);
  auto back = sync.pull(tablet, first->cursor, 50);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->reset);
  EXPECT_EQ(std::string(back->documents()), std::to_string(job->id));
  auto after = sync.pull(tablet, back->cursor, 50);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->reset) << "the new cursor resumes";
}

TEST_F(SyncServiceTest, ARejectedOpCarriesItsCatalogueCode) {
  auto job = jobs.create(dispatcher_who, NewJob{.site_id = site, .required_skills = {"hvac"}});
  ASSERT_TRUE(job);
  sync::PushOp resolve = note(job->id, "018f0000-0000-7000-8000-000000000003", "");
  resolve.type = sync::OpType::status;
  resolve.type_name = "status";
  resolve.status_to = StatusRequest::resumed;  // the job is not on hold
  auto results = sync.push(tablet, clock.now(), {resolve});
  ASSERT_TRUE(results);
  EXPECT_EQ((*results)[0].status, sync::OpStatus::rejected);
  EXPECT_EQ((*results)[0].code, sync::OpCode::invalid_transition);
  auto entry = store->read([&](store::Tx& tx) { return tx.ledger_entry(resolve.op_id); });
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->code, "invalid_transition");
  EXPECT_EQ(entry->body, resolve.body) << "an op not applied is kept whole";
}

TEST_F(SyncServiceTest, APullWithoutACursorIsASnapshotOfTheTechniciansJobs) {
  auto a = jobs.create(dispatcher_who, NewJob{.site_id = site, .required_skills = {"hvac"}});
  auto b = jobs.create(dispatcher_who, NewJob{.site_id = site, .auto_assign = false});
  ASSERT_TRUE(a && b);
  auto page = sync.pull(tablet, std::nullopt, 50);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(std::string(page->documents()), std::to_string(a->id)) << "only the assigned job";
  EXPECT_FALSE(page->has_more);
  EXPECT_TRUE(page->removed.empty());
  Principal staff{1, Role::dispatcher, "d", std::nullopt};
  EXPECT_EQ(sync.pull(staff, std::nullopt, 50).error().code, ErrorCode::forbidden);
}

}  // namespace
}  // namespace fieldserve::app
