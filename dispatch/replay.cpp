#include "dispatch/replay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>

#include "dispatch/replan.h"
#include "dispatch/site_placement.h"
#include "geo/distance.h"

namespace fieldserve::dispatch {
namespace {

constexpr Instant kNever = Instant::max();

struct Work {
  std::size_t request;  // index into the sorted requests
  Job job;              // severity, skills and due times, as the engine sees them
  geo::LatLon site;
  int true_minutes;  // known to the simulation only, never to the engine
  ServiceKey key;
  // The model's estimate, kept until the model learns from another finished job.
  mutable ServiceEstimate estimate;
  mutable int estimated_at = -1;
};

struct Active {
  Work work;
  Instant depart{};
  Instant arrive{};
  Instant finish{};
  ServiceEstimate estimate;  // what the engine expected when the job started
};

// A move-up under way: the technician is available all along and drops it when dispatched.
struct Relocation {
  geo::LatLon from, to;
  Instant depart{}, arrive{};
  double km = 0;
};

struct SimTechnician {
  Technician technician;
  std::string time_zone;
  geo::LatLon position;  // where the technician is when idle, or left from for the current job
  std::optional<Active> current;
  std::vector<Work> pending;
  std::optional<Relocation> moving;
  bool idle() const { return !current && pending.empty(); }
};

struct Outcome {
  std::optional<Instant> assigned, arrive, finish;
  std::size_t technician = 0;  // index into the simulation's technicians, once arrive is set
  double km = 0;
  double work_minutes = 0;  // travel to the job and time on site
};

geo::LatLon along(const Relocation& r, double fraction) {
  return {r.from.lat + (r.to.lat - r.from.lat) * fraction,
          r.from.lon + (r.to.lon - r.from.lon) * fraction};
}

double fraction_done(const Relocation& r, Instant now) {
  if (now >= r.arrive) return 1;
  auto total = std::chrono::duration<double>(r.arrive - r.depart).count();
  return total <= 0 ? 1 : std::chrono::duration<double>(now - r.depart).count() / total;
}

bool has_skills(const Technician& t, const std::vector<std::string>& required) {
  return std::all_of(required.begin(), required.end(), [&](const auto& k) {
    return std::find(t.skills.begin(), t.skills.end(), k) != t.skills.end();
  });
}

// The engine's technicians work their queues in triage order (dispatch::triage_before); the
// baseline's in severity-then-due order, as its waiting requests are offered.
struct Triage {
  Instant now;
  bool operator()(const Work& a, const Work& b) const {
    return triage_before(a.job.severity, a.job.clock(SlaTarget::arrival).due, b.job.severity,
                         b.job.clock(SlaTarget::arrival).due, now);
  }
};

bool more_urgent(const Work& a, const Work& b) {
  if (a.job.severity != b.job.severity) return a.job.severity < b.job.severity;
  return a.job.clock(SlaTarget::arrival).due < b.job.clock(SlaTarget::arrival).due;
}

class Simulation {
 public:
  Simulation(std::vector<SimTechnician> sims, std::size_t requests, const TravelModel& travel,
             const ReplayOptions& options)
      : sims_(std::move(sims)),
        outcomes_(requests),
        travel_(travel),
        options_(options),
        model_(options.service_times),
        demand_(options.coverage.cell_km) {}

  bool engine() const { return options_.strategy == ReplayStrategy::sla; }

  // The next job to finish, or kNever.
  std::pair<Instant, std::size_t> next_finish() const {
    std::pair<Instant, std::size_t> next{kNever, 0};
    for (std::size_t i = 0; i < sims_.size(); ++i) {
      if (sims_[i].current && sims_[i].current->finish < next.first)
        next = {sims_[i].current->finish, i};
    }
    return next;
  }

  void finish(std::size_t i, Instant now) {
    auto& s = sims_[i];
    const auto& a = *s.current;
    model_.record(a.work.key, a.work.true_minutes);
    ++model_generation_;
    double expected_end = std::chrono::duration<double>(a.arrive - now).count() / 60 +
                          a.estimate.expected_minutes;
    bool off_plan = std::abs(expected_end) > std::max(5.0, a.estimate.spread_minutes / 2);
    s.position = a.work.site;
    s.current.reset();
    // A critical job queued elsewhere first: the freed place would otherwise go to whatever
    // waits. Then the waiting requests: one of them may be more urgent than anything queued.
    std::optional<JobId> taken;
    if (engine() && options_.replan && options_.take_over) taken = take_over(i, now);
    offer_backlog(now);
    if (!s.current && !s.pending.empty()) start_next(s, now);
    if (engine() && options_.replan && options_.optimizer_replan && off_plan) replan(now, taken);
    if (s.idle()) consider_move_up(now, {i});
  }

