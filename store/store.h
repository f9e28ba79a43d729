#pragma once
// The store interface the application layer talks to: read, write and group-committed write
// transactions over repositories (Tx). Which database is behind it is chosen by Store::open.
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

// Whether Store::open takes `location` for a PostgreSQL URL.
bool is_postgresql_url(const std::string& location);

template <class T>
inline constexpr bool kIsExpected = false;
template <class T, class E>
inline constexpr bool kIsExpected<std::expected<T, E>> = true;

// A store: repositories (Tx) inside transactions. Implementations: SqlStore (sql_store.h) over
// SQLite or PostgreSQL.
// The contract every implementation keeps is written in docs/architecture.md ("The store").
class Store {
 public:
  // Opens or creates the database at `location` and applies pending migrations. A postgresql://
  // (or postgres://) URL opens PostgreSQL, anything else is a SQLite path. `readers` = 0 sends
  // reads through the writer, which is what SQLite's ":memory:" needs (each connection would be
  // a new database). Throws StoreError if it cannot be opened or migrated.
  static std::unique_ptr<Store> open(const std::string& location, int readers);
  virtual ~Store() = default;

  // Runs `fn(Tx&)` in a read transaction: one consistent snapshot.
  template <class F>
  auto read(F&& fn) {
    std::optional<decltype(fn(std::declval<Tx&>()))> result;
    run_read([&](Tx& tx) { result.emplace(fn(tx)); });
    return std::move(*result);
  }

  // Runs `fn(Tx&)` in a write transaction and commits, unless fn returns an std::expected
  // holding an error (then it rolls back and passes the error on). An exception rolls back too.
  // Throws StoreBusy if the write lock stays taken past the busy timeout.
  template <class F>
  auto write(F&& fn) {
    return keep_unless_error(std::forward<F>(fn), [this](const auto& body) { run_write(body); });
  }

  // Like write, but concurrent callers may share one transaction and one commit (group commit).
  // An error or exception in one body undoes only its own changes, and a body may run twice
  // (an attempt rolled back whole, then a retry): it must keep nothing from an attempt that did
  // not commit. Every caller returns only after the commit that holds its changes.
  template <class F>
  auto write_grouped(F&& fn) {
    return keep_unless_error(std::forward<F>(fn), [this](const auto& body) { run_grouped(body); });
  }

  virtual int schema_version() = 0;
  // Transactions committed, for /metrics and the group-commit benchmark.
  virtual std::uint64_t commits() const = 0;
  // Grouped writers queued behind the commit in progress.
  virtual std::size_t group_waiting() = 0;
  // The nice value the committer thread got (0 if none or it could not raise it), for /metrics.
  virtual int committer_nice() const = 0;
  // Total wall time spent inside store transactions, for /metrics.
  virtual std::uint64_t db_nanoseconds() const = 0;
  // Whether this process is the one of all sharing the database that runs the periodic work (the
  // SLA ticker). Asked before every pass: a process that stops leading stops at its next pass, and
  // another takes over at its next ask once the leader's hold is gone. A SQLite database has one
  // server process, which always leads.
  virtual bool lead_periodic_work() { return true; }
  // How many fieldserve instances use this database now, this one included: 1 on SQLite, whose
  // file one server owns; on PostgreSQL the instances' own sessions, counted in the server.
  virtual int instances() { return 1; }

 protected:
  virtual void run_read(const std::function<void(Tx&)>& body) = 0;
  // Commits when body returns true.
  virtual void run_write(const std::function<bool(Tx&)>& body) = 0;
  virtual void run_grouped(const std::function<bool(Tx&)>& body) = 0;

 private:
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
};

}  // namespace fieldserve::store
