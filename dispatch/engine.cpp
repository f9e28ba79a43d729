#include "dispatch/engine.h"

#include <date/tz.h>

#include <algorithm>
#include <cmath>

#include "dispatch/assignment_rules.h"
#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

int rank(Severity s) { return static_cast<int>(s); }  // critical = 0

// A job the technician is on site at or driving to is theirs first, whatever comes in.
bool under_way(const QueuedJob& q) {
  return q.status == JobStatus::on_site || q.status == JobStatus::en_route;
}

// The job goes behind the job the technician is on site at or driving to and every queued job
// that comes first in triage order, or ties with it: so a critical job goes right behind the job
// under way, unless critical jobs due earlier are queued too (docs/decisions.md).
bool goes_ahead(const QueuedJob& queued, const Job& job, Instant now) {
  if (under_way(queued)) return true;
  return !triage_before(job.severity, job.clock(SlaTarget::arrival).due, queued.severity,
                        queued.arrival_due, now);
}

// What placing the job in a technician's queue means: when it gets there, from where, how sure
// that is, and which job already queued it would make late.
struct QueueWalk {
  Instant free_at;  // when the jobs ahead are done, as expected
  int ahead = 0;
  Instant eta;
  double margin_minutes = 0;
  double travel_km = 0;  // the leg to the job
  JobId delayed = 0;     // first queued job on time without the job and late with it
};

std::chrono::seconds minutes(double m) {
  return std::chrono::seconds(static_cast<std::int64_t>(std::lround(m * 60)));
}

// The time still to go on a job the technician is on site at. Past its expected time it is
// overrunning, and is expected to end within half its spread: never "free already".
std::chrono::seconds remaining_on_site(const QueuedJob& q, Instant now) {
  auto elapsed = std::chrono::duration<double>(now - q.on_site_since.value_or(now)).count() / 60;
  return minutes(std::max(q.service.expected_minutes - elapsed, q.service.spread_minutes / 2));
}

// On site first, then the drive under way, then triage order, then id.
struct WorkOrder {
  Instant now;
  bool operator()(const QueuedJob* a, const QueuedJob* b) const {
    bool a_on = a->status == JobStatus::on_site, b_on = b->status == JobStatus::on_site;
    if (a_on != b_on) return a_on;
    bool a_going = a->status == JobStatus::en_route, b_going = b->status == JobStatus::en_route;
    if (a_going != b_going) return a_going;
    if (triage_before(a->severity, a->arrival_due, b->severity, b->arrival_due, now)) return true;
    if (triage_before(b->severity, b->arrival_due, a->severity, a->arrival_due, now)) return false;
    return a->id < b->id;
  }
};

// Walks the queue once: the work order is on site first, then severity, then arrival due; each
// leg is measured once and shared by the walk with the job and the walk without it.
QueueWalk walk_queue(const TechnicianState& t, const Job& job, const geo::LatLon& site,
                     const ServiceEstimate& service, Instant now, const TravelModel& travel,
                     bool check_delays) {
  std::vector<const QueuedJob*> queue;
  queue.reserve(t.queue.size());
  for (const auto& q : t.queue) {
    if (q.status != JobStatus::on_hold) queue.push_back(&q);  // waiting for parts or the customer
  }
  std::sort(queue.begin(), queue.end(), WorkOrder{now});
  // In this order the jobs that go ahead form a prefix.
  std::size_t ahead = 0;
  while (ahead < queue.size() && goes_ahead(*queue[ahead], job, now)) ++ahead;

  QueueWalk walk{now, static_cast<int>(ahead), now, 0, 0, 0};
  geo::LatLon from = t.position;
  auto serve = [&](const QueuedJob& q, Instant& free_at, std::chrono::seconds leg_time) {
    if (q.status == JobStatus::on_site) {
      free_at = now + remaining_on_site(q, now);
      return now;  // already there
    }
    Instant arrive = free_at + leg_time;
    free_at = arrive + minutes(q.service.expected_minutes);
    return arrive;
  };
  double variance = 0;
  for (std::size_t i = 0; i < ahead; ++i) {
    serve(*queue[i], walk.free_at, travel.leg(from, queue[i]->site).time);
    variance += queue[i]->service.spread_minutes * queue[i]->service.spread_minutes;
    from = queue[i]->site;
  }
  walk.margin_minutes = std::sqrt(variance);
  auto to_job = travel.leg(from, site);
  walk.travel_km = to_job.road_km;
  walk.eta = walk.free_at + to_job.time;
  if (!check_delays || ahead == queue.size()) return walk;

  // The jobs behind: once as they are, once after the new job (on site for its expected time).
  Instant without = walk.free_at, with = walk.eta + minutes(service.expected_minutes);
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

double minutes_between(Instant from, Instant to) {
  return std::chrono::duration<double>(to - from).count() / 60;
}

// The arrival a candidate can be counted on: its ETA plus the margin.
double reliable_arrival(const Candidate& c, Instant now) {
  return minutes_between(now, c.eta) + c.margin_minutes;
}

}  // namespace

