#include "server/api/json/job_page.h"

#include <algorithm>
#include <charconv>

#include "server/api/json/job_json.h"

namespace fieldserve::server {

JobRenderCache::JobRenderCache(std::size_t capacity)
    : shard_capacity_(capacity == 0 ? 0 : std::max<std::size_t>(1, capacity / kShards)) {}

std::shared_ptr<const RenderedJob> JobRenderCache::find(store::JobStamp stamp,
                                                        std::uint64_t generation, Instant now) {
  auto& s = shard(stamp.id);
  std::lock_guard lock(s.mutex);
  auto it = s.jobs.find(stamp.id);
  if (it == s.jobs.end()) return nullptr;
  const auto& rendered = *it->second;
  if (rendered.version != stamp.version || rendered.policy_generation != generation ||
      now >= rendered.valid_until) {
    return nullptr;
  }
  return it->second;
}

void JobRenderCache::put(JobId id, std::shared_ptr<const RenderedJob> rendered) {
  if (shard_capacity_ == 0) return;
  auto& s = shard(id);
  std::lock_guard lock(s.mutex);
  if (s.jobs.size() >= shard_capacity_ && !s.jobs.contains(id)) s.jobs.clear();
  s.jobs[id] = std::move(rendered);
}

bool JobPageRenderer::held(store::JobStamp stamp) {
  auto rendered = cache_.find(stamp, generation_, now_);
  if (!rendered) return false;
  held_[stamp.id] = std::move(rendered);
  return true;
}

Reply JobPageRenderer::reply(const std::vector<app::ListedJob>& rows, int page_limit) {
  std::string out;
  out.reserve(64 + rows.size() * 1024);
  out += R"({"items":[)";
  bool first = true;
  for (const auto& row : rows) {
    if (!row.job && !held_.contains(row.stamp.id)) continue;  // cannot happen in one snapshot
    if (!first) out += ',';
    first = false;
    if (!row.job) {
      out += held_.at(row.stamp.id)->text;
      continue;
    }
    // Rendered in place, then copied for the cache: one copy, and none if it keeps nothing.
    std::size_t start = out.size();
    Instant valid_until = Instant::max();
    out += '{';
    append_job_fields(out, *row.job, policy_, now_, valid_until);
    out += '}';
    if (cache_.keeps()) {
      cache_.put(row.stamp.id, std::make_shared<const RenderedJob>(RenderedJob{
                                   row.job->version, generation_, valid_until, out.substr(start)}));
    }
  }
  out += R"(],"next_cursor":)";
  if (static_cast<int>(rows.size()) == page_limit && !rows.empty()) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, rows.back().stamp.id).ptr;
    out += '"';
    out.append(buf, end);
    out += '"';
  } else {
    out += "null";
  }
  out += '}';
  return json_text_reply(std::move(out));
}

}  // namespace fieldserve::server
