#include "dispatch/engine.h"

#include <date/tz.h>

#include <algorithm>

#include "dispatch/assignment_rules.h"
#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

int rank(Severity s) { return static_cast<int>(s); }  // critical = 0

// The job goes behind every queued job that is more severe, or as severe and due no later; a
// critical job goes right behind the job the technician is on site at (docs/decisions.md).
bool goes_ahead(const QueuedJob& queued, const Job& job) {
  if (queued.status == JobStatus::on_site) return true;
  if (job.severity == Severity::critical) return false;
  if (rank(queued.severity) != rank(job.severity))
    return rank(queued.severity) < rank(job.severity);
  return queued.arrival_due <= job.clock(SlaTarget::arrival).due;
}

// What placing the job in a technician's queue means: when it gets there, from where, and which
// job already queued it would make late.
struct QueueWalk {
  Instant free_at;  // when the jobs ahead are done
  int ahead = 0;
  Instant eta;
  double travel_km = 0;  // the leg to the job
  JobId delayed = 0;     // first queued job on time without the job and late with it
};

// Walks the queue once: the work order is on site first, then severity, then arrival due; each
// leg is measured once and shared by the walk with the job and the walk without it.
QueueWalk walk_queue(const TechnicianState& t, const Job& job, const geo::LatLon& site, Instant now,
                     const TravelModel& travel, const EngineConfig& config, bool check_delays) {
  std::vector<const QueuedJob*> queue;
  queue.reserve(t.queue.size());
  for (const auto& q : t.queue) {
    if (q.status != JobStatus::on_hold) queue.push_back(&q);  // waiting for parts or the customer
  }
  std::sort(queue.begin(), queue.end(), [](const QueuedJob* a, const QueuedJob* b) {
    bool a_on = a->status == JobStatus::on_site, b_on = b->status == JobStatus::on_site;
    if (a_on != b_on) return a_on;
    if (a->severity != b->severity) return rank(a->severity) < rank(b->severity);
    if (a->arrival_due != b->arrival_due) return a->arrival_due < b->arrival_due;
    return a->id < b->id;
  });
  // In this order the jobs that go ahead form a prefix.
  std::size_t ahead = 0;
  while (ahead < queue.size() && goes_ahead(*queue[ahead], job)) ++ahead;

  const std::chrono::seconds service{config.service_minutes * 60};
  QueueWalk walk{now, static_cast<int>(ahead), now, 0, 0};
  geo::LatLon from = t.position;
  auto serve = [&](const QueuedJob& q, Instant& free_at, std::chrono::seconds leg_time) {
    if (q.status == JobStatus::on_site) {
      free_at = std::max(now, q.on_site_since.value_or(now) + service);
      return now;  // already there
    }
    Instant arrive = free_at + leg_time;
    free_at = arrive + service;
    return arrive;
  };
  for (std::size_t i = 0; i < ahead; ++i) {
    serve(*queue[i], walk.free_at, travel.leg(from, queue[i]->site).time);
    from = queue[i]->site;
  }
  auto to_job = travel.leg(from, site);
  walk.travel_km = to_job.road_km;
  walk.eta = walk.free_at + to_job.time;
  if (!check_delays || ahead == queue.size()) return walk;

  // The jobs behind: once as they are, once after the new job (on site for `service`).
  Instant without = walk.free_at, with = walk.eta + service;
  geo::LatLon from_without = from;
  for (std::size_t i = ahead; i < queue.size(); ++i) {
    const auto& q = *queue[i];
    auto leg_without = travel.leg(from_without, q.site).time;
    auto leg_with = i == ahead ? travel.leg(site, q.site).time : leg_without;
    Instant on_time = serve(q, without, leg_without);
    Instant late = serve(q, with, leg_with);
    if (q.status != JobStatus::on_site && late > q.arrival_due && on_time <= q.arrival_due) {
      walk.delayed = q.id;
      break;
    }
    from_without = q.site;
  }
  return walk;
}

}  // namespace

bool on_shift_by(const WeeklyHours& shift, const std::string& time_zone, Instant now,
                 Instant until) {
  if (is_on_shift(shift, time_zone, now)) return true;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(time_zone);
  } catch (const std::exception&) {
    return false;
  }
  auto local_now = zone->to_local(now);
  auto day = date::floor<date::days>(local_now);
  // A shift start within the window: look at the starts of today and the next days it spans.
  for (int d = 0; d < 8; ++d, day += date::days{1}) {
    auto index = static_cast<int>((date::weekday{day}.c_encoding() + 6) % 7);
    if (!shift[index]) continue;
    auto start_local = day + std::chrono::minutes{shift[index]->start_min};
    if (start_local < local_now) continue;
    auto start = zone->to_sys(start_local, date::choose::earliest);
    return start <= until;
  }
  return false;
}

