#pragma once
// How long a job keeps a technician on site, learned from completed jobs (docs/decisions.md,
// "Service-time estimates"). Per kind, per kind and skills, and per kind, skills and equipment
// model; each level is shrunk toward the level above it, and the top toward the policy default,
// so a key with little history borrows from its parents. The expected time is the median and the
// spread is the 90th percentile minus the median: robust to the odd job left open overnight.
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/model.h"

namespace fieldserve::dispatch {

struct ServiceEstimate {
  double expected_minutes = 60;
  double spread_minutes = 30;  // p90 − p50: how far past the expected time one job in ten runs
};

struct ServiceKey {
  JobKind kind = JobKind::repair;
  std::vector<std::string> skills;  // as required by the job, in any order
  std::string model;                // the equipment model, "" when unknown
};

struct ServiceTimeConfig {
  double prior_minutes = 60;  // the policy default, before any history
  double prior_spread_fraction = 0.5;
  int window = 200;          // the most recent durations kept per key
  double prior_weight = 5;   // how many completed jobs the parent estimate is worth
  double max_minutes = 720;  // a longer span is not continuous time on site (left, came back)
};

class ServiceTimeModel {
 public:
  explicit ServiceTimeModel(ServiceTimeConfig config = {});

  // A completed job's time on site. Durations outside (0, max_minutes] are ignored.
  void record(const ServiceKey& key, double minutes);
  ServiceEstimate estimate(const ServiceKey& key) const;
  // Completed jobs behind the most specific level of `key` (for explanations and tests).
  std::size_t samples(const ServiceKey& key) const;
  const ServiceTimeConfig& config() const { return config_; }

 private:
  struct Level {
    std::deque<double> recent;
    double p50 = 0, p90 = 0;  // of `recent`, kept current on every record
  };
  static std::vector<std::string> level_keys(const ServiceKey& key);
  ServiceTimeConfig config_;
  std::unordered_map<std::string, Level> levels_;
};

}  // namespace fieldserve::dispatch
