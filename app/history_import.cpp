#include "app/history_import.h"

#include "app/follow_up_service.h"

#include "domain/job_status.h"

namespace fieldserve::app {
namespace {

Result<void> import_event(JobWriter& writer, store::Tx& tx, Job& job, const HistoricEvent& event,
                          const dispatch::Calendar& calendar) {
  JobEvent e;
  e.job_id = job.id;
  e.type = "status";
  e.from_status = job.status;
  e.actor = "import";
  e.technician_id = job.technician_id;
  e.source = event.source;
  e.at = event.at;
  e.received_at = event.at;
  if (event.at < job.reported_at) {
    return fail(ErrorCode::validation_failed, "event before reported_at");
  }
  if (event.to == "assigned") {
    if (!job.technician_id) {
      return fail(ErrorCode::validation_failed, "assigned without technician_id");
    }
    if (!can_reassign(job.status)) {
      return fail(ErrorCode::invalid_transition, "assigned after the job started");
    }
    job.status = JobStatus::assigned;
    e.type = "assigned";
    e.technician_id = job.technician_id;
    auto& response = job.clock(SlaTarget::response);
    if (!response.done_at) response.done_at = event.at;
  } else if (event.to == "cancelled") {
    if (!can_cancel(job.status)) {
      return fail(ErrorCode::invalid_transition, "cancelled after resolved");
    }
    job.status = JobStatus::cancelled;
  } else {
    auto request = parse_status_request(event.to);
    if (!request) return fail(ErrorCode::validation_failed, "unknown status " + event.to);
    auto change = plan_status_change(job, *request, event.reason);
    if (!change) return std::unexpected(change.error());
    bool resuming = job.status == JobStatus::on_hold;
    apply_status_change(job, *change, event.at,
                        [&](Instant a, Instant b) { return calendar.elapsed(a, b); });
    if (resuming) {
      if (auto ok = writer.refresh_due_times(tx, job); !ok) return ok;
    }
    if (event.reason) e.detail = std::string(to_string(*event.reason));
  }
  e.to_status = job.status;
  tx.insert_event(e);
  return {};
}

}  // namespace

Result<int> import_job(JobWriter& writer, store::Tx& tx, Effects& fx, HistoricJob history) {
  Job& job = history.job;
  job.created_at = job.reported_at;
  if (auto ok = writer.refresh_due_times(tx, job); !ok) return std::unexpected(ok.error());
  job.technician_id = history.technician;
  // Historical assignments were the dispatcher's; keep them out of any later optimizer.
  job.assignment_locked = history.technician.has_value();
  writer.save_new(tx, fx, job, WriteOrigin::history);
  JobEvent created;
  created.job_id = job.id;
  created.type = "created";
  created.to_status = JobStatus::new_;
  created.actor = "import";
  created.source = EventSource::api;
  created.at = job.reported_at;
  created.received_at = job.reported_at;
  tx.insert_event(created);
  int events = 1;
  auto site = tx.site(job.site_id);
  auto center = site ? tx.center(site->center_id) : std::nullopt;
  if (!center) return fail(ErrorCode::unknown_reference, "the job's site or center is missing");
  auto policy = writer.policy().policy();
  auto calendar = writer.policy().calendar(*center, policy.tier(job.severity).calendar);
  for (const auto& event : history.events) {
    if (auto ok = import_event(writer, tx, job, event, *calendar); !ok) {
      return std::unexpected(ok.error());
    }
    ++events;
  }
  for (auto part : history.parts) {
    part.job_id = job.id;
    part.technician_id = job.technician_id;
    part.received_at = part.at;
    tx.insert_part(part);
  }
  job.version = 1;
  writer.save(tx, fx, job, WriteOrigin::history);
  if (job.status == JobStatus::closed) {
    for (const auto& event : history.events) {
      if (event.to == "closed") open_follow_up(tx, job, event.at);
    }
  }
  return events;
}

}  // namespace fieldserve::app