Decision decide(const Job& job, const geo::LatLon& site, const TierPolicy& tier,
                std::span<const TechnicianState> technicians, Instant now,
                const TravelModel& travel, const EngineConfig& config) {
  Decision decision;
  const Instant arrival_due = job.clock(SlaTarget::arrival).due;
  decision.candidates.reserve(technicians.size());
  for (const auto& state : technicians) {
    const auto& t = *state.technician;
    Candidate c;
    c.technician_id = t.id;
    if (!t.active) {
      c.excluded_because = "inactive";
    } else if (!on_shift_by(t.shift, state.time_zone, now, std::max(now, arrival_due))) {
      c.excluded_because = "off_shift";
    } else if (
        std::any_of(job.required_skills.begin(), job.required_skills.end(), [&](const auto& s) {
          return std::find(t.skills.begin(), t.skills.end(), s) == t.skills.end();
        })) {
      c.excluded_because = "missing_skills";
    } else if (static_cast<int>(state.queue.size()) >= t.max_open_jobs) {
      c.excluded_because = "at_capacity";
    }
    // The radius is measured from where the technician is. Exact geodesics only for those still
    // in the running: an excluded technician's distance is an explanation, not an input, and the
    // spherical figure (within 0.5 %) serves, as it does to drop anyone clearly beyond the widest
    // radius the engine may try before the queue walk, the costly part.
    double widest = tier.dispatch_radius_km * config.max_radius_factor;
    c.distance_km = geo::haversine_km(state.position, site);
    if (c.excluded_because.empty() && c.distance_km > widest * 1.01)
      c.excluded_because = "outside_radius";
    if (c.excluded_because.empty()) {
      c.distance_km = geo::geodesic_km(state.position, site);
      if (c.distance_km > widest) c.excluded_because = "outside_radius";
    }
    c.eligible = c.excluded_because.empty();
    if (c.eligible) {
      // Travel and ETA from where the technician will be once the jobs queued ahead are done.
      auto walk = walk_queue(state, job, site, now, travel, config, false);
      c.travel_km = walk.travel_km;
      c.free_at = walk.free_at;
      c.eta = walk.eta;
      c.queue_ahead = walk.ahead;
      c.meets_arrival_target = c.eta <= arrival_due;
    }
    decision.candidates.push_back(c);
  }

  // Taking the job must not make a job already queued behind it late: a choice that breaks
  // another job's target is not one that meets the targets. That check walks the whole queue, so
  // it runs only for the candidates that could win, in the order they would win, until one passes.
  std::vector<bool> delay_checked(decision.candidates.size(), false);
  for (int factor = 1; factor <= config.max_radius_factor; factor *= 2) {
    double radius = tier.dispatch_radius_km * factor;
    decision.radius_km = radius;
    std::vector<std::size_t> meeting;
    const Candidate* earliest = nullptr;
    for (std::size_t i = 0; i < decision.candidates.size(); ++i) {
      const auto& c = decision.candidates[i];
      if (!c.eligible || c.distance_km > radius) continue;
      if (c.meets_arrival_target) meeting.push_back(i);
      if (!earliest || c.eta < earliest->eta ||
          (c.eta == earliest->eta && c.travel_km < earliest->travel_km)) {
        earliest = &c;
      }
    }
    std::sort(meeting.begin(), meeting.end(), [&](std::size_t a, std::size_t b) {
      const auto &ca = decision.candidates[a], &cb = decision.candidates[b];
      if (ca.travel_km != cb.travel_km) return ca.travel_km < cb.travel_km;
      return ca.eta < cb.eta;
    });
    for (std::size_t i : meeting) {
      auto& c = decision.candidates[i];
      if (!delay_checked[i]) {
        delay_checked[i] = true;
        c.delays_job_id = walk_queue(technicians[i], job, site, now, travel, config, true).delayed;
        if (c.delays_job_id) c.meets_arrival_target = false;
      }
      if (c.meets_arrival_target) {
        decision.chosen = c.technician_id;
        break;
      }
    }
    if (decision.chosen) break;
    if (earliest) {
      decision.chosen = earliest->technician_id;
      decision.reason = "no_technician_meets_target";
      break;
    }
  }
  if (!decision.chosen) decision.reason = "no_eligible_technician";
  // Whoever stayed beyond the radius finally used was not eligible after all.
  for (auto& c : decision.candidates) {
    if (c.eligible && c.distance_km > decision.radius_km) {
      c.eligible = false;
      c.excluded_because = "outside_radius";
    }
  }
  return decision;
}

std::optional<Preemption> find_preemption(const Job& job, const geo::LatLon& site,
                                          const TierPolicy& tier,
                                          std::span<const TechnicianState> technicians, Instant now,
                                          const TravelModel& travel, const EngineConfig& config) {
  if (job.severity != Severity::critical) return std::nullopt;
  const Instant arrival_due = job.clock(SlaTarget::arrival).due;
  std::optional<Preemption> best;
  for (const auto& state : technicians) {
    const auto& t = *state.technician;
    if (!t.active || !on_shift_by(t.shift, state.time_zone, now, std::max(now, arrival_due)))
      continue;
    bool has_skills =
        std::all_of(job.required_skills.begin(), job.required_skills.end(), [&](const auto& s) {
          return std::find(t.skills.begin(), t.skills.end(), s) != t.skills.end();
        });
    if (!has_skills || geo::geodesic_km(state.position, site) > tier.dispatch_radius_km) continue;
    if (static_cast<int>(state.queue.size()) > t.max_open_jobs) continue;
    for (const auto& q : state.queue) {
      bool movable = (q.status == JobStatus::assigned || q.status == JobStatus::accepted) &&
                     q.severity != Severity::critical && !q.locked;
      if (!movable) continue;
      TechnicianState without = state;
      std::erase_if(without.queue, [&](const QueuedJob& other) { return other.id == q.id; });
      if (static_cast<int>(without.queue.size()) >= t.max_open_jobs) continue;
      auto walk = walk_queue(without, job, site, now, travel, config, false);
      Instant eta = walk.eta;
      if (eta > arrival_due) continue;
      double km = walk.travel_km;
      if (!best || km < best->travel_km || (km == best->travel_km && eta < best->eta)) {
        best = Preemption{t.id, q.id, eta, km};
      }
    }
  }
  return best;
}

}  // namespace fieldserve::dispatch
