#include "app/rate_limiter.h"

#include <algorithm>

namespace fieldserve::app {

bool RateLimiter::allow(TokenId id) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(id, Bucket{burst_, now});
  auto& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.at = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace fieldserve::app
