// Several fieldserve instances on one PostgreSQL database (docs/architecture.md, "Several
// instances"): two real server processes, real clients spread over both. These cases run only
// in the suite's PostgreSQL pass; on SQLite one process owns the file and they skip.
#include <atomic>
#include <set>
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
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
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
  for (auto& t : clients) t.join();
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
    std::thread a([&] {
      first = s().post("/api/v1/sync/push", {{"client_time", now_text()}, {"ops", json(ops)}},
                       w().tablet_a);
    });
    std::thread b([&] {
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
  std::thread tablet([&] {
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
  std::thread tablet([&] {
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

}  // namespace
}  // namespace fieldserve::testing
