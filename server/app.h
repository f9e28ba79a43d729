#pragma once
// What every handler needs: the store, the clock, auth, metrics, the SLA policy and the
// per-center calendars built from it.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "dispatch/calendar.h"
#include "dispatch/sla_policy.h"
#include "domain/time.h"
#include "server/auth.h"
#include "server/dispatcher.h"
#include "server/metrics.h"
#include "server/sync_page_cache.h"
#include "store/store.h"

namespace fieldserve::server {

// What the technician report prices a job's labour and travel at (parts come from part_prices).
struct CostRates {
  double labour_per_hour = 60;
  double travel_per_km = 0.5;
};

struct AppOptions {
  double rate_per_s = 200;  // per token
  double rate_burst = 400;
  // Sync pushes share commits (store::Store::write_grouped). Off only to measure the baseline of
  // one commit per push.
  bool group_commit = true;
  CostRates costs{};
};

class App {
 public:
  App(store::Store& store, const Clock& clock, AppOptions options = {});

  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  Authenticator& auth() { return auth_; }
  RateLimiter& limiter() { return limiter_; }
  Metrics& metrics() { return metrics_; }
  Dispatcher& dispatcher() { return dispatcher_; }
  bool group_commit() const { return group_commit_; }
  const CostRates& costs() const { return costs_; }
  SyncPageCache& sync_pages() { return sync_pages_; }

  dispatch::SlaPolicy policy() const;
  void set_policy(dispatch::SlaPolicy policy);
  // Bumped by every set_policy (a rollback too): rendered pages that depend on the policy name it.
  std::uint64_t policy_generation() const { return policy_generation_.load(); }

  // The calendar a tier's clocks run on at `center`. Business-hours calendars are cached per
  // center and rebuilt when the center changes (forget_center).
  std::shared_ptr<const dispatch::Calendar> calendar(const Center& center,
                                                     dispatch::CalendarKind kind);
  void forget_center(CenterId id);

 private:
  store::Store& store_;
  const Clock& clock_;
  Authenticator auth_;
  RateLimiter limiter_;
  Metrics metrics_;
  Dispatcher dispatcher_;
  bool group_commit_;
  CostRates costs_;
  SyncPageCache sync_pages_;
  mutable std::shared_mutex policy_mutex_;
  std::atomic<std::uint64_t> policy_generation_{0};
  dispatch::SlaPolicy policy_;
  std::mutex calendars_mutex_;
  std::map<std::pair<CenterId, std::int64_t>, std::shared_ptr<const dispatch::Calendar>>
      calendars_;
  std::shared_ptr<const dispatch::Calendar> always_open_;
};

}  // namespace fieldserve::server
