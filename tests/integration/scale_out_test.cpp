// Several fieldserve instances on one PostgreSQL database (docs/architecture.md, "Several
// instances"): two real server processes, real clients spread over both. These cases run only
// in the suite's PostgreSQL pass; on SQLite one process owns the file and they skip.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

class ScaleOutTest : public SyncTest {
 protected:
  void SetUp() override {
    if (!on_postgresql()) GTEST_SKIP() << "several instances share a PostgreSQL database only";
    if (!second_) second_ = ServerProcess::another_instance(s());
  }
  static void TearDownTestSuite() {
    second_.reset();  // before the first instance, which owns the database
    SyncTest::TearDownTestSuite();
  }
  const ServerProcess& other() { return *second_; }
  const ServerProcess& instance(int i) { return i % 2 == 0 ? s() : other(); }
  std::int64_t db(const std::string& sql) { return scalar(s().db_path(), sql); }

  static std::unique_ptr<ServerProcess> second_;
};
std::unique_ptr<ServerProcess> ScaleOutTest::second_;

TEST_F(ScaleOutTest, EightClientsOnTwoInstancesNeverAssignTwiceNorOverfillATechnician) {
  // Three technicians who alone have the skill, two open jobs each: room for six of the 32 jobs
  // that eight clients create at once, half through each instance.
  std::vector<std::int64_t> techs;
  for (int i = 0; i < 3; ++i) {
    auto r = s().post("/api/v1/technicians",
                      {{"name", "Scale " + std::to_string(i)},
                       {"skills", {"scaleout"}},
                       {"home_center_id", w().center_id},
                       {"location", {{"lat", 31.2400 + 0.001 * i}, {"lon", 121.4900}}},
                       {"max_open_jobs", 2},
                       {"shift", all_week()}},
                      s().admin_token());
    ASSERT_EQ(r.status, 201) << r.text;
    techs.push_back(r.body["id"]);
  }
  constexpr int kClients = 8, kJobsEach = 4;
  std::atomic<int> created{0}, assigned{0};
  Workers clients;
  for (int c = 0; c < kClients; ++c) {
    clients.start([&, c] {
      for (int j = 0; j < kJobsEach; ++j) {
        auto r = instance(c + j).post("/api/v1/jobs",
                                      {{"site_id", w().site_id},
                                       {"kind", "repair"},
                                       {"severity", "serious"},
                                       {"required_skills", {"scaleout"}}},
                                      w().dispatcher);
        if (r.status != 201) continue;
        ++created;
        if (r.body["status"] == "assigned") ++assigned;
      }
    });
  }
  clients.join();
  EXPECT_EQ(created.load(), kClients * kJobsEach);
  EXPECT_EQ(assigned.load(), 6) << "every free place taken, and no more";
  std::string ids = std::to_string(techs[0]) + "," + std::to_string(techs[1]) + "," +
                    std::to_string(techs[2]);
  EXPECT_EQ(db("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM jobs WHERE "
               "technician_id IN (" +
               ids + ") GROUP BY technician_id) AS per_technician"),
            2);
  EXPECT_EQ(db("SELECT COUNT(*) FROM jobs WHERE technician_id IN (" + ids + ")"), 6);
  EXPECT_EQ(db("SELECT COUNT(*) FROM (SELECT job_id FROM job_events WHERE type = 'assigned' "
               "GROUP BY job_id HAVING COUNT(*) > 1) AS twice"),
            0);
}

TEST_F(ScaleOutTest, AnOpResentToTheOtherInstanceIsAppliedOnce) {
  auto job = job_for(w().tech_a);
  // Five rounds of twenty notes, each round sent to both instances at once, as a tablet whose
  // answer was lost retries through the load balancer on the other machine.
  for (int round = 0; round < 5; ++round) {
    std::vector<json> ops;
    for (int i = 0; i < 20; ++i) {
      ops.push_back(op("note", job,
                       {{"text", "r" + std::to_string(round) + " n" + std::to_string(i)}}));
    }
    Response first, second;
    std::jthread a([&] {
      first = s().post("/api/v1/sync/push", {{"client_time", now_text()}, {"ops", json(ops)}},
                       w().tablet_a);
    });
    std::jthread b([&] {
      second = other().post("/api/v1/sync/push", {{"client_time", now_text()}, {"ops", json(ops)}},
                            w().tablet_a);
    });
    a.join();
    b.join();
    ASSERT_EQ(first.status, 200) << first.text;
    ASSERT_EQ(second.status, 200) << second.text;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      std::multiset<std::string> pair{first.body["results"][i]["status"],
                                      second.body["results"][i]["status"]};
      EXPECT_EQ(pair, (std::multiset<std::string>{"applied", "duplicate"})) << "op " << i;
    }
  }
  EXPECT_EQ(db("SELECT COUNT(*) FROM job_notes WHERE job_id = " + std::to_string(job)), 100);
}

