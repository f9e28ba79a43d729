#pragma once
// Runs the dispatch engine inside a write transaction: gathers the technicians near the site from
// an in-memory spatial index, their queues from the store, applies the decision (assignment,
// preemption, or the reason nobody was assigned) and records its explanation.
#include <mutex>
#include <string>

#include "dispatch/engine.h"
#include "geo/grid_index.h"
#include "store/tx.h"

namespace fieldserve::server {

class App;

class Dispatcher {
 public:
  explicit Dispatcher(dispatch::EngineConfig config = {}, double circuity = 1.3, double speed_kmh = 40)
      : config_(config), travel_(circuity, speed_kmh) {}

  // Decides and applies for a stored job that is new or not yet started (the caller checks).
  // On preemption the moved job is put back to new and dispatched again (without preempting).
  // Returns the decision for `job`; `job` is updated and stored.
  dispatch::Decision auto_assign(App& app, store::Tx& tx, Job& job, const std::string& actor,
                                 Instant now);
  // Keeps the index in step with a technician this process just wrote.
  void technician_changed(store::Tx& tx, const Technician& t);
  // A write that may have patched the index was rolled back: reload at the next use.
  void forget_index();
  const dispatch::TravelModel& travel() const { return travel_; }

 private:
  dispatch::Decision decide_and_apply(App& app, store::Tx& tx, Job& job, const std::string& actor,
                                      Instant now, bool allow_preemption);
  void refresh(store::Tx& tx);

  std::mutex mutex_;
  dispatch::EngineConfig config_;
  dispatch::GeodesicTravel travel_;
  geo::GridIndex index_;
  std::int64_t known_revision_ = -1;
};

}  // namespace fieldserve::server
