#pragma once
// Pages of the job list, assembled from jobs rendered once per version. A dispatch console asks
// for the same open jobs every few seconds and most of them have not changed since; the store
// tells which ones did (JobService::list_known reads every row's version in the request's own
// snapshot) and only those are read whole and rendered again. A rendering is reused only while
// all of its inputs stand: the job's version, the SLA policy's generation (distance bands), and
// the time, up to the first instant an SLA state in it changes by itself.
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/job_service.h"
#include "dispatch/sla_policy.h"
#include "domain/model.h"
#include "server/http/route.h"

namespace fieldserve::server {

struct RenderedJob {
  std::int64_t version = 0;
  std::uint64_t policy_generation = 0;
  Instant valid_until{};
  std::string text;  // the job as one JSON object
};

class JobRenderCache {
 public:
  // At most about `capacity` jobs (about 1 kB each); a full shard starts over. 0 keeps nothing.
  explicit JobRenderCache(std::size_t capacity = 20'000);

  // The rendering of exactly this version, if it is still valid at `now` under `generation`.
  std::shared_ptr<const RenderedJob> find(store::JobStamp stamp, std::uint64_t generation,
                                          Instant now);
  void put(JobId id, std::shared_ptr<const RenderedJob> rendered);
  bool keeps() const { return shard_capacity_ > 0; }

 private:
  static constexpr std::size_t kShards = 16;  // request threads rarely wait on each other
  struct Shard {
    std::mutex mutex;
    std::unordered_map<JobId, std::shared_ptr<const RenderedJob>> jobs;
  };
  Shard& shard(JobId id) { return shards_[static_cast<std::size_t>(id) % kShards]; }

  std::size_t shard_capacity_;  // 0: keep nothing
  std::array<Shard, kShards> shards_;
};

// One page request against the cache: `held` is what JobService::list_known asks, and keeps the
// renderings it found until `reply` has written the page (another request may replace them in
// the cache meanwhile).
class JobPageRenderer {
 public:
  JobPageRenderer(JobRenderCache& cache, const dispatch::SlaPolicy& policy,
                  std::uint64_t generation, Instant now)
      : cache_(cache), policy_(policy), generation_(generation), now_(now) {}

  bool held(store::JobStamp stamp);
  // {"items": [...], "next_cursor"}: a cursor when the page came back full. Jobs read whole are
  // rendered and filed in the cache.
  Reply reply(const std::vector<app::ListedJob>& rows, int page_limit);

 private:
  JobRenderCache& cache_;
  const dispatch::SlaPolicy& policy_;
  std::uint64_t generation_;
  Instant now_;
  std::unordered_map<JobId, std::shared_ptr<const RenderedJob>> held_;
};

}  // namespace fieldserve::server
