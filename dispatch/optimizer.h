#pragma once
// Batch optimize (docs/decisions.md): reassigns jobs not yet started to minimise, in order,
// tier-weighted arrival breaches, then tier-weighted minutes late, then road kilometres. The
// assignment step is solved exactly as a min-cost flow (LEMON's network simplex): source → job (1)
// → one node per free place of each technician (1) → sink, plus a job → sink arc for "nobody",
// priced above any breach. The job in a technician's k-th place arrives after the work that stays
// with them, k expected services, and the travel from where they are: so five urgent jobs given to
// one technician are priced as the queue they make. Travel between the reassigned jobs themselves
// is not modelled (each leg is from the technician's position); that is what keeps the step a flow,
// and exact.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dispatch/sla_policy.h"
#include "dispatch/travel.h"
#include "domain/model.h"

namespace fieldserve::dispatch {

struct OptimizeJob {
  JobId id = 0;
  Severity severity = Severity::general;
  geo::LatLon site;
  std::vector<std::string> required_skills;
  Instant arrival_due{};
  std::optional<TechnicianId> current;  // the technician it is assigned to now, if any
};

struct OptimizeTechnician {
  const Technician* technician = nullptr;
  geo::LatLon position;
  std::string time_zone;
  Instant free_at{};          // when the work they have started (or that is locked to them) ends
  int free_places = 0;        // max_open_jobs minus jobs that stay with them
  double place_minutes = 60;  // expected time on site per job queued for them
};

struct Score {
  int weighted_breaches = 0;  // arrival breaches × tier weight (8/4/2/1); nobody assigned counts ×2
  double km = 0;              // road km of the assigned pairs
  int unassigned = 0;
};

struct OptimizePlan {
  std::vector<std::pair<JobId, std::optional<TechnicianId>>> assignment;  // in the order given
  Score before, after;
  // The flow's own price of the plan as it stands and of the plan found: weighted breaches, then
  // weighted minutes late, then metres. cost_after ≤ cost_before always.
  std::int64_t cost_before = 0, cost_after = 0;
};

// Which technicians may take which job: active, skilled, on shift by the job's arrival due, and
// within four times the tier's dispatch radius.
bool may_take(const OptimizeTechnician& t, const OptimizeJob& job, const SlaPolicy& policy,
              Instant now);

OptimizePlan optimize(std::span<const OptimizeJob> jobs,
                      std::span<const OptimizeTechnician> technicians, const SlaPolicy& policy,
                      Instant now, const TravelModel& travel);

// The score of any assignment under the same model, each technician's jobs put in the places
// that make the fewest weighted breaches (for tests and the "before" and "after" figures).
Score score_assignment(std::span<const OptimizeJob> jobs,
                       std::span<const OptimizeTechnician> technicians,
                       const std::vector<std::optional<TechnicianId>>& assignment, Instant now,
                       const TravelModel& travel);

}  // namespace fieldserve::dispatch
