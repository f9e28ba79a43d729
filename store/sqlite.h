#pragma once
// A thin RAII layer over sqlite3: connections, cached prepared statements bound by name, and
// transactions that roll back in their destructor. Only store/ includes this header.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/time.h"
#include "store/errors.h"

namespace fieldserve::store {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding by name (":id"); an unknown name is a programming error and throws.
  Statement& bind(const char* name, std::int64_t value);
  Statement& bind(const char* name, int value) { return bind(name, std::int64_t{value}); }
  Statement& bind(const char* name, bool value) { return bind(name, std::int64_t{value}); }
  Statement& bind(const char* name, double value);
  Statement& bind(const char* name, std::string_view value);
  Statement& bind(const char* name, const std::string& value) {
    return bind(name, std::string_view(value));
  }
  Statement& bind(const char* name, const char* value) {
    return bind(name, std::string_view(value));
  }
  Statement& bind_blob(const char* name, std::string_view bytes);
  Statement& bind_null(const char* name);
  template <class T>
  Statement& bind(const char* name, const std::optional<T>& value) {
    return value ? bind(name, *value) : bind_null(name);
  }

  // Returns true while a row is available. Throws StoreBusy / StoreError.
  bool step();
  // Runs a statement that returns no rows.
  void exec();
  // Clears bindings and rewinds so the cached statement is ready for its next use.
  void reset();

  std::int64_t get_int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double get_double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string get_text(int col) const;
  std::string get_blob(int col) const;
  // The text in SQLite's own buffer: valid until the next step or reset. For values parsed on
  // the spot (enum names), which then cost no copy.
  std::string_view get_view(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                : std::string_view();
  }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<std::int64_t> get_opt_int(int col) const {
    return is_null(col) ? std::nullopt : std::optional(get_int(col));
  }
  // Times are stored as Unix seconds.
  std::optional<Instant> get_opt_instant(int col) const {
    return is_null(col) ? std::nullopt : std::optional(from_epoch_s(get_int(col)));
  }

 private:
  int index(const char* name) const;
  void check_bind(int rc, const char* name) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  // Parameter indexes already looked up, found by the name's address (names are nearly always
  // string literals) and confirmed by its text: SQLite's own lookup compares every name of the
  // statement in turn, a cost the push benchmark measured.
  struct KnownIndex {
    const char* address;
    std::string name;
    int index;
  };
  mutable std::vector<KnownIndex> indexes_;
};

// Resets the statement when the scope ends, so an exception never leaves it mid-step.
class StatementUse {
 public:
  explicit StatementUse(Statement& s) : s_(s) {}
  ~StatementUse() { s_.reset(); }
  Statement* operator->() { return &s_; }
  Statement& operator*() { return s_; }

 private:
  Statement& s_;
};

// An id list as a JSON array, read back by SQLite's json_each: one cached statement serves any
// number of ids.
std::string json_id_array(const std::vector<std::int64_t>& ids);

class Connection {
 public:
  // Opens (creating if needed) and applies the pragmas every connection needs.
  Connection(const std::string& path, bool read_only);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // A prepared statement kept for the life of the connection: prepared once, reused after reset.
  StatementUse prepare(const std::string& sql);
  void exec(const std::string& sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() { return db_; }
  // Runs a PRAGMA and returns the first column of its first row ("" if none).
  std::string pragma(const std::string& statement);

 private:
  void configure(const std::string& path, bool read_only);
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN (IMMEDIATE for writers) in the constructor; ROLLBACK in the destructor unless commit()
// ran. The destructor never throws: a failed rollback is logged by SQLite and the connection
// rolls back on its own when the next BEGIN fails.
class Transaction {
 public:
  Transaction(Connection& conn, bool immediate);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace fieldserve::store
