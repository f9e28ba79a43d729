// The store's side of sync: the change feed the triggers write, the op ledger, sign-offs that
// cannot change, and group commit.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "domain/error.h"
#include "store_fixture.h"

namespace fieldserve::store {
namespace {

class SyncStoreTest : public StoreTest {
 protected:
  TechnicianId other = w([&](Tx& tx) {
    return tx.insert_technician(make_tech(ids.center, "Zhang Min"));
  });

  JobId assigned(TechnicianId tech) {
    return w([&](Tx& tx) {
      return tx.insert_job(make_job(ids.site, Severity::general, JobStatus::assigned, kT0, tech));
    });
  }
  std::vector<FeedRow> feed(TechnicianId tech, std::int64_t after = 0) {
    return r([&](Tx& tx) { return tx.feed_after(tech, after, 1000); });
  }
  void change(JobId id, auto edit) {
    w([&](Tx& tx) {
      auto j = *tx.job(id);
      edit(j);
      return tx.update_job(j);
    });
  }
};

TEST_F(SyncStoreTest, EveryChangeToAnAssignedJobEntersItsTechniciansFeedInCommitOrder) {
  auto job = assigned(ids.tech);
  change(job, [](Job& j) { j.status = JobStatus::accepted; });
  auto rows = feed(ids.tech);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_LT(rows[0].seq, rows[1].seq);
  EXPECT_EQ(rows[1].job_id, job);
  EXPECT_FALSE(rows[1].removed);
  EXPECT_TRUE(feed(other).empty());
  EXPECT_EQ(r([](Tx& tx) { return tx.feed_state().last_seq; }), rows[1].seq);
}

TEST_F(SyncStoreTest, ReassignmentCancellationAndClosingWriteOneRemovalEach) {
  auto moved = assigned(ids.tech);
  auto cancelled = assigned(ids.tech);
  auto closed = assigned(ids.tech);
  auto before = r([](Tx& tx) { return tx.feed_state().last_seq; });
  change(moved, [&](Job& j) { j.technician_id = other; });
  change(cancelled, [](Job& j) { j.status = JobStatus::cancelled; });
  change(closed, [](Job& j) { j.status = JobStatus::resolved; });
  change(closed, [](Job& j) { j.status = JobStatus::closed; });
  change(closed, [](Job& j) { j.needs_review = true; });  // after it left: no second removal
  std::map<JobId, std::vector<std::string>> removals;
  for (const auto& row : feed(ids.tech, before)) {
    if (row.removed) removals[row.job_id].push_back(*row.removed);
  }
  EXPECT_EQ(removals[moved], std::vector<std::string>{"reassigned"});
  EXPECT_EQ(removals[cancelled], std::vector<std::string>{"cancelled"});
  EXPECT_EQ(removals[closed], std::vector<std::string>{"closed"});
  auto theirs = feed(other, before);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].job_id, moved);
}

TEST_F(SyncStoreTest, EditingASiteCustomerOrEquipmentFeedsTheOpenJobsThatEmbedIt) {
  auto job = assigned(ids.tech);
  auto equipment = w([&](Tx& tx) {
    return tx.insert_equipment(Equipment{
        .site_id = ids.site, .model = "VRF", .serial = "1", .sold_at = kT0});
  });
  change(job, [&](Job& j) { j.equipment_id = equipment; });
  auto after_job = r([](Tx& tx) { return tx.feed_state().last_seq; });
  w([&](Tx& tx) {
    auto s = *tx.site(ids.site);
    s.address = "2 Century Ave";
    tx.update_site(s);
    auto c = *tx.customer(ids.customer);
    c.contact.phone = "+86 21 5555 0101";
    tx.update_customer(c);
    auto e = *tx.equipment(equipment);
    e.warranty_months = 36;
    return tx.update_equipment(e);
  });
  auto rows = feed(ids.tech, after_job);
  EXPECT_EQ(rows.size(), 3u) << "one entry per edited record";
  for (const auto& row : rows) EXPECT_EQ(row.job_id, job);
}