  // The server's sweep for jobs at risk (dispatch::rescue_late_jobs), run as its SLA ticker runs
  // it: at the first event at least every_minutes after the last sweep.
  void sweep(Instant now) {
    if (!engine() || !options_.replan || !options_.rescue_sweep) return;
    auto every = std::chrono::seconds(std::lround(options_.rescue.every_minutes * 60));
    if (last_sweep_ && now - *last_sweep_ < every) return;
    last_sweep_ = now;
    auto states = engine_states(now);
    for (const auto& m : rescue_late_jobs(states, now, travel_, options_.rescue)) {
      if (move_pending(m, now)) ++rescues_;
    }
  }

  void arrive(Work work, Instant now) {
    bool critical = work.job.severity == Severity::critical;
    if (critical) demand_.record(work.site, work.job.required_skills, now);
    if (!dispatch(work, now, true)) backlog_.push_back(std::move(work));
    // The new critical job is not held: the optimizer moves it only for a plan priced better
    // (holding it cost 340 weighted breaches over the 96 seeded streams of docs/benchmarks.md).
    if (engine() && options_.replan && options_.optimizer_replan && critical)
      replan(now, std::nullopt);
  }

  // Runs every queue to its end.
  void drain() {
    for (;;) {
      auto [at, i] = next_finish();
      if (at == kNever) return;
      finish(i, at);
    }
  }

  const std::vector<Outcome>& outcomes() const { return outcomes_; }
  double repositioning_km() const { return repositioning_km_; }
  double diverted_km() const { return diverted_km_; }
  double diverted_minutes() const { return diverted_minutes_; }
  int diversions() const { return diversions_; }
  int moves() const { return moves_; }
  int replans() const { return replans_; }
  std::size_t technicians() const { return sims_.size(); }

 private:
  ServiceEstimate estimate(const Work& w) const {
    if (w.estimated_at != model_generation_) {
      w.estimate = model_.estimate(w.key);
      w.estimated_at = model_generation_;
    }
    return w.estimate;
  }

  // Where an idle technician is now, a move-up that is under way counted up to here.
  void stop_moving(SimTechnician& s, Instant now) {
    if (!s.moving) return;
    double f = fraction_done(*s.moving, now);
    s.position = f >= 1 ? s.moving->to : along(*s.moving, f);
    repositioning_km_ += s.moving->km * f;
    s.moving.reset();
  }

  // How far along the drive to the job in hand, 1 once on site.
  static double driven(const Active& a, Instant now) {
    if (now >= a.arrive) return 1;
    auto total = std::chrono::duration<double>(a.arrive - a.depart).count();
    return total <= 0 ? 1 : std::chrono::duration<double>(now - a.depart).count() / total;
  }

  geo::LatLon where(const SimTechnician& s, Instant now) const {
    if (s.current) {
      double f = driven(*s.current, now);
      return f >= 1 ? s.current->work.site
                    : along(Relocation{s.position, s.current->work.site, {}, {}, 0}, f);
    }
    if (s.moving) {
      double f = fraction_done(*s.moving, now);
      return f >= 1 ? s.moving->to : along(*s.moving, f);
    }
    return s.position;
  }

  // Starts the most urgent pending job (severity, then arrival due).
  void start_next(SimTechnician& s, Instant now) {
    stop_moving(s, now);
    auto it = engine() ? std::min_element(s.pending.begin(), s.pending.end(), Triage{now})
                       : std::min_element(s.pending.begin(), s.pending.end(), more_urgent);
    Work work = std::move(*it);
    s.pending.erase(it);
    auto leg = travel_.leg(s.position, work.site);
    Active a{work, now, now + leg.time, {}, estimate(work)};
    a.finish = a.arrive + std::chrono::minutes(work.true_minutes);
    auto& o = outcomes_[work.request];
    o.arrive = a.arrive;
    o.finish = a.finish;
    o.km = leg.road_km;
    o.technician = static_cast<std::size_t>(&s - sims_.data());
    o.work_minutes = std::chrono::duration<double>(a.finish - now).count() / 60;
    s.current = std::move(a);
  }

  void assign(std::size_t i, Work work, Instant now) {
    auto& s = sims_[i];
    bool was_idle = s.idle();
    auto& o = outcomes_[work.request];
    if (!o.assigned) o.assigned = now;
    s.pending.push_back(std::move(work));
    if (!s.current) start_next(s, now);
    // A technician leaving the idle pool leaves a hole in the coverage: someone may fill it.
    if (was_idle) {
      std::vector<std::size_t> others;
      for (std::size_t k = 0; k < sims_.size(); ++k) {
        if (k != i && sims_[k].idle()) others.push_back(k);
      }
      consider_move_up(now, others);
    }
  }

