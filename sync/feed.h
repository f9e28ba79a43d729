#pragma once
// Turning a technician's slice of the change feed into one pull page (docs/sync-protocol.md).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/model.h"

namespace fieldserve::sync {

enum class RemovalReason { reassigned, cancelled, closed };
std::string_view to_string(RemovalReason r);
std::optional<RemovalReason> parse_removal_reason(std::string_view s);

// One row of the feed: the job's document changed (removed empty) or the job left the list.
struct FeedEntry {
  std::int64_t seq = 0;
  JobId job_id = 0;
  std::optional<RemovalReason> removed;
};

// What a page says about one job: send its current document, or tell the device to drop it.
struct FeedItem {
  JobId job_id = 0;
  std::optional<RemovalReason> removed;
  std::int64_t last_seq = 0;  // the cursor after this item covers every entry up to here
};

// Collapses entries (ascending seq) so each job appears once, as its latest entry says, ordered
// by that entry's seq. A prefix of the result is a valid page: the cursor after item k is its
// last_seq, because every entry at or below it belongs to an item at or before k, and a job
// whose later entry lies beyond it comes again.
std::vector<FeedItem> collapse(const std::vector<FeedEntry>& entries);

}  // namespace fieldserve::sync
