// Job list pages from renderings kept per job version: a kept rendering is used only while the
// job's version, the policy's generation and the SLA states in it all still stand, and a page
// assembled from kept renderings reads the same as one rendered afresh.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "dispatch/sla_policy.h"
#include "server/api/json/job_json.h"
#include "server/api/json/job_page.h"

namespace fieldserve::server {
namespace {

using nlohmann::json;
using std::chrono::minutes;

const Instant t0 = from_epoch_s(1'794'794'400);

Job open_job(JobId id) {
  Job j;
  j.id = id;
  j.site_id = 7;
  j.severity = Severity::serious;
  j.description = "Compressor trips \"at random\" #" + std::to_string(id);
  j.required_skills = {"hvac"};
  j.reported_at = t0;
  j.created_at = t0;
  j.status = JobStatus::assigned;
  j.technician_id = 3;
  j.distance_km = 12.5;
  j.version = 4;
  for (int t = 0; t < 3; ++t) {
    j.sla[t].target_minutes = 30 * (t + 1);
    j.sla[t].due = t0 + minutes(30 * (t + 1));
    j.sla[t].at_risk_at = t0 + minutes(20 * (t + 1));
  }
  return j;
}

std::vector<app::ListedJob> read_whole(const std::vector<Job>& jobs) {
  std::vector<app::ListedJob> rows;
  for (const auto& j : jobs) rows.push_back({{j.id, j.version}, j});
  return rows;
}

// The page a caller gets when it holds what the cache has and reads the rest whole, as
// JobService::list_known does.
std::string page_through(JobRenderCache& cache, const std::vector<Job>& jobs,
                         const dispatch::SlaPolicy& policy, std::uint64_t generation, Instant now,
                         int* rendered = nullptr) {
  JobPageRenderer renderer(cache, policy, generation, now);
  std::vector<app::ListedJob> rows;
  int fresh = 0;
  for (const auto& j : jobs) {
    store::JobStamp stamp{j.id, j.version};
    if (renderer.held(stamp)) {
      rows.push_back({stamp, std::nullopt});
    } else {
      rows.push_back({stamp, j});
      ++fresh;
    }
  }
  if (rendered) *rendered = fresh;
  return renderer.reply(rows, 50).text;
}

TEST(JobRenderCache, KeepsARenderingOnlyForItsVersionGenerationAndTime) {
  JobRenderCache cache;
  auto policy = dispatch::default_policy();
  Job job = open_job(9);
  Instant now = t0 + minutes(5);
  JobPageRenderer(cache, policy, 2, now).reply(read_whole({job}), 50);

  EXPECT_NE(cache.find({9, 4}, 2, now), nullptr);
  EXPECT_EQ(cache.find({9, 5}, 2, now), nullptr) << "the job changed since";
  EXPECT_EQ(cache.find({9, 4}, 3, now), nullptr) << "the policy changed since";
  EXPECT_EQ(cache.find({8, 4}, 2, now), nullptr);
  // Response turns at risk at t0 + 20 min: the rendering said "pending" and stands until then.
  EXPECT_NE(cache.find({9, 4}, 2, t0 + minutes(20) - std::chrono::seconds(1)), nullptr);
  EXPECT_EQ(cache.find({9, 4}, 2, t0 + minutes(20)), nullptr);
}

TEST(JobRenderCache, AKeptPageReadsLikeAFreshOneAndFollowsTheClock) {
  auto policy = dispatch::default_policy();
  std::vector<Job> jobs{open_job(1), open_job(2), open_job(3)};
  jobs[1].version = 7;
  jobs[1].description = "Second \\ job\n";
  JobRenderCache cache;
  JobRenderCache nothing_kept(0);
  Instant now = t0 + minutes(5);

  int rendered = 0;
  auto cold = page_through(cache, jobs, policy, 0, now, &rendered);
  EXPECT_EQ(rendered, 3);
  auto warm = page_through(cache, jobs, policy, 0, now, &rendered);
  EXPECT_EQ(rendered, 0) << "every job was kept";
  EXPECT_EQ(warm, cold);
  EXPECT_EQ(page_through(nothing_kept, jobs, policy, 0, now, &rendered), cold);
  EXPECT_EQ(rendered, 3) << "a cache of size 0 keeps nothing";

  // Each item is exactly the job's own rendering at that time.
  auto page = json::parse(warm);
  ASSERT_EQ(page["items"].size(), 3u);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    std::string one;
    append_job(one, jobs[i], policy, now);
    EXPECT_EQ(page["items"][i], json::parse(one));
  }
  EXPECT_TRUE(page["next_cursor"].is_null());

  // Past the at-risk time the kept renderings no longer stand: the states move on.
  auto later = json::parse(page_through(cache, jobs, policy, 0, t0 + minutes(21), &rendered));
  EXPECT_EQ(rendered, 3);
  EXPECT_EQ(later["items"][0]["sla"]["response"]["state"], "at_risk");
  EXPECT_EQ(page["items"][0]["sla"]["response"]["state"], "pending");

  // A changed job is rendered again; the others are reused.
  jobs[2].version = 5;
  jobs[2].description = "changed";
  auto changed = json::parse(page_through(cache, jobs, policy, 0, t0 + minutes(21), &rendered));
  EXPECT_EQ(rendered, 1);
  EXPECT_EQ(changed["items"][2]["description"], "changed");
}

TEST(JobRenderCache, AFullPageNamesTheNextCursor) {
  auto policy = dispatch::default_policy();
  JobRenderCache cache;
  JobPageRenderer renderer(cache, policy, 0, t0);
  auto page = json::parse(renderer.reply(read_whole({open_job(40), open_job(41)}), 2).text);
  EXPECT_EQ(page["next_cursor"], "41");
}

TEST(JobRenderCache, AFullShardStartsOverAndStaysBounded) {
  auto policy = dispatch::default_policy();
  JobRenderCache cache(16);  // one job per shard
  Instant now = t0 + minutes(5);
  JobPageRenderer(cache, policy, 0, now).reply(read_whole({open_job(1)}), 50);
  EXPECT_NE(cache.find({1, 4}, 0, now), nullptr);
  JobPageRenderer(cache, policy, 0, now).reply(read_whole({open_job(17)}), 50);  // same shard
  EXPECT_EQ(cache.find({1, 4}, 0, now), nullptr);
  EXPECT_NE(cache.find({17, 4}, 0, now), nullptr);
}

// Request threads share the cache (the ThreadSanitizer run of CI includes this test): whatever
// the interleaving, a rendering found is always of the version asked for.
TEST(JobRenderCache, ThreadsSharingItOnlyEverSeeTheVersionTheyAskFor) {
  auto policy = dispatch::default_policy();
  JobRenderCache cache(64);  // small: shards start over while others read
  Instant now = t0 + minutes(5);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < 200; ++round) {
        std::vector<Job> jobs;
        for (JobId id = 1; id <= 20; ++id) {
          Job j = open_job(id);
          j.version = 1 + (round + w) % 3;
          j.description = "v" + std::to_string(j.version);
          jobs.push_back(j);
        }
        auto page = json::parse(page_through(cache, jobs, policy, 0, now));
        for (std::size_t i = 0; i < jobs.size(); ++i) {
          if (page["items"][i]["version"] != jobs[i].version ||
              page["items"][i]["description"] != jobs[i].description) {
            ++wrong;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace fieldserve::server
