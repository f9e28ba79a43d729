#include "dispatch/replay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "dispatch/site_placement.h"
#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

struct Work {
  std::size_t request;  // index into the sorted requests
  Job job;              // severity, skills and due times, as the engine sees them
  geo::LatLon site;
  int service_minutes;
};

struct Active {
  Work work;
  Instant arrive{};
  Instant finish{};
};

struct SimTechnician {
  Technician technician;
  std::string time_zone;
  geo::LatLon position;  // where the technician is when idle, or left from for the current job
  std::optional<Active> current;
  std::vector<Work> pending;
  Instant idle_since{};
};

struct Outcome {
  std::optional<Instant> arrive, finish;
  double km = 0;
};

class Simulation {
 public:
  Simulation(const TravelModel& travel, std::vector<Outcome>& outcomes)
      : travel_(travel), outcomes_(outcomes) {}

  // Runs every technician's day forward to `t`: jobs finish, the next one starts.
  void advance(SimTechnician& s, Instant t) {
    for (;;) {
      if (s.current && s.current->finish <= t) {
        s.position = s.current->work.site;
        s.idle_since = s.current->finish;
        s.current.reset();
      }
      if (s.current || s.pending.empty() || s.idle_since > t) return;
      start_next(s, s.idle_since);
    }
  }

  // Starts the most urgent pending job at `start` (severity, then arrival due).
  void start_next(SimTechnician& s, Instant start) {
    auto it =
        std::min_element(s.pending.begin(), s.pending.end(), [](const Work& a, const Work& b) {
          if (a.job.severity != b.job.severity) return a.job.severity < b.job.severity;
          return a.job.clock(SlaTarget::arrival).due < b.job.clock(SlaTarget::arrival).due;
        });
    Work work = *it;
    s.pending.erase(it);
    Active a{work, start + travel_.travel_time(s.position, work.site), {}};
    a.finish = a.arrive + std::chrono::minutes(work.service_minutes);
    auto& o = outcomes_[work.request];
    o.arrive = a.arrive;
    o.finish = a.finish;
    o.km = travel_.road_km(s.position, work.site);
    s.current = a;
  }

  void assign(SimTechnician& s, Work work, Instant now) {
    s.pending.push_back(std::move(work));
    if (!s.current) {
      s.idle_since = std::max(s.idle_since, now);
      start_next(s, s.idle_since);
    }
  }

 private:
  const TravelModel& travel_;
  std::vector<Outcome>& outcomes_;
};

// The engine's view of a simulated technician at `now`.
TechnicianState engine_state(const SimTechnician& s, const EngineConfig& config) {
  TechnicianState state{&s.technician, s.position, s.time_zone, {}};
  if (s.current) {
    // The job in hand is committed: shown as on site since a moment chosen so that the engine's
    // estimate of when it ends is the real end.
    const auto& w = s.current->work;
    state.queue.push_back({w.job.id, w.job.severity, JobStatus::on_site, w.site,
                           w.job.clock(SlaTarget::arrival).due,
                           s.current->finish - std::chrono::minutes(config.service_minutes)});
    state.position = w.site;
  }
  for (const auto& w : s.pending) {
    state.queue.push_back({w.job.id, w.job.severity, JobStatus::assigned, w.site,
                           w.job.clock(SlaTarget::arrival).due, std::nullopt});
  }
  return state;
}

bool has_skills(const Technician& t, const std::vector<std::string>& required) {
  return std::all_of(required.begin(), required.end(), [&](const auto& k) {
    return std::find(t.skills.begin(), t.skills.end(), k) != t.skills.end();
  });
}

std::optional<std::size_t> nearest_free(const std::vector<SimTechnician>& sims,
                                        const ReplayRequest& req, Instant now, int max_open) {
  std::optional<std::size_t> idle, busy;
  double idle_km = 0;
  Instant busy_until{};
  for (std::size_t i = 0; i < sims.size(); ++i) {
    const auto& s = sims[i];
    int open = static_cast<int>(s.pending.size()) + (s.current ? 1 : 0);
    if (!has_skills(s.technician, req.required_skills) || open >= max_open) continue;
    if (open == 0) {
      double km = geo::geodesic_km(s.position, req.location);
      if (!idle || km < idle_km) idle = i, idle_km = km;
    } else {
      Instant until = s.current ? s.current->finish : now;
      if (!busy || until < busy_until) busy = i, busy_until = until;
    }
  }
  return idle ? idle : busy;
}

}  // namespace

