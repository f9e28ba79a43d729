// The command line of the README's command line, run as a user would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "server_fixture.h"
#include "store/migrations.h"

namespace fieldserve::testing {
namespace {

std::string bin() { return FIELDSERVE_BINARY; }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fieldserve-cli-XXXXXX").string();
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
  auto latest = "schema version " + std::to_string(store::latest_schema_version());
  ASSERT_EQ(run_command(bin() + " migrate --db " + db_ + " 2>&1", &out), 0);
  EXPECT_NE(out.find(latest), std::string::npos) << out;
  ASSERT_EQ(run_command(bin() + " migrate --db " + db_ + " 2>&1", &out), 0);
  EXPECT_NE(out.find(latest), std::string::npos) << out;
}

TEST_F(CliTest, TheDeviceSimulatorSaysWhatIsWrongWithAClockOffset) {
  auto outbox = (dir_ / "tablet.db").string();
  auto record = bin() + " device record --outbox " + outbox +
                " --type note --job 1 --payload '{\"text\":\"x\"}' --clock-offset ";
  for (const char* bad : {"abc", "99999999999999999999", "12s", "31536001"}) {
    std::string out;
    EXPECT_EQ(run_command(record + bad + " 2>&1", &out), 2) << bad << ": " << out;
    EXPECT_NE(out.find("--clock-offset must be a whole number of seconds"), std::string::npos)
        << bad << ": " << out;
  }
  std::string out;
  EXPECT_EQ(run_command(record + "-3600 2>&1", &out), 0) << out;
}

TEST_F(CliTest, TokenCreateChecksTheTechnician) {
  ASSERT_EQ(run_command(bin() + " init --db " + db_ + " >/dev/null 2>&1"), 0);
  std::string out;
  EXPECT_NE(run_command(bin() + " token create --db " + db_ +
                            " --role technician --name t 2>/dev/null",
                        &out),
            0);
  EXPECT_NE(run_command(bin() + " token create --db " + db_ +
                            " --role technician --name t --technician 99 2>/dev/null",
                        &out),
            0);
  ASSERT_EQ(run_command(
                bin() + " token create --db " + db_ + " --role manager --name m 2>/dev/null", &out),
            0);
  EXPECT_TRUE(out.starts_with("fs_"));
  EXPECT_NE(run_command(bin() + " token create --db " + db_ + " --role root --name m 2>/dev/null",
                        &out),
            0);
}

TEST_F(CliTest, ImportedSampleDataIsServedWithItsHistory) {
  std::string admin;
  ASSERT_EQ(run_command(bin() + " init --db " + db_ + " 2>/dev/null", &admin), 0);
  std::string out;
  ASSERT_EQ(run_command(bin() + " import --db " + db_ + " " + FIELDSERVE_SOURCE_DIR +
                            "/sample_data 2>&1",
                        &out),
            0)
      << out;
  EXPECT_NE(out.find("3 centers"), std::string::npos) << out;
  EXPECT_NE(out.find("60 technicians"), std::string::npos) << out;
  // A second import into the same database is refused and changes nothing.
  EXPECT_NE(run_command(bin() + " import --db " + db_ + " " + FIELDSERVE_SOURCE_DIR +
                            "/sample_data 2>&1",
                        &out),
            0);
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

TEST_F(CliTest, TheSampleHistoryIsDatedToTheImportDayByWholeWeeks) {
  // The history ends at 2026-11-23T00:00Z (sample_data/manifest.json). Imported as of Tuesday
  // 2026-12-01 12:00Z, 1 week, 1 day and 12 hours later, it moves by 1 week: the first job,
  // reported Monday 2026-11-09 00:53Z, is reported Monday 2026-11-16 00:53Z.
  std::string out;
  ASSERT_EQ(run_command(bin() + " import --db " + db_ + " --as-of 2026-12-01T12:00:00Z " +
                            FIELDSERVE_SOURCE_DIR + "/sample_data 2>&1",
                        &out),
            0)
      << out;
  EXPECT_NE(out.find("moved by 1 week "), std::string::npos) << out;
  EXPECT_NE(out.find("42 complaints"), std::string::npos) << out;
  EXPECT_EQ(scalar(db_, "SELECT MIN(reported_at) FROM jobs"),
            to_epoch_s(*parse_rfc3339("2026-11-16T00:53:00Z")));
  EXPECT_LE(scalar(db_, "SELECT MAX(reported_at) FROM jobs"),
            to_epoch_s(*parse_rfc3339("2026-11-30T00:00:00Z")));
  // Everything moves with it: sales, complaints, follow-up results, exchanges, parts.
  EXPECT_EQ(scalar(db_,
                   "SELECT COUNT(*) FROM follow_ups WHERE done_at > due - 7 * 86400 "
                   "AND done_at < due"),
            scalar(db_, "SELECT COUNT(*) FROM follow_ups WHERE status = 'done'"));
  EXPECT_GT(scalar(db_, "SELECT COUNT(*) FROM follow_ups WHERE status = 'done'"), 100);
  EXPECT_EQ(scalar(db_,
                   "SELECT COUNT(*) FROM equipment_exchanges e JOIN equipment u "
                   "ON u.id = e.equipment_id WHERE e.at < u.sold_at"),
            0);
  EXPECT_EQ(scalar(db_,
                   "SELECT COUNT(*) FROM job_parts p JOIN jobs j ON j.id = p.job_id "
                   "WHERE p.at < j.reported_at"),
            0);
  // Imported as of its own end, it stays where it is.
  std::string db2 = (dir_ / "fixed.db").string();
  ASSERT_EQ(run_command(bin() + " import --db " + db2 + " --as-of 2026-11-23T00:00:00Z " +
                            FIELDSERVE_SOURCE_DIR + "/sample_data 2>&1",
                        &out),
            0)
      << out;
  EXPECT_EQ(scalar(db2, "SELECT MIN(reported_at) FROM jobs"),
            to_epoch_s(*parse_rfc3339("2026-11-09T00:53:00Z")));
  EXPECT_NE(run_command(bin() + " import --db " + (dir_ / "x.db").string() + " --as-of tomorrow " +
                            FIELDSERVE_SOURCE_DIR + "/sample_data 2>&1",
                        &out),
            0);
  EXPECT_NE(run_command(bin() + " import --db " + (dir_ / "y.db").string() +
                            " --as-of 2999-01-01T00:00:00Z " + FIELDSERVE_SOURCE_DIR +
                            "/sample_data 2>&1",
                        &out),
            0);
  EXPECT_NE(out.find("future"), std::string::npos) << out;
}

// The golden scenario of tests/data/replay_small, worked out by hand (see
// tests/dispatch/replay_test.cpp for the arithmetic): T2 stands 40 km east of T1; R1 and R2 are
// critical, 1 and 2 km east, a minute apart; R3 needs a skill nobody has.
TEST_F(CliTest, ReplayGivesTheHandWorkedFiguresForBothStrategies) {
  std::string folder = std::string(FIELDSERVE_SOURCE_DIR) + "/tests/data/replay_small";
  auto out = (dir_ / "sla.json").string();
  std::string text;
  ASSERT_EQ(
      run_command(bin() + " replay " + folder + " --strategy sla --out " + out + " 2>&1", &text), 0)
      << text;
  std::ifstream in(out);
  auto sla = json::parse(in);
  EXPECT_EQ(sla["strategy"], "sla");
  EXPECT_EQ(sla["requests"], 3);
  EXPECT_EQ(sla["unassigned"], 1);
  // R2 goes to T2 (the engine cannot know R1 takes 10 min before it is done); T1, done at 11.95
  // min, takes it over and is there at 13.9; T2 turns back after 7.3 road km.
  EXPECT_NEAR(sla["total_km"].get<double>(), 1.3 + 1.3 + 7.3, 0.051);
  EXPECT_NEAR(sla["diverted_km"].get<double>(), 7.3, 0.051);
  EXPECT_EQ(sla["diversions"], 1);
  EXPECT_EQ(sla["weighted_breaches"], 3);  // R3: three minor targets
  EXPECT_EQ(sla["tiers"]["critical"]["count"], 2);
  EXPECT_EQ(sla["tiers"]["critical"]["arrival_met_pct"], 100.0);
  EXPECT_NEAR(sla["tiers"]["critical"]["p50_arrival_minutes"].get<double>(), 1.95, 0.051);
  EXPECT_NEAR(sla["tiers"]["critical"]["p90_arrival_minutes"].get<double>(), 12.9, 0.051);
  EXPECT_NEAR(sla["tiers"]["critical"]["km"].get<double>(), 2.6, 0.051);
  EXPECT_EQ(sla["tiers"]["minor"]["breaches"], 3);
  EXPECT_NEAR(sla["utilisation_pct"].get<double>(), 100 * (23.9 + 10.95) / (2 * 23.9), 0.051);
  EXPECT_EQ(sla["repositioning_km"], 0.0);

  ASSERT_EQ(run_command(bin() + " replay " + folder + " --strategy nearest 2>/dev/null", &text), 0);
  auto nearest = json::parse(text);
  EXPECT_EQ(nearest["strategy"], "nearest");
  EXPECT_NEAR(nearest["total_km"].get<double>(), 1.3 + 49.4, 0.051);
  EXPECT_EQ(nearest["weighted_breaches"], 3 + 8);
  EXPECT_EQ(nearest["tiers"]["critical"]["arrival_met_pct"], 50.0);
}

// tests/data/replay_lost_job: the first 800 requests of tools/synthetic_stream.py --scenario
// bursts --fleet short (seed as default). A critical call offered from the waiting requests
// preempted a job that then had nowhere to go; it was put back into the list being offered and
// overwritten with it, so it was never worked and its arrival was read from a reset optional.
// Now every request assigned once must end up worked, or the replay fails naming it.
TEST_F(CliTest, ReplayLosesNoRequestAPreemptionMovedWhileWaitingRequestsWereOffered) {
  std::string folder = std::string(FIELDSERVE_SOURCE_DIR) + "/tests/data/replay_lost_job";
  for (const char* extra : {"", " --no-optimizer-replan"}) {
    std::string text;
    ASSERT_EQ(run_command(bin() + " replay " + folder + " --strategy sla" + extra + " 2>&1", &text),
              0)
        << text;
    auto r = json::parse(text);
    EXPECT_EQ(r["requests"], 800);
    EXPECT_EQ(r["unassigned"], 0);
    int counted = 0;
    for (const auto& [name, tier] : r["tiers"].items()) counted += tier["count"].get<int>();
    EXPECT_EQ(counted, 800);
    EXPECT_GT(r["diversions"].get<int>(), 0) << "the stream must exercise diversions";
  }
}

// --requests-out: the same stream request by request, for finding out why a figure is what it is.
TEST_F(CliTest, ReplayWritesEachRequestsFateWhenAsked) {
  std::string folder = std::string(FIELDSERVE_SOURCE_DIR) + "/tests/data/replay_small";
  auto csv = dir_ / "requests.csv";
  std::string text;
  ASSERT_EQ(run_command(bin() + " replay " + folder + " --strategy nearest --requests-out " +
                            csv.string() + " 2>&1",
                        &text),
            0)
      << text;
  std::ifstream in(csv);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "id,severity,technician,reported_at,assigned_at,arrived_at,finished_at,response_due,"
            "arrival_due,restore_due,arrival_minutes,km,breached");
  // R2: the baseline sends T2, 49.4 road km away: there after 74.1 min, past the 45 min target.
  EXPECT_TRUE(lines[2].starts_with("R2,critical,T2,")) << lines[2];
  EXPECT_TRUE(lines[2].ends_with(",74.1,49.4,arrival")) << lines[2];
  // R3 needs a skill nobody has: no technician, no times, every target missed.
  EXPECT_TRUE(lines[3].starts_with("R3,minor,,")) << lines[3];
  EXPECT_TRUE(lines[3].ends_with(",,0,response;arrival;restore")) << lines[3];

  EXPECT_NE(run_command(bin() + " replay " + folder + " --requests-out " +
                            (dir_ / "no" / "such" / "dir.csv").string() + " 2>&1",
                        &text),
            0);
  EXPECT_NE(text.find("cannot write"), std::string::npos) << text;
}

TEST_F(CliTest, ReplayNamesTheBrokenRow) {
  auto folder = dir_ / "bad";
  std::filesystem::copy(std::string(FIELDSERVE_SOURCE_DIR) + "/tests/data/replay_small", folder);
  {
    std::ofstream f(folder / "requests.csv", std::ios::app);
    f << "R4,yesterday,0,0,critical,repair,pump,10\n";
  }
  std::string text;
  EXPECT_NE(run_command(bin() + " replay " + folder.string() + " 2>&1", &text), 0);
  EXPECT_NE(text.find("requests.csv row 4"), std::string::npos) << text;
  EXPECT_NE(text.find("reported_at"), std::string::npos) << text;
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
    if (entry.value("msg", "") != "request" || entry.value("route", "") != "/api/v1/centers")
      continue;
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

TEST(CliServe, ASecondServerOnAPortInUseRefusesToStart) {
  ServerProcess server;
  std::string out;
  // Without this, SO_REUSEPORT let the second one bind too and take half the connections.
  int code = run_command(bin() + " serve --db " + server.db_path() + " --bind 127.0.0.1 --port " +
                             std::to_string(server.port()) + " 2>&1",
                         &out);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("cannot listen"), std::string::npos) << out;
  EXPECT_EQ(server.get("/healthz", "").status, 200);
}

TEST(CliServe, AStopClosesIdleKeepAliveConnectionsInsteadOfWaitingForThem) {
  // The window is far longer than the fixture waits for a clean stop (10 s, then SIGKILL): the
  // server only logs "stopped" if it let go of the idle connection itself.
  ServerProcess server({"--keep-alive-timeout", "600"});
  bool closed = false;
  std::string answer;
  std::thread client([&] {
    answer = raw_exchange(server.port(), "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n", 60'000,
                          &closed);
  });
  // Stopped once that request was answered (the fixture's own start-up probe is /healthz).
  server.log_containing("route=/api/v1/me");
  server.stop();
  client.join();
  EXPECT_NE(answer.find("401"), std::string::npos) << answer;
  EXPECT_TRUE(closed) << "the server closed the idle connection";
  EXPECT_NE(server.log().find("stopped"), std::string::npos) << server.log();
}

TEST(CliServe, ServesImportedDataOverHttp) {
  ServerProcess server;
  std::string out;
  // Import into the server's own database while it runs: the writer waits its turn.
  ASSERT_EQ(run_command(bin() + " import --db " + server.db_path() + " " + FIELDSERVE_SOURCE_DIR +
                            "/sample_data 2>&1",
                        &out),
            0)
      << out;
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
