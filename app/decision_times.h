#pragma once
// How long dispatch decisions take, as a histogram for /metrics: from the first read of the
// decision (the index's revision) to the choice, preemption search included; the writes that
// apply it are not counted. On PostgreSQL each read of a decision is a round trip, so this is
// where the two databases differ (docs/benchmarks.md).
#include <array>
#include <atomic>
#include <cstdint>

namespace fieldserve::app {

class DecisionTimes {
 public:
  // Upper bounds of the buckets, in seconds: fine around the 1 ms target.
  static constexpr std::array<double, 12> kBounds{0.0001, 0.0002, 0.0003, 0.0005, 0.00075, 0.001,
                                                  0.0015, 0.002,  0.005,  0.01,   0.05,    0.25};
  struct Figures {
    std::array<std::uint64_t, kBounds.size()> at_most{};  // cumulative, as Prometheus counts
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  void record(double seconds);
  Figures figures() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace fieldserve::app
