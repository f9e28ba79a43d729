#pragma once
// The SQL driver seam under the repositories: a connection that prepares statements (cached for
// its life), statements bound by parameter name (":id") and read by column, and transactions that
// roll back unless committed. SQLite (store/sqlite.h) and PostgreSQL (store/pg.h) implement it;
// the repositories (store/sql_tx.h) are written once against it. Only store/ includes this header.
//
// The two databases accept the same SQL for nearly everything the repositories say. Where they
// differ, the connection supplies the dialect's text (id_list); new ids come back through
// `INSERT ... RETURNING id`, which both understand. PostgreSQL gives a parameter the type of its
// first use, and "IS NULL" gives none: an optional filter is written "(col = :x OR :x IS NULL)",
// never the other way round.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/time.h"
#include "store/errors.h"

namespace fieldserve::store {

class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  virtual ~Statement() = default;

  // Binding by name (":id"); an unknown name is a programming error and throws.
  virtual Statement& bind(const char* name, std::int64_t value) = 0;
  virtual Statement& bind(const char* name, double value) = 0;
  virtual Statement& bind(const char* name, std::string_view value) = 0;
  virtual Statement& bind_blob(const char* name, std::string_view bytes) = 0;
  virtual Statement& bind_null(const char* name) = 0;
  Statement& bind(const char* name, int value) { return bind(name, std::int64_t{value}); }
  Statement& bind(const char* name, bool value) { return bind(name, std::int64_t{value}); }
  Statement& bind(const char* name, const std::string& value) {
    return bind(name, std::string_view(value));
  }
  Statement& bind(const char* name, const char* value) {
    return bind(name, std::string_view(value));
  }
  template <class T>
  Statement& bind(const char* name, const std::optional<T>& value) {
    return value ? bind(name, *value) : bind_null(name);
  }

  // Returns true while a row is available. Throws StoreBusy / StoreError.
  virtual bool step() = 0;
  // Runs a statement and drops any rows it returns.
  virtual void exec() = 0;
  // Runs a statement whose answer the caller need not wait for: a driver may send it and go on
  // (PostgreSQL queues it in a pipeline, and a push's inserts then cost no round trip each).
  // Statements still run in the order given. Its error surfaces at the connection's next
  // statement or flush() at the latest, which the transaction then fails with. `on_id`, if
  // given, is called with the first column of its first row (an INSERT's RETURNING id) before
  // then. The default runs it at once.
  virtual void exec_later(const std::function<void(std::int64_t)>& on_id = nullptr) {
    if (!on_id) {
      exec();
    } else if (step()) {
      on_id(get_int(0));
    }
  }
  // Clears bindings and results so the cached statement is ready for its next use.
  virtual void reset() = 0;
  // Rows the last exec or completed step changed (UPDATE, DELETE, INSERT).
  virtual int changes() const = 0;

  virtual std::int64_t get_int(int col) const = 0;
  virtual double get_double(int col) const = 0;
  virtual std::string get_text(int col) const = 0;
  virtual std::string get_blob(int col) const = 0;
  // The text in the driver's own buffer: valid until the next step or reset. For values parsed
  // on the spot (enum names), which then cost no copy.
  virtual std::string_view get_view(int col) const = 0;
  virtual bool is_null(int col) const = 0;

  std::optional<std::int64_t> get_opt_int(int col) const {
    return is_null(col) ? std::nullopt : std::optional(get_int(col));
  }
  // Times are stored as Unix seconds.
  std::optional<Instant> get_opt_instant(int col) const {
    return is_null(col) ? std::nullopt : std::optional(from_epoch_s(get_int(col)));
  }
};

// Resets the statement when the scope ends, so an exception never leaves it mid-step.
class StatementUse {
 public:
  explicit StatementUse(Statement& s) : s_(&s) {}
  StatementUse(StatementUse&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  StatementUse& operator=(StatementUse&&) = delete;
  ~StatementUse() {
    if (s_) s_->reset();
  }
  Statement* operator->() { return s_; }
  Statement& operator*() { return *s_; }

 private:
  Statement* s_;
};

enum class Dialect { sqlite, postgresql };

class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() = default;

  // A prepared statement kept for the life of the connection: prepared once, reused after reset.
  virtual StatementUse prepare(const std::string& sql) = 0;
  // Runs one or more statements without parameters.
  virtual void exec(const std::string& sql) = 0;
  virtual Dialect dialect() const = 0;

  // Transaction control, used by Transaction. `writer`: this transaction will write, so it takes
  // the write lock at once (a read-then-write transaction that found it taken later could only
  // fail).
  virtual void begin(bool writer) = 0;
  virtual void commit() = 0;
  // Never throws: a failed rollback leaves the connection to roll back on its next use.
  virtual void rollback() noexcept = 0;
  // Waits for every statement run with exec_later and throws the first one's error. Every other
  // call on the connection does so first; a caller that must know whose statement failed (a
  // member of a group commit) flushes while it still knows.
  virtual void flush() {}

  // `(SELECT value FROM ...)`: the ids of the parameter `name`, bound with id_array(ids), as a
  // subquery of integers. One cached statement serves any number of ids.
  std::string id_list(std::string_view name) const;
  static std::string id_array(const std::vector<std::int64_t>& ids);
  // The same for texts, bound with text_array(texts).
  std::string text_list(std::string_view name) const;
  static std::string text_array(const std::vector<std::string>& texts);
  // `(SELECT ...)`: the rows of `table` whose `key`, a unique column of text, is one of the texts
  // of the parameter `name` (bound with text_array), each looked up through the key's index. On
  // PostgreSQL an IN list over a table that was empty when last analyzed is planned as a full
  // scan, and a prepared statement keeps that plan while the table grows (a new database's push
  // ledger: pushes slowed to a third within seconds); a lookup per text keeps the index.
  std::string rows_by_unique_key(std::string_view table, std::string_view key,
                                 std::string_view name) const;
  // The larger and the smaller of two values: SQLite's MAX(a, b) and MIN(a, b), PostgreSQL's
  // GREATEST and LEAST (whose MAX and MIN are aggregates only).
  std::string greatest() const { return dialect() == Dialect::sqlite ? "MAX" : "GREATEST"; }
  std::string least() const { return dialect() == Dialect::sqlite ? "MIN" : "LEAST"; }
};

// begin() in the constructor; rollback() in the destructor unless commit() ran.
class Transaction {
 public:
  Transaction(Connection& conn, bool writer) : conn_(conn) { conn_.begin(writer); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (!done_) conn_.rollback();
  }
  void commit() {
    conn_.commit();
    done_ = true;
  }

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace fieldserve::store
