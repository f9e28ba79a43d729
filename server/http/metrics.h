#pragma once
// Request counters and latency histograms in Prometheus text format.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace fieldserve::server {

// A histogram kept by its owner: cumulative counts per upper bound, as Prometheus has them.
struct HistogramFigures {
  std::vector<double> bounds;
  std::vector<std::uint64_t> at_most;
  std::uint64_t count = 0;
  double sum = 0;
};

// Figures read at scrape time from their owners.
struct ScrapeFigures {
  double db_seconds = 0;
  std::uint64_t db_commits = 0;
  int committer_nice = 0;  // the group-commit thread's priority (0 when it could not be raised)
  int waiting_connections = 0;
  bool periodic_leader = false;  // this instance runs the SLA ticker's passes
  int instances = 1;             // instances sharing the database, as the rate limits count them
  HistogramFigures dispatch_decisions;  // seconds per dispatch decision (app/decision_times.h)
};

class Metrics {
 public:
  // `route` is the route pattern ("/api/v1/jobs/{id}"), never the raw path, so ids do not
  // multiply the series.
  void record(const std::string& method, const std::string& route, int status, double seconds);
  std::string render(const ScrapeFigures& figures) const;

 private:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1,    2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

}  // namespace fieldserve::server
