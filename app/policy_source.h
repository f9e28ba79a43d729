#pragma once
// The SLA policy in force and the calendars its tiers run on, shared by every use case. The
// policy is kept in memory (the store holds its document); calendars are built per center from
// its time zone and business hours and cached by the center's version.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "dispatch/calendar.h"
#include "dispatch/sla_policy.h"
#include "domain/model.h"

namespace fieldserve::app {

class PolicySource {
 public:
  explicit PolicySource(dispatch::SlaPolicy policy = dispatch::default_policy());

  dispatch::SlaPolicy policy() const;
  void set_policy(dispatch::SlaPolicy policy);
  // Bumped by every set_policy (a rollback too): rendered pages that depend on the policy name it.
  std::uint64_t generation() const { return generation_.load(); }

  // The calendar a tier's clocks run on at `center`. A center whose zone the tz database lost
  // counts 24×7 (logged) rather than refuse every job of the center.
  std::shared_ptr<const dispatch::Calendar> calendar(const Center& center,
                                                     dispatch::CalendarKind kind);
  // Drops the cached calendars of a center that changed.
  void forget_center(CenterId id);

 private:
  mutable std::shared_mutex policy_mutex_;
  std::atomic<std::uint64_t> generation_{0};
  dispatch::SlaPolicy policy_;
  std::mutex calendars_mutex_;
  std::map<std::pair<CenterId, std::int64_t>, std::shared_ptr<const dispatch::Calendar>> calendars_;
  std::shared_ptr<const dispatch::Calendar> always_open_;
};

}  // namespace fieldserve::app
