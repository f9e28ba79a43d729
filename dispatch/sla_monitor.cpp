#include "dispatch/sla_monitor.h"

#include <algorithm>

#include "dispatch/sla_policy.h"

namespace fieldserve::dispatch {

bool is_void(const Job& job, SlaTarget target) {
  return job.status == JobStatus::cancelled && !job.clock(target).done_at;
}

void settle_durations(Job& job, const Calendar& calendar) {
  for (SlaTarget t : kSlaTargets) {
    auto& c = job.clock(t);
    if (!c.done_at || c.taken_s) continue;
    std::int64_t counted = calendar.elapsed(job.reported_at, *c.done_at);
    if (t == SlaTarget::restore) counted -= job.paused_s;
    c.taken_s = std::max<std::int64_t>(counted, 0);
  }
}

std::vector<SlaAnnouncement> take_announcements(Job& job, Instant now) {
  std::vector<SlaAnnouncement> out;
  for (SlaTarget t : kSlaTargets) {
    if (is_void(job, t)) continue;
    auto& c = job.clock(t);
    SlaState state = target_state(job, t, now);
    if (state == c.announced) continue;
    Instant at = now;
    if (c.done_at) {
      at = *c.done_at;
    } else if (state == SlaState::breached) {
      at = c.due + std::chrono::seconds{1};
    } else if (state == SlaState::at_risk && c.at_risk_at <= now) {
      at = c.at_risk_at;
    }
    out.push_back({t, c.announced, state, at});
    c.announced = state;
  }
  job.sla_next_check = next_sla_check(job, now);
  return out;
}

std::optional<Instant> next_sla_check(const Job& job, Instant now) {
  std::optional<Instant> next;
  auto consider = [&](Instant at) {
    if (at > now && (!next || at < *next)) next = at;
  };
  for (SlaTarget t : kSlaTargets) {
    const auto& c = job.clock(t);
    if (c.done_at || is_void(job, t)) continue;
    if (counting_until(job, t, now) < now) continue;  // stopped on hold: no threshold comes
    consider(c.at_risk_at);
    consider(c.due + std::chrono::seconds{1});  // due is the last second that meets the target
  }
  return next;
}

}  // namespace fieldserve::dispatch
