#include "app/follow_up_service.h"

#include "app/effects.h"

namespace fieldserve::app {
namespace {

std::unexpected<Error> invalid(const std::string& field, const std::string& problem) {
  return fail(ErrorCode::validation_failed, "the request is not valid", {field + ": " + problem});
}

}  // namespace

void open_follow_up(store::Tx& tx, const Job& job, Instant closed_at) {
  if (tx.follow_up_of_job(job.id)) return;
  auto site = tx.site(job.site_id);
  if (!site) return;
  FollowUp f;
  f.job_id = job.id;
  f.customer_id = site->customer_id;
  f.technician_id = job.technician_id;
  f.due = closed_at + kFollowUpAfter;
  (void)tx.insert_follow_up(f);
}

std::vector<FollowUp> FollowUpService::list(const store::FollowUpFilter& filter,
                                            const std::optional<store::FollowUpPosition>& after,
                                            int limit) {
  return store_.read([&](store::Tx& tx) { return tx.follow_ups(filter, after, limit); });
}

Result<FollowUp> FollowUpService::get(FollowUpId id) {
  auto f = store_.read([&](store::Tx& tx) { return tx.follow_up(id); });
  if (!f) return not_found("follow-up", id);
  return std::move(*f);
}

Result<FollowUp> FollowUpService::record(const Principal& who, FollowUpId id,
                                         const FollowUpResult& in) {
  auto now = clock_.now();
  if (in.satisfaction && (*in.satisfaction < 1 || *in.satisfaction > 5)) {
    return invalid("satisfaction", "must be from 1 to 5");
  }
  if (in.satisfaction && !in.reached) {
    return invalid("satisfaction", "only a customer who was reached can give one");
  }
  auto at = in.at.value_or(now);
  if (at > now + kClientClockTolerance) return invalid("at", "must not be in the future");
  at = std::min(at, now);
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<FollowUp> {
    auto f = tx.follow_up(id);
    if (!f) return not_found("follow-up", id);
    if (f->status == FollowUpStatus::done) {
      return fail(ErrorCode::conflict, "follow-up " + std::to_string(id) +
                                           " already has its result (" +
                                           format_rfc3339(*f->done_at) + ")");
    }
    // The call is about a closed job: it cannot have happened before the close (a week before
    // the follow-up's due date, open_follow_up).
    auto closed_at = f->due - kFollowUpAfter;
    if (at < closed_at) {
      return invalid("at",
                     "must not be before the job was closed (" + format_rfc3339(closed_at) + ")");
    }
    f->status = FollowUpStatus::done;
    f->reached = in.reached;
    f->satisfaction = in.satisfaction;
    f->comment = in.comment;
    f->done_at = at;
    f->done_by = who.actor();
    if (!tx.update_follow_up(*f)) return fail(ErrorCode::conflict, "changed meanwhile");
    fx.log(LogLevel::info, "follow-up done",
           {{"follow_up_id", id},
            {"job_id", f->job_id},
            {"reached", std::string(in.reached ? "true" : "false")}});
    return *tx.follow_up(id);
  });
}

}  // namespace fieldserve::app
