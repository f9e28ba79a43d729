#include "app/sla_ticker.h"

#include "app/complaint_service.h"
#include "app/effects.h"
#include "app/log.h"

namespace fieldserve::app {

void SlaTicker::start() {
  std::lock_guard guard(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        run_once();
      } catch (const std::exception& e) {
        // A busy or failing database: the same jobs are still due at the next tick.
        log_event(LogLevel::warn, "sla ticker pass failed", {{"error", std::string(e.what())}});
      }
      lock.lock();
      wake_.wait_for(lock, period_, [this] { return stopping_.load(); });
    }
  });
}

void SlaTicker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int SlaTicker::run_once() {
  // Every instance follows a policy replaced through another; one of them runs the passes
  // (docs/architecture.md, "Several instances").
  writer_.policy().reload_if_changed(store_);
  bool lead = store_.lead_periodic_work();
  if (limiter_) {
    int instances = store_.instances();
    if (instances != limiter_->share()) {
      log_event(LogLevel::info, "instances sharing the database changed; rate limits shared",
                {{"instances", std::int64_t{instances}}});
      limiter_->share_among(instances);
    }
  }
  if (lead != leading_.exchange(lead)) {
    log_event(LogLevel::info, lead ? "this instance leads the periodic work"
                                   : "another instance leads the periodic work");
  }
  if (!lead) return 0;
  auto now = writer_.clock().now();
  int total = 0;
  while (total < kMaxPerTick && !stopping_) {
    int read = write(store_, [&](store::Tx& tx, Effects& fx) {
      auto jobs = tx.jobs_due_for_sla_check(now, kBatch);
      for (auto& job : jobs) writer_.recheck_sla(tx, fx, job);
      return static_cast<int>(jobs.size());
    });
    total += read;
    if (read < kBatch) break;
  }
  // Complaints past their due are watched by the same tick (docs/after-sales.md).
  if (!stopping_) total += escalate_complaints(store_, now);
  auto every = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::duration<double, std::ratio<60>>(
          dispatcher_ ? dispatcher_->rescue_config().every_minutes : 0));
  if (dispatcher_ && !stopping_ && (!last_sweep_ || now - *last_sweep_ >= every)) {
    last_sweep_ = now;
    write(store_, [&](store::Tx& tx, Effects& fx) {
      dispatcher_->sweep(tx, fx, now);
      return 0;
    });
  }
  return total;
}

}  // namespace fieldserve::app