TEST_F(SyncStoreTest, NotesAndPartsFeedTheirJobOncePerTransaction) {
  auto job = assigned(ids.tech);
  auto before = r([](Tx& tx) { return tx.feed_state().last_seq; });
  w([&](Tx& tx) {
    for (int i = 0; i < 5; ++i)
      tx.insert_note({0, job, ids.tech, "a", "n" + std::to_string(i), kT0, kT0, std::nullopt});
    tx.insert_part({0, job, ids.tech, {"FLT-200", 1}, std::nullopt, kT0, kT0, std::nullopt});
    return 0;
  });
  auto rows = feed(ids.tech, before);
  ASSERT_EQ(rows.size(), 1u) << "six facts, one transaction: one row";
  EXPECT_EQ(rows[0].job_id, job);
  w([&](Tx& tx) {
    tx.insert_part({0, job, ids.tech, {"FLT-200", 2}, std::nullopt, kT0, kT0, std::nullopt});
    return 0;
  });
  EXPECT_EQ(feed(ids.tech, before).size(), 2u) << "the next transaction feeds the job again";
  // A job no device holds (never assigned) feeds nobody.
  auto loose = w([&](Tx& tx) {
    return tx.insert_job(make_job(ids.site, Severity::general, JobStatus::new_, kT0, std::nullopt));
  });
  auto last = r([](Tx& tx) { return tx.feed_state().last_seq; });
  w([&](Tx& tx) {
    tx.insert_note({0, loose, ids.tech, "a", "x", kT0, kT0, std::nullopt});
    return true;
  });
  EXPECT_EQ(r([](Tx& tx) { return tx.feed_state().last_seq; }), last);
}

// Notes are found by job through runs of consecutive ids, written when the transaction ends: a
// push's notes for one job are one run, and notes of two jobs interleaved make a run per stretch.
TEST_F(SyncStoreTest, NotesAreFoundByTheirJobInOrderThroughRuns) {
  auto a = assigned(ids.tech);
  auto b = assigned(ids.tech);
  auto note = [&](Tx& tx, JobId job, std::string text) {
    tx.insert_note({0, job, ids.tech, "a", std::move(text), kT0, kT0, std::nullopt});
  };
  w([&](Tx& tx) {
    note(tx, a, "a1");
    note(tx, a, "a2");
    note(tx, b, "b1");
    note(tx, a, "a3");
    // Before the runs are written, the same transaction already finds its notes.
    EXPECT_EQ(tx.notes_of({a}).size(), 3u);
    return true;
  });
  std::vector<std::string> texts;
  for (const auto& n : r([&](Tx& tx) { return tx.notes_of({a}); })) texts.push_back(n.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"a1", "a2", "a3"}));
  auto both = r([&](Tx& tx) { return tx.notes_of({b, a}); });
  ASSERT_EQ(both.size(), 4u);
  EXPECT_EQ(both[0].job_id, a) << "ordered by job, then by id";
  EXPECT_EQ(both[3].text, "b1");
  // A transaction that fails after writing a note leaves neither the note nor a run.
  auto outcome = w([&](Tx& tx) -> fieldserve::Result<int> {
    note(tx, b, "undone");
    return fieldserve::fail(ErrorCode::conflict, "no");
  });
  EXPECT_FALSE(outcome);
  EXPECT_EQ(r([&](Tx& tx) { return tx.notes_of({b}); }).size(), 1u);
}

