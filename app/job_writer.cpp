#include "app/job_writer.h"

#include <cmath>

#include "app/warranty.h"
#include "dispatch/site_placement.h"

namespace fieldserve::app {
namespace {

// Migration 4 marks jobs stored before the monitor with a next check at the epoch: their history
// was never watched live, so settling them announces nothing.
bool from_before_the_monitor(const Job& job) { return job.sla_next_check == Instant{}; }

bool finished(JobStatus s) {
  return s == JobStatus::resolved || s == JobStatus::signed_off || s == JobStatus::closed ||
         s == JobStatus::cancelled;
}

}  // namespace

void assign_to(Job& job, TechnicianId technician, bool locked, Instant now) {
  job.technician_id = technician;
  job.assignment_locked = locked;
  // Reassigning a job the previous technician already accepted starts it over for the new one.
  job.status = JobStatus::assigned;
  auto& response = job.clock(SlaTarget::response);
  if (!response.done_at) response.done_at = now;
}

JobEvent job_event(const Job& job, std::string type, std::optional<JobStatus> from,
                   const std::string& actor, EventSource source, Instant at) {
  JobEvent e;
  e.job_id = job.id;
  e.type = std::move(type);
  e.from_status = from;
  e.to_status = job.status;
  e.technician_id = job.technician_id;
  e.actor = actor;
  e.source = source;
  e.at = at;
  e.received_at = at;
  return e;
}

Result<std::shared_ptr<const dispatch::Calendar>> JobWriter::calendar_of(store::Tx& tx,
                                                                         const Job& job) {
  auto site = tx.site(job.site_id);
  auto center = site ? tx.center(site->center_id) : std::nullopt;
  if (!center) return fail(ErrorCode::internal, "the job's site or center is missing");
  return policy_.calendar(*center, policy_.policy().tier(job.severity).calendar);
}

// Durations of targets just done, and the state changes since the last look.
std::vector<dispatch::SlaAnnouncement> JobWriter::settle_sla(store::Tx& tx, Job& job, Instant now) {
  bool unsettled = false;
  for (const auto& c : job.sla) unsettled |= c.done_at && !c.taken_s;
  if (unsettled) {
    if (auto calendar = calendar_of(tx, job)) dispatch::settle_durations(job, **calendar);
  }
  return dispatch::take_announcements(job, now);
}

void JobWriter::announce(store::Tx& tx, Effects& fx, const Job& job,
                         const std::vector<dispatch::SlaAnnouncement>& changes, Instant now) {
  for (const auto& a : changes) {
    JobEvent e;
    e.job_id = job.id;
    e.type = "sla_";
    e.type += to_string(a.to);
    e.technician_id = job.technician_id;
    e.actor = "sla-monitor";
    e.source = EventSource::dispatcher;
    e.at = a.at;
    e.received_at = now;
    // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) on the chained + form.
    e.detail.append(to_string(a.target)).append(" ").append(to_string(a.from));
    e.detail.append(" -> ").append(to_string(a.to));
    tx.insert_event(e);
    fx.log(a.to == SlaState::breached ? LogLevel::warn : LogLevel::info, "sla",
           {{"job_id", job.id},
            {"target", std::string(to_string(a.target))},
            {"from", std::string(to_string(a.from))},
            {"state", std::string(to_string(a.to))},
            {"at", format_rfc3339(a.at)},
            {"due", format_rfc3339(job.clock(a.target).due)}});
  }
}

void JobWriter::refresh_warranty(Effects& fx, std::optional<EquipmentId> unit) {
  if (!unit) return;
  fx.before_commit("warranty:" + std::to_string(*unit), [this, id = *unit](store::Tx& tx) {
    refresh_unit_warranty(tx, id, clock_.now());
  });
}

// The written job's block is worked out before it is stored, from the job as it is in memory,
// so that the answer to the write shows it and the job is not written twice; the unit's other
// jobs are worked out again at the end of the transaction. An import leaves it all to the end.
void JobWriter::settle_warranty(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin,
                                Instant change_at) {
  if (job.kind != JobKind::repair || !job.equipment_id) {
    job.warranty.reset();
    return;
  }
  if (origin == WriteOrigin::live) {
    auto unit = tx.equipment(*job.equipment_id);
    if (unit) {
      job.warranty = warranty_block(unit_history(tx, *unit, &job, change_at), job, clock_.now());
    }
  }
  refresh_warranty(fx, job.equipment_id);
}

JobId JobWriter::save_new(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin) {
  auto now = clock_.now();
  auto changes = settle_sla(tx, job, now);
  settle_warranty(tx, fx, job, origin, now);
  job.id = tx.insert_job(job);
  if (origin == WriteOrigin::live) announce(tx, fx, job, changes, now);
  return job.id;
}

bool JobWriter::save(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin) {
  return write_job(tx, fx, job, origin, clock_.now());
}

bool JobWriter::write_job(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin,
                          Instant change_at) {
  auto now = clock_.now();
  bool silent = origin == WriteOrigin::history || from_before_the_monitor(job);
  auto changes = settle_sla(tx, job, now);
  settle_warranty(tx, fx, job, origin, change_at);
  if (!tx.update_job(job)) return false;
  if (!silent) announce(tx, fx, job, changes, now);
  return true;
}

void JobWriter::recheck_sla(store::Tx& tx, Effects& fx, Job& job) {
  auto now = clock_.now();
  bool silent = from_before_the_monitor(job);
  auto changes = settle_sla(tx, job, now);
  tx.mark_sla(job);
  if (!silent) announce(tx, fx, job, changes, now);
}

Result<void> JobWriter::store_status_change(store::Tx& tx, Effects& fx, Job& job,
                                            const StatusChange& change, Instant at) {
  auto calendar = calendar_of(tx, job);
  if (!calendar) return std::unexpected(calendar.error());
  bool resuming = job.status == JobStatus::on_hold && change.to != JobStatus::on_hold;
  // A device may report a resume timed before the hold it ends was recorded: no negative pause.
  apply_status_change(job, change, at, [&](Instant from, Instant to) -> std::int64_t {
    return to > from ? (*calendar)->elapsed(from, to) : 0;
  });
  if (resuming) {
    if (auto ok = refresh_due_times(tx, job); !ok) return ok;
  }
  write_job(tx, fx, job, WriteOrigin::live, at);
  return {};
}

bool JobWriter::advance_if_signed(store::Tx& tx, Effects& fx, JobId id,
                                  const std::function<JobEvent(const Job&)>& event) {
  auto job = tx.job(id);
  if (!job || job->status != JobStatus::resolved || !tx.job_signed(id)) return false;
  job->status = JobStatus::signed_off;
  save(tx, fx, *job);
  tx.insert_event(event(*job));
  return true;
}

Result<void> JobWriter::refresh_due_times(store::Tx& tx, Job& job) {
  auto site = tx.site(job.site_id);
  if (!site) return fail(ErrorCode::unknown_reference, "the job's site no longer exists");
  auto center = tx.center(site->center_id);
  if (!center) return fail(ErrorCode::unknown_reference, "the site's center no longer exists");
  auto policy = policy_.policy();
  const auto& tier = policy.tier(job.severity);
  auto calendar = policy_.calendar(*center, tier.calendar);
  auto clocks = dispatch::compute_clocks(tier, site->distance_km, job.reported_at, *calendar,
                                         job.paused_s);
  for (std::size_t i = 0; i < clocks.size(); ++i) {
    auto& kept = job.sla[i];
    if (kept.done_at) continue;  // decided: a later change of policy or site does not rewrite it
    clocks[i].announced = kept.announced;
    kept = clocks[i];
  }
  job.distance_km = site->distance_km;
  return {};
}

void JobWriter::refresh_open_jobs(store::Tx& tx, Effects& fx, store::JobFilter filter) {
  store::Page page{0, 500};
  for (;;) {
    auto jobs = tx.jobs(page, filter);
    for (auto& job : jobs) {
      if (finished(job.status)) continue;
      if (refresh_due_times(tx, job)) save(tx, fx, job);
    }
    if (static_cast<int>(jobs.size()) < page.limit) break;
    page.after_id = jobs.back().id;
  }
}

void JobWriter::rehome_sites(store::Tx& tx, Effects& fx,
                             const std::function<void(const Site&, const Site&)>& audit) {
  auto centers = tx.all_centers();
  for (auto site : tx.all_sites()) {
    auto placement = dispatch::place_site(site.location, centers,
                                          site.center_explicit ? std::optional(site.center_id)
                                                               : std::nullopt);
    if (!placement) continue;
    if (placement->center_id == site.center_id &&
        std::abs(placement->distance_km - site.distance_km) < 1e-9) {
      continue;
    }
    auto before = site;
    site.center_id = placement->center_id;
    site.distance_km = placement->distance_km;
    if (!tx.update_site(site)) continue;  // changed under us: it was placed by that write
    ++site.version;
    audit(before, site);
    store::JobFilter filter;
    filter.site_id = site.id;
    refresh_open_jobs(tx, fx, filter);
  }
}

}  // namespace fieldserve::app