double percentile_nearest_rank(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

ReplayResult replay(const std::vector<ReplayCenter>& centers,
                    const std::vector<ReplayTechnician>& technicians,
                    std::vector<ReplayRequest> requests, const SlaPolicy& policy,
                    const TravelModel& travel, const ReplayOptions& options) {
  std::stable_sort(requests.begin(), requests.end(), [](const auto& a, const auto& b) {
    return a.reported_at != b.reported_at ? a.reported_at < b.reported_at : a.id < b.id;
  });
  std::vector<Center> as_centers;
  std::map<std::string, std::string> zone_of;
  std::vector<std::shared_ptr<Calendar>> business;
  for (std::size_t i = 0; i < centers.size(); ++i) {
    Center c;
    c.id = static_cast<CenterId>(i + 1);
    c.location = centers[i].location;
    c.time_zone = centers[i].time_zone;
    as_centers.push_back(c);
    zone_of[centers[i].id] = centers[i].time_zone;
    auto cal = BusinessHoursCalendar::create(c.time_zone, default_business_hours());
    business.push_back(cal ? std::shared_ptr<Calendar>(std::move(*cal)) : nullptr);
  }
  AlwaysOpenCalendar always;

  std::vector<SimTechnician> sims;
  for (std::size_t i = 0; i < technicians.size(); ++i) {
    SimTechnician s;
    s.technician.id = static_cast<TechnicianId>(i + 1);
    s.technician.skills = technicians[i].skills;
    s.technician.max_open_jobs = options.max_open_jobs;
    for (auto& d : s.technician.shift) d = DaySpan{0, 1440};  // on shift all day
    s.time_zone = zone_of.contains(technicians[i].center_id) ? zone_of[technicians[i].center_id]
                                                             : "UTC";
    s.position = technicians[i].location;
    sims.push_back(std::move(s));
  }

  std::vector<Outcome> outcomes(requests.size());
  std::vector<Job> jobs(requests.size());
  std::vector<bool> assigned(requests.size(), false);
  Simulation sim(travel, outcomes);
  for (std::size_t r = 0; r < requests.size(); ++r) {
    const auto& req = requests[r];
    Instant now = req.reported_at;
    for (auto& s : sims) sim.advance(s, now);
    auto placement = place_site(req.location, as_centers, std::nullopt);
    const auto& tier = policy.tier(req.severity);
    const Calendar& calendar = tier.calendar == CalendarKind::always ||
                                       !business[placement->center_id - 1]
                                   ? static_cast<const Calendar&>(always)
                                   : *business[placement->center_id - 1];
    Job& job = jobs[r];
    job.id = static_cast<JobId>(r + 1);
    job.severity = req.severity;
    job.kind = req.kind;
    job.required_skills = req.required_skills;
    job.reported_at = now;
    job.sla = compute_clocks(tier, placement->distance_km, now, calendar, 0);

    std::optional<std::size_t> chosen;
    if (options.strategy == ReplayStrategy::sla) {
      std::vector<TechnicianState> states;
      states.reserve(sims.size());
      for (const auto& s : sims) states.push_back(engine_state(s, options.engine));
      auto decision = decide(job, req.location, tier, states, now, travel, options.engine);
      if (decision.chosen) chosen = static_cast<std::size_t>(*decision.chosen - 1);
    } else {
      // The baseline: the nearest technician with the skills who is idle; if nobody is, the one
      // whose job in hand ends first. No radius, no targets, no queue order.
      chosen = nearest_free(sims, req, now, options.max_open_jobs);
    }
    if (chosen) {
      assigned[r] = true;
      sim.assign(sims[*chosen], Work{r, job, req.location, req.service_minutes}, now);
    }
  }
  for (auto& s : sims) {
    // Run every queue to its end.
    for (int guard = 0; guard < 100000 && (s.current || !s.pending.empty()); ++guard) {
      sim.advance(s, s.current ? s.current->finish : s.idle_since);
    }
  }

  ReplayResult result;
  result.strategy = options.strategy == ReplayStrategy::sla ? "sla" : "nearest";
  result.requests = static_cast<int>(requests.size());
  for (std::size_t r = 0; r < requests.size(); ++r) {
    int t = static_cast<int>(requests[r].severity);
    auto& tier = result.tiers[t];
    ++tier.count;
    int breached = 0;
    if (!assigned[r]) {
      ++result.unassigned;
      breached = 3;  // response, arrival and restore all pass unmet
    } else {
      const auto& o = outcomes[r];
      result.total_km += o.km;
      ++tier.arrived;
      tier.arrival_minutes.push_back(
          std::chrono::duration<double>(*o.arrive - requests[r].reported_at).count() / 60.0);
      if (*o.arrive <= jobs[r].clock(SlaTarget::arrival).due) ++tier.arrival_met;
      else ++breached;
      if (*o.finish > jobs[r].clock(SlaTarget::restore).due) ++breached;
    }
    tier.breaches += breached;
    result.weighted_breaches += breached * kBreachWeights[t];
  }
  return result;
}

}  // namespace fieldserve::dispatch
