#include "app/policy_source.h"

#include "app/log.h"

namespace fieldserve::app {

PolicySource::PolicySource(dispatch::SlaPolicy policy, std::string document)
    : policy_(std::move(policy)),
      document_(std::move(document)),
      always_open_(std::make_shared<dispatch::AlwaysOpenCalendar>()) {}

dispatch::SlaPolicy PolicySource::policy() const {
  std::shared_lock lock(policy_mutex_);
  return policy_;
}

void PolicySource::set_policy(dispatch::SlaPolicy policy, std::string document) {
  std::unique_lock lock(policy_mutex_);
  policy_ = std::move(policy);
  document_ = std::move(document);
  generation_.fetch_add(1);
}

std::string PolicySource::document() const {
  std::shared_lock lock(policy_mutex_);
  return document_;
}

bool PolicySource::reload_if_changed(store::Store& store) {
  if (!parse_) return false;
  std::unique_lock change(change_mutex_, std::try_to_lock);
  if (!change.owns_lock()) return false;  // a change of this instance's own is under way
  auto stored = store.read([](store::Tx& tx) { return tx.setting("sla_policy"); });
  if (!stored || *stored == document()) return false;
  auto parsed = parse_(*stored);
  if (!parsed) {
    // Logged once per document: the next pass compares against it and stays quiet.
    log_event(LogLevel::error, "the stored SLA policy is not valid; the one in force stays",
              {{"error", parsed.error().message}});
    std::unique_lock lock(policy_mutex_);
    document_ = *stored;
    return false;
  }
  set_policy(std::move(*parsed), std::move(*stored));
  log_event(LogLevel::info, "the SLA policy was replaced through another instance; now in force");
  return true;
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
