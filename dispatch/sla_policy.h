#pragma once
// The SLA policy of docs/sla.md as data, and the due times it gives a job.
#include <array>
#include <optional>
#include <vector>

#include "dispatch/calendar.h"
#include "domain/error.h"
#include "domain/model.h"

namespace fieldserve::dispatch {

enum class CalendarKind { always, business_hours };

struct DistanceBand {
  std::optional<double> max_km;  // nullopt: beyond the last bounded band
  int arrival_minutes = 0;
  int restore_minutes = 0;
};

struct TierPolicy {
  int response_minutes = 0;
  CalendarKind calendar = CalendarKind::always;
  double dispatch_radius_km = 0;
  std::vector<DistanceBand> bands;  // ascending max_km, the last one unbounded
};

// How the engine plans, beyond the targets (docs/decisions.md, "Dispatch engine").
struct DispatchSettings {
  // The expected time on site before any history: the prior of the learned estimates.
  int service_minutes = 60;
  // Re-plan the jobs not yet started when a technician frees up or a critical job comes in.
  bool rolling_replan = true;
};

// How long the office has to answer a complaint, by the customer's account tier
// (docs/after-sales.md, "Complaints").
struct ComplaintDeadlines {
  int key_hours = 4;
  int standard_hours = 24;

  int hours_for(AccountTier tier) const {
    return tier == AccountTier::key ? key_hours : standard_hours;
  }
};

struct SlaPolicy {
  std::array<TierPolicy, 4> tiers;  // indexed by Severity
  DispatchSettings dispatch;
  ComplaintDeadlines complaints;

  const TierPolicy& tier(Severity s) const { return tiers[static_cast<int>(s)]; }
};

// The defaults of docs/sla.md, used when no policy file is given.
SlaPolicy default_policy();

// Every tier present with at least one band; bands strictly ascending and ending unbounded;
// targets positive; arrival ≤ restore; radius positive. Details name each broken rule.
Result<void> validate(const SlaPolicy& policy);

// The band a site at `distance_km` falls in: the first with distance_km ≤ max_km.
const DistanceBand& band_for(const TierPolicy& tier, double distance_km);

// Due times for every target of a job. `paused_s` (counted in `calendar`) extends restore only.
std::array<SlaClock, 3> compute_clocks(const TierPolicy& tier, double distance_km,
                                       Instant reported_at, const Calendar& calendar,
                                       std::int64_t paused_s);

// The state of one target at `now`.
SlaState state_at(const SlaClock& clock, Instant now);

// How far a target's clock has run by `now`: on hold, the restore clock stopped when the hold
// began (docs/sla.md), so a job waiting for parts is not breached by the wait.
Instant counting_until(const Job& job, SlaTarget target, Instant now);

// state_at for a job's target, with the restore clock stopped on hold.
SlaState target_state(const Job& job, SlaTarget target, Instant now);

}  // namespace fieldserve::dispatch