  // The engine's view of a simulated technician at `now`: the job in hand as on site since its
  // (possibly future) arrival, every job with the model's estimate, never its true length.
  TechnicianState engine_state(const SimTechnician& s, Instant now) const {
    TechnicianState state{&s.technician, where(s, now), s.time_zone, {}};
    if (s.current) {
      const auto& w = s.current->work;
      bool driving = now < s.current->arrive;
      state.queue.push_back({w.job.id, w.job.severity,
                             driving ? JobStatus::en_route : JobStatus::on_site, w.site,
                             w.job.clock(SlaTarget::arrival).due,
                             driving ? std::nullopt : std::optional(s.current->arrive), false,
                             estimate(w), &w.job.required_skills});
    }
    for (const auto& w : s.pending) {
      state.queue.push_back({w.job.id, w.job.severity, JobStatus::assigned, w.site,
                             w.job.clock(SlaTarget::arrival).due, std::nullopt, false, estimate(w),
                             &w.job.required_skills});
    }
    return state;
  }

  std::vector<TechnicianState> engine_states(Instant now) const {
    std::vector<TechnicianState> states;
    states.reserve(sims_.size());
    for (const auto& s : sims_) states.push_back(engine_state(s, now));
    return states;
  }

  // `prepared`: the engine's view at `now` when the caller already has it (nothing changed since).
  bool dispatch(const Work& work, Instant now, bool allow_preemption,
                const std::vector<TechnicianState>* prepared = nullptr) {
    if (!engine()) return dispatch_nearest(work, now);
    std::vector<TechnicianState> fresh;
    if (!prepared) fresh = engine_states(now);
    const auto& states = prepared ? *prepared : fresh;
    const auto& tier = *tiers_[work.request];
    auto service = estimate(work);
    auto decision = decide(work.job, work.site, service, tier, states, now, travel_,
                           options_.engine);
    // A critical job always gets the earliest arrival; a serious one only when it misses.
    if (allow_preemption && (work.job.severity == Severity::critical || !decision.reason.empty())) {
      if (auto p = find_preemption(work.job, work.site, service, tier, states, now, travel_,
                                   counted_arrival(decision), options_.engine)) {
        auto moved = take_unreached(sims_[static_cast<std::size_t>(p->technician_id - 1)],
                                    p->moved_job_id, now);
        if (moved) {
          ++preemptions_;
          assign(static_cast<std::size_t>(p->technician_id - 1), work, now);
          if (!dispatch(*moved, now, false)) backlog_.push_back(std::move(*moved));
          return true;
        }
      }
    }
    if (!decision.chosen) return false;
    assign(static_cast<std::size_t>(*decision.chosen - 1), work, now);
    return true;
  }

  // The baseline: the nearest idle technician with the skills, else nobody yet.
  bool dispatch_nearest(const Work& work, Instant now) {
    std::optional<std::size_t> best;
    double best_km = 0;
    for (std::size_t i = 0; i < sims_.size(); ++i) {
      const auto& s = sims_[i];
      if (!s.idle() || !has_skills(s.technician, work.job.required_skills)) continue;
      double km = geo::geodesic_km(s.position, work.site);
      if (!best || km < best_km) best = i, best_km = km;
    }
    if (!best) return false;
    assign(*best, work, now);
    return true;
  }

  void offer_backlog(Instant now) {
    if (backlog_.empty()) return;
    // Nobody with a free place: nothing to offer (the common case when the fleet is short).
    bool any_room = std::any_of(sims_.begin(), sims_.end(), [&](const SimTechnician& s) {
      return engine() ? static_cast<int>(s.pending.size()) + (s.current ? 1 : 0) <
                            s.technician.max_open_jobs
                      : s.idle();
    });
    if (!any_room) return;
    if (engine()) std::stable_sort(backlog_.begin(), backlog_.end(), Triage{now});
    else std::stable_sort(backlog_.begin(), backlog_.end(), more_urgent);
    // Taken out first: a preemption while offering puts the job it moves back into backlog_.
    std::vector<Work> waiting = std::move(backlog_);
    backlog_.clear();
    // One view of the fleet serves every request nobody takes; an assignment changes it.
    std::optional<std::vector<TechnicianState>> states;
    for (auto& w : waiting) {
      if (engine() && !states) states = engine_states(now);
      if (dispatch(w, now, true, states ? &*states : nullptr)) {
        states.reset();
      } else {
        backlog_.push_back(std::move(w));
      }
    }
  }

