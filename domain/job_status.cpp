#include "domain/job_status.h"

#include <string>

namespace fieldserve {
namespace {

// Position in the forward chain, or -1 for states outside it.
int chain_rank(JobStatus s) {
  switch (s) {
    case JobStatus::assigned: return 1;
    case JobStatus::accepted: return 2;
    case JobStatus::en_route: return 3;
    case JobStatus::on_site: return 4;
    case JobStatus::resolved: return 5;
    default: return -1;
  }
}

std::unexpected<Error> invalid(const Job& job, std::string_view to) {
  return fail(ErrorCode::invalid_transition, "job " + std::to_string(job.id) + " cannot go from " +
                                                 std::string(to_string(job.status)) + " to " +
                                                 std::string(to));
}

}  // namespace

std::optional<StatusRequest> parse_status_request(std::string_view s) {
  if (s == "accepted") return StatusRequest::accepted;
  if (s == "en_route") return StatusRequest::en_route;
  if (s == "on_site") return StatusRequest::on_site;
  if (s == "on_hold") return StatusRequest::on_hold;
  if (s == "resumed") return StatusRequest::resumed;
  if (s == "resolved") return StatusRequest::resolved;
  if (s == "closed") return StatusRequest::closed;
  return std::nullopt;
}

Result<StatusChange> plan_status_change(const Job& job, StatusRequest request,
                                        std::optional<HoldReason> hold_reason) {
  auto forward_to = [&](JobStatus to, std::string_view name) -> Result<StatusChange> {
    int from_rank = chain_rank(job.status);
    if (from_rank < 0 || chain_rank(to) <= from_rank) return invalid(job, name);
    return StatusChange{to, std::nullopt};
  };
  switch (request) {
    case StatusRequest::accepted: return forward_to(JobStatus::accepted, "accepted");
    case StatusRequest::en_route: return forward_to(JobStatus::en_route, "en_route");
    case StatusRequest::on_site: return forward_to(JobStatus::on_site, "on_site");
    case StatusRequest::resolved: return forward_to(JobStatus::resolved, "resolved");
    case StatusRequest::on_hold:
      if (!hold_reason) {
        return fail(ErrorCode::validation_failed,
                    "on_hold needs a reason: waiting_parts or waiting_customer");
      }
      if (job.status != JobStatus::accepted && job.status != JobStatus::en_route &&
          job.status != JobStatus::on_site) {
        return invalid(job, "on_hold");
      }
      return StatusChange{JobStatus::on_hold, hold_reason};
    case StatusRequest::resumed:
      if (job.status != JobStatus::on_hold || !job.status_before_hold)
        return invalid(job, "resumed");
      return StatusChange{*job.status_before_hold, std::nullopt};
    case StatusRequest::closed:
      if (job.kind == JobKind::installation) {
        if (job.status != JobStatus::signed_off) {
          if (job.status == JobStatus::resolved) {
            return fail(ErrorCode::invalid_transition,
                        "an installation job closes only after the customer's sign-off");
          }
          return invalid(job, "closed");
        }
      } else if (job.status != JobStatus::resolved && job.status != JobStatus::signed_off) {
        return invalid(job, "closed");
      }
      return StatusChange{JobStatus::closed, std::nullopt};
  }
  return invalid(job, "?");
}

void apply_status_change(Job& job, const StatusChange& change, Instant at,
                         const std::function<std::int64_t(Instant, Instant)>& counted_s) {
  if (change.to == JobStatus::on_hold) {
    job.status_before_hold = job.status;
    job.hold_reason = change.hold_reason;
    job.hold_started_at = at;
  } else if (job.status == JobStatus::on_hold) {
    // A hold that began after the restore target was already missed cannot undo the breach:
    // only a hold that stopped a running clock extends it.
    if (job.hold_started_at && *job.hold_started_at < job.clock(SlaTarget::restore).due) {
      job.paused_s += counted_s(*job.hold_started_at, at);
    }
    job.status_before_hold.reset();
    job.hold_reason.reset();
    job.hold_started_at.reset();
  }
  auto& arrival = job.clock(SlaTarget::arrival);
  if (change.to == JobStatus::on_site && !arrival.done_at) arrival.done_at = at;
  auto& restore = job.clock(SlaTarget::restore);
  if (change.to == JobStatus::resolved && !restore.done_at) {
    restore.done_at = at;
    // A job resolved without an on_site step (fixed by phone, or the step never reported) was
    // reached by the time it was resolved at the latest.
    if (!arrival.done_at) arrival.done_at = at;
  }
  job.status = change.to;
}

bool is_open(JobStatus s) {
  return s == JobStatus::assigned || s == JobStatus::accepted || s == JobStatus::en_route ||
         s == JobStatus::on_site || s == JobStatus::on_hold;
}

bool can_cancel(JobStatus s) {
  return chain_rank(s) < 5 && s != JobStatus::signed_off && s != JobStatus::closed &&
         s != JobStatus::cancelled;
}

bool can_reassign(JobStatus s) {
  return s == JobStatus::new_ || s == JobStatus::assigned || s == JobStatus::accepted ||
         s == JobStatus::en_route;
}

bool is_started(JobStatus s) {
  return s != JobStatus::new_ && s != JobStatus::assigned && s != JobStatus::accepted;
}

}  // namespace fieldserve
