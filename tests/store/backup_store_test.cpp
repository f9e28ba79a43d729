// backup_database copies a database while another connection keeps writing to it, and writes the
// copy back in many small slices: the copy must be one consistent snapshot (every write
// transaction wholly in or wholly out), hold everything committed before it began, and finish.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "store/backup.h"
#include "store_fixture.h"

namespace fieldserve::store {
namespace {

TEST(Backup, ACopyMadeUnderWritesIsOneSnapshot) {
  TempDb file;
  TempDb copy_file;
  copy_file.path += ".copy";
  std::ofstream(file.path).close();  // an empty file is an empty database
  {
    RawDb raw(file.path);
    ASSERT_EQ(
        raw.exec("PRAGMA journal_mode = WAL; CREATE TABLE rows (id INTEGER PRIMARY KEY, "
                 "pad TEXT); CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0);")
            .first,
        SQLITE_OK);
    // About 4 MB, so that slices of 16 pages make a few hundred.
    ASSERT_EQ(raw.exec("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < "
                       "4000) INSERT INTO rows (pad) SELECT printf('%.1000c', 'x') FROM k;"
                       "UPDATE counter SET n = 4000;")
                  .first,
              SQLITE_OK);
  }
  // Each write adds a row and counts it in the same transaction: a consistent copy has as many
  // rows as its counter says.
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    RawDb raw(file.path);
    raw.exec("PRAGMA busy_timeout = 5000");
    for (int i = 0; i < 100000 && !stop; ++i) {
      if (raw.exec("BEGIN IMMEDIATE; INSERT INTO rows (pad) VALUES ('w'); "
                   "UPDATE counter SET n = n + 1; COMMIT;")
              .first == SQLITE_OK) {
        ++writes;
      }
    }
  });
  while (writes < 20) std::this_thread::yield();
  auto before = writes.load();
  auto result = backup_database(file.path, copy_file.path, 16);
  auto during = writes.load() - before;
  stop = true;
  writer.join();
  EXPECT_GT(result.bytes, 4'000'000);
  EXPECT_GT(during, 0) << "the writer went on while the copy was made";
  RawDb copy(copy_file.path);
  auto rows = std::stoll(copy.scalar("SELECT count(*) FROM rows"));
  EXPECT_EQ(std::to_string(rows), copy.scalar("SELECT n FROM counter")) << "one snapshot";
  EXPECT_GE(rows, 4000 + before) << "everything committed before the copy began";
  EXPECT_EQ(copy.scalar("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(copy.scalar("PRAGMA journal_mode"), "delete") << "one self-contained file";
}

}  // namespace
}  // namespace fieldserve::store
