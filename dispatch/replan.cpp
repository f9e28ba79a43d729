#include "dispatch/replan.h"

#include <algorithm>
#include <cmath>

#include "dispatch/optimizer.h"

namespace fieldserve::dispatch {
namespace {

bool movable(const QueuedJob& q) {
  return (q.status == JobStatus::assigned || q.status == JobStatus::accepted) && !q.locked &&
         q.required_skills != nullptr;
}

std::chrono::seconds minutes(double m) {
  return std::chrono::seconds(static_cast<std::int64_t>(std::lround(m * 60)));
}

// The optimizer over every movable job due within the horizon; each technician keeps what they are
// on site at (and locked work), and is free for the rest when that is expected to end.
std::vector<Reassignment> optimizer_pass(std::span<const TechnicianState> technicians,
                                         const SlaPolicy& policy, Instant now,
                                         const TravelModel& travel, const ReplanConfig& config) {
  const Instant horizon = now + minutes(config.horizon_minutes);
  std::vector<OptimizeJob> jobs;
  std::vector<OptimizeTechnician> techs;
  for (const auto& t : technicians) {
    OptimizeTechnician o{t.technician, t.position, t.time_zone, now, 0, 60};
    int staying = 0;
    double expected_sum = 0;
    int expected_n = 0;
    for (const auto& q : t.queue) {
      expected_sum += q.service.expected_minutes;
      ++expected_n;
      if (movable(q) && q.arrival_due <= horizon) {
        jobs.push_back({q.id, q.severity, q.site, *q.required_skills, q.arrival_due,
                        t.technician->id});
        continue;
      }
      ++staying;
      if (q.status == JobStatus::on_site) {
        auto elapsed = now - q.on_site_since.value_or(now);
        auto rest = std::max(minutes(q.service.expected_minutes) -
                                 std::chrono::duration_cast<std::chrono::seconds>(elapsed),
                             minutes(q.service.spread_minutes / 2));
        o.free_at = std::max(o.free_at, now + rest);
        o.position = q.site;
      }
    }
    o.free_places = std::max(0, t.technician->max_open_jobs - staying);
    if (expected_n) o.place_minutes = expected_sum / expected_n;
    techs.push_back(o);
  }
  if (jobs.size() < 2) return {};
  auto plan = optimize(jobs, techs, policy, now, travel);
  // Better in the optimizer's own terms by more than half a kilometre's worth: no churn of jobs
  // between technicians for metres.
  bool better = plan.cost_after < plan.cost_before - 500;
  std::vector<Reassignment> moves;
  if (!better) return moves;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    auto to = plan.assignment[j].second;
    if (to && *to != *jobs[j].current) moves.push_back({jobs[j].id, *jobs[j].current, *to});
  }
  return moves;
}

}  // namespace

std::vector<Reassignment> replan(std::span<const TechnicianState> technicians,
                                 const SlaPolicy& policy, Instant now, const TravelModel& travel,
                                 const ReplanConfig& config) {
  return optimizer_pass(technicians, policy, now, travel, config);
}

}  // namespace fieldserve::dispatch
