#pragma once
// What the SLA monitor announces about a job, and when it must look again. Pure: the server's
// write path calls it on every job it stores (the event-driven path) and its ticker calls it for
// the jobs whose next threshold has passed.
#include <optional>
#include <vector>

#include "dispatch/calendar.h"
#include "domain/model.h"

namespace fieldserve::dispatch {

struct SlaAnnouncement {
  SlaTarget target = SlaTarget::response;
  SlaState from = SlaState::pending;
  SlaState to = SlaState::pending;
  Instant at{};  // when the new state began: the threshold, or the time the target was done
};

// True for a target that no longer counts: a cancelled job's targets that were not done before
// the cancellation. Reports leave them out; the monitor stops watching them.
bool is_void(const Job& job, SlaTarget target);

// Fills taken_s for every done target that has none. `calendar` is the tier's calendar at the
// job's center.
void settle_durations(Job& job, const Calendar& calendar);

// Compares each target's state at `now` with the one last announced, records the new states in
// the job, sets sla_next_check, and returns the changes to announce.
std::vector<SlaAnnouncement> take_announcements(Job& job, Instant now);

// The next instant after `now` at which a target not yet done changes state by time alone.
std::optional<Instant> next_sla_check(const Job& job, Instant now);

}  // namespace fieldserve::dispatch
