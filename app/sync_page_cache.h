#pragma once
// Rendered snapshot pages of the sync pull, reused while nothing in them can have changed.
// Every change to what a job document embeds (the job, its site, customer, equipment, notes,
// parts, sign-offs) writes a row to the technician's change feed in the same transaction, so a
// page stands while the technician has no change after the feed position it was rendered at (the
// caller asks the store); the only other input is the time, through each SLA clock's state, so a
// page also expires at the first at-risk or due time in it.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "domain/model.h"

namespace fieldserve::app {

struct SnapshotPage {
  std::string upserted;          // the documents, comma-separated
  std::optional<JobId> last_id;  // the last job sent, if any
  int count = 0;
  bool more = false;          // more jobs after last_id
  std::int64_t feed_seq = 0;  // the feed's newest seq when the page was rendered
  std::int64_t floor = 0;     // a prune since then: start over rather than reason about it
  std::uint64_t policy_generation = 0;  // distance bands come from the policy
  Instant valid_until{};
};

class SyncPageCache {
 public:
  explicit SyncPageCache(std::size_t capacity = 4096) : capacity_(capacity) {}

  // A page that may still stand; the caller checks the feed for changes after page->feed_seq.
  std::shared_ptr<const SnapshotPage> find(TechnicianId technician, JobId after, int limit,
                                           std::int64_t floor, std::uint64_t policy_generation,
                                           Instant now) {
    std::lock_guard lock(mutex_);
    auto it = pages_.find({technician, after, limit});
    if (it == pages_.end()) return nullptr;
    const auto& page = *it->second;
    if (page.floor != floor || page.policy_generation != policy_generation ||
        now >= page.valid_until) {
      return nullptr;
    }
    return it->second;
  }

  void put(TechnicianId technician, JobId after, int limit,
           std::shared_ptr<const SnapshotPage> page) {
    std::lock_guard lock(mutex_);
    // Crude but bounded: a full cache starts over; a page costs one render to bring back.
    if (pages_.size() >= capacity_) pages_.clear();
    pages_[{technician, after, limit}] = std::move(page);
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::map<std::tuple<TechnicianId, JobId, int>, std::shared_ptr<const SnapshotPage>> pages_;
};

}  // namespace fieldserve::app
