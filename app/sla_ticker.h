#pragma once
// The time-driven half of SLA monitoring (docs/sla.md): once a second, the jobs whose next
// at-risk or breach threshold has passed are read through the sla_next_check index (never a scan
// of all jobs) and re-evaluated; each state change becomes a job event and a log line. The same
// tick escalates complaints past their due (app/complaint_service.h) and, given a dispatcher,
// runs its sweep for jobs at risk every few minutes (app/dispatcher.h).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <optional>

#include "app/dispatcher.h"
#include "app/job_writer.h"
#include "app/rate_limiter.h"
#include "store/store.h"

namespace fieldserve::app {

class SlaTicker {
 public:
  SlaTicker(store::Store& store, JobWriter& writer,
            std::chrono::milliseconds period = std::chrono::seconds{1})
      : store_(store), writer_(writer), period_(period) {}
  ~SlaTicker() { stop(); }
  SlaTicker(const SlaTicker&) = delete;
  SlaTicker& operator=(const SlaTicker&) = delete;

  // The dispatcher whose sweep the tick runs; set before start().
  void sweep_with(Dispatcher& dispatcher) { dispatcher_ = &dispatcher; }
  // The rate limiter whose share of the rate each pass sets from the instances running now.
  void share_limits_of(RateLimiter& limiter) { limiter_ = &limiter; }
  void start();
  void stop();
  // One pass over the jobs due for a look at the writer clock's now, at most kMaxPerTick of them
  // (the rest wait for the next tick, so a large backlog after an upgrade neither holds the writer
  // for long nor delays a stop); returns how many it read.
  int run_once();
  // Whether the last pass found this instance leading (Store::lead_periodic_work), for /metrics.
  bool leading() const { return leading_.load(); }
  static constexpr int kBatch = 200;  // jobs per transaction
  static constexpr int kMaxPerTick = 20 * kBatch;

 private:
  store::Store& store_;
  JobWriter& writer_;
  std::chrono::milliseconds period_;
  Dispatcher* dispatcher_ = nullptr;
  RateLimiter* limiter_ = nullptr;
  std::optional<Instant> last_sweep_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> leading_{false};
  std::thread thread_;
};

}  // namespace fieldserve::app