// The feed is indexed by buckets of 1024 sequence numbers: a query walks every bucket from the
// cursor's to the newest, through empty stretches and across bucket edges, and pages by limit.
TEST_F(SyncStoreTest, AFeedQueryWalksEveryBucketSinceTheCursor) {
  auto mine = assigned(ids.tech);
  auto theirs = assigned(other);
  auto edit_many = [&](std::vector<JobId> jobs, int times) {
    w([&](Tx& tx) {
      for (int i = 0; i < times; ++i) {
        for (auto id : jobs) {
          auto j = *tx.job(id);
          j.description = "edit " + std::to_string(i);
          tx.update_job(j);
        }
      }
      return true;
    });
  };
  auto start = r([](Tx& tx) { return tx.feed_state().last_seq; });
  edit_many({theirs}, 3000);  // three buckets and more of someone else's changes
  EXPECT_FALSE(r([&](Tx& tx) { return tx.feed_has_after(ids.tech, start); }));
  EXPECT_TRUE(feed(ids.tech, start).empty());
  edit_many({mine}, 1);
  EXPECT_TRUE(r([&](Tx& tx) { return tx.feed_has_after(ids.tech, start); }));
  auto one = feed(ids.tech, start);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].job_id, mine);

  edit_many({mine, theirs}, 1500);  // 1500 of mine, interleaved, over three buckets
  auto first = r([&](Tx& tx) { return tx.feed_after(ids.tech, one[0].seq, 1000); });
  ASSERT_EQ(first.size(), 1000u);
  auto rest = r([&](Tx& tx) { return tx.feed_after(ids.tech, first.back().seq, 1000); });
  ASSERT_EQ(rest.size(), 500u);
  std::int64_t previous = one[0].seq;
  for (const auto* page : {&first, &rest}) {
    for (const auto& row : *page) {
      EXPECT_EQ(row.job_id, mine);
      EXPECT_GT(row.seq, previous) << "in sequence order, none twice";
      previous = row.seq;
    }
  }
  EXPECT_FALSE(r([&](Tx& tx) { return tx.feed_has_after(ids.tech, previous); }));
}

TEST_F(SyncStoreTest, PruningRaisesTheFloorAndNeverReusesASequence) {
  auto job = assigned(ids.tech);
  change(job, [](Job& j) { j.status = JobStatus::accepted; });
  auto last = r([](Tx& tx) { return tx.feed_state().last_seq; });
  auto floor = w([](Tx& tx) { return tx.prune_feed(SystemClock().now() + 1h); });
  EXPECT_EQ(floor, last);
  EXPECT_TRUE(feed(ids.tech).empty());
  change(job, [](Job& j) { j.status = JobStatus::en_route; });
  auto rows = feed(ids.tech);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GT(rows[0].seq, last);
}

TEST_F(SyncStoreTest, ASignOffCannotBeChangedOrDeletedOnceStored) {
  TempDb file;
  auto disk = Store::open(file.path, 1);
  auto s = seed(*disk);
  disk->write([&](Tx& tx) {
    auto job = tx.insert_job(make_job(s.site, Severity::general, JobStatus::resolved, kT0, s.tech));
    Signoff so{.id = "8d3e6f1a-0000-4000-8000-000000000001",
               .job_id = job,
               .technician_id = s.tech,
               .signer_name = "Wang Fang",
               .signed_at = kT0,
               .signed_at_device = kT0,
               .signature_png = std::string("\x89PNG", 4),
               .checklist = {{"runs", true, ""}},
               .parts_used = {{"FLT-200", 2}},
               .received_at = kT0};
    tx.insert_signoff(so);
    EXPECT_TRUE(tx.signoff_exists(so.id));
    EXPECT_TRUE(tx.job_signed(job));
    EXPECT_EQ(tx.parts_of({job}).size(), 1u) << "the sign-off's parts are recorded as parts used";
    return true;
  });
  RawDb raw(file.path);
  EXPECT_EQ(raw.exec("UPDATE signoffs SET signer_name = 'someone else'").first, SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.exec("DELETE FROM signoffs").first, SQLITE_CONSTRAINT);
}

TEST_F(SyncStoreTest, TheLedgerKeepsEachOpsFirstResult) {
  LedgerEntry e{.op_id = "8d3e6f1a-0000-4000-8000-00000000000a",
                .technician_id = ids.tech,
                .token_id = 1,
                .job_id = 7,
                .type = "note",
                .digest = "abc",
                .status = "applied",
                .received_at = kT0,
                .body = "{}"};
  w([&](Tx& tx) {
    tx.insert_ledger(e);
    return true;
  });
  auto again = e;
  again.status = "rejected";
  EXPECT_THROW(w([&](Tx& tx) {
                 tx.insert_ledger(again);
                 return true;
               }),
               StoreError);
  auto stored = r([&](Tx& tx) { return tx.ledger_entry(e.op_id); });
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, "applied");
  EXPECT_EQ(stored->digest, "abc");
}

