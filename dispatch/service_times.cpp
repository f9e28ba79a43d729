#include "dispatch/service_times.h"

#include <algorithm>
#include <cmath>

namespace fieldserve::dispatch {
namespace {

double quantile_of_sorted(const std::vector<double>& sorted, double q) {
  // Nearest rank, as the replay's percentiles: no interpolation between two jobs.
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

ServiceTimeModel::ServiceTimeModel(ServiceTimeConfig config) : config_(config) {}

std::vector<std::string> ServiceTimeModel::level_keys(const ServiceKey& key) {
  std::string kind(to_string(key.kind));
  auto skills = key.skills;
  std::sort(skills.begin(), skills.end());
  std::string with_skills = kind + "|";
  for (const auto& s : skills) with_skills += s + ";";
  std::vector<std::string> keys{kind, with_skills};
  if (!key.model.empty()) keys.push_back(with_skills + "|" + key.model);
  return keys;
}

void ServiceTimeModel::record(const ServiceKey& key, double minutes) {
  if (!(minutes > 0) || minutes > config_.max_minutes) return;
  for (const auto& k : level_keys(key)) {
    auto& level = levels_[k];
    level.recent.push_back(minutes);
    if (static_cast<int>(level.recent.size()) > config_.window) level.recent.pop_front();
    std::vector<double> sorted(level.recent.begin(), level.recent.end());
    std::sort(sorted.begin(), sorted.end());
    level.p50 = quantile_of_sorted(sorted, 0.5);
    level.p90 = quantile_of_sorted(sorted, 0.9);
  }
}

ServiceEstimate ServiceTimeModel::estimate(const ServiceKey& key) const {
  ServiceEstimate e{config_.prior_minutes, config_.prior_minutes * config_.prior_spread_fraction};
  for (const auto& k : level_keys(key)) {
    auto it = levels_.find(k);
    if (it == levels_.end()) break;  // a finer level has no history either
    const auto& level = it->second;
    auto n = static_cast<double>(level.recent.size());
    double w = config_.prior_weight;
    e.expected_minutes = (w * e.expected_minutes + n * level.p50) / (w + n);
    e.spread_minutes = (w * e.spread_minutes + n * (level.p90 - level.p50)) / (w + n);
  }
  return e;
}

std::size_t ServiceTimeModel::samples(const ServiceKey& key) const {
  auto keys = level_keys(key);
  auto it = levels_.find(keys.back());
  return it == levels_.end() ? 0 : it->second.recent.size();
}

}  // namespace fieldserve::dispatch
