#pragma once
// Copies of a live database, and putting one back (README, "Operating fieldserve"). A backup is
// one consistent snapshot taken while the server keeps serving and writing; a restore puts a
// checked copy in place of a database no server has open.
#include <chrono>
#include <cstdint>
#include <string>

namespace fieldserve::store {

struct BackupResult {
  std::int64_t bytes = 0;
  std::chrono::milliseconds copy{};   // the snapshot's read: writers go on meanwhile (WAL)
  std::chrono::milliseconds check{};  // PRAGMA integrity_check of the copy
};

// Copies `source` as it stood when the copy began to `target`: every transaction committed before
// then is in it, nothing committed later. The copy is written under a temporary name next to
// `target`, checked, synced, and only then renamed to `target`, so `target` is never a partial
// file. Throws StoreError (the temporary file removed) if any step fails.
// The snapshot is copied in one go into the page cache and released; the copy is then written
// back `pages_per_step` pages at a time (16 MB of 4 KB pages by default) with pauses, so the disk
// is never handed a gigabyte to sync at once.
BackupResult backup_database(const std::string& source, const std::string& target,
                             int pages_per_step = 4096);

struct RestoreResult {
  std::int64_t bytes = 0;
  std::string replaced;  // where the database that was at the path went; "" if there was none
};

// Puts the backup at `backup` (checked first) at `target`. A database already at `target` is
// kept beside it as "<target>.replaced-<unix time>"; refused while its shared-memory file exists
// (a server has it open, or stopped without folding its log in). Throws StoreError.
RestoreResult restore_database(const std::string& backup, const std::string& target);

}  // namespace fieldserve::store