TEST_F(SyncStoreTest, APushAsksTheLedgerForAllItsOpsAtOnce) {
  // op_ids are the device's text: quotes, backslashes and control characters travel intact.
  std::vector<std::string> sent{"plain", "with \"quotes\"", "back\\slash", "tab\there", "é"};
  w([&](Tx& tx) {
    for (const auto& id : sent) {
      tx.insert_ledger({.op_id = id,
                        .technician_id = ids.tech,
                        .token_id = 1,
                        .type = "note",
                        .digest = "d-" + id,
                        .status = "applied",
                        .received_at = kT0});
    }
    return true;
  });
  auto asked = sent;
  asked.emplace_back("never sent");
  auto found = r([&](Tx& tx) { return tx.ledger_entries(asked); });
  std::map<std::string, std::string> digests;
  for (const auto& e : found) digests[e.op_id] = e.digest;
  EXPECT_EQ(digests.size(), sent.size());
  for (const auto& id : sent) EXPECT_EQ(digests[id], "d-" + id) << id;
  EXPECT_TRUE(r([](Tx& tx) { return tx.ledger_entries({}); }).empty());
}

// A file-backed store with the seed and one assigned job: group commit needs a real WAL file.
struct GroupStore {
  TempDb file;
  std::unique_ptr<Store> store;
  Seed s;
  JobId job = 0;
  explicit GroupStore(int readers) : store(Store::open(file.path, readers)), s(seed(*store)) {
    job = store->write([&](Tx& tx) {
      return tx.insert_job(make_job(s.site, Severity::general, JobStatus::assigned, kT0, s.tech));
    });
  }
};

TEST(GroupCommit, ConcurrentWritersEachSeeTheirOwnOutcome) {
  GroupStore g(2);
  auto& store = g.store;
  auto& s = g.s;
  auto job = g.job;
  auto& file = g.file;
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> failures_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        bool fail_this = i % 10 == 9;  // every tenth body fails after writing: its note must vanish
        auto outcome = store->write_grouped([&](Tx& tx) -> fieldserve::Result<int> {
          tx.insert_note({0, job, s.tech, "t" + std::to_string(t), "n" + std::to_string(i), kT0,
                          kT0, std::nullopt});
          if (fail_this) return fieldserve::fail(ErrorCode::conflict, "no");
          return i;
        });
        if (!outcome) failures_seen++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures_seen.load(), kThreads * kEach / 10);
  RawDb raw(file.path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM job_notes"),
            std::to_string(kThreads * kEach * 9 / 10));
  // Every kept note is in exactly one run of its job, and no run covers a note that was undone.
  EXPECT_EQ(raw.scalar("SELECT SUM(last_id - first_id + 1) FROM note_runs"),
            raw.scalar("SELECT COUNT(*) FROM job_notes"));
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM job_notes n WHERE (SELECT COUNT(*) FROM note_runs r "
                       "WHERE r.job_id = n.job_id AND n.id BETWEEN r.first_id AND r.last_id) != 1"),
            "0");
  EXPECT_EQ(store->read([&](Tx& tx) { return tx.notes_of({job}); }).size(),
            static_cast<std::size_t>(kThreads * kEach * 9 / 10));
}

