#include "app/rate_limiter.h"

#include <algorithm>

namespace fieldserve::app {

bool RateLimiter::allow(TokenId id) {
  auto now = std::chrono::steady_clock::now();
  int share = share_.load();
  double rate = rate_ / share;
  double burst = std::max(1.0, burst_ / share);  // below one request nothing would ever pass
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(id, Bucket{burst, now});
  auto& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(burst, b.tokens + elapsed * rate);
  b.at = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace fieldserve::app
