#include "store/sqlite.h"

namespace fieldserve::store {

void throw_sqlite(sqlite3* db, int rc, std::string_view context) {
  std::string message = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw StoreBusy(rc, message);
  throw StoreError(rc, message);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

int Statement::index(const char* name) const {
  for (const auto& known : indexes_) {
    if (known.address == name && known.name == name) return known.index;
  }
  int i = sqlite3_bind_parameter_index(stmt_, name);
  if (i == 0) throw StoreError(SQLITE_RANGE, std::string("no SQL parameter named ") + name);
  constexpr std::size_t kMaxKnown = 64;  // names built at run time must not grow it forever
  if (indexes_.size() < kMaxKnown) indexes_.push_back({name, name, i});
  return i;
}

Statement& Statement::bind(const char* name, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index(name), value);
  return *this;
}

Statement& Statement::bind(const char* name, double value) {
  sqlite3_bind_double(stmt_, index(name), value);
  return *this;
}

Statement& Statement::bind(const char* name, std::string_view value) {
  sqlite3_bind_text(stmt_, index(name), value.data(), static_cast<int>(value.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(const char* name, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index(name), bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(const char* name) {
  sqlite3_bind_null(stmt_, index(name));
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite(db_, rc, "step");
}

void Statement::exec() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::get_text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return text ? std::string(text, sqlite3_column_bytes(stmt_, col)) : std::string();
}

Connection::Connection(const std::string& path, bool read_only) {
  // SQLite's memory statistics take a global mutex on every allocation; nothing here reads them.
  // The setting only takes before the library's first use, so a failure later is harmless.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // each connection is used by one thread at a time
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Waiting beats failing: a writer in another process (an import) holds the lock briefly.
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA foreign_keys = ON");
  if (!read_only) {
    exec("PRAGMA journal_mode = WAL");
    // FULL: an acknowledged write survives power loss (SPEC section 10).
    exec("PRAGMA synchronous = FULL");
    // Statement and savepoint journals (every sync push runs in a SAVEPOINT of a group commit)
    // in memory: on disk they were five times the WAL's own writes.
    exec("PRAGMA temp_store = MEMORY");
  }
}

Connection::~Connection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

StatementUse Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare");
    it = cache_.emplace(sql, std::make_unique<Statement>(db_, stmt)).first;
  }
  return StatementUse(*it->second);
}

void Connection::exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw StoreBusy(rc, message);
    throw StoreError(rc, message);
  }
}

Transaction::Transaction(Connection& conn, bool immediate) : conn_(conn) {
  conn_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(conn_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  conn_.exec("COMMIT");
  done_ = true;
}

}  // namespace fieldserve::store
