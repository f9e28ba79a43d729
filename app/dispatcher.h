#pragma once
// Runs the dispatch engine inside a write transaction: gathers the technicians near the site from
// an in-memory spatial index, their queues from the store, applies the decision (assignment,
// preemption, or the reason nobody was assigned) and records its explanation.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "app/decision_times.h"
#include "app/effects.h"
#include "app/job_writer.h"
#include "dispatch/engine.h"
#include "dispatch/replan.h"
#include "dispatch/service_times.h"
#include "geo/grid_index.h"
#include "store/tx.h"

namespace fieldserve::app {

// How a decision's candidates are kept with it: the store holds the text opaque, and whoever
// shows a decision reads it back (the API renders it as JSON, server/api/render).
using DecisionEncoder = std::function<std::string(const dispatch::Decision&)>;

// One idle technician the coverage rule (dispatch/coverage.h) would send to wait elsewhere.
struct MoveUpSuggestion {
  TechnicianId technician_id = 0;
  geo::LatLon from, to;
  double km = 0;            // road km of the move
  double gain_minutes = 0;  // mean drive to the next critical call of their skills, saved
};

// An idle technician as the move-up search takes them.
struct MoveUpCandidate {
  TechnicianId id = 0;
  geo::LatLon at;
  std::vector<std::string> skills;
};

// What the move-up search needs, read in one transaction.
struct MoveUpInputs {
  std::vector<store::CriticalCall> calls;
  std::vector<MoveUpCandidate> idle;
};

struct MoveUpSuggestions {
  int critical_calls = 0;  // learned from: the critical jobs of the history window
  int idle_technicians = 0;
  std::vector<MoveUpSuggestion> moves;
};

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
  // A job was resolved: its technician is free, early or late against the plan. With the
  // policy's rolling_replan on, they first take over a critical job queued elsewhere that they
  // reach earlier (dispatch::take_over_critical), then the jobs not yet started near it are
  // planned again.
  void technician_freed(store::Tx& tx, Effects& fx, const Job& resolved, const std::string& actor,
                        Instant now);
  // The sweep for jobs at risk (dispatch::rescue_late_jobs) over the whole fleet, with the
  // policy's rolling_replan on; the SLA ticker runs it every rescue_config().every_minutes.
  void sweep(store::Tx& tx, Effects& fx, Instant now);
  const dispatch::RescueConfig& rescue_config() const { return rescue_; }
  // Where idle technicians could wait for the next critical call: the replay's move-up, offered
  // to dispatchers. gather_move_ups() reads, in the caller's transaction, the critical jobs of
  // the last `history` days and the idle technicians (active, on shift, no open job), of one
  // center's sites and technicians when `center` is given; suggest_move_ups() then searches,
  // with no transaction open: each suggestion takes the fleet as the ones before it leave it,
  // and no technician is moved twice.
  MoveUpInputs gather_move_ups(store::Tx& tx, Instant now, std::chrono::days history,
                               std::optional<CenterId> center);
  MoveUpSuggestions suggest_move_ups(MoveUpInputs inputs, Instant now, int max_moves) const;
  // The batch optimizer's moves, applied by the caller in `tx`, recorded as dispatch decisions
  // (reason "optimizer"), so that each job's explanation names the technician who has it.
  void explain_moves(store::Tx& tx, std::span<const Job> moved, Instant now);
  // The work of one suggestion: (idle technician, demand cell) pairs within reach of each other
  // (dispatch::move_up_pairs_in_reach).
  std::int64_t move_up_pairs(const MoveUpInputs& inputs, Instant now) const;
  const dispatch::TravelModel& travel() const { return travel_; }
  const DecisionTimes& decision_times() const { return times_; }

 private:
  // The technicians within `radius_km` of `site` as the engine sees them; the states point into
  // the vectors, which move with the struct.
  struct Snapshot {
    std::vector<Technician> technicians;
    std::vector<store::QueuedRow> rows;
    std::vector<dispatch::TechnicianState> states;
  };
  Snapshot snapshot(store::Tx& tx, const geo::LatLon& site, double radius_km, JobId leave_out);
  // `fallback`: the position of a technician with neither a location nor a home center.
  Snapshot snapshot_of(store::Tx& tx, const std::vector<TechnicianId>& ids, JobId leave_out,
                       const geo::LatLon& fallback);
  // `started`: when the decision's first read began, for decision_times().
  dispatch::Decision decide_and_apply(store::Tx& tx, Effects& fx, Job& job,
                                      const std::string& actor, Instant now, bool allow_preemption,
                                      std::chrono::steady_clock::time_point started);
  // Re-plans the jobs not yet started of the technicians near `site` (dispatch/replan.h) and
  // applies the moves; `held` (the job the event just placed) stays. The caller holds mutex_.
  void replan_near(store::Tx& tx, Effects& fx, const geo::LatLon& site, double radius_km,
                   const std::string& actor, Instant now, std::optional<JobId> held);
  // The job taken over, if any.
  std::optional<JobId> take_over_near(store::Tx& tx, Effects& fx, TechnicianId freed,
                                      const geo::LatLon& site, double radius_km,
                                      const std::string& actor, Instant now);
  // Records an engine move of `job` (already with its new technician) as a dispatch decision:
  // `reason` names the rule, the candidates are as they stand now. The caller holds mutex_.
  void explain_move(store::Tx& tx, const Job& job, const std::string& reason, Instant now);
  // Applies one move of a job not started, if the job is still as the plan saw it; with
  // `turn_back` also of a job its technician is driving to.
  void move_job(store::Tx& tx, Effects& fx, const dispatch::Reassignment& m, const char* why,
                const std::string& actor, Instant now, bool turn_back = false);
  void refresh(store::Tx& tx);
  // Reloads the learned service times from the latest completed jobs every ten minutes.
  void refresh_service_times(store::Tx& tx, Instant now, int prior_minutes);
  dispatch::ServiceEstimate estimate(JobKind kind, const std::vector<std::string>& skills,
                                     const std::string& model) const;

  JobWriter& writer_;
  DecisionEncoder encode_;
  std::mutex mutex_;
  dispatch::EngineConfig config_;
  dispatch::RescueConfig rescue_;
  dispatch::GeodesicTravel travel_;
  geo::GridIndex index_;
  // The technicians as the index was loaded and patched, at the same revision: a decision reads
  // its candidates from here instead of asking the store (a round trip on PostgreSQL).
  std::unordered_map<TechnicianId, Technician> technicians_;
  std::int64_t known_revision_ = -1;  // the technicians' revision the index shows; -1: reload
  // The centers (for home positions and time zones), kept while their mark is unchanged.
  std::map<CenterId, Center> centers_;
  std::optional<store::Tx::DispatchRevisions> known_centers_;
  dispatch::ServiceTimeModel service_times_;
  std::optional<Instant> service_times_loaded_;
  DecisionTimes times_;
};

}  // namespace fieldserve::app
