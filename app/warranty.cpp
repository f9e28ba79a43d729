#include "app/warranty.h"

#include <map>

namespace fieldserve::app {
namespace {

bool ended(JobStatus s) {
  return s == JobStatus::resolved || s == JobStatus::signed_off || s == JobStatus::closed ||
         s == JobStatus::cancelled;
}

bool waiting_parts(const JobEvent& e) {
  return e.to_status == JobStatus::on_hold &&
         e.detail.starts_with(to_string(HoldReason::waiting_parts));
}

RepairRecord record_of(const Job& job, const std::vector<const JobEvent*>& status_events,
                       Instant change_at) {
  RepairRecord r;
  r.job_id = job.id;
  r.fault = job.fault;
  r.reported_at = job.reported_at;
  auto hold_open = [&] { return !r.parts_holds.empty() && !r.parts_holds.back().to; };
  for (const auto* e : status_events) {
    if (hold_open() && e->from_status == JobStatus::on_hold) r.parts_holds.back().to = e->at;
    if (waiting_parts(*e)) r.parts_holds.push_back({e->at, std::nullopt});
    if (e->to_status == JobStatus::cancelled) r.ended_at = e->at;
  }
  // What the write under way did and its events do not show yet.
  bool on_parts_hold = job.status == JobStatus::on_hold &&
                       job.hold_reason == HoldReason::waiting_parts;
  if (hold_open() && !on_parts_hold) r.parts_holds.back().to = change_at;
  if (on_parts_hold && !hold_open())
    r.parts_holds.push_back({job.hold_started_at.value_or(change_at), std::nullopt});
  const auto& restore = job.clock(SlaTarget::restore);
  if (job.status != JobStatus::cancelled && restore.done_at) {
    r.ended_at = restore.done_at;
    r.resolved = true;
  } else if (job.status == JobStatus::cancelled && !r.ended_at) {
    r.ended_at = change_at;
  }
  return r;
}

}  // namespace

UnitHistory unit_history(store::Tx& tx, const Equipment& unit, const Job* writing,
                         Instant change_at) {
  UnitHistory h;
  h.sold_at = unit.sold_at;
  h.warranty_months = unit.warranty_months;
  for (const auto& e : tx.exchanges_of(unit.id)) h.exchanges.push_back(e.at);
  auto jobs = tx.repair_jobs_of(unit.id);
  std::vector<JobId> ids;
  ids.reserve(jobs.size());
  for (const auto& j : jobs) ids.push_back(j.id);
  auto events = tx.status_events_of(ids);
  std::map<JobId, std::vector<const JobEvent*>> by_job;
  for (const auto& e : events) by_job[e.job_id].push_back(&e);
  for (const auto& j : jobs) {
    if (writing && j.id == writing->id) continue;
    // A stored job is as its events say: nothing of it is under way.
    h.repairs.push_back(record_of(j, by_job[j.id], Instant{}));
  }
  if (writing && writing->kind == JobKind::repair && writing->equipment_id == unit.id)
    h.repairs.push_back(record_of(*writing, by_job[writing->id], change_at));
  return h;
}

std::optional<JobWarranty> warranty_block(const UnitHistory& unit, const Job& job, Instant now) {
  if (job.kind != JobKind::repair || !job.equipment_id) return std::nullopt;
  bool open = !ended(job.status);
  Instant rule4_at = now;
  if (!open) {
    // Rule 4 is taken as the job ended (its last open second): a repair that took over 30
    // days stays one.
    for (const auto& r : unit.repairs) {
      if (r.job_id == job.id && r.ended_at)
        rule4_at = std::min(rule4_at, *r.ended_at - std::chrono::seconds(1));
    }
  }
  auto a = assess_repair_job(unit, job.fault, job.reported_at, rule4_at);
  JobWarranty block{a.in_warranty, a.basis, std::nullopt};
  bool overridable = a.basis == WarrantyBasis::in_warranty ||
                     a.basis == WarrantyBasis::repeat_failure;
  if (open && overridable) block.exchange_from = repair_over_30_days_from(unit, now);
  return block;
}

int refresh_unit_warranty(store::Tx& tx, EquipmentId unit_id, Instant now) {
  auto unit = tx.equipment(unit_id);
  if (!unit) return 0;
  auto history = unit_history(tx, *unit);
  int changed = 0;
  for (auto& job : tx.repair_jobs_of(unit_id)) {
    auto block = warranty_block(history, job, now);
    if (block == job.warranty) continue;
    job.warranty = block;
    if (tx.update_job(job)) ++changed;
  }
  return changed;
}

}  // namespace fieldserve::app
