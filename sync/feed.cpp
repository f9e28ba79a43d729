#include "sync/feed.h"

#include <algorithm>
#include <unordered_map>

namespace fieldserve::sync {

std::string_view to_string(RemovalReason r) {
  switch (r) {
    case RemovalReason::reassigned: return "reassigned";
    case RemovalReason::cancelled: return "cancelled";
    case RemovalReason::closed: return "closed";
  }
  return "reassigned";
}

std::optional<RemovalReason> parse_removal_reason(std::string_view s) {
  if (s == "reassigned") return RemovalReason::reassigned;
  if (s == "cancelled") return RemovalReason::cancelled;
  if (s == "closed") return RemovalReason::closed;
  return std::nullopt;
}

std::vector<FeedItem> collapse(const std::vector<FeedEntry>& entries) {
  std::unordered_map<JobId, FeedItem> latest;
  latest.reserve(entries.size());
  for (const auto& e : entries) latest[e.job_id] = {e.job_id, e.removed, e.seq};
  std::vector<FeedItem> items;
  items.reserve(latest.size());
  for (auto& [id, item] : latest) items.push_back(item);
  std::sort(items.begin(), items.end(),
            [](const FeedItem& a, const FeedItem& b) { return a.last_seq < b.last_seq; });
  return items;
}

}  // namespace fieldserve::sync
