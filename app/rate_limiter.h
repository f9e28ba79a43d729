#pragma once
// A token bucket per token: `rate_per_s` sustained, `burst` at once, across every instance that
// shares the database. Each instance keeps its own buckets and grants 1/n of the rate and the
// burst when n instances run (share_among, told every second by the SLA ticker), so a client
// spread over them by a load balancer gets its whole rate and never more; one that reaches only
// one instance gets 1/n of it (docs/architecture.md, "Several instances").
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "domain/model.h"

namespace fieldserve::app {

class RateLimiter {
 public:
  RateLimiter(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst) {}
  // False when the token's bucket is empty: the request is refused (429).
  bool allow(TokenId id);
  // How many instances share the rate (at least 1).
  void share_among(int instances) { share_ = std::max(1, instances); }
  int share() const { return share_.load(); }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  double rate_, burst_;
  std::atomic<int> share_{1};
  std::mutex mutex_;
  std::unordered_map<TokenId, Bucket> buckets_;
};

}  // namespace fieldserve::app
