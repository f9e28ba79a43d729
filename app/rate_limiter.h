#pragma once
// A token bucket per token: `rate_per_s` sustained, `burst` at once.
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

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::unordered_map<TokenId, Bucket> buckets_;
};

}  // namespace fieldserve::app
