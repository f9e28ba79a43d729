#pragma once
// The SLA policy in force and the calendars its tiers run on, shared by every use case. The
// policy is kept in memory (the store holds its document); calendars are built per center from
// its time zone and business hours and cached by the center's version, which every instance
// reads from the database, so a center changed through another instance is seen at once.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "dispatch/calendar.h"
#include "dispatch/sla_policy.h"
#include "domain/error.h"
#include "domain/model.h"
#include "store/store.h"

namespace fieldserve::app {

class PolicySource {
 public:
  explicit PolicySource(dispatch::SlaPolicy policy = dispatch::default_policy(),
                        std::string document = {});

  dispatch::SlaPolicy policy() const;
  // `document`: the stored text it came from (settings "sla_policy"), which reload_if_changed
  // compares with the database's.
  void set_policy(dispatch::SlaPolicy policy, std::string document);
  void set_policy(dispatch::SlaPolicy policy) { set_policy(std::move(policy), document()); }
  std::string document() const;

  // Several instances share one database, and a policy replaced through one of them must reach
  // the others: the SLA ticker of each calls this every second. It reads the stored document and,
  // if it is not the one in force, parses it with `parse` (the JSON lives at the server's edge)
  // and puts it in force. Returns whether it did. A document that does not parse is logged and
  // the policy in force stays.
  using Parser = std::function<Result<dispatch::SlaPolicy>(const std::string& document)>;
  void follow_with(Parser parse) { parse_ = std::move(parse); }
  bool reload_if_changed(store::Store& store);
  // Held by whoever replaces the policy, from before its new document is in force until its
  // transaction ends, so that a reload in between does not put the old stored one back.
  std::unique_lock<std::mutex> hold_changes() { return std::unique_lock(change_mutex_); }
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
  std::string document_;
  Parser parse_;
  std::mutex change_mutex_;
  std::mutex calendars_mutex_;
  std::map<std::pair<CenterId, std::int64_t>, std::shared_ptr<const dispatch::Calendar>> calendars_;
  std::shared_ptr<const dispatch::Calendar> always_open_;
};

}  // namespace fieldserve::app
