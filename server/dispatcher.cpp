#include "server/dispatcher.h"

#include <fmt/format.h>

#include <iterator>

#include "server/app.h"
#include "server/handlers/support.h"
#include "server/logging.h"

namespace fieldserve::server {
namespace {

// The explanation as JSON text, written directly: it is built for every decision while the
// writer lock is held, where building a json tree first would double the allocations.
std::string candidates_json(const dispatch::Decision& d) {
  fmt::memory_buffer out;
  out.push_back('[');
  for (std::size_t i = 0; i < d.candidates.size(); ++i) {
    const auto& c = d.candidates[i];
    if (i) out.push_back(',');
    fmt::format_to(std::back_inserter(out),
                   R"({{"technician_id":{},"eligible":{},"distance_km":{},"meets_arrival_target":{})",
                   c.technician_id, c.eligible, c.distance_km, c.meets_arrival_target);
    // Only technicians still in the running get an ETA; the field stays, null, for the rest.
    if (c.eligible) {
      fmt::format_to(std::back_inserter(out), R"(,"eta":"{}","travel_km":{},"queue_ahead":{})",
                     format_rfc3339(c.eta), c.travel_km, c.queue_ahead);
    } else {
      fmt::format_to(std::back_inserter(out), R"(,"eta":null)");
    }
    if (!c.excluded_because.empty()) {
      // Reasons are fixed snake_case words: nothing to escape.
      fmt::format_to(std::back_inserter(out), R"(,"excluded_because":"{}")", c.excluded_because);
    }
    if (c.delays_job_id) fmt::format_to(std::back_inserter(out), R"(,"would_delay_job_id":{})", c.delays_job_id);
    out.push_back('}');
  }
  out.push_back(']');
  return fmt::to_string(out);
}

}  // namespace

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

void Dispatcher::forget_index() {
  std::lock_guard lock(mutex_);
  known_revision_ = -1;
}

void Dispatcher::technician_changed(store::Tx& tx, const Technician& t) {
  std::lock_guard lock(mutex_);
  // Only when the index was current before this write may it be patched; else reload later.
  if (known_revision_ < 0 || tx.technicians_revision() != known_revision_ + 1) {
    known_revision_ = -1;
    return;
  }
  if (t.location) {
    index_.upsert(t.id, *t.location);
  } else if (auto home = tx.center(t.home_center_id)) {
    index_.upsert(t.id, home->location);
  }
  known_revision_ += 1;
}

dispatch::Decision Dispatcher::auto_assign(App& app, store::Tx& tx, Job& job,
                                           const std::string& actor, Instant now) {
  std::lock_guard lock(mutex_);
  refresh(tx);
  return decide_and_apply(app, tx, job, actor, now, true);
}

dispatch::Decision Dispatcher::decide_and_apply(App& app, store::Tx& tx, Job& job,
                                                const std::string& actor, Instant now,
                                                bool allow_preemption) {
  auto policy = app.policy();
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
    state.position = t.location.value_or(home != centers.end() ? home->second.location : site->location);
    state.time_zone = home != centers.end() ? home->second.time_zone : "UTC";
    for (const auto& open : queues[t.id]) {
      if (open.id == job.id) continue;
      state.queue.push_back(
          {open.id, open.severity, open.status, open.site, open.arrival_due, open.arrival_done, open.locked});
    }
    states.push_back(std::move(state));
  }

  auto decision = dispatch::decide(job, site->location, tier, states, now, travel_, config_);
  std::optional<dispatch::Preemption> preemption;
  // Nobody meets the target: either the best misses it, or the ones who could are full.
  if (allow_preemption && !decision.reason.empty()) {
    preemption = dispatch::find_preemption(job, site->location, tier, states, now, travel_, config_);
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
  save_job(app, tx, job);
  ++job.version;
  if (decision.chosen) {
    auto e = job_event(job, "assigned", from_status, actor, EventSource::dispatcher, now);
    e.detail = "auto" + (decision.reason.empty() ? std::string() : "; " + decision.reason);
    tx.insert_event(e);
  }
  tx.insert_decision({job.id, now, decision.chosen, decision.reason, decision.radius_km,
                      candidates_json(decision)});
  if (!decision.reason.empty()) {
    log_event(spdlog::level::warn, "dispatch", {{"job_id", job.id}, {"reason", decision.reason}});
  }

  if (moved) {
    // The moved job goes back to new and is dispatched again; it may not preempt in turn.
    auto moved_from = moved->status;
    auto previous = moved->technician_id;
    moved->status = JobStatus::new_;
    moved->technician_id.reset();
    save_job(app, tx, *moved);
    ++moved->version;
    auto e = job_event(*moved, "preempted", moved_from, actor, EventSource::dispatcher, now);
    e.detail = "moved from technician " + std::to_string(previous.value_or(0)) + " for critical job " +
               std::to_string(job.id);
    tx.insert_event(e);
    decide_and_apply(app, tx, *moved, actor, now, false);
  }
  return decision;
}

}  // namespace fieldserve::server