TEST(GroupCommit, WritersQueuedBehindACommitShareTheNextOne) {
  GroupStore g(1);
  auto& store = g.store;
  auto& s = g.s;
  auto job = g.job;
  std::atomic<bool> release{false};
  std::atomic<bool> leading{false};
  auto before = store->commits();
  // The first writer holds its group open until told; the others queue behind it.
  std::thread first([&] {
    store->write_grouped([&](Tx& tx) {
      leading = true;
      while (!release.load()) std::this_thread::yield();
      tx.insert_note({0, job, s.tech, "a", "first", kT0, kT0, std::nullopt});
      return 0;
    });
  });
  while (!leading.load()) std::this_thread::yield();
  constexpr int kQueued = 6;
  std::vector<std::thread> others;
  for (int i = 0; i < kQueued; ++i) {
    others.emplace_back([&, i] {
      store->write_grouped([&](Tx& tx) {
        tx.insert_note({0, job, s.tech, "a", "queued " + std::to_string(i), kT0, kT0,
                        std::nullopt});
        return 0;
      });
    });
  }
  for (int i = 0; i < 10000 && store->group_waiting() < kQueued; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // bounded: at most 10 s
  }
  ASSERT_EQ(store->group_waiting(), static_cast<std::size_t>(kQueued));
  release = true;
  first.join();
  for (auto& t : others) t.join();
  EXPECT_EQ(store->commits() - before, 2u) << "one commit for the first, one for all queued";
  EXPECT_EQ(store->read([&](Tx& tx) { return tx.notes_of({job}); }).size(), 1u + kQueued);
}

// A group runs without savepoints first; one failing body sends the whole group round again with
// a savepoint each. The others then ran twice, and what they wrote is there once.
TEST(GroupCommit, AFailingBodyInAGroupLeavesTheOthersWrittenOnce) {
  GroupStore g(1);
  auto& store = g.store;
  auto& s = g.s;
  auto job = g.job;
  std::atomic<bool> release{false}, leading{false};
  std::thread first([&] {
    store->write_grouped([&](Tx&) {
      leading = true;
      while (!release.load()) std::this_thread::yield();
      return 0;
    });
  });
  while (!leading.load()) std::this_thread::yield();
  std::atomic<int> runs{0};
  std::vector<std::thread> others;
  for (int i = 0; i < 3; ++i) {
    others.emplace_back([&, i] {
      auto outcome = store->write_grouped([&](Tx& tx) -> fieldserve::Result<int> {
        ++runs;
        tx.insert_note({0, job, s.tech, "a", "queued " + std::to_string(i), kT0, kT0,
                        std::nullopt});
        if (i == 1) return fieldserve::fail(ErrorCode::conflict, "this one fails");
        return i;
      });
      EXPECT_EQ(outcome.has_value(), i != 1);
    });
  }
  for (int i = 0; i < 10000 && store->group_waiting() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // bounded: at most 10 s
  }
  ASSERT_EQ(store->group_waiting(), 3u);
  release = true;
  first.join();
  for (auto& t : others) t.join();
  // At least one body ran in the failed fast attempt, then all three again with a savepoint each.
  EXPECT_GE(runs.load(), 4);
  auto notes = store->read([&](Tx& tx) { return tx.notes_of({job}); });
  std::vector<std::string> texts;
  for (const auto& n : notes) texts.push_back(n.text);
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (std::vector<std::string>{"queued 0", "queued 2"}));
}

TEST(GroupCommit, AnExceptionInOneBodyUndoesOnlyThatBody) {
  auto store = Store::open(":memory:", 0);
  auto s = seed(*store);
  auto job = store->write([&](Tx& tx) {
    return tx.insert_job(make_job(s.site, Severity::general, JobStatus::assigned, kT0, s.tech));
  });
  EXPECT_THROW(store->write_grouped([&](Tx& tx) {
    tx.insert_note({0, job, s.tech, "a", "doomed", kT0, kT0, std::nullopt});
    throw std::runtime_error("boom");
    return 0;
  }),
               std::runtime_error);
  store->write_grouped([&](Tx& tx) {
    tx.insert_note({0, job, s.tech, "a", "kept", kT0, kT0, std::nullopt});
    return 0;
  });
  auto notes = store->read([&](Tx& tx) { return tx.notes_of({job}); });
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].text, "kept");
}

}  // namespace
}  // namespace fieldserve::store
