#include "store/sqlite.h"

namespace fieldserve::store {

void throw_sqlite(sqlite3* db, int rc, std::string_view context) {
  std::string message = std::string(context) + ": " +
                        (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw StoreBusy(rc, message);
  throw StoreError(rc, message);
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

int SqliteStatement::index(const char* name) const {
  for (const auto& known : indexes_) {
    if (known.address == name && known.name == name) return known.index;
  }
  int i = sqlite3_bind_parameter_index(stmt_, name);
  if (i == 0) throw StoreError(SQLITE_RANGE, std::string("no SQL parameter named ") + name);
  constexpr std::size_t kMaxKnown = 64;  // names built at run time must not grow it forever
  if (indexes_.size() < kMaxKnown) indexes_.push_back({name, name, i});
  return i;
}

// A failed bind (out of memory, a value too big) would otherwise run the statement with NULL in
// its place.
void SqliteStatement::check_bind(int rc, const char* name) const {
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, std::string("bind ") + name);
}

Statement& SqliteStatement::bind(const char* name, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index(name), value), name);
  return *this;
}

Statement& SqliteStatement::bind(const char* name, double value) {
  check_bind(sqlite3_bind_double(stmt_, index(name), value), name);
  return *this;
}

Statement& SqliteStatement::bind(const char* name, std::string_view value) {
  check_bind(sqlite3_bind_text64(stmt_, index(name), value.data(), value.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8),
             name);
  return *this;
}

Statement& SqliteStatement::bind_blob(const char* name, std::string_view bytes) {
  check_bind(sqlite3_bind_blob64(stmt_, index(name), bytes.data(), bytes.size(), SQLITE_TRANSIENT),
             name);
  return *this;
}

Statement& SqliteStatement::bind_null(const char* name) {
  check_bind(sqlite3_bind_null(stmt_, index(name)), name);
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite(db_, rc, "step");
}

void SqliteStatement::exec() {
  while (step()) {
  }
}

void SqliteStatement::reset() {
  // sqlite3_reset repeats the error of the last step, which step() has already thrown; the
  // statement is reset either way.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);  // always SQLITE_OK
}

std::string SqliteStatement::get_text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return text ? std::string(text, sqlite3_column_bytes(stmt_, col)) : std::string();
}

std::string SqliteStatement::get_blob(int col) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return bytes ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
               : std::string();
}

SqliteConnection::SqliteConnection(const std::string& path, bool read_only) {
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
  try {
    configure(path, read_only);
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

std::string SqliteConnection::pragma(const std::string& statement) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, statement.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, statement);
  std::string value;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (text) value = text;
    rc = sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) throw_sqlite(db_, rc, statement);
  return value;
}

void SqliteConnection::configure(const std::string& path, bool read_only) {
  if (int rc = sqlite3_extended_result_codes(db_, 1); rc != SQLITE_OK) {
    throw_sqlite(db_, rc, "extended result codes");
  }
  // Waiting beats failing: a writer in another process (an import) holds the lock briefly.
  if (int rc = sqlite3_busy_timeout(db_, 5000); rc != SQLITE_OK)
    throw_sqlite(db_, rc, "busy timeout");
  exec("PRAGMA foreign_keys = ON");
  if (pragma("PRAGMA foreign_keys") != "1") {
    throw StoreError(SQLITE_ERROR, "open " + path + ": foreign keys cannot be enforced");
  }
  // The database file is read through a memory map: a report over a month of a large history
  // touches hundreds of megabytes, and through the default 2 MB page cache every page was a
  // read() and a copy (a sixth of the technician report's time). Writes and the WAL are not
  // mapped; SQLite caps the map at the file's size.
  exec("PRAGMA mmap_size = 4294967296");
  if (!read_only) {
    // Readers never block the writer and a commit is one append only in WAL mode; a file that
    // cannot be put in it (a network file system, say) is refused rather than served slowly
    // and unsafely. An in-memory database answers "memory".
    auto mode = pragma("PRAGMA journal_mode = WAL");
    bool in_memory = path == ":memory:" || path.empty();  // memory or temporary: no WAL there
    if (mode != "wal" && !in_memory) {
      throw StoreError(SQLITE_ERROR, "open " + path + ": journal_mode is " + mode + ", not wal");
    }
    // FULL: an acknowledged write survives power loss (docs/architecture.md, "The store").
    exec("PRAGMA synchronous = FULL");
    // Statement and savepoint journals (every sync push runs in a SAVEPOINT of a group commit)
    // in memory: on disk they were five times the WAL's own writes.
    exec("PRAGMA temp_store = MEMORY");
  }
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

StatementUse SqliteConnection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare");
    it = cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, stmt)).first;
  }
  return StatementUse(*it->second);
}

void SqliteConnection::exec(const std::string& sql) {
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

void SqliteConnection::rollback() noexcept {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace fieldserve::store
