#pragma once
// The store: one writer connection (every write transaction BEGIN IMMEDIATE, serialized by a
// mutex) and a small pool of reader connections over one SQLite file in WAL mode.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/errors.h"
#include "store/tx.h"

namespace fieldserve::store {

class Connection;

template <class T>
inline constexpr bool kIsExpected = false;
template <class T, class E>
inline constexpr bool kIsExpected<std::expected<T, E>> = true;

class Store {
 public:
  // Opens or creates the database and applies pending migrations. `readers` = 0 sends reads
  // through the writer, which is what ":memory:" needs (each connection would be a new database).
  // Throws StoreError if the file cannot be opened or migrated.
  static std::unique_ptr<Store> open(const std::string& path, int readers);
  ~Store();

  // Runs `fn(Tx&)` in a read transaction on a pooled reader: one consistent snapshot.
  template <class F>
  auto read(F&& fn) {
    std::optional<decltype(fn(std::declval<Tx&>()))> result;
    run_read([&](Tx& tx) { result.emplace(fn(tx)); });
    return std::move(*result);
  }

  // Runs `fn(Tx&)` in BEGIN IMMEDIATE on the writer and commits, unless fn returns an
  // std::expected holding an error (then it rolls back and passes the error on). An exception
  // rolls back too. Throws StoreBusy if the lock stays taken past the busy timeout.
  template <class F>
  auto write(F&& fn) {
    return keep_unless_error(std::forward<F>(fn), [this](const auto& body) { run_write(body); });
  }

  // Like write, but concurrent callers share one transaction and one commit (group commit): the
  // store's committer thread runs every body queued while the previous commit was syncing (on
  // that thread, not the caller's), so an error or exception in one undoes only its own changes (see commit_group: a body may run twice, and
  // must keep nothing from a rolled-back attempt). Every caller returns only after the commit
  // that holds its changes, so durability stays FULL per caller.
  template <class F>
  auto write_grouped(F&& fn) {
    return keep_unless_error(std::forward<F>(fn), [this](const auto& body) { run_grouped(body); });
  }

  int schema_version();
  // Transactions committed and bodies they held, for /metrics and the group-commit benchmark.
  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  // Grouped writers queued behind the commit in progress.
  std::size_t group_waiting() {
    std::lock_guard lock(group_mutex_);
    return group_queue_.size();
  }
  // The nice value the committer thread got (0 if it could not raise its priority), for /metrics.
  int committer_nice() const { return committer_nice_.load(std::memory_order_relaxed); }
  // Total wall time spent inside store transactions, for /metrics.
  std::uint64_t db_nanoseconds() const { return db_ns_.load(std::memory_order_relaxed); }

 private:
  Store() = default;
  // Runs fn through `run` with a body that says "commit" unless fn returned an expected error.
  template <class F, class Run>
  static auto keep_unless_error(F&& fn, Run run) {
    std::optional<decltype(fn(std::declval<Tx&>()))> result;
    run(std::function<bool(Tx&)>([&](Tx& tx) {
      result.emplace(fn(tx));
      if constexpr (kIsExpected<std::remove_cvref_t<decltype(*result)>>) {
        return result->has_value();
      } else {
        return true;
      }
    }));
    return std::move(*result);
  }

  void run_read(const std::function<void(Tx&)>& body);
  void run_write(const std::function<bool(Tx&)>& body);  // commits when body returns true
  void run_grouped(const std::function<bool(Tx&)>& body);

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
    Store* owner;
    Connection* conn;
    std::unique_lock<std::mutex> writer_lock;
    Lease(Store* o, Connection* c, std::unique_lock<std::mutex> lock)
        : owner(o), conn(c), writer_lock(std::move(lock)) {}
    Lease(const Lease&) = delete;
    ~Lease();
  };
  Lease lease_reader();

  std::unique_ptr<Connection> writer_;
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
