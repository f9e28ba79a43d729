#pragma once
// Runs the dispatch engine inside a write transaction: gathers the technicians near the site from
// an in-memory spatial index, their queues from the store, applies the decision (assignment,
// preemption, or the reason nobody was assigned) and records its explanation.
#include <functional>
#include <mutex>
#include <string>

#include "app/effects.h"
#include "app/job_writer.h"
#include "dispatch/engine.h"
#include "geo/grid_index.h"
#include "store/tx.h"

namespace fieldserve::app {

// How a decision's candidates are kept with it: the store holds the text opaque, and whoever
// shows a decision reads it back (the API renders it as JSON, server/api/render).
using DecisionEncoder = std::function<std::string(const dispatch::Decision&)>;

class Dispatcher {
 public:
  Dispatcher(JobWriter& writer, DecisionEncoder encode, dispatch::EngineConfig config = {},
             double circuity = 1.3, double speed_kmh = 40)
      : writer_(writer),
        encode_(std::move(encode)),
        config_(config),
        travel_(circuity, speed_kmh) {}

  // Decides and applies for a stored job that is new or not yet started (the caller checks).
  // On preemption the moved job is put back to new and dispatched again (without preempting).
  // Returns the decision for `job`; `job` is updated and stored.
  dispatch::Decision auto_assign(store::Tx& tx, Effects& fx, Job& job, const std::string& actor,
                                 Instant now);
  // Keeps the index in step with a technician this transaction wrote: patched after commit, or
  // reloaded at the next use if another write came in between.
  void technician_changed(store::Tx& tx, Effects& fx, const Technician& t);
  const dispatch::TravelModel& travel() const { return travel_; }

 private:
  dispatch::Decision decide_and_apply(store::Tx& tx, Effects& fx, Job& job,
                                      const std::string& actor, Instant now, bool allow_preemption);
  void refresh(store::Tx& tx);

  JobWriter& writer_;
  DecisionEncoder encode_;
  std::mutex mutex_;
  dispatch::EngineConfig config_;
  dispatch::GeodesicTravel travel_;
  geo::GridIndex index_;
  std::int64_t known_revision_ = -1;  // the technicians' revision the index shows; -1: reload
};

}  // namespace fieldserve::app
