#include "app/decision_times.h"

namespace fieldserve::app {

void DecisionTimes::record(double seconds) {
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

DecisionTimes::Figures DecisionTimes::figures() const {
  Figures f;
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    below += buckets_[i].load(std::memory_order_relaxed);
    f.at_most[i] = below;
  }
  f.count = count_.load(std::memory_order_relaxed);
  f.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return f;
}

}  // namespace fieldserve::app
