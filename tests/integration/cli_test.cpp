// The command line of SPEC section 12, run as a user would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

std::string bin() { return FIELDSERVE_BINARY; }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fieldserve-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = (dir_ / "cli.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(CliTest, VersionAndHelp) {
  std::string out;
  EXPECT_EQ(run_command(bin() + " --version", &out), 0);
  EXPECT_TRUE(out.starts_with("fieldserve ")) << out;
  EXPECT_EQ(run_command(bin() + " --help", &out), 0);
  EXPECT_NE(out.find("serve"), std::string::npos);
  EXPECT_EQ(run_command(bin() + " serve --help", &out), 0);
  EXPECT_NE(out.find("--log-format"), std::string::npos);
  EXPECT_NE(run_command(bin() + " frobnicate 2>/dev/null", &out), 0);
}

TEST_F(CliTest, InitPrintsOnlyTheTokenOnStdout) {
  std::string out;
  ASSERT_EQ(run_command(bin() + " init --db " + db_ + " 2>/dev/null", &out), 0);
  EXPECT_EQ(out.size(), 3u + 64u + 1u) << out;  // "fs_" + 64 hex + newline
  EXPECT_TRUE(out.starts_with("fs_"));
}

TEST_F(CliTest, MigrateIsIdempotent) {
  std::string out;
  ASSERT_EQ(run_command(bin() + " migrate --db " + db_ + " 2>&1", &out), 0);
  EXPECT_NE(out.find("schema version 2"), std::string::npos) << out;
  ASSERT_EQ(run_command(bin() + " migrate --db " + db_ + " 2>&1", &out), 0);
  EXPECT_NE(out.find("schema version 2"), std::string::npos) << out;
}

TEST_F(CliTest, TokenCreateChecksTheTechnician) {
  ASSERT_EQ(run_command(bin() + " init --db " + db_ + " >/dev/null 2>&1"), 0);
  std::string out;
  EXPECT_NE(run_command(bin() + " token create --db " + db_ + " --role technician --name t 2>/dev/null", &out), 0);
  EXPECT_NE(run_command(bin() + " token create --db " + db_ +
                            " --role technician --name t --technician 99 2>/dev/null", &out), 0);
  ASSERT_EQ(run_command(bin() + " token create --db " + db_ + " --role manager --name m 2>/dev/null", &out), 0);
  EXPECT_TRUE(out.starts_with("fs_"));
  EXPECT_NE(run_command(bin() + " token create --db " + db_ + " --role root --name m 2>/dev/null", &out), 0);
}

TEST_F(CliTest, ImportedSampleDataIsServedWithItsHistory) {
  std::string admin;
  ASSERT_EQ(run_command(bin() + " init --db " + db_ + " 2>/dev/null", &admin), 0);
  std::string out;
  ASSERT_EQ(run_command(bin() + " import --db " + db_ + " " + FIELDSERVE_SOURCE_DIR + "/sample_data 2>&1", &out), 0)
      << out;
  EXPECT_NE(out.find("3 centers"), std::string::npos) << out;
  EXPECT_NE(out.find("60 technicians"), std::string::npos) << out;
  // A second import into the same database is refused and changes nothing.
  EXPECT_NE(run_command(bin() + " import --db " + db_ + " " + FIELDSERVE_SOURCE_DIR + "/sample_data 2>&1", &out), 0);
  EXPECT_NE(out.find("already holds data"), std::string::npos) << out;
  // A broken file names its row.
  auto broken = dir_ / "broken";
  std::filesystem::copy(std::string(FIELDSERVE_SOURCE_DIR) + "/sample_data", broken);
  {
    std::ofstream f(broken / "centers.json");
    f << R"([{"id": 1, "name": "x", "location": {"lat": 95, "lon": 0}, "time_zone": "UTC"}])";
  }
  std::string db2 = (dir_ / "two.db").string();
  EXPECT_NE(run_command(bin() + " import --db " + db2 + " " + broken.string() + " 2>&1", &out), 0);
  EXPECT_NE(out.find("centers.json row 1"), std::string::npos) << out;
}

TEST(CliServe, JsonLogLinesCarryTheRequestFields) {
  ServerProcess server({"--log-format", "json"});
  server.get("/api/v1/centers?limit=3", server.admin_token());
  auto log = server.log_containing("\"route\":\"/api/v1/centers\"");
  int requests = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    auto entry = json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    if (entry.value("msg", "") != "request" || entry.value("route", "") != "/api/v1/centers") continue;
    ++requests;
    EXPECT_EQ(entry["status"], 200);
    EXPECT_EQ(entry["token_id"], "1");
    EXPECT_TRUE(entry["request_id"].is_string());
    EXPECT_TRUE(entry["duration_ms"].is_number());
    EXPECT_EQ(entry["peer"], "127.0.0.1");
  }
  EXPECT_EQ(requests, 1);
  EXPECT_EQ(log.find(server.admin_token()), std::string::npos);
}

TEST(CliServe, ServesImportedDataOverHttp) {
  ServerProcess server;
  std::string out;
  // Import into the server's own database while it runs: the writer waits its turn.
  ASSERT_EQ(run_command(bin() + " import --db " + server.db_path() + " " + FIELDSERVE_SOURCE_DIR +
                            "/sample_data 2>&1", &out), 0) << out;
  auto techs = server.get("/api/v1/technicians?limit=500", server.admin_token());
  ASSERT_EQ(techs.status, 200);
  EXPECT_EQ(techs.body["items"].size(), 60u);
  auto closed = server.get("/api/v1/jobs?status=closed&limit=500", server.admin_token());
  ASSERT_EQ(closed.status, 200);
  EXPECT_GT(closed.body["items"].size(), 100u);
  auto events = server.get("/api/v1/jobs/1/events", server.admin_token());
  ASSERT_EQ(events.status, 200);
  EXPECT_GE(events.body["items"].size(), 5u);
}

}  // namespace
}  // namespace fieldserve::testing
