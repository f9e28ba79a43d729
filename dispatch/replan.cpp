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
                                         const TravelModel& travel, const ReplanConfig& config,
                                         std::span<const JobId> held) {
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
      bool is_held = std::find(held.begin(), held.end(), q.id) != held.end();
      if (movable(q) && !is_held && q.arrival_due <= horizon) {
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
                                 const ReplanConfig& config, std::span<const JobId> held) {
  return optimizer_pass(technicians, policy, now, travel, config, held);
}

}  // namespace fieldserve::dispatch

namespace fieldserve::dispatch {

std::optional<Reassignment> take_over_critical(std::span<const TechnicianState> technicians,
                                               TechnicianId freed, Instant now,
                                               const TravelModel& travel,
                                               const EngineConfig& config) {
  auto taker = std::find_if(technicians.begin(), technicians.end(),
                            [&](const TechnicianState& t) { return t.technician->id == freed; });
  if (taker == technicians.end()) return std::nullopt;
  const auto& me = *taker->technician;
  if (!me.active || static_cast<int>(taker->queue.size()) >= me.max_open_jobs) return std::nullopt;
  // With a job on site or a critical job of their own, the technician is not free for another.
  bool busy = std::any_of(taker->queue.begin(), taker->queue.end(), [](const QueuedJob& q) {
    return q.status == JobStatus::on_site || q.status == JobStatus::en_route ||
           q.severity == Severity::critical;
  });
  if (busy) return std::nullopt;

  struct Option {
    const QueuedJob* job;
    TechnicianId from;
  };
  std::optional<Option> best;
  for (const auto& owner : technicians) {
    if (owner.technician->id == freed) continue;
    std::optional<std::vector<PlannedArrival>> planned;
    for (const auto& q : owner.queue) {
      // A technician still driving to it can be turned back: the drive under way moves too.
      bool takeable = movable(q) || (q.status == JobStatus::en_route && !q.locked &&
                                     q.required_skills != nullptr);
      if (q.severity != Severity::critical || !takeable) continue;
      if (!std::all_of(q.required_skills->begin(), q.required_skills->end(), [&](const auto& s) {
            return std::find(me.skills.begin(), me.skills.end(), s) != me.skills.end();
          }))
        continue;
      if (best && best->job->arrival_due <= q.arrival_due) continue;
      if (!planned) planned = planned_arrivals(owner, now, travel);
      auto there = std::find_if(planned->begin(), planned->end(),
                                [&](const PlannedArrival& p) { return p.id == q.id; });
      if (there == planned->end()) continue;
      Instant mine = now + travel.leg(taker->position, q.site).time;
      if (mine + minutes(config.equal_arrival_minutes) < there->arrive)
        best = Option{&q, owner.technician->id};
    }
  }
  if (!best) return std::nullopt;
  return Reassignment{best->job->id, best->from, freed};
}

}  // namespace fieldserve::dispatch

namespace fieldserve::dispatch {

std::vector<Reassignment> rescue_late_jobs(std::span<const TechnicianState> technicians,
                                           Instant now, const TravelModel& travel,
                                           const RescueConfig& config) {
  const auto at_risk = minutes(config.at_risk_minutes);
  struct Late {
    const QueuedJob* job;
    TechnicianId from;
    Instant counted;  // planned arrival plus margin
  };
  std::vector<Late> late;
  std::vector<const TechnicianState*> idle;
  for (const auto& t : technicians) {
    if (t.queue.empty()) {
      if (t.technician->active) idle.push_back(&t);
      continue;
    }
    bool any_movable = std::any_of(t.queue.begin(), t.queue.end(), movable);
    if (!any_movable) continue;
    for (const auto& p : planned_arrivals(t, now, travel)) {
      auto q = std::find_if(t.queue.begin(), t.queue.end(),
                            [&](const QueuedJob& j) { return j.id == p.id; });
      // At risk: within at_risk_minutes of the due, or no longer on time with the margin the
      // engine assigned it with (the jobs ahead may still run over by that much).
      auto risk = std::max(at_risk, minutes(p.margin_minutes));
      if (q != t.queue.end() && movable(*q) && p.arrive + risk > q->arrival_due)
        late.push_back({&*q, t.technician->id, p.arrive + minutes(p.margin_minutes)});
    }
  }
  std::vector<Reassignment> moves;
  if (late.empty() || idle.empty()) return moves;
  std::sort(late.begin(), late.end(), [](const Late& a, const Late& b) {
    if (a.job->severity != b.job->severity) return a.job->severity < b.job->severity;
    return a.job->arrival_due < b.job->arrival_due;
  });
  for (const auto& l : late) {
    if (l.job->severity > config.least_severe) continue;
    std::optional<std::size_t> best;
    double best_km = 0;
    for (std::size_t i = 0; i < idle.size(); ++i) {
      if (!idle[i]) continue;
      const auto& skills = idle[i]->technician->skills;
      if (!std::all_of(l.job->required_skills->begin(), l.job->required_skills->end(),
                       [&](const auto& s) {
                         return std::find(skills.begin(), skills.end(), s) != skills.end();
                       }))
        continue;
      auto leg = travel.leg(idle[i]->position, l.job->site);
      // A critical job nobody reaches by its due still goes to whoever gets there clearly
      // sooner than its queue can be counted on to: the outage and the restore clock run on.
      bool much_sooner = l.job->severity == Severity::critical &&
                         now + leg.time + minutes(config.late_critical_gain_minutes) < l.counted;
      if (now + leg.time > l.job->arrival_due && !much_sooner) continue;
      if (!best || leg.road_km < best_km) best = i, best_km = leg.road_km;
    }
    if (!best) continue;
    moves.push_back({l.job->id, l.from, idle[*best]->technician->id});
    idle[*best] = nullptr;
  }
  return moves;
}

}  // namespace fieldserve::dispatch
