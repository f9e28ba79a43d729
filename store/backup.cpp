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

// Writes a file's dirty pages back `slice` bytes at a time, waiting after each for as long as it
// took, then syncs it: the copy takes at most about half of the disk's time.
void write_back_paced(const fs::path& path, std::int64_t slice) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw StoreError(SQLITE_IOERR, "open " + path.string() + " to sync it");
  auto size = static_cast<std::int64_t>(fs::file_size(path));
  for (std::int64_t at = 0; at < size; at += slice) {
    auto began = std::chrono::steady_clock::now();
    ::sync_file_range(fd, at, slice,
                      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                          SYNC_FILE_RANGE_WAIT_AFTER);
    std::this_thread::sleep_for(std::chrono::steady_clock::now() - began);
  }
  int rc = ::fdatasync(fd);
  ::close(fd);
  if (rc != 0) throw StoreError(SQLITE_IOERR, "fdatasync " + path.string());
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
  // The copy is put in place by a rename: onto the live file itself, it would swap the database
  // from under a running server, whose later commits then go to a deleted file.
  std::error_code same_error;
  if (fs::exists(out) && fs::equivalent(source, out, same_error)) {
    throw StoreError(SQLITE_MISUSE, target + " is the database itself: back up to another file");
  }
  fs::path partial = out.string() + ".partial-" + std::to_string(::getpid());
  remove_with_journals(partial);
  BackupResult result;
  try {
    {
      // Opened for writing though it only reads: a read-only connection to a WAL database
      // cannot remove the -wal and -shm files when it is the last one to close.
      Handle from(source, SQLITE_OPEN_READWRITE);
      Handle to(partial.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      // All pages in one step: one read transaction, so the copy is the database as of its
      // start, and in WAL mode it blocks no writer. It must be short, though: while it lasts the
      // server's WAL cannot be checkpointed and grows, and every page any connection reads then
      // searches a longer WAL index (copying in paced steps held the snapshot for 20 s and kept
      // the push p99 at 3.5 s). So the pages go into the page cache unsynced, no journal (a
      // failed copy is deleted, not rolled back), and reach the disk after the snapshot ends.
      to.exec("PRAGMA journal_mode = OFF");
      to.exec("PRAGMA synchronous = OFF");
      // Fold what the WAL holds into the file first, as far as the server's readers allow
      // (PASSIVE: it never blocks them or the writer): read through a long WAL, the same pages
      // took 17 s to copy instead of under 2.
      from.exec("PRAGMA wal_checkpoint(PASSIVE)");
      auto start = Clock::now();
      sqlite3_backup* copy = sqlite3_backup_init(to.db, "main", from.db, "main");
      if (!copy) throw StoreError(sqlite3_errcode(to.db), sqlite3_errmsg(to.db));
      int rc = sqlite3_backup_step(copy, -1);
      sqlite3_backup_finish(copy);
      if (rc != SQLITE_DONE) throw StoreError(rc, std::string("backup: ") + sqlite3_errstr(rc));
      result.copy = since(start);
      // Written back a slice at a time, each followed by a pause as long as it took: handed to
      // the disk in one sync, a gigabyte queued every commit of the server behind it (push p99
      // 3.2 s, some timing out).
      write_back_paced(partial, pages_per_step * std::int64_t{4096});
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
