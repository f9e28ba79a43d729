#pragma once
// The SQLite driver of the store's SQL seam (store/db.h): connections with their pragmas, cached
// prepared statements bound by name. Only store/ includes this header.
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

#include "store/db.h"

namespace fieldserve::store {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context);

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override;

  using Statement::bind;
  Statement& bind(const char* name, std::int64_t value) override;
  Statement& bind(const char* name, double value) override;
  Statement& bind(const char* name, std::string_view value) override;
  Statement& bind_blob(const char* name, std::string_view bytes) override;
  Statement& bind_null(const char* name) override;

  bool step() override;
  void exec() override;
  void reset() override;
  int changes() const override { return sqlite3_changes(db_); }

  std::int64_t get_int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double get_double(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string get_text(int col) const override;
  std::string get_blob(int col) const override;
  std::string_view get_view(int col) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                : std::string_view();
  }
  bool is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

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

class SqliteConnection final : public Connection {
 public:
  // Opens (creating if needed) and applies the pragmas every connection needs.
  SqliteConnection(const std::string& path, bool read_only);
  ~SqliteConnection() override;

  StatementUse prepare(const std::string& sql) override;
  void exec(const std::string& sql) override;
  Dialect dialect() const override { return Dialect::sqlite; }
  // BEGIN IMMEDIATE for writers: a deferred read-then-write transaction that finds the write
  // lock taken fails at once, whatever the busy timeout.
  void begin(bool writer) override { exec(writer ? "BEGIN IMMEDIATE" : "BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override;

  sqlite3* raw() { return db_; }
  // Runs a PRAGMA and returns the first column of its first row ("" if none).
  std::string pragma(const std::string& statement);

 private:
  void configure(const std::string& path, bool read_only);
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace fieldserve::store
