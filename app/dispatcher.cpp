#include "app/dispatcher.h"

#include <map>

namespace fieldserve::app {

void Dispatcher::refresh(store::Tx& tx) {
  auto revision = tx.technicians_revision();
  if (revision == known_revision_) return;
  index_ = geo::GridIndex();
  std::map<CenterId, geo::LatLon> centers;
  for (const auto& c : tx.all_centers()) centers[c.id] = c.location;
  store::Page page{0, 500};
  for (;;) {
    auto rows = tx.technicians(page, {});
    for (const auto& t : rows) {
      auto home = centers.find(t.home_center_id);
      if (t.location) index_.upsert(t.id, *t.location);
      else if (home != centers.end()) index_.upsert(t.id, home->second);
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
  fx.after_commit([this, id = t.id, at, revision] {
    std::lock_guard lock(mutex_);
    // Only when the index showed the revision just before this write may it be patched; any
    // other order (another write committed in between) reloads at the next use.
    if (known_revision_ < 0 || revision != known_revision_ + 1) {
      known_revision_ = -1;
      return;
    }
    if (at) index_.upsert(id, *at);
    known_revision_ = revision;
  });
}

dispatch::Decision Dispatcher::auto_assign(store::Tx& tx, Effects& fx, Job& job,
                                           const std::string& actor, Instant now) {
  std::lock_guard lock(mutex_);
  refresh(tx);
  return decide_and_apply(tx, fx, job, actor, now, true);
}

dispatch::Decision Dispatcher::decide_and_apply(store::Tx& tx, Effects& fx, Job& job,
                                                const std::string& actor, Instant now,
                                                bool allow_preemption) {
  auto policy = writer_.policy().policy();
  const auto& tier = policy.tier(job.severity);
  auto site = tx.site(job.site_id);
  std::map<CenterId, Center> centers;
  for (auto& c : tx.all_centers()) centers.emplace(c.id, std::move(c));

  // Gather every technician that could be within the widest radius the engine may try.
  std::vector<dispatch::TechnicianState> states;
  double widest = tier.dispatch_radius_km * config_.max_radius_factor;
  auto near_ids = index_.near(site->location, widest);
  auto technicians = tx.technicians_by_id(near_ids);
  std::map<TechnicianId, std::vector<store::QueuedRow>> queues;
  for (const auto& row : tx.queues_of(near_ids)) queues[row.technician_id].push_back(row);
  states.reserve(technicians.size());
  for (const auto& t : technicians) {
    dispatch::TechnicianState state;
    state.technician = &t;
    auto home = centers.find(t.home_center_id);
    state.position = t.location.value_or(home != centers.end() ? home->second.location
                                                               : site->location);
    state.time_zone = home != centers.end() ? home->second.time_zone : "UTC";
    for (const auto& open : queues[t.id]) {
      if (open.id == job.id) continue;
      state.queue.push_back({open.id, open.severity, open.status, open.site, open.arrival_due,
                             open.arrival_done, open.locked});
    }
    states.push_back(std::move(state));
  }

  auto service = dispatch::ServiceEstimate{};
  auto decision = dispatch::decide(job, site->location, service, tier, states, now, travel_,
                                   config_);
  std::optional<dispatch::Preemption> preemption;
  // Nobody meets the target: either the best misses it, or the ones who could are full.
  if (allow_preemption && !decision.reason.empty()) {
    preemption = dispatch::find_preemption(job, site->location, service, tier, states, now,
                                           travel_);
  }
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
    decide_and_apply(tx, fx, *moved, actor, now, false);
  }
  return decision;
}

}  // namespace fieldserve::app
