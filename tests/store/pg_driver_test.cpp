// The PostgreSQL driver's pipeline (store/pg.h): statements sent ahead with exec_later run in
// order, their ids come back before the connection's next answer is read, and a failure among
// them fails the transaction that sent it, and no other. Runs on the throwaway cluster of the
// pg_cluster fixture, each case on a database of its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "store/pg.h"
#include "store/store.h"
#include "store/tx.h"
#include "tests/pg_test_database.h"

namespace fieldserve::store {
namespace {

using fieldserve::testing::pg_cluster_url;
using fieldserve::testing::PgTestDatabase;
using fieldserve::testing::psql;

class PgDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = pg_cluster_url();
    if (!cluster) GTEST_SKIP() << "needs the pg_cluster fixture (FIELDSERVE_TEST_PG)";
    db_ = std::make_unique<PgTestDatabase>(*cluster);
    psql(db_->url(), "CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY, v TEXT UNIQUE)");
    conn_ = std::make_unique<PgConnection>(db_->url());
  }
  std::int64_t count(const std::string& where = "TRUE") {
    auto q = conn_->prepare("SELECT COUNT(*) FROM t WHERE " + where);
    return q->step() ? q->get_int(0) : -1;
  }
  // Sends an insert of `v` ahead; its id, when it comes, is appended to `ids`.
  void insert_later(const std::string& v, std::vector<std::int64_t>* ids = nullptr) {
    auto q = conn_->prepare("INSERT INTO t (v) VALUES (:v) RETURNING id");
    q->bind(":v", v);
    if (ids) {
      q->exec_later([ids](std::int64_t id) { ids->push_back(id); });
    } else {
      q->exec_later();
    }
  }
  std::unique_ptr<PgTestDatabase> db_;
  std::unique_ptr<PgConnection> conn_;
};

TEST_F(PgDriverTest, StatementsSentAheadRunInOrderAndTheirIdsComeBackBeforeTheNextRead) {
  std::vector<std::int64_t> ids;
  {
    Transaction tx(*conn_, true);
    // More than the driver queues before it reads answers (128), so that path runs too.
    for (int i = 0; i < 300; ++i) insert_later("v" + std::to_string(i), &ids);
    EXPECT_EQ(count(), 300) << "a read sees every statement sent ahead of it";
    ASSERT_EQ(ids.size(), 300u) << "and every id came back before the read's answer";
    for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_EQ(ids[i], ids[i - 1] + 1);
    tx.commit();
  }
  auto q = conn_->prepare("SELECT v FROM t WHERE id = :id");
  q->bind(":id", ids[7]);
  ASSERT_TRUE(q->step());
  EXPECT_EQ(q->get_text(0), "v7") << "ids are handed back in the order the statements were sent";
}

TEST_F(PgDriverTest, AFailureSentAheadSurfacesAtTheNextWaitAndLeavesTheSessionUsable) {
  {
    Transaction tx(*conn_, true);
    insert_later("same");
    insert_later("same");  // the unique constraint refuses it, but nothing waits for it yet
    insert_later("after");
    EXPECT_THROW(conn_->flush(), StoreError);
  }  // rolled back
  EXPECT_EQ(count(), 0) << "nothing of the failed transaction stays";
  {
    Transaction tx(*conn_, true);
    insert_later("next");
    tx.commit();  // the commit waits for it
  }
  EXPECT_EQ(count("v = 'next'"), 1);
}

TEST_F(PgDriverTest, ACommitWaitsForWhatWasSentAheadAndFailsWithIt) {
  psql(db_->url(), "INSERT INTO t (v) VALUES ('taken')");
  {
    Transaction tx(*conn_, true);
    insert_later("fresh");
    insert_later("taken");
    EXPECT_THROW(tx.commit(), StoreError);
  }
  EXPECT_EQ(count("v = 'fresh'"), 0) << "a commit that failed kept nothing";
}

TEST_F(PgDriverTest, ARollbackDropsWhatWasSentAheadWithoutCallingBack) {
  std::vector<std::int64_t> ids;
  {
    Transaction tx(*conn_, true);
    insert_later("gone", &ids);
  }
  EXPECT_TRUE(ids.empty()) << "whoever asked for the id may be gone by the rollback";
  EXPECT_EQ(count(), 0);
}

// Through the store: a push's ledger rows are sent ahead. Several writers share a group commit,
// one of them resending another's op_id (a unique key): that one fails, alone.
TEST_F(PgDriverTest, ALedgerRowRefusedInAGroupCommitFailsOnlyTheWriteThatSentIt) {
  auto store = Store::open(db_->url(), 1);
  auto entry = [](const std::string& op_id) {
    LedgerEntry e;
    e.op_id = op_id;
    e.technician_id = 1;
    e.token_id = 1;
    e.type = "note";
    e.digest = "d";
    e.status = "applied";
    e.received_at = Instant{};
    return e;
  };
  constexpr int kWriters = 8;
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      try {
        store->write_grouped([&](Tx& tx) {
          tx.insert_ledger(entry("own-" + std::to_string(w)));
          tx.insert_ledger(entry("shared"));  // every writer but the first is refused here
          return true;
        });
      } catch (const StoreError&) {
        ++failed;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failed.load(), kWriters - 1);
  auto rows = store->read([](Tx& tx) {
    std::vector<std::string> ids;
    for (int w = 0; w < kWriters; ++w) ids.push_back("own-" + std::to_string(w));
    ids.emplace_back("shared");
    return tx.ledger_entries(ids);
  });
  EXPECT_EQ(rows.size(), 2u) << "the one writer that went first, whole, and nothing of the others";

  // The lookup of many op_ids at once takes the device's text as it came.
  std::vector<std::string> odd{"with \"quotes\"", "back\\slash", "tab\there", "é"};
  store->write([&](Tx& tx) {
    for (const auto& id : odd) tx.insert_ledger(entry(id));
    return true;
  });
  auto found = store->read([&](Tx& tx) { return tx.ledger_entries(odd); });
  std::vector<std::string> back;
  for (const auto& e : found) back.push_back(e.op_id);
  std::sort(back.begin(), back.end());
  std::sort(odd.begin(), odd.end());
  EXPECT_EQ(back, odd);
}

}  // namespace
}  // namespace fieldserve::store
