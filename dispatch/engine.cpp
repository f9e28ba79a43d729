#include "dispatch/engine.h"

#include <date/tz.h>

#include <algorithm>

#include "dispatch/assignment_rules.h"
#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

int rank(Severity s) { return static_cast<int>(s); }  // critical = 0

// The job goes behind every queued job that is more severe, or as severe and due no later; a
// critical job goes right behind the job the technician is on site at (SPEC section 4).
bool goes_ahead(const QueuedJob& queued, const Job& job) {
  if (queued.status == JobStatus::on_site) return true;
  if (job.severity == Severity::critical) return false;
  if (rank(queued.severity) != rank(job.severity)) return rank(queued.severity) < rank(job.severity);
  return queued.arrival_due <= job.clock(SlaTarget::arrival).due;
}

struct Plan {
  Instant free_at;
  geo::LatLon from;
  int ahead = 0;
};

// Walks the queue ahead of the job: finish the on-site job, then travel to and serve each job
// ahead in queue order.
Plan plan_queue(const TechnicianState& t, const Job& job, Instant now, const TravelModel& travel,
                const EngineConfig& config) {
  std::vector<const QueuedJob*> ahead;
  for (const auto& q : t.queue) {
    if (q.status == JobStatus::on_hold) continue;  // waiting for parts or the customer
    if (goes_ahead(q, job)) ahead.push_back(&q);
  }
  std::sort(ahead.begin(), ahead.end(), [](const QueuedJob* a, const QueuedJob* b) {
    bool a_on = a->status == JobStatus::on_site, b_on = b->status == JobStatus::on_site;
    if (a_on != b_on) return a_on;
    if (a->severity != b->severity) return rank(a->severity) < rank(b->severity);
    if (a->arrival_due != b->arrival_due) return a->arrival_due < b->arrival_due;
    return a->id < b->id;
  });
  Plan plan{now, t.position, static_cast<int>(ahead.size())};
  std::chrono::seconds service{config.service_minutes * 60};
  for (const auto* q : ahead) {
    if (q->status == JobStatus::on_site) {
      Instant started = q->on_site_since.value_or(now);
      plan.free_at = std::max(now, started + service);
    } else {
      plan.free_at += travel.travel_time(plan.from, q->site) + service;
    }
    plan.from = q->site;
  }
  return plan;
}

// Arrival ETAs of the queued jobs (not on hold) in the order the technician works them, with
// or without `job` inserted. Returns the id of the first queued job that would miss its arrival
// due because of the insertion although it makes it without, or 0.
JobId first_job_delayed(const TechnicianState& t, const Job& job, Instant now,
                        const TravelModel& travel, const EngineConfig& config) {
  struct Item {
    const QueuedJob* queued;  // nullptr: the new job
  };
  std::vector<const QueuedJob*> queue;
  for (const auto& q : t.queue) {
    if (q.status != JobStatus::on_hold) queue.push_back(&q);
  }
  std::sort(queue.begin(), queue.end(), [](const QueuedJob* a, const QueuedJob* b) {
    bool a_on = a->status == JobStatus::on_site, b_on = b->status == JobStatus::on_site;
    if (a_on != b_on) return a_on;
    if (a->severity != b->severity) return rank(a->severity) < rank(b->severity);
    if (a->arrival_due != b->arrival_due) return a->arrival_due < b->arrival_due;
    return a->id < b->id;
  });
  std::chrono::seconds service{config.service_minutes * 60};
  auto etas = [&](bool with_job) {
    std::vector<std::pair<const QueuedJob*, Instant>> out;
    Instant free_at = now;
    geo::LatLon from = t.position;
    bool inserted = !with_job;
    for (const auto* q : queue) {
      if (!inserted && !goes_ahead(*q, job)) {
        // The new job is served here: it takes its travel and service time.
        inserted = true;
        free_at += service;  // travel to it is part of its own ETA; the detour is approximated
      }
      if (q->status == JobStatus::on_site) {
        free_at = std::max(now, q->on_site_since.value_or(now) + service);
        out.emplace_back(q, now);
      } else {
        Instant arrive = free_at + travel.travel_time(from, q->site);
        out.emplace_back(q, arrive);
        free_at = arrive + service;
      }
      from = q->site;
    }
    return out;
  };
  auto before = etas(false), after = etas(true);
  for (std::size_t i = 0; i < after.size(); ++i) {
    const auto* q = after[i].first;
    if (q->status == JobStatus::on_site) continue;
    if (after[i].second > q->arrival_due && before[i].second <= q->arrival_due) return q->id;
  }
  return 0;
}

}  // namespace

