#pragma once
// The store over SQL (store/sql_tx.h), SQLite or PostgreSQL: one writer connection (every write
// transaction takes the database's write lock at BEGIN, and a mutex serializes this process's
// writers on it), a small pool of reader connections, and a committer thread for group commit.
// Only store/ includes this header.
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace fieldserve::store {

class Connection;

class SqlStore final : public Store {
 public:
  // A SQLite file (":memory:" for a private in-memory database).
  static std::unique_ptr<Store> open_sqlite(const std::string& path, int readers);
  // A PostgreSQL database by URL (postgresql://user@host:port/db); `readers` = 0 reads through
  // the writer, as for SQLite.
  static std::unique_ptr<Store> open_postgresql(const std::string& url, int readers);
  ~SqlStore() override;

  int schema_version() override;
  std::uint64_t commits() const override { return commits_.load(std::memory_order_relaxed); }
  std::size_t group_waiting() override {
    std::lock_guard lock(group_mutex_);
    return group_queue_.size();
  }
  int committer_nice() const override { return committer_nice_.load(std::memory_order_relaxed); }
  std::uint64_t db_nanoseconds() const override { return db_ns_.load(std::memory_order_relaxed); }
  bool lead_periodic_work() override;
  int instances() override;

 protected:
  void run_read(const std::function<void(Tx&)>& body) override;
  void run_write(const std::function<bool(Tx&)>& body) override;
  void run_grouped(const std::function<bool(Tx&)>& body) override;

 private:
  SqlStore() = default;

  struct GroupMember {
    const std::function<bool(Tx&)>* body;
    bool done = false;
    std::exception_ptr error;
    std::condition_variable wake;  // one per member: a commit wakes only those it served
  };
  void commit_group(const std::vector<GroupMember*>& members);
  // The fast path of commit_group: false (and nothing kept) if any body fails.
  bool commit_group_without_savepoints(const std::vector<GroupMember*>& members);

  // A reader borrowed from the pool, or the writer itself (under its lock) when there is no pool.
  struct Lease {
    SqlStore* owner;
    Connection* conn;
    std::unique_lock<std::mutex> writer_lock;
    Lease(SqlStore* o, Connection* c, std::unique_lock<std::mutex> lock)
        : owner(o), conn(c), writer_lock(std::move(lock)) {}
    Lease(const Lease&) = delete;
    ~Lease();
  };
  Lease lease_reader();

  std::unique_ptr<Connection> writer_;
  // PostgreSQL only: the URL, and the session that holds the leader's lock while it lives.
  std::string url_;
  std::mutex leader_mutex_;
  std::unique_ptr<Connection> leader_;
  bool leading_ = false;
  std::mutex writer_mutex_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::atomic<std::uint64_t> db_ns_{0};
  std::atomic<std::uint64_t> commits_{0};

  // Group commit runs on one thread of its own, started by the first grouped write: it is already
  // running when a commit ends, so the next group starts at once instead of waiting for a woken
  // caller to be scheduled among the callers just woken with their answers.
  void run_committer();
  std::mutex group_mutex_;
  std::condition_variable group_arrived_;
  std::vector<GroupMember*> group_queue_;
  bool stopping_ = false;
  std::thread committer_;
  std::atomic<int> committer_nice_{0};
};

}  // namespace fieldserve::store