TEST_F(ScaleOutTest, KillingOneInstanceMidPushLosesNoAcknowledgedOp) {
  auto third = ServerProcess::another_instance(s());
  auto job = job_for(w().tech_b);
  // A tablet pushes batches of five notes through the third instance; when that one dies it
  // sends the unanswered batch again to the first, as it would through the load balancer.
  std::set<std::string> acknowledged;
  std::atomic<int> batches_done{0};
  std::atomic<bool> failed_over{false};
  std::jthread tablet([&] {
    const ServerProcess* target = third.get();
    for (int batch = 0; batch < 60; ++batch) {
      std::vector<json> ops;
      for (int i = 0; i < 5; ++i) {
        ops.push_back(op("note", job,
                         {{"text", "b" + std::to_string(batch) + "." + std::to_string(i)}}));
      }
      auto r = target->post("/api/v1/sync/push", {{"client_time", now_text()}, {"ops", json(ops)}},
                            w().tablet_b);
      if (r.status != 200) {
        target = &s();
        failed_over = true;
        r = s().post("/api/v1/sync/push", {{"client_time", now_text()}, {"ops", json(ops)}},
                     w().tablet_b);
      }
      if (r.status != 200) continue;
      for (std::size_t i = 0; i < ops.size(); ++i) {
        auto status = r.body["results"][i]["status"];
        if (status == "applied" || status == "duplicate") acknowledged.insert(ops[i]["op_id"]);
      }
      ++batches_done;
    }
  });
  // Bounded wait for some acknowledged batches before the kill: 400 × 10 ms.
  for (int i = 0; i < 400 && batches_done < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  third->kill_hard();
  tablet.join();
  EXPECT_TRUE(failed_over.load()) << "the kill came after the last batch";
  EXPECT_EQ(acknowledged.size(), 300u) << "every batch answered, by one instance or the other";
  // Each acknowledged op is stored, once.
  EXPECT_EQ(db("SELECT COUNT(*) FROM job_notes WHERE job_id = " + std::to_string(job)),
            static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_EQ(db("SELECT COUNT(DISTINCT op_id) FROM job_notes WHERE job_id = " + std::to_string(job)),
            static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_EQ(s().get("/api/v1/jobs/" + std::to_string(job), w().dispatcher).status, 200);
}

TEST_F(ScaleOutTest, APullCursorNeverPassesAWriteThatCommitsLater) {
  auto held_job = job_for(w().tech_a);
  auto pushed_job = job_for(w().tech_a);
  json upserted, removed;
  std::string cursor = pull_all(w().tablet_a, "", upserted, removed);

  // A writer in mid-transaction, as an instance would be: it holds the write lock every instance
  // takes (store/pg.h, kWriteLockKey) and has changed a job, so the change feed has a row for it
  // that nobody can see yet.
  RawSession held(s().db_path());
  held.begin_as_writer();
  held.exec("UPDATE jobs SET description = 'held', version = version + 1 WHERE id = " +
            std::to_string(held_job));
  // Meanwhile a tablet pushes through the other instance: that writer waits for the lock.
  std::atomic<bool> committed{false};
  Response pushed;
  bool pushed_after_commit = false;
  std::jthread tablet([&] {
    pushed = other().post("/api/v1/sync/push",
                          {{"client_time", now_text()},
                           {"ops", json::array({op("note", pushed_job, {{"text", "x"}})})}},
                          w().tablet_a);
    pushed_after_commit = committed.load();
  });
  // Reads go on: a pull now sees neither write, and hands out a cursor from before both.
  auto during = pull(w().tablet_a, cursor);
  ASSERT_EQ(during.status, 200) << during.text;
  EXPECT_EQ(during.body["jobs"]["upserted"].size(), 0u) << during.text;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room for the push to arrive
  committed = true;
  held.exec("COMMIT");
  tablet.join();
  ASSERT_EQ(pushed.status, 200) << pushed.text;
  EXPECT_TRUE(pushed_after_commit) << "the second writer went ahead of the held transaction";
  // From the cursor handed out during the hold, the next pull brings both changes.
  pull_all(w().tablet_a, during.body["cursor"], upserted, removed);
  std::set<std::int64_t> ids;
  for (const auto& d : upserted) ids.insert(d["id"].get<std::int64_t>());
  EXPECT_TRUE(ids.contains(held_job));
  EXPECT_TRUE(ids.contains(pushed_job));
}

TEST_F(ScaleOutTest, APolicyReplacedThroughOneInstanceIsInForceOnTheOtherWithinSeconds) {
  const auto& admin = s().admin_token();
  auto original = s().get("/api/v1/sla-policy", admin).body;
  auto arrival = [](const json& policy) {
    return policy["tiers"]["critical"]["bands"][0]["arrival_minutes"];
  };
  auto policy = original;
  policy["tiers"]["critical"]["bands"][0]["arrival_minutes"] = 37;
  ASSERT_NE(arrival(original), 37);
  auto put = s().put("/api/v1/sla-policy", policy, admin);
  ASSERT_EQ(put.status, 200) << put.text;
  // Bounded wait, 100 × 100 ms: each instance re-reads the stored policy about once a second.
  json seen;
  for (int i = 0; i < 100; ++i) {
    seen = other().get("/api/v1/sla-policy", admin).body;
    if (arrival(seen) == 37) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(arrival(seen), 37) << "the other instance still has " << arrival(seen);
  // A job created through the other instance gets the new targets (critical, band ≤ 10 km).
  auto job = other().post("/api/v1/jobs",
                          {{"site_id", w().site_id},
                           {"kind", "repair"},
                           {"severity", "critical"},
                           {"auto_assign", false},
                           {"reported_at", "2026-11-20T10:00:00Z"}},
                          w().dispatcher);
  ASSERT_EQ(job.status, 201) << job.text;
  EXPECT_EQ(job.body["sla"]["arrival"]["due"], "2026-11-20T10:37:00Z");
  ASSERT_EQ(s().put("/api/v1/sla-policy", original, admin).status, 200);
}

// The value of a gauge in an instance's /metrics, or -1.
int gauge(const ServerProcess& server, const std::string& name) {
  auto r = server.get("/metrics", server.admin_token());
  auto at = r.text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoi(r.text.substr(at + name.size() + 2));
}

// The one of `servers` leading the periodic work, once exactly one says so (bounded wait).
int leader_of(const std::vector<const ServerProcess*>& servers) {
  for (int attempt = 0; attempt < 100; ++attempt) {  // 100 × 100 ms
    int leaders = 0, leader = -1;
    for (std::size_t i = 0; i < servers.size(); ++i) {
      if (gauge(*servers[i], "fieldserve_periodic_leader") == 1) {
        ++leaders;
        leader = static_cast<int>(i);
      }
    }
    if (leaders == 1) return leader;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

// A pair of its own on a database of its own: the suite's first instance leads the shared one,
// and the other cases need it alive.
TEST(ScaleOutTicker, TheTickerRunsOnOneInstanceAndAnotherTakesOverAfterAKill) {
  if (!on_postgresql()) GTEST_SKIP() << "several instances share a PostgreSQL database only";
  ServerProcess first;
  auto second = ServerProcess::another_instance(first);
  auto third = ServerProcess::another_instance(first);
  // The first to start leads; the others wait, whatever the number of passes they make.
  ASSERT_EQ(leader_of({&first, second.get(), third.get()}), 0);
  third->kill_hard();  // a follower's death changes nothing
  EXPECT_EQ(leader_of({&first, second.get()}), 0);
  first.kill_hard();
  EXPECT_EQ(leader_of({second.get()}), 0) << second->log();
  EXPECT_NE(second->log_containing("this instance leads the periodic work")
                .find("this instance leads the periodic work"),
            std::string::npos);
}

// A pair of its own with a small burst and a rate so slow that nothing refills during the case.
TEST(ScaleOutLimits, ATokensBurstHoldsAcrossThePairNotPerInstance) {
  if (!on_postgresql()) GTEST_SKIP() << "several instances share a PostgreSQL database only";
  const std::vector<std::string> limits{"--rate", "0.0001", "--burst", "20"};
  ServerProcess first(limits);
  auto token = first.make_token("dispatcher", "limited");
  auto second = ServerProcess::another_instance(first, limits);
  // Each learns within a tick or two that there are two of them (bounded wait, 10 s each).
  for (const ServerProcess* server : {&first, second.get()}) {
    auto log = server->log_containing("instances=2");
    ASSERT_NE(log.find("instances=2"), std::string::npos) << log;
  }
  int allowed = 0, refused = 0;
  for (int i = 0; i < 40; ++i) {
    auto status = (i % 2 == 0 ? first : *second).get("/api/v1/me", token).status;
    if (status == 200) ++allowed;
    if (status == 429) ++refused;
  }
  // Each instance grants half the burst: 20 in all, where each alone would have granted 20.
  EXPECT_EQ(allowed, 20);
  EXPECT_EQ(refused, 20);
}

TEST_F(ScaleOutTest, ATokenRevokedOnOneInstanceIsRefusedByTheOther) {
  auto made = s().post("/api/v1/tokens", {{"role", "dispatcher"}, {"name", "revoked elsewhere"}},
                       s().admin_token());
  ASSERT_EQ(made.status, 201) << made.text;
  std::string token = made.body["token"];
  // The other instance has it cached when it is revoked through the first.
  ASSERT_EQ(other().get("/api/v1/jobs?limit=1", token).status, 200);
  auto id = std::to_string(made.body["id"].get<std::int64_t>());
  ASSERT_EQ(s().del("/api/v1/tokens/" + id, s().admin_token()).status, 204);
  EXPECT_EQ(s().get("/api/v1/jobs?limit=1", token).status, 401);
  // The other re-reads a cached token a second after its last check (app/auth.cpp): a bounded
  // wait of 10 s for the refusal, not a measurement.
  int status = 200;
  for (int i = 0; i < 100 && status != 401; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = other().get("/api/v1/jobs?limit=1", token).status;
  }
  EXPECT_EQ(status, 401);
}

// nginx from Debian in front of the pair, with the configuration shipped for it
// (packaging/nginx/fieldserve-pair.conf), its ports moved to free ones.
class NginxProcess {
 public:
  NginxProcess(const std::filesystem::path& dir, int listen, int first, int second) {
    std::ifstream in(std::string(FIELDSERVE_SOURCE_DIR) + "/packaging/nginx/fieldserve-pair.conf");
    std::stringstream text;
    text << in.rdbuf();
    std::string conf = text.str();
    auto replace = [&](const std::string& from, const std::string& to) {
      auto at = conf.find(from);
      if (at == std::string::npos) throw std::runtime_error("the pair's conf has no " + from);
      conf.replace(at, from.size(), to);
    };
    replace("server 127.0.0.1:8081", "server 127.0.0.1:" + std::to_string(first));
    replace("server 127.0.0.1:8082", "server 127.0.0.1:" + std::to_string(second));
    replace("listen 127.0.0.1:8080", "listen 127.0.0.1:" + std::to_string(listen));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "pair.conf") << conf;
    std::ofstream(dir / "nginx.conf")
        << "daemon off;\npid " << (dir / "nginx.pid").string() << ";\nerror_log "
        << (dir / "error.log").string()
        << " warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n"
        << "  client_body_temp_path " << (dir / "body").string() << ";\n  proxy_temp_path "
        << (dir / "proxy").string() << ";\n  include " << (dir / "pair.conf").string() << ";\n}\n";
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      auto prefix = dir.string(), file = (dir / "nginx.conf").string();
      execl("/usr/sbin/nginx", "nginx", "-p", prefix.c_str(), "-c", file.c_str(), nullptr);
      _exit(127);
    }
  }
  ~NginxProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

 private:
  pid_t pid_ = -1;
};

// A port the kernel had free a moment ago (0 if it would give none: nginx then fails to start).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  bool found = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
               getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0;
  if (fd >= 0) close(fd);
  return found ? ntohs(addr.sin_port) : 0;
}

// How many GET /api/v1/jobs an instance answered, from its /metrics.
int jobs_served(const ServerProcess& server) {
  auto text = server.get("/metrics", server.admin_token()).text;
  const std::string series =
      "fieldserve_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/jobs\"";
  auto at = text.find(series);
  if (at == std::string::npos) return 0;
  return std::stoi(text.substr(text.find(' ', at + series.size()) + 1));
}

TEST_F(ScaleOutTest, NginxSpreadsRequestsOverThePairAndGoesAroundADeadInstance) {
  ASSERT_EQ(access("/usr/sbin/nginx", X_OK), 0) << "nginx (Debian's) is part of the suite";
  auto pair = ServerProcess::another_instance(s());
  int port = free_port();
  NginxProcess nginx(pair->dir() / "nginx", port, s().port(), pair->port());
  httplib::Client lb("127.0.0.1", port);
  lb.set_read_timeout(20, 0);
  httplib::Headers auth{{"Authorization", "Bearer " + w().dispatcher}};
  auto jobs = [&] {
    auto r = lb.Get("/api/v1/jobs?limit=1", auth);
    return r ? r->status : -1;
  };
  // Bounded wait for nginx to listen: 200 × 50 ms.
  for (int i = 0; i < 200 && jobs() != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int before_first = jobs_served(s()), before_second = jobs_served(*pair);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(jobs(), 200);
  EXPECT_GT(jobs_served(s()), before_first);
  EXPECT_GT(jobs_served(*pair), before_second);
  // One instance dies: every request still gets its answer, reads and pushes alike.
  pair->kill_hard();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(jobs(), 200);
  auto job = job_for(w().tech_a);
  auto note = op("note", job, {{"text", "through nginx"}});
  json body{{"client_time", now_text()}, {"ops", json::array({note})}};
  auto pushed = lb.Post("/api/v1/sync/push", {{"Authorization", "Bearer " + w().tablet_a}},
                        body.dump(), "application/json");
  ASSERT_TRUE(pushed);
  EXPECT_EQ(pushed->status, 200) << pushed->body;
  EXPECT_EQ(json::parse(pushed->body)["results"][0]["status"], "applied") << pushed->body;
}

// The command line on PostgreSQL: migrate makes the schema, import loads the sample data, and
// the database then holds what the same import makes in a SQLite file, row for row.
TEST(PostgresCli, MigrateAndImportFillPostgreSQLAsTheyFillSQLite) {
  auto cluster = pg_cluster_url();
  if (!cluster) GTEST_SKIP() << "the PostgreSQL pass only";
  PgTestDatabase pg(*cluster);
  std::string bin = FIELDSERVE_BINARY, out;
  ASSERT_EQ(run_command(bin + " migrate --db " + pg.url() + " 2>&1", &out), 0) << out;
  EXPECT_NE(out.find("schema version 14"), std::string::npos) << out;
  auto sample = std::string(FIELDSERVE_SOURCE_DIR) + "/sample_data";
  ASSERT_EQ(run_command(bin + " import --db " + pg.url() + " " + sample + " 2>&1", &out), 0) << out;
  EXPECT_NE(out.find("60 technicians"), std::string::npos) << out;
  // Imported once only, as on SQLite.
  EXPECT_NE(run_command(bin + " import --db " + pg.url() + " " + sample + " 2>&1", &out), 0);
  EXPECT_NE(out.find("already holds data"), std::string::npos) << out;

  auto dir = std::filesystem::temp_directory_path() /
             ("fieldserve-cli-pg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto lite = (dir / "same.db").string();
  ASSERT_EQ(run_command(bin + " migrate --db " + lite + " 2>&1", &out), 0) << out;
  ASSERT_EQ(run_command(bin + " import --db " + lite + " " + sample + " 2>&1", &out), 0) << out;
  for (const char* sql : {"SELECT COUNT(*) FROM centers", "SELECT COUNT(*) FROM technicians",
                          "SELECT COUNT(*) FROM customers", "SELECT COUNT(*) FROM sites",
                          "SELECT COUNT(*) FROM equipment", "SELECT COUNT(*) FROM jobs",
                          "SELECT COUNT(*) FROM job_events", "SELECT SUM(id) FROM jobs",
                          "SELECT COUNT(*) FROM jobs WHERE technician_id IS NOT NULL",
                          "SELECT COUNT(*) FROM jobs WHERE restore_done > restore_due",
                          "SELECT SUM(on_site_s) FROM jobs", "SELECT COUNT(*) FROM sync_changes"}) {
    EXPECT_EQ(scalar(pg.url(), sql), scalar(lite, sql)) << sql;
  }
  EXPECT_GT(scalar(lite, "SELECT COUNT(*) FROM jobs"), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fieldserve::testing
