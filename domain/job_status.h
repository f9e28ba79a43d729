#pragma once
// The job lifecycle of the domain model. Decisions here are pure so the REST route, the sync push
// and the importer all follow one rule book.
#include <functional>
#include <optional>

#include "domain/error.h"
#include "domain/model.h"

namespace fieldserve {

// What a technician or dispatcher asks for through POST /jobs/{id}/status or a sync op.
// `resumed` is not a status: it returns the job to where it was before on_hold.
enum class StatusRequest { accepted, en_route, on_site, on_hold, resumed, resolved, closed };
std::optional<StatusRequest> parse_status_request(std::string_view s);

struct StatusChange {
  JobStatus to;
  std::optional<HoldReason> hold_reason;
};

// Returns the status the job moves to, or invalid_transition / validation_failed with a message
// naming both ends. Forward skips inside assigned → resolved are allowed (a technician who walks
// straight in never says en_route); going back is not. An installation closes only once signed off.
Result<StatusChange> plan_status_change(const Job& job, StatusRequest request,
                                        std::optional<HoldReason> hold_reason);

// Applies a planned change at `at`: sets SLA done times (first on_site, resolved) and pause
// accounting for on_hold; `counted_s(from, to)` measures a hold in the restore clock's calendar.
// The caller recomputes due times when a pause ends, then stores and versions the job.
void apply_status_change(Job& job, const StatusChange& change, Instant at,
                         const std::function<std::int64_t(Instant, Instant)>& counted_s);

bool is_open(JobStatus s);       // counts against max_open_jobs
bool can_cancel(JobStatus s);    // any state before resolved
bool can_reassign(JobStatus s);  // not yet on site
bool is_started(JobStatus s);    // the technician has left for it

}  // namespace fieldserve