  // Rolling re-planning (dispatch/replan.h) over the technicians as the engine sees them.
  // `held`: the job the event just placed, which stays (dispatch/replan.h).
  void replan(Instant now, std::optional<JobId> held) {
    auto states = engine_states(now);
    std::vector<JobId> keep;
    if (held) keep.push_back(*held);
    auto moves = dispatch::replan(states, policy_, now, travel_, options_.replan_config, keep);
    if (moves.empty()) return;
    ++replans_;
    for (const auto& m : moves) move_pending(m, now);
  }

  // Moves a job not yet started from one technician's queue to another's; false when it is no
  // longer there.
  bool move_pending(const Reassignment& m, Instant now) {
    auto& from = sims_[static_cast<std::size_t>(m.from - 1)].pending;
    auto it = std::find_if(from.begin(), from.end(),
                           [&](const Work& w) { return w.job.id == m.job_id; });
    if (it == from.end()) return false;
    Work w = std::move(*it);
    from.erase(it);
    assign(static_cast<std::size_t>(m.to - 1), std::move(w), now);
    return true;
  }

  // Stops the technician where they are on the drive to the job in hand and gives the job back.
  // The kilometres driven count; the job's own drive starts again from whoever takes it.
  Work divert(SimTechnician& s, Instant now) {
    Active a = std::move(*s.current);
    s.current.reset();
    double f = driven(a, now);
    auto& o = outcomes_[a.work.request];
    diverted_km_ += o.km * f;
    diverted_minutes_ += std::chrono::duration<double>(now - a.depart).count() / 60;
    s.position = along(Relocation{s.position, a.work.site, {}, {}, 0}, f);
    o.arrive.reset();
    o.finish.reset();
    o.km = 0;
    o.work_minutes = 0;
    ++diversions_;
    return std::move(a.work);
  }

  // Takes a job the technician has not reached off them: out of their queue, or the drive to it
  // broken off (divert). nullopt when they no longer have it.
  std::optional<Work> take_unreached(SimTechnician& s, JobId id, Instant now) {
    if (s.current && s.current->work.job.id == id) return divert(s, now);
    auto it = std::find_if(s.pending.begin(), s.pending.end(),
                           [&](const Work& w) { return w.job.id == id; });
    if (it == s.pending.end()) return std::nullopt;
    Work w = std::move(*it);
    s.pending.erase(it);
    return w;
  }

  // The freed technician may be the earliest arrival for a critical job queued elsewhere; the
  // job taken over, if any.
  std::optional<JobId> take_over(std::size_t i, Instant now) {
    bool any = std::any_of(sims_.begin(), sims_.end(), [&](const SimTechnician& t) {
      if (t.current && now < t.current->arrive &&
          t.current->work.job.severity == Severity::critical)
        return true;
      return std::any_of(t.pending.begin(), t.pending.end(),
                         [](const Work& w) { return w.job.severity == Severity::critical; });
    });
    if (!any)
      return std::nullopt;  // the common case, and the engine's view of the fleet is not free
    auto states = engine_states(now);
    auto move = take_over_critical(states, sims_[i].technician.id, now, travel_, options_.engine);
    if (!move) return std::nullopt;
    auto& owner = sims_[static_cast<std::size_t>(move->from - 1)];
    auto w = take_unreached(owner, move->job_id, now);
    if (!w) return std::nullopt;
    ++take_overs_;
    assign(i, std::move(*w), now);
    // The technician turned back starts their next job, if any.
    if (!owner.current && !owner.pending.empty()) start_next(owner, now);
    return move->job_id;
  }

  void consider_move_up(Instant now, const std::vector<std::size_t>& candidates) {
    if (!engine() || !options_.move_up || candidates.empty()) return;
    std::vector<IdleTechnician> idle;
    std::vector<std::size_t> movable;
    for (std::size_t i = 0; i < sims_.size(); ++i) {
      const auto& s = sims_[i];
      if (!s.idle()) continue;
      if (std::find(candidates.begin(), candidates.end(), i) != candidates.end() && !s.moving)
        movable.push_back(idle.size());
      idle.push_back({i, where(s, now), &s.technician.skills});
    }
    auto move = best_move_up(idle, movable, demand_, now, travel_, options_.coverage);
    if (!move) return;
    auto& s = sims_[move->index];
    stop_moving(s, now);
    s.moving = Relocation{s.position, move->to, now,
                          now + travel_.travel_time(s.position, move->to), move->km};
    ++moves_;
  }

