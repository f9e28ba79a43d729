#pragma once
// What-if replay (docs/decisions.md): the dispatch engine over a recorded request stream on a
// simulated clock. Requests arrive at reported_at; the chosen technician works their queue in
// severity-then-due order, travels at the model speed, stays service_minutes on site, and is then
// free at that site. A request nobody can take waits and is offered again whenever a technician
// frees up. The engine never sees a job's service_minutes before the job is done: it estimates
// them from the jobs finished so far. Pure: the caller reads the CSV files and writes the JSON.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/coverage.h"
#include "dispatch/engine.h"
#include "dispatch/replan.h"
#include "dispatch/service_times.h"
#include "dispatch/sla_policy.h"
#include "dispatch/travel.h"

namespace fieldserve::dispatch {

struct ReplayCenter {
  std::string id;
  geo::LatLon location;
  std::string time_zone;
};

struct ReplayTechnician {
  std::string id;
  geo::LatLon location;
  std::vector<std::string> skills;
  std::string center_id;
};

struct ReplayRequest {
  std::string id;
  Instant reported_at{};
  geo::LatLon location;
  Severity severity = Severity::general;
  JobKind kind = JobKind::repair;
  std::vector<std::string> required_skills;
  int service_minutes = 60;
};

enum class ReplayStrategy { sla, nearest };

struct TierOutcome {
  int count = 0;
  int arrived = 0;
  int arrival_met = 0;
  int breaches = 0;                     // breached targets: response, arrival, restore
  double km = 0;                        // road km driven to this tier's jobs
  std::vector<double> arrival_minutes;  // of the requests that were reached
};

// One request's fate, for reading a replay request by request (`fieldserve replay
// --requests-out`). Unset instants: never assigned.
struct RequestOutcome {
  std::string id;
  Severity severity = Severity::general;
  std::string technician;  // who worked it in the end; empty when nobody did
  Instant reported_at{};
  std::optional<Instant> assigned, arrived, finished;
  Instant response_due{}, arrival_due{}, restore_due{};
  double km = 0;  // the drive of whoever worked it
  bool response_breached = false, arrival_breached = false, restore_breached = false;
};

struct ReplayResult {
  std::string strategy;
  int requests = 0;
  int unassigned = 0;
  double total_km = 0;  // road km driven: to jobs and repositioning
  double repositioning_km = 0;
  // Drives to a job broken off for a critical call (the job went to someone else or later).
  double diverted_km = 0;
  int diversions = 0;
  int moves = 0;    // move-ups made
  int replans = 0;  // re-plans that changed an assignment
  // Time travelling to and working on jobs over the fleet's time from the first report to the
  // last job done.
  double utilisation_pct = 0;
  int weighted_breaches = 0;  // critical 8, serious 4, general 2, minor 1 per breached target
  std::array<TierOutcome, 4> tiers{};
  std::vector<RequestOutcome> outcomes;  // in replay order (reported_at, then id)
};

struct ReplayOptions {
  ReplayStrategy strategy = ReplayStrategy::sla;
  int max_open_jobs = 6;
  EngineConfig engine;
  ServiceTimeConfig service_times;  // prior_minutes: the policy's default
  bool move_up = true;              // the engine's coverage moves (never the baseline's)
  CoverageConfig coverage;
  bool replan = true;  // the engine re-plans jobs not started when the plan has gone stale
  // Its parts, each on only with `replan` (off to measure what one adds):
  bool optimizer_replan = true;  // the optimizer pass (dispatch::replan)
  bool take_over = true;         // dispatch::take_over_critical when a technician frees up
  bool rescue_sweep = true;      // dispatch::rescue_late_jobs every rescue.every_minutes
  ReplanConfig replan_config;
  RescueConfig rescue;  // the sweep for jobs at risk runs with re-planning
};

// `requests` in any order; they are replayed by reported_at (then id). Centers must not be
// empty. Business-hours tiers count Mon–Fri 08:00–18:00 in the nearest center's zone. The
// baseline sends the nearest idle technician with the skills; when none is idle the request
// waits for the first to free up. It never repositions and never re-plans.
ReplayResult replay(const std::vector<ReplayCenter>& centers,
                    const std::vector<ReplayTechnician>& technicians,
                    std::vector<ReplayRequest> requests, const SlaPolicy& policy,
                    const TravelModel& travel, const ReplayOptions& options = {});

// Nearest-rank percentile (p in (0, 100]) of `values`; 0 for an empty list.
double percentile_nearest_rank(std::vector<double> values, double p);

inline constexpr std::array<int, 4> kBreachWeights{8, 4, 2, 1};

}  // namespace fieldserve::dispatch