bool on_shift_by(const WeeklyHours& shift, const std::string& time_zone, Instant now, Instant until) {
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
    int index = (date::weekday{day}.c_encoding() + 6) % 7;
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
    } else if (std::any_of(job.required_skills.begin(), job.required_skills.end(), [&](const auto& s) {
                 return std::find(t.skills.begin(), t.skills.end(), s) == t.skills.end();
               })) {
      c.excluded_because = "missing_skills";
    } else if (static_cast<int>(state.queue.size()) >= t.max_open_jobs) {
      c.excluded_because = "at_capacity";
    }
    // The radius is measured from where the technician is. Nobody beyond the widest radius the
    // engine may try can be chosen, so the queue walk (the costly part) is skipped for them and
    // for everyone already excluded.
    c.distance_km = geo::geodesic_km(state.position, site);
    if (c.excluded_because.empty() &&
        c.distance_km > tier.dispatch_radius_km * config.max_radius_factor) {
      c.excluded_because = "outside_radius";
    }
    c.eligible = c.excluded_because.empty();
    if (c.eligible) {
      // Travel and ETA from where the technician will be once the jobs queued ahead are done.
      auto plan = plan_queue(state, job, now, travel, config);
      c.travel_km = travel.road_km(plan.from, site);
      c.free_at = plan.free_at;
      c.eta = plan.free_at + travel.travel_time(plan.from, site);
      c.meets_arrival_target = c.eta <= arrival_due;
      c.queue_ahead = plan.ahead;
      // Taking the job must not make a job already queued behind it late: a choice that breaks
      // another job's target is not one that meets the targets.
      if (c.meets_arrival_target) {
        c.delays_job_id = first_job_delayed(state, job, now, travel, config);
        if (c.delays_job_id) c.meets_arrival_target = false;
      }
    }
    decision.candidates.push_back(c);
  }

  for (int factor = 1; factor <= config.max_radius_factor; factor *= 2) {
    double radius = tier.dispatch_radius_km * factor;
    decision.radius_km = radius;
    const Candidate* best_meeting = nullptr;
    const Candidate* earliest = nullptr;
    for (const auto& c : decision.candidates) {
      if (!c.eligible || c.distance_km > radius) continue;
      if (c.meets_arrival_target &&
          (!best_meeting || c.travel_km < best_meeting->travel_km ||
           (c.travel_km == best_meeting->travel_km && c.eta < best_meeting->eta))) {
        best_meeting = &c;
      }
      if (!earliest || c.eta < earliest->eta ||
          (c.eta == earliest->eta && c.travel_km < earliest->travel_km)) {
        earliest = &c;
      }
    }
    if (best_meeting) {
      decision.chosen = best_meeting->technician_id;
      break;
    }
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
                                          std::span<const TechnicianState> technicians,
                                          Instant now, const TravelModel& travel,
                                          const EngineConfig& config) {
  if (job.severity != Severity::critical) return std::nullopt;
  const Instant arrival_due = job.clock(SlaTarget::arrival).due;
  std::optional<Preemption> best;
  for (const auto& state : technicians) {
    const auto& t = *state.technician;
    if (!t.active || !on_shift_by(t.shift, state.time_zone, now, std::max(now, arrival_due))) continue;
    bool has_skills = std::all_of(job.required_skills.begin(), job.required_skills.end(), [&](const auto& s) {
      return std::find(t.skills.begin(), t.skills.end(), s) != t.skills.end();
    });
    if (!has_skills || geo::geodesic_km(state.position, site) > tier.dispatch_radius_km) continue;
    if (static_cast<int>(state.queue.size()) > t.max_open_jobs) continue;
    for (const auto& q : state.queue) {
      bool movable = (q.status == JobStatus::assigned || q.status == JobStatus::accepted) &&
                     q.severity != Severity::critical;
      if (!movable) continue;
      TechnicianState without = state;
      std::erase_if(without.queue, [&](const QueuedJob& other) { return other.id == q.id; });
      if (static_cast<int>(without.queue.size()) >= t.max_open_jobs) continue;
      auto plan = plan_queue(without, job, now, travel, config);
      Instant eta = plan.free_at + travel.travel_time(plan.from, site);
      if (eta > arrival_due) continue;
      double km = travel.road_km(plan.from, site);
      if (!best || km < best->travel_km || (km == best->travel_km && eta < best->eta)) {
        best = Preemption{t.id, q.id, eta, km};
      }
    }
  }
  return best;
}

}  // namespace fieldserve::dispatch
