// A backup of the live database taken while tablets push (README, "Operating fieldserve"): the
// copy passes integrity_check and holds every push acknowledged before the backup began; a
// server restored on it serves, and a tablet that synced after the backup is told to reset.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

std::string bin() { return FIELDSERVE_BINARY; }

// Every note text in a database file.
std::set<std::string> note_texts(const std::string& path) {
  std::set<std::string> out;
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT text FROM job_notes", -1, &q, nullptr);
  while (sqlite3_step(q) == SQLITE_ROW) {
    out.insert(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return out;
}

std::string integrity(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* q = nullptr;
  std::string out = "no answer";
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, nullptr) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return out;
}

class BackupTest : public SyncTest {};

TEST_F(BackupTest, ACopyTakenUnderLoadHoldsWhatWasAcknowledgedAndRestores) {
  auto job = job_for(w().tech_a);
  std::mutex mutex;
  std::vector<std::string> acknowledged;  // in the order the answers came
  std::atomic<bool> stop{false};
  Workers tablets(&stop);
  // Two threads of the same tablet's pushes, as a group commit sees several devices.
  for (int t = 0; t < 2; ++t) {
    tablets.start([&, t] {
      // Bounded: at most 2,000 pushes each, whatever happens to the flag.
      for (int i = 0; i < 2000 && !stop; ++i) {
        std::string text = "load " + std::to_string(t) + "-" + std::to_string(i);
        auto r = push(w().tablet_a, {op("note", job, {{"text", text}})});
        if (r.status == 200 && r.body["results"][0]["status"] == "applied") {
          std::lock_guard lock(mutex);
          acknowledged.push_back(text);
        }
      }
    });
  }
  auto acked_so_far = [&] {
    std::lock_guard lock(mutex);
    return acknowledged;
  };
  for (int i = 0; i < 600 && acked_so_far().size() < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto before = acked_so_far();
  ASSERT_GE(before.size(), 50u) << "the tablets are pushing";
  auto copy = (server_->dir() / "backup.db").string();
  std::string out;
  int code = run_command(bin() + " backup --db " + server_->db_path() + " --out " + copy + " 2>&1",
                         &out);
  tablets.join();
  ASSERT_EQ(code, 0) << out;
  EXPECT_GT(acknowledged.size(), before.size()) << "pushes went on around the backup";

  EXPECT_EQ(integrity(copy), "ok");
  auto saved = note_texts(copy);
  for (const auto& text : before) EXPECT_TRUE(saved.contains(text)) << text << " was acknowledged";
  for (const auto& entry : std::filesystem::directory_iterator(server_->dir())) {
    EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos)
        << "no partial file is left: " << entry.path();
  }

  // The tablet synced after the backup: its cursor is ahead of the restored database.
  json up, rm;
  auto cursor = pull_all(w().tablet_a, "", up, rm);
  server_->stop();
  ASSERT_EQ(run_command(bin() + " restore --from " + copy + " --db " + server_->db_path() + " 2>&1",
                        &out),
            0)
      << out;
  server_->restart();
  auto pulled = pull(w().tablet_a, cursor);
  ASSERT_EQ(pulled.status, 200) << pulled.text;
  EXPECT_TRUE(pulled.body["reset"].get<bool>()) << "a cursor from after the backup: start again";
  auto facts = s().get("/api/v1/jobs/" + std::to_string(job) + "/facts", w().dispatcher);
  ASSERT_EQ(facts.status, 200) << facts.text;
  std::set<std::string> served;
  for (const auto& n : facts.body["notes"]) served.insert(n["text"].get<std::string>());
  EXPECT_EQ(served, saved) << "the restored server holds what the backup holds";
}

TEST_F(BackupTest, RestoreRefusesADatabaseAServerHasOpen) {
  auto copy = (server_->dir() / "open-check.db").string();
  std::string out;
  ASSERT_EQ(run_command(bin() + " backup --db " + server_->db_path() + " --out " + copy + " 2>&1",
                        &out),
            0)
      << out;
  EXPECT_NE(run_command(bin() + " restore --from " + copy + " --db " + server_->db_path() + " 2>&1",
                        &out),
            0);
  EXPECT_NE(out.find("stop the server first"), std::string::npos) << out;
  EXPECT_EQ(s().get("/healthz", "").status, 200) << "the running server is untouched";
}

TEST_F(BackupTest, ABackupOntoTheLiveDatabaseItselfIsRefused) {
  // Put in place by a rename, such a copy swapped the file under the running server: its later
  // commits went to the deleted file and were lost at the next restart. Also under another name
  // for the same file.
  auto db = server_->db_path();
  auto before = std::filesystem::status(db);
  auto inode = [](const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_ino;
  };
  auto was = inode(db);
  std::string out;
  for (const auto& target :
       {db, (std::filesystem::path(db).parent_path() / "." / std::filesystem::path(db).filename())
                .string()}) {
    EXPECT_NE(run_command(bin() + " backup --db " + db + " --out " + target + " 2>&1", &out), 0)
        << target;
    EXPECT_NE(out.find("is the database itself"), std::string::npos) << out;
  }
  EXPECT_EQ(inode(db), was) << "the live file is the one the server has open";
  EXPECT_EQ(std::filesystem::status(db).type(), before.type());
  EXPECT_EQ(s().get("/healthz", "").status, 200);
}

}  // namespace
}  // namespace fieldserve::testing
