#include "server/app.h"

#include <spdlog/spdlog.h>

#include "server/json/policy_json.h"

namespace fieldserve::server {

App::App(store::Store& store, const Clock& clock, AppOptions options)
    : store_(store),
      clock_(clock),
      auth_(store, clock),
      limiter_(options.rate_per_s, options.rate_burst),
      group_commit_(options.group_commit),
      costs_(options.costs),
      policy_(dispatch::default_policy()),
      always_open_(std::make_shared<dispatch::AlwaysOpenCalendar>()) {
  auto stored = store_.read([](store::Tx& tx) { return tx.setting("sla_policy"); });
  if (stored) {
    auto parsed = policy_from_json(nlohmann::json::parse(*stored, nullptr, false));
    if (parsed) {
      policy_ = *parsed;
    } else {
      spdlog::error("the stored SLA policy is not valid ({}); using the defaults",
                    parsed.error().message);
    }
  }
}

dispatch::SlaPolicy App::policy() const {
  std::shared_lock lock(policy_mutex_);
  return policy_;
}

void App::set_policy(dispatch::SlaPolicy policy) {
  std::unique_lock lock(policy_mutex_);
  policy_ = std::move(policy);
  policy_generation_.fetch_add(1);
}

std::shared_ptr<const dispatch::Calendar> App::calendar(const Center& center,
                                                        dispatch::CalendarKind kind) {
  if (kind == dispatch::CalendarKind::always) return always_open_;
  std::lock_guard lock(calendars_mutex_);
  auto key = std::make_pair(center.id, center.version);
  auto it = calendars_.find(key);
  if (it != calendars_.end()) return it->second;
  auto created = dispatch::BusinessHoursCalendar::create(center.time_zone, center.business_hours);
  // A stored center always passed validation; if the tz database lost its zone, count 24×7
  // rather than refuse every job of the center.
  std::shared_ptr<const dispatch::Calendar> calendar =
      created ? std::shared_ptr<const dispatch::Calendar>(std::move(*created)) : always_open_;
  if (!created) spdlog::error("center {}: {}", center.id, created.error().message);
  calendars_[key] = calendar;
  return calendar;
}

void App::forget_center(CenterId id) {
  std::lock_guard lock(calendars_mutex_);
  std::erase_if(calendars_, [&](const auto& item) { return item.first.first == id; });
}

}  // namespace fieldserve::server
