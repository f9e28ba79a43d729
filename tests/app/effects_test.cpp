// After-commit effects: what a transaction body asks for runs once after its commit, and never
// for a body that rolled back or for an attempt of a group commit that did not commit.
#include <atomic>
#include <thread>

#include "app/effects.h"
#include "app_fixture.h"

namespace fieldserve::app {
namespace {

using namespace std::chrono_literals;

TEST_F(AppTest, EffectsRunOnceAfterTheCommit) {
  int ran = 0;
  bool committed_when_run = false;
  bool done = write(*store, [&](store::Tx& tx, Effects& fx) {
    tx.put_setting("probe", "written");
    fx.after_commit([&] {
      ++ran;
      // Another connection sees the row: the effect ran after the commit, not before.
      committed_when_run = store->read([&](store::Tx& reader) {
        return reader.setting("probe").has_value();
      });
    });
    return true;
  });
  EXPECT_TRUE(done);
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(committed_when_run);
}

TEST_F(AppTest, ABodyThatFailsOrThrowsLeavesNoEffects) {
  int ran = 0;
  Result<int> failed = write(*store, [&](store::Tx&, Effects& fx) -> Result<int> {
    fx.after_commit([&] { ++ran; });
    fx.log(LogLevel::warn, "never-written");
    return fail(ErrorCode::conflict, "no");
  });
  EXPECT_FALSE(failed);
  EXPECT_THROW(write(*store,
                     [&](store::Tx&, Effects& fx) -> int {
                       fx.after_commit([&] { ++ran; });
                       throw std::runtime_error("fault");
                     }),
               std::runtime_error);
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(LogLines::count_containing("never-written"), 0u);
}

// An SLA announcement made inside a body that then rolls back: the job event goes with the
// rollback and the log line is never written.
TEST_F(AppTest, AnSlaAnnouncementInARolledBackBodyLeavesNoTrace) {
  auto job = jobs.create(dispatcher_who, NewJob{.site_id = site,
                                                .severity = Severity::critical,
                                                .auto_assign = false});
  ASSERT_TRUE(job) << job.error().message;
  auto before = events_of(job->id).size();
  clock.advance(10min);  // past the critical response due: a breach to announce
  Result<void> rolled = write(*store, [&](store::Tx& tx, Effects& fx) -> Result<void> {
    auto stored = tx.job(job->id);
    writer.save(tx, fx, *stored);
    EXPECT_GT(fx.size(), 0u) << "the breach was announced in the body";
    return fail(ErrorCode::conflict, "rolled back on purpose");
  });
  ASSERT_FALSE(rolled);
  EXPECT_EQ(events_of(job->id).size(), before);
  EXPECT_EQ(LogLines::count_containing("state=breached"), 0u);
  // The same save committed: one event and one line.
  write(*store, [&](store::Tx& tx, Effects& fx) {
    auto stored = tx.job(job->id);
    return writer.save(tx, fx, *stored);
  });
  EXPECT_EQ(count_type(events_of(job->id), "sla_breached"), 1u);
  EXPECT_EQ(LogLines::count_containing("state=breached"), 1u);
}

// Group commit runs every body of a group in one plain transaction first; when one body fails,
// that attempt is rolled back whole and the others run again. Their effects must run once.
TEST_F(AppTest, AGroupCommitRetryRunsEachBodysEffectsOnce) {
  std::atomic<bool> release{false};
  std::atomic<int> blocker_ran{0};
  // The first grouped write holds the committer until the other two are queued behind it, so
  // those two share the next group.
  std::thread blocker([&] {
    write_grouped(*store, [&](store::Tx&, Effects&) {
      ++blocker_ran;
      while (!release) std::this_thread::sleep_for(1ms);
      return true;
    });
  });
  while (blocker_ran == 0) std::this_thread::sleep_for(1ms);
  std::atomic<int> good_attempts{0}, good_effects{0}, bad_effects{0};
  std::thread good([&] {
    write_grouped(*store, [&](store::Tx& tx, Effects& fx) {
      ++good_attempts;
      tx.put_setting("good", "kept");
      fx.after_commit([&] { ++good_effects; });
      return true;
    });
  });
  while (store->group_waiting() < 1) std::this_thread::sleep_for(1ms);
  std::thread bad([&] {
    Result<int> r = write_grouped(*store, [&](store::Tx& tx, Effects& fx) -> Result<int> {
      tx.put_setting("bad", "kept");
      fx.after_commit([&] { ++bad_effects; });
      return fail(ErrorCode::conflict, "this one fails");
    });
    EXPECT_FALSE(r);
  });
  while (store->group_waiting() < 2) std::this_thread::sleep_for(1ms);
  release = true;
  blocker.join();
  good.join();
  bad.join();
  EXPECT_EQ(good_attempts, 2) << "the group ran again after the failing body";
  EXPECT_EQ(good_effects, 1);
  EXPECT_EQ(bad_effects, 0);
  auto [kept_good, kept_bad] = store->read([](store::Tx& tx) {
    return std::pair(tx.setting("good"), tx.setting("bad"));
  });
  EXPECT_TRUE(kept_good.has_value());
  EXPECT_FALSE(kept_bad.has_value());
}

}  // namespace
}  // namespace fieldserve::app
