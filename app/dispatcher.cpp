#include "app/dispatcher.h"

#include <algorithm>
#include <map>
#include <ranges>

#include "dispatch/coverage.h"
#include "dispatch/replan.h"

namespace fieldserve::app {

void Dispatcher::refresh(store::Tx& tx) {
  auto revisions = tx.dispatch_revisions();
  bool centers_changed = !known_centers_ ||
                         known_centers_->center_count != revisions.center_count ||
                         known_centers_->center_versions != revisions.center_versions;
  if (centers_changed) {
    centers_.clear();
    for (auto& c : tx.all_centers()) centers_.emplace(c.id, std::move(c));
    known_centers_ = revisions;
    known_revision_ = -1;  // technicians without a location sit at their center
  }
  auto revision = revisions.technicians;
  if (revision == known_revision_) return;
  index_ = geo::GridIndex();
  technicians_.clear();
  store::Page page{0, 500};
  for (;;) {
    auto rows = tx.technicians(page, {});
    for (const auto& t : rows) {
      auto home = centers_.find(t.home_center_id);
      if (t.location) index_.upsert(t.id, *t.location);
      else if (home != centers_.end()) index_.upsert(t.id, home->second.location);
      technicians_.insert_or_assign(t.id, t);
    }
    if (static_cast<int>(rows.size()) < page.limit) break;
    page.after_id = rows.back().id;
  }
  known_revision_ = revision;
}

void Dispatcher::technician_changed(store::Tx& tx, Effects& fx, const Technician& t) {
  auto revision = tx.technicians_revision();
  std::optional<geo::LatLon> at = t.location;
  if (!at) {
    if (auto home = tx.center(t.home_center_id)) at = home->location;
  }
  fx.after_commit([this, t, at, revision] {
    std::lock_guard lock(mutex_);
    // Only when the index showed the revision just before this write may it be patched; any
    // other order (another write committed in between) reloads at the next use.
    if (known_revision_ < 0 || revision != known_revision_ + 1) {
      known_revision_ = -1;
      return;
    }
    if (at) index_.upsert(t.id, *at);
    technicians_.insert_or_assign(t.id, t);
    known_revision_ = revision;
  });
}

dispatch::Decision Dispatcher::auto_assign(store::Tx& tx, Effects& fx, Job& job,
                                           const std::string& actor, Instant now) {
  std::lock_guard lock(mutex_);
  auto started = std::chrono::steady_clock::now();
  refresh(tx);
  return decide_and_apply(tx, fx, job, actor, now, true, started);
}

void Dispatcher::refresh_service_times(store::Tx& tx, Instant now, int prior_minutes) {
  constexpr auto kEvery = std::chrono::minutes(10);
  constexpr int kHistory = 5000;
  bool stale = !service_times_loaded_ || now - *service_times_loaded_ >= kEvery ||
               now < *service_times_loaded_ ||
               service_times_.config().prior_minutes != prior_minutes;
  if (!stale) return;
  dispatch::ServiceTimeConfig config;
  config.prior_minutes = prior_minutes;
  service_times_ = dispatch::ServiceTimeModel(config);
  auto history = tx.service_history(kHistory);
  // Oldest first, so each key's window keeps its most recent jobs.
  for (const auto& done : std::ranges::reverse_view(history)) {
    service_times_.record({done.kind, done.required_skills, done.equipment_model}, done.minutes);
  }
  service_times_loaded_ = now;
}

dispatch::ServiceEstimate Dispatcher::estimate(JobKind kind, const std::vector<std::string>& skills,
                                               const std::string& model) const {
  return service_times_.estimate({kind, skills, model});
}

Dispatcher::Snapshot Dispatcher::snapshot(store::Tx& tx, const geo::LatLon& site, double radius_km,
                                          JobId leave_out) {
  return snapshot_of(tx, index_.near(site, radius_km), leave_out, site);
}

Dispatcher::Snapshot Dispatcher::snapshot_of(store::Tx& tx,
                                             const std::vector<TechnicianId>& near_ids,
                                             JobId leave_out, const geo::LatLon& fallback) {
  const auto& centers = centers_;  // as refresh() found them in this transaction
  Snapshot snap;
  // refresh() ran earlier in this transaction, so the kept records are the store's as this
  // transaction sees them; one missing (never expected) sends the question to the store.
  std::vector<TechnicianId> ids = near_ids;
  std::sort(ids.begin(), ids.end());
  snap.technicians.reserve(ids.size());
  for (auto id : ids) {
    auto kept = technicians_.find(id);
    if (kept == technicians_.end()) {
      snap.technicians = tx.technicians_by_id(near_ids);
      break;
    }
    snap.technicians.push_back(kept->second);
  }
  snap.rows = tx.queues_of(near_ids);
  std::map<TechnicianId, std::vector<const store::QueuedRow*>> queues;
  for (const auto& row : snap.rows) queues[row.technician_id].push_back(&row);
  snap.states.reserve(snap.technicians.size());
  for (const auto& t : snap.technicians) {
    dispatch::TechnicianState state;
    state.technician = &t;
    auto home = centers.find(t.home_center_id);
    state.position = t.location.value_or(home != centers.end() ? home->second.location : fallback);
    state.time_zone = home != centers.end() ? home->second.time_zone : "UTC";
    for (const auto* open : queues[t.id]) {
      if (open->id == leave_out) continue;
      state.queue.push_back({open->id, open->severity, open->status, open->site, open->arrival_due,
                             open->arrival_done, open->locked,
                             estimate(open->kind, open->required_skills, open->equipment_model),
                             &open->required_skills});
    }
    snap.states.push_back(std::move(state));
  }
  return snap;
}

dispatch::Decision Dispatcher::decide_and_apply(store::Tx& tx, Effects& fx, Job& job,
                                                const std::string& actor, Instant now,
                                                bool allow_preemption,
                                                std::chrono::steady_clock::time_point started) {
  auto policy = writer_.policy().policy();
  const auto& tier = policy.tier(job.severity);
  auto site = tx.site(job.site_id);
  refresh_service_times(tx, now, policy.dispatch.service_minutes);

  // Every technician that could be within the widest radius the engine may try.
  auto snap = snapshot(tx, site->location, tier.dispatch_radius_km * config_.max_radius_factor,
                       job.id);
  const auto& states = snap.states;
  std::string model;
  if (job.equipment_id) {
    if (auto e = tx.equipment(*job.equipment_id)) model = e->model;
  }
  auto service = estimate(job.kind, job.required_skills, model);
  auto decision = dispatch::decide(job, site->location, service, tier, states, now, travel_,
                                   config_);
  std::optional<dispatch::Preemption> preemption;
  // A critical job gets the earliest arrival, even one that means moving a lesser job that has
  // not started, or diverting a technician driving to one; a serious job that would miss its
  // target may move a general or minor job not yet under way (dispatch::find_preemption).
  if (allow_preemption && (job.severity == Severity::critical || !decision.reason.empty())) {
    preemption = dispatch::find_preemption(job, site->location, service, tier, states, now, travel_,
                                           dispatch::counted_arrival(decision), config_);
  }
  times_.record(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  auto from_status = job.status;
  std::optional<Job> moved;
  if (preemption) {
    moved = tx.job(preemption->moved_job_id);
    decision.chosen = preemption->technician_id;
    decision.reason = "preempted_job_" + std::to_string(preemption->moved_job_id);
  }
  if (decision.chosen) {
    assign_to(job, *decision.chosen, false, now);
    job.dispatch_reason = decision.reason;
  } else {
    job.dispatch_reason = decision.reason;
  }
  writer_.save(tx, fx, job);
  ++job.version;
  if (decision.chosen) {
    auto e = job_event(job, "assigned", from_status, actor, EventSource::dispatcher, now);
    e.detail = "auto" + (decision.reason.empty() ? std::string() : "; " + decision.reason);
    tx.insert_event(e);
  }
  tx.insert_decision({job.id, now, decision.chosen, decision.reason, decision.radius_km,
                      encode_(decision)});
  if (!decision.reason.empty()) {
    fx.log(LogLevel::warn, "dispatch", {{"job_id", job.id}, {"reason", decision.reason}});
  }

  if (moved) {
    // The moved job goes back to new and is dispatched again; it may not preempt in turn.
    auto moved_from = moved->status;
    auto previous = moved->technician_id;
    moved->status = JobStatus::new_;
    moved->technician_id.reset();
    writer_.save(tx, fx, *moved);
    ++moved->version;
    auto e = job_event(*moved, "preempted", moved_from, actor, EventSource::dispatcher, now);
    e.detail = "moved from technician " + std::to_string(previous.value_or(0)) +
               " for critical job " + std::to_string(job.id);
    tx.insert_event(e);
    decide_and_apply(tx, fx, *moved, actor, now, false, std::chrono::steady_clock::now());
  }
  // A critical job changes the plan around it: the jobs not started nearby may now be late.
  if (allow_preemption && decision.chosen && job.severity == Severity::critical &&
      policy.dispatch.rolling_replan) {
    // Not held: the optimizer moves it only for a plan priced better, as in the replay.
    replan_near(tx, fx, site->location, tier.dispatch_radius_km, actor, now, std::nullopt);
  }
  return decision;
}

void Dispatcher::technician_freed(store::Tx& tx, Effects& fx, const Job& resolved,
                                  const std::string& actor, Instant now) {
  auto policy = writer_.policy().policy();
  if (!policy.dispatch.rolling_replan) return;
  auto site = tx.site(resolved.site_id);
  if (!site) return;
  std::lock_guard lock(mutex_);
  refresh(tx);
  refresh_service_times(tx, now, policy.dispatch.service_minutes);
  std::optional<JobId> taken;
  if (resolved.technician_id) {
    taken = take_over_near(tx, fx, *resolved.technician_id, site->location,
                           policy.tier(Severity::critical).dispatch_radius_km, actor, now);
  }
  replan_near(tx, fx, site->location, policy.tier(resolved.severity).dispatch_radius_km, actor, now,
              taken);
}

void Dispatcher::sweep(store::Tx& tx, Effects& fx, Instant now) {
  auto policy = writer_.policy().policy();
  if (!policy.dispatch.rolling_replan) return;
  std::lock_guard lock(mutex_);
  refresh(tx);
  refresh_service_times(tx, now, policy.dispatch.service_minutes);
  auto snap = snapshot_of(tx, index_.ids(), 0, {});
  auto moves = dispatch::rescue_late_jobs(snap.states, now, travel_, rescue_);
  for (const auto& m : moves) move_job(tx, fx, m, "rescue", "sla-monitor", now);
  if (!moves.empty()) {
    fx.log(LogLevel::info, "dispatch", {{"rescued", static_cast<std::int64_t>(moves.size())}});
  }
}

MoveUpInputs Dispatcher::gather_move_ups(store::Tx& tx, Instant now, std::chrono::days history,
                                         std::optional<CenterId> center) {
  // As many calls as a busy month brings: the demand map needs no more, and the read stays bounded.
  constexpr int kMaxCalls = 20000;
  MoveUpInputs in;
  in.calls = tx.critical_calls(now - history, center, kMaxCalls);
  std::lock_guard lock(mutex_);
  refresh(tx);
  auto snap = snapshot_of(tx, index_.ids(), 0, {});
  for (const auto& state : snap.states) {
    const auto& t = *state.technician;
    if (!t.active || !state.queue.empty() || (center && t.home_center_id != *center) ||
        !dispatch::on_shift_by(t.shift, state.time_zone, now, now))
      continue;
    in.idle.push_back({t.id, state.position, t.skills});
  }
  return in;
}

namespace {

// The replay's thresholds (docs/decisions.md, Move-up).
const dispatch::CoverageConfig kCoverage;

dispatch::DemandHistory demand_of(const MoveUpInputs& inputs) {
  dispatch::DemandHistory demand(kCoverage.cell_km);
  for (const auto& c : inputs.calls) demand.record(c.site, c.required_skills, c.reported_at);
  return demand;
}

std::vector<dispatch::IdleTechnician> idle_of(const MoveUpInputs& inputs) {
  std::vector<dispatch::IdleTechnician> idle;
  idle.reserve(inputs.idle.size());
  for (const auto& t : inputs.idle) idle.push_back({idle.size(), t.at, &t.skills});
  return idle;
}

}  // namespace

std::int64_t Dispatcher::move_up_pairs(const MoveUpInputs& inputs, Instant now) const {
  return dispatch::move_up_pairs_in_reach(idle_of(inputs), demand_of(inputs), now, travel_,
                                          kCoverage);
}

MoveUpSuggestions Dispatcher::suggest_move_ups(MoveUpInputs inputs, Instant now,
                                               int max_moves) const {
  auto demand = demand_of(inputs);
  auto idle = idle_of(inputs);
  MoveUpSuggestions out;
  out.critical_calls = static_cast<int>(inputs.calls.size());
  out.idle_technicians = static_cast<int>(idle.size());
  std::vector<std::size_t> movable(idle.size());
  for (std::size_t i = 0; i < movable.size(); ++i) movable[i] = i;
  while (static_cast<int>(out.moves.size()) < max_moves) {
    auto move = dispatch::best_move_up(idle, movable, demand, now, travel_, kCoverage);
    if (!move) break;
    out.moves.push_back({inputs.idle[move->index].id, idle[move->index].at, move->to, move->km,
                         move->gain_minutes});
    idle[move->index].at = move->to;
    std::erase(movable, move->index);
  }
  return out;
}

std::optional<JobId> Dispatcher::take_over_near(store::Tx& tx, Effects& fx, TechnicianId freed,
                                                const geo::LatLon& site, double radius_km,
                                                const std::string& actor, Instant now) {
  auto snap = snapshot(tx, site, radius_km, 0);
  auto move = dispatch::take_over_critical(snap.states, freed, now, travel_, config_);
  if (!move) return std::nullopt;
  move_job(tx, fx, *move, "take-over", actor, now, true);
  return move->job_id;
}

void Dispatcher::move_job(store::Tx& tx, Effects& fx, const dispatch::Reassignment& m,
                          const char* why, const std::string& actor, Instant now, bool turn_back) {
  auto job = tx.job(m.job_id);
  // Only what the plan saw: still not started, still with the technician it was taken from.
  bool not_started = job &&
                     (job->status == JobStatus::assigned || job->status == JobStatus::accepted ||
                      (turn_back && job->status == JobStatus::en_route));
  if (!not_started || job->technician_id != m.from || job->assignment_locked) return;
  auto from_status = job->status;
  assign_to(*job, m.to, false, now);
  // The reason in the dispatch words' spelling (take_over), the event's detail as before.
  std::string reason = why;
  std::replace(reason.begin(), reason.end(), '-', '_');
  job->dispatch_reason = reason;
  writer_.save(tx, fx, *job);
  ++job->version;
  auto e = job_event(*job, "assigned", from_status, actor, EventSource::dispatcher, now);
  e.detail = std::string(why) + "; from technician " + std::to_string(m.from);
  tx.insert_event(e);
  explain_move(tx, *job, reason, now);
}

void Dispatcher::explain_move(store::Tx& tx, const Job& job, const std::string& reason,
                              Instant now) {
  auto site = tx.site(job.site_id);
  if (!site || !job.technician_id) return;
  auto policy = writer_.policy().policy();
  const auto& tier = policy.tier(job.severity);
  auto snap = snapshot(tx, site->location, tier.dispatch_radius_km * config_.max_radius_factor,
                       job.id);
  std::string model;
  if (job.equipment_id) {
    if (auto e = tx.equipment(*job.equipment_id)) model = e->model;
  }
  auto decision = dispatch::decide(job, site->location,
                                   estimate(job.kind, job.required_skills, model), tier,
                                   snap.states, now, travel_, config_);
  tx.insert_decision({job.id, now, job.technician_id, reason, decision.radius_km,
                      encode_(decision)});
}

void Dispatcher::explain_moves(store::Tx& tx, std::span<const Job> moved, Instant now) {
  if (moved.empty()) return;
  std::lock_guard lock(mutex_);
  refresh(tx);
  refresh_service_times(tx, now, writer_.policy().policy().dispatch.service_minutes);
  for (const auto& job : moved) explain_move(tx, job, "optimizer", now);
}

void Dispatcher::replan_near(store::Tx& tx, Effects& fx, const geo::LatLon& site, double radius_km,
                             const std::string& actor, Instant now, std::optional<JobId> held) {
  auto snap = snapshot(tx, site, radius_km, 0);
  std::vector<JobId> keep;
  if (held) keep.push_back(*held);
  auto moves = dispatch::replan(snap.states, writer_.policy().policy(), now, travel_, {}, keep);
  for (const auto& m : moves) move_job(tx, fx, m, "replan", actor, now);
  if (!moves.empty()) {
    fx.log(LogLevel::info, "dispatch", {{"replan_moves", static_cast<std::int64_t>(moves.size())}});
  }
}

}  // namespace fieldserve::app
