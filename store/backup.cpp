#include "store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <thread>

#include "store/errors.h"

namespace fieldserve::store {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Handle {
  sqlite3* db = nullptr;
  Handle(const std::string& path, int flags) {
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = "open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
      sqlite3_close(db);
      throw StoreError(rc, message);
    }
    sqlite3_busy_timeout(db, 5000);
  }
  ~Handle() { sqlite3_close(db); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    if (rc != SQLITE_OK) throw StoreError(rc, sql + ": " + message);
  }
  // The lines PRAGMA integrity_check prints, "ok" when it finds nothing.
  std::string integrity() {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        if (!out.empty()) out += "; ";
        out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
    }
    sqlite3_finalize(stmt);
    return out.empty() ? "no answer" : out;
  }
};

void fsync_path(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) throw StoreError(SQLITE_IOERR, "open " + path.string() + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw StoreError(SQLITE_IOERR, "fsync " + path.string());
}

void remove_with_journals(const fs::path& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    fs::remove(path.string() + suffix, ignored);
  }
}

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// The copy in one file of its own: no log beside it, rollback journal mode (the server puts a
// database back in WAL mode when it opens it).
void settle(Handle& copy) { copy.exec("PRAGMA journal_mode = DELETE"); }

}  // namespace

BackupResult backup_database(const std::string& source, const std::string& target,
                             int pages_per_step) {
  fs::path out(target);
  fs::path partial = out.string() + ".partial-" + std::to_string(::getpid());
  remove_with_journals(partial);
  BackupResult result;
  try {
    {
      // Opened for writing though it only reads: a read-only connection to a WAL database
      // cannot remove the -wal and -shm files when it is the last one to close.
      Handle from(source, SQLITE_OPEN_READWRITE);
      Handle to(partial.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      // One read transaction on the source for the whole copy, held open across the steps: the
      // copy is the database as of its start, and in WAL mode a reader blocks no writer. (Steps
      // that each took their own snapshot would make SQLite start the copy over after every
      // write by another connection: under steady pushes it would never finish.)
      from.exec("BEGIN");
      from.exec("SELECT count(*) FROM sqlite_schema");
      // The copy goes in steps, each committed (and synced) on its own: written all at once, a
      // gigabyte of dirty pages reached the disk in one final sync, and every commit of the
      // server waited behind it (push p99 over 3 s). Between steps the copy yields a moment.
      to.exec("PRAGMA synchronous = NORMAL");
      auto start = Clock::now();
      sqlite3_backup* copy = sqlite3_backup_init(to.db, "main", from.db, "main");
      if (!copy) throw StoreError(sqlite3_errcode(to.db), sqlite3_errmsg(to.db));
      int rc = SQLITE_OK;
      while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        rc = sqlite3_backup_step(copy, pages_per_step);
        if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
      sqlite3_backup_finish(copy);
      from.exec("COMMIT");
      if (rc != SQLITE_DONE) throw StoreError(rc, std::string("backup: ") + sqlite3_errstr(rc));
      result.copy = since(start);
      settle(to);
      start = Clock::now();
      auto verdict = to.integrity();
      result.check = since(start);
      if (verdict != "ok")
        throw StoreError(SQLITE_CORRUPT, "the copy fails integrity_check: " + verdict);
    }
    fsync_path(partial, false);
    result.bytes = static_cast<std::int64_t>(fs::file_size(partial));
    fs::rename(partial, out);
    fsync_path(out.has_parent_path() ? out.parent_path() : fs::path("."), true);
  } catch (...) {
    remove_with_journals(partial);
    throw;
  }
  return result;
}

RestoreResult restore_database(const std::string& backup, const std::string& target) {
  fs::path in(backup);
  fs::path out(target);
  if (fs::exists(out.string() + "-shm")) {
    throw StoreError(SQLITE_BUSY, target +
                                      " is open (its -shm file exists): stop the server "
                                      "first; if none runs, start and stop one on it once");
  }
  {
    Handle check(backup, SQLITE_OPEN_READWRITE);
    auto verdict = check.integrity();
    if (verdict != "ok")
      throw StoreError(SQLITE_CORRUPT, backup + " fails integrity_check: " + verdict);
  }
  RestoreResult result;
  fs::path partial = out.string() + ".partial-" + std::to_string(::getpid());
  remove_with_journals(partial);
  try {
    fs::copy_file(in, partial, fs::copy_options::overwrite_existing);
    fsync_path(partial, false);
    if (fs::exists(out)) {
      result.replaced = out.string() + ".replaced-" + std::to_string(std::time(nullptr));
      fs::rename(out, result.replaced);
      // A log left by a crash belongs to the database moved aside, never to the backup.
      std::error_code ignored;
      fs::rename(out.string() + "-wal", result.replaced + "-wal", ignored);
    }
    fs::rename(partial, out);
    fsync_path(out.has_parent_path() ? out.parent_path() : fs::path("."), true);
    result.bytes = static_cast<std::int64_t>(fs::file_size(out));
  } catch (...) {
    remove_with_journals(partial);
    throw;
  }
  return result;
}

}  // namespace fieldserve::store
