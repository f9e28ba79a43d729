#include "app/policy_source.h"

#include "app/log.h"

namespace fieldserve::app {

PolicySource::PolicySource(dispatch::SlaPolicy policy)
    : policy_(std::move(policy)), always_open_(std::make_shared<dispatch::AlwaysOpenCalendar>()) {}

dispatch::SlaPolicy PolicySource::policy() const {
  std::shared_lock lock(policy_mutex_);
  return policy_;
}

void PolicySource::set_policy(dispatch::SlaPolicy policy) {
  std::unique_lock lock(policy_mutex_);
  policy_ = std::move(policy);
  generation_.fetch_add(1);
}

std::shared_ptr<const dispatch::Calendar> PolicySource::calendar(const Center& center,
                                                                 dispatch::CalendarKind kind) {
  if (kind == dispatch::CalendarKind::always) return always_open_;
  std::lock_guard lock(calendars_mutex_);
  auto key = std::make_pair(center.id, center.version);
  auto it = calendars_.find(key);
  if (it != calendars_.end()) return it->second;
  auto created = dispatch::BusinessHoursCalendar::create(center.time_zone, center.business_hours);
  std::shared_ptr<const dispatch::Calendar> calendar =
      created ? std::shared_ptr<const dispatch::Calendar>(std::move(*created)) : always_open_;
  if (!created) {
    log_event(LogLevel::error, "center calendar unusable; counting 24x7",
              {{"center_id", center.id}, {"error", created.error().message}});
  }
  calendars_[key] = calendar;
  return calendar;
}

void PolicySource::forget_center(CenterId id) {
  std::lock_guard lock(calendars_mutex_);
  std::erase_if(calendars_, [&](const auto& item) { return item.first.first == id; });
}

}  // namespace fieldserve::app