bool triage_before(Severity a, Instant a_due, Severity b, Instant b_due, Instant now) {
  if (a != b) return rank(a) < rank(b);
  bool a_past = a_due < now, b_past = b_due < now;
  if (a_past != b_past) return b_past;
  return a_due < b_due;
}

std::vector<PlannedArrival> planned_arrivals(const TechnicianState& t, Instant now,
                                             const TravelModel& travel) {
  std::vector<const QueuedJob*> queue;
  for (const auto& q : t.queue) {
    if (q.status != JobStatus::on_hold) queue.push_back(&q);
  }
  std::sort(queue.begin(), queue.end(), WorkOrder{now});
  std::vector<PlannedArrival> out;
  Instant free_at = now;
  geo::LatLon from = t.position;
  double variance = 0;
  for (const auto* q : queue) {
    if (q->status == JobStatus::on_site) {
      free_at = now + remaining_on_site(*q, now);
      out.push_back({q->id, now, 0});
    } else {
      Instant arrive = free_at + travel.leg(from, q->site).time;
      free_at = arrive + minutes(q->service.expected_minutes);
      out.push_back({q->id, arrive, std::sqrt(variance)});
    }
    variance += q->service.spread_minutes * q->service.spread_minutes;
    from = q->site;
  }
  return out;
}