 public:
  // Set by the driver: each request's tier policy, and the policy for re-plans.
  std::vector<const TierPolicy*> tiers_;
  SlaPolicy policy_;

  void finish_moves(Instant end) {
    for (auto& s : sims_) stop_moving(s, std::max(end, s.moving ? s.moving->arrive : end));
  }

 private:
  std::vector<SimTechnician> sims_;
  std::vector<Outcome> outcomes_;
  std::vector<Work> backlog_;
  const TravelModel& travel_;
  const ReplayOptions& options_;
  ServiceTimeModel model_;
  int model_generation_ = 0;
  DemandHistory demand_;
  double repositioning_km_ = 0;
  std::optional<Instant> last_sweep_;
  int rescues_ = 0;
  int moves_ = 0, replans_ = 0, take_overs_ = 0, preemptions_ = 0, diversions_ = 0;
  double diverted_km_ = 0, diverted_minutes_ = 0;
};

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

  Simulation sim(std::move(sims), requests.size(), travel, options);
  sim.policy_ = policy;
  std::vector<Job> jobs(requests.size());
  for (std::size_t r = 0; r < requests.size(); ++r) {
    const auto& req = requests[r];
    Instant now = req.reported_at;
    for (auto next = sim.next_finish(); next.first <= now; next = sim.next_finish()) {
      sim.sweep(next.first);
      sim.finish(next.second, next.first);
    }
    sim.sweep(now);
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
    sim.tiers_.push_back(&tier);
    sim.arrive(Work{r, job, req.location, req.service_minutes, {req.kind, req.required_skills, {}}},
               now);
  }
  sim.drain();

  ReplayResult result;
  result.strategy = options.strategy == ReplayStrategy::sla ? "sla" : "nearest";
  result.requests = static_cast<int>(requests.size());
  Instant first = requests.empty() ? Instant{} : requests.front().reported_at, last = first;
  double work_minutes = 0;
  for (std::size_t r = 0; r < requests.size(); ++r) {
    int t = static_cast<int>(requests[r].severity);
    auto& tier = result.tiers[t];
    ++tier.count;
    int breached = 0;
    const auto& o = sim.outcomes()[r];
    // Every request assigned once is worked in the end, wherever it moved in between.
    if (o.assigned && !o.arrive) throw std::logic_error("replay lost request " + requests[r].id);
    if (!o.assigned) {
      ++result.unassigned;
      breached = 3;  // response, arrival and restore all pass unmet
    } else {
      if (*o.assigned > jobs[r].clock(SlaTarget::response).due) ++breached;
      result.total_km += o.km;
      tier.km += o.km;
      work_minutes += o.work_minutes;
      last = std::max(last, *o.finish);
      ++tier.arrived;
      tier.arrival_minutes.push_back(
          std::chrono::duration<double>(*o.arrive - requests[r].reported_at).count() / 60.0);
      if (*o.arrive <= jobs[r].clock(SlaTarget::arrival).due) ++tier.arrival_met;
      else ++breached;
      if (*o.finish > jobs[r].clock(SlaTarget::restore).due) ++breached;
    }
    tier.breaches += breached;
    result.weighted_breaches += breached * kBreachWeights[t];
    RequestOutcome& out = result.outcomes.emplace_back();
    out.id = requests[r].id;
    out.severity = requests[r].severity;
    out.reported_at = requests[r].reported_at;
    out.response_due = jobs[r].clock(SlaTarget::response).due;
    out.arrival_due = jobs[r].clock(SlaTarget::arrival).due;
    out.restore_due = jobs[r].clock(SlaTarget::restore).due;
    out.assigned = o.assigned;
    out.arrived = o.arrive;
    out.finished = o.finish;
    out.km = o.km;
    if (o.arrive) out.technician = technicians[o.technician].id;
    out.response_breached = !o.assigned || *o.assigned > out.response_due;
    out.arrival_breached = !o.arrive || *o.arrive > out.arrival_due;
    out.restore_breached = !o.finish || *o.finish > out.restore_due;
  }
  sim.finish_moves(last);
  result.repositioning_km = sim.repositioning_km();
  result.total_km += result.repositioning_km + sim.diverted_km();
  result.diverted_km = sim.diverted_km();
  result.diversions = sim.diversions();
  work_minutes += sim.diverted_minutes();
  result.moves = sim.moves();
  result.replans = sim.replans();
  double fleet_minutes = static_cast<double>(sim.technicians()) *
                         std::chrono::duration<double>(last - first).count() / 60;
  result.utilisation_pct = fleet_minutes > 0 ? 100 * work_minutes / fleet_minutes : 0;
  return result;
}

}  // namespace fieldserve::dispatch