Decision decide(const Job& job, const geo::LatLon& site, const ServiceEstimate& service,
                const TierPolicy& tier, std::span<const TechnicianState> technicians, Instant now,
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
      auto walk = walk_queue(state, job, site, service, now, travel, false);
      c.travel_km = walk.travel_km;
      c.free_at = walk.free_at;
      c.eta = walk.eta;
      c.queue_ahead = walk.ahead;
      c.margin_minutes = walk.margin_minutes;
      c.slack_minutes = minutes_between(c.eta, arrival_due);
      c.meets_arrival_target = c.slack_minutes >= c.margin_minutes;
    }
    decision.candidates.push_back(c);
  }

  // Taking the job must not make a job already queued behind it late: a choice that breaks
  // another job's target is not one that meets the targets. That check walks the whole queue, so
  // it runs only for the candidates that could win, in the order they would win, until one passes.
  std::vector<bool> delay_checked(decision.candidates.size(), false);
  auto passes_delay_check = [&](std::size_t i) {
    auto& c = decision.candidates[i];
    if (!delay_checked[i]) {
      delay_checked[i] = true;
      c.delays_job_id = walk_queue(technicians[i], job, site, service, now, travel, true).delayed;
      if (c.delays_job_id) c.meets_arrival_target = false;
    }
    return c.delays_job_id == 0;
  };
  const bool critical = job.severity == Severity::critical;
  const double time_left = std::max(0.0, minutes_between(now, arrival_due));
  auto thin = [&](const Candidate& c) {
    return c.slack_minutes - c.margin_minutes < config.thin_slack_fraction * time_left;
  };
  for (int factor = 1; factor <= config.max_radius_factor; factor *= 2) {
    double radius = tier.dispatch_radius_km * factor;
    decision.radius_km = radius;
    std::vector<std::size_t> in_radius;
    for (std::size_t i = 0; i < decision.candidates.size(); ++i) {
      const auto& c = decision.candidates[i];
      if (c.eligible && c.distance_km <= radius) in_radius.push_back(i);
    }
    if (in_radius.empty()) continue;
    auto by_arrival = [&](std::size_t a, std::size_t b) {
      double ra = reliable_arrival(decision.candidates[a], now);
      double rb = reliable_arrival(decision.candidates[b], now);
      if (ra != rb) return ra < rb;
      return decision.candidates[a].travel_km < decision.candidates[b].travel_km;
    };

    if (critical) {
      // The earliest arrival it can count on; least travel only between arrivals practically
      // equal to it, and among those, one that makes no queued job late.
      std::sort(in_radius.begin(), in_radius.end(), by_arrival);
      double earliest = reliable_arrival(decision.candidates[in_radius.front()], now);
      std::vector<std::size_t> equal;
      for (auto i : in_radius) {
        if (reliable_arrival(decision.candidates[i], now) <=
            earliest + config.equal_arrival_minutes)
          equal.push_back(i);
      }
      std::stable_sort(equal.begin(), equal.end(), [&](std::size_t a, std::size_t b) {
        return decision.candidates[a].travel_km < decision.candidates[b].travel_km;
      });
      std::optional<std::size_t> pick;
      for (auto i : equal) {
        if (passes_delay_check(i)) {
          pick = i;
          break;
        }
      }
      if (!pick) pick = equal.front();  // a critical arrival outranks a queued job's
      const auto& c = decision.candidates[*pick];
      decision.chosen = c.technician_id;
      if (c.slack_minutes < c.margin_minutes) decision.reason = "no_technician_meets_target";
      break;
    }

    // Other tiers: candidates with comfortable slack by least travel; then thin slack, most first.
    std::vector<std::size_t> meeting;
    for (auto i : in_radius) {
      if (decision.candidates[i].meets_arrival_target) meeting.push_back(i);
    }
    std::sort(meeting.begin(), meeting.end(), [&](std::size_t a, std::size_t b) {
      const auto &ca = decision.candidates[a], &cb = decision.candidates[b];
      bool thin_a = thin(ca), thin_b = thin(cb);
      if (thin_a != thin_b) return thin_b;
      if (!thin_a) {
        if (ca.travel_km != cb.travel_km) return ca.travel_km < cb.travel_km;
        return ca.eta < cb.eta;
      }
      double spare_a = ca.slack_minutes - ca.margin_minutes;
      double spare_b = cb.slack_minutes - cb.margin_minutes;
      if (spare_a != spare_b) return spare_a > spare_b;
      return ca.travel_km < cb.travel_km;
    });
    for (std::size_t i : meeting) {
      if (passes_delay_check(i)) {
        decision.chosen = decision.candidates[i].technician_id;
        break;
      }
    }
    if (decision.chosen) break;
    auto earliest = *std::min_element(in_radius.begin(), in_radius.end(), [&](auto a, auto b) {
      const auto &ca = decision.candidates[a], &cb = decision.candidates[b];
      if (ca.eta != cb.eta) return ca.eta < cb.eta;
      return ca.travel_km < cb.travel_km;
    });
    decision.chosen = decision.candidates[earliest].technician_id;
    decision.reason = "no_technician_meets_target";
    break;
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

std::optional<Instant> counted_arrival(const Decision& decision) {
  if (!decision.chosen) return std::nullopt;
  for (const auto& c : decision.candidates) {
    if (c.technician_id == *decision.chosen) return c.eta + minutes(c.margin_minutes);
  }
  return std::nullopt;
}

namespace {

// Whether a technician other than `except` can still reach queued job `q` by its arrival due,
// counting on ETA plus margin as the choice does, without making a job of their own late.
bool kept_elsewhere(const QueuedJob& q, std::span<const TechnicianState> technicians,
                    TechnicianId except, Instant now, const TravelModel& travel) {
  if (q.required_skills == nullptr) return false;
  Job j;
  j.id = q.id;
  j.severity = q.severity;
  j.required_skills = *q.required_skills;
  j.clock(SlaTarget::arrival).due = q.arrival_due;
  for (const auto& state : technicians) {
    const auto& t = *state.technician;
    if (t.id == except || !t.active) continue;
    if (static_cast<int>(state.queue.size()) >= t.max_open_jobs) continue;
    if (now + travel.leg(state.position, q.site).time > q.arrival_due) continue;
    if (!on_shift_by(t.shift, state.time_zone, now, std::max(now, q.arrival_due))) continue;
    if (!std::all_of(j.required_skills.begin(), j.required_skills.end(), [&](const auto& s) {
          return std::find(t.skills.begin(), t.skills.end(), s) != t.skills.end();
        }))
      continue;
    auto walk = walk_queue(state, j, q.site, q.service, now, travel, true);
    if (walk.eta + minutes(walk.margin_minutes) <= q.arrival_due && walk.delayed == 0) return true;
  }
  return false;
}

}  // namespace

std::optional<Preemption> find_preemption(const Job& job, const geo::LatLon& site,
                                          const ServiceEstimate& service, const TierPolicy& tier,
                                          std::span<const TechnicianState> technicians, Instant now,
                                          const TravelModel& travel, std::optional<Instant> to_beat,
                                          const EngineConfig& config) {
  if (job.severity != Severity::critical && job.severity != Severity::serious) return std::nullopt;
  const Instant arrival_due = job.clock(SlaTarget::arrival).due;
  // A call the decision already gets there on time moves only a job someone else can still reach
  // by its own due: an earlier arrival is not worth a breach elsewhere.
  const bool on_time_anyway = to_beat && *to_beat <= arrival_due;
  struct Option {
    Preemption preemption;
    Instant reliable;
    bool meets;
    const QueuedJob* moved;
  };
  std::vector<Option> options;
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
    // Nobody arrives sooner than the straight drive from where they are: a technician who cannot
    // beat the arrival to beat that way is not worth a walk per queued job.
    if (to_beat &&
        now + travel.leg(state.position, site).time + minutes(config.equal_arrival_minutes) >=
            *to_beat)
      continue;
    for (const auto& q : state.queue) {
      bool movable = (q.status == JobStatus::assigned || q.status == JobStatus::accepted ||
                      q.status == JobStatus::en_route) &&
                     q.severity > job.severity && !q.locked &&
                     (job.severity == Severity::critical || q.status != JobStatus::en_route);
      if (!movable) continue;
      TechnicianState without = state;
      std::erase_if(without.queue, [&](const QueuedJob& other) { return other.id == q.id; });
      if (static_cast<int>(without.queue.size()) >= t.max_open_jobs) continue;
      auto walk = walk_queue(without, job, site, service, now, travel, false);
      Instant eta = walk.eta;
      auto reliable = eta + minutes(walk.margin_minutes);
      bool meets = reliable <= arrival_due;
      if (to_beat && reliable + minutes(config.equal_arrival_minutes) >= *to_beat) continue;
      options.push_back({Preemption{t.id, q.id, eta, walk.travel_km}, reliable, meets, &q});
    }
  }
  std::stable_sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
    if (a.meets != b.meets) return a.meets;
    if (a.reliable != b.reliable) return a.reliable < b.reliable;
    return a.preemption.travel_km < b.preemption.travel_km;
  });
  for (const auto& o : options) {
    if (on_time_anyway &&
        !kept_elsewhere(*o.moved, technicians, o.preemption.technician_id, now, travel))
      continue;
    return o.preemption;
  }
  return std::nullopt;
}

}  // namespace fieldserve::dispatch
