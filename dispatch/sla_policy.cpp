#include "dispatch/sla_policy.h"

#include <algorithm>
#include <string>

namespace fieldserve::dispatch {

SlaPolicy default_policy() {
  auto tier = [](int response, CalendarKind cal, double radius,
                 std::array<std::pair<int, int>, 4> targets) {
    TierPolicy t{response, cal, radius, {}};
    std::array<std::optional<double>, 4> limits{10.0, 30.0, 60.0, std::nullopt};
    for (std::size_t i = 0; i < 4; ++i) {
      t.bands.push_back({limits[i], targets[i].first, targets[i].second});
    }
    return t;
  };
  SlaPolicy p;
  p.tiers[0] = tier(5, CalendarKind::always, 60, {{{45, 240}, {90, 300}, {150, 360}, {240, 480}}});
  p.tiers[1] = tier(15, CalendarKind::always, 80,
                    {{{90, 480}, {150, 600}, {240, 720}, {360, 960}}});
  p.tiers[2] = tier(30, CalendarKind::business_hours, 100,
                    {{{240, 1440}, {360, 1440}, {480, 1920}, {1440, 2880}}});
  p.tiers[3] = tier(60, CalendarKind::business_hours, 150,
                    {{{480, 4320}, {1440, 4320}, {2880, 5760}, {4320, 7200}}});
  return p;
}

Result<void> validate(const SlaPolicy& policy) {
  std::vector<std::string> problems;
  for (Severity s : kSeverities) {
    const auto& t = policy.tier(s);
    std::string name(to_string(s));
    if (t.response_minutes <= 0) problems.push_back(name + ": response_minutes must be positive");
    if (!(t.dispatch_radius_km > 0)) {
      problems.push_back(name + ": dispatch_radius_km must be positive");
    }
    if (t.bands.empty()) {
      problems.push_back(name + ": needs at least one band");
      continue;
    }
    std::optional<double> previous;
    for (std::size_t i = 0; i < t.bands.size(); ++i) {
      const auto& b = t.bands[i];
      std::string where = name + ".bands[" + std::to_string(i) + "]";
      bool last = i + 1 == t.bands.size();
      if (last && b.max_km) problems.push_back(where + ": the last band must have max_km null");
      if (!last && !b.max_km) problems.push_back(where + ": only the last band may be unbounded");
      if (b.max_km && (!(*b.max_km > 0) || (previous && *b.max_km <= *previous))) {
        problems.push_back(where + ": max_km must be positive and ascending");
      }
      if (b.arrival_minutes <= 0 || b.restore_minutes <= 0) {
        problems.push_back(where + ": targets must be positive");
      }
      if (b.arrival_minutes > b.restore_minutes) {
        problems.push_back(where + ": arrival_minutes must not exceed restore_minutes");
      }
      if (b.max_km) previous = b.max_km;
    }
  }
  if (!problems.empty()) {
    return fail(ErrorCode::validation_failed, "the SLA policy is not valid", std::move(problems));
  }
  return {};
}

const DistanceBand& band_for(const TierPolicy& tier, double distance_km) {
  for (const auto& band : tier.bands) {
    if (!band.max_km || distance_km <= *band.max_km) return band;
  }
  return tier.bands.back();
}

std::array<SlaClock, 3> compute_clocks(const TierPolicy& tier, double distance_km,
                                       Instant reported_at, const Calendar& calendar,
                                       std::int64_t paused_s) {
  const auto& band = band_for(tier, distance_km);
  auto clock = [&](int minutes, std::int64_t extra_s) {
    SlaClock c;
    c.target_minutes = minutes;
    c.due = calendar.add(reported_at, std::int64_t{minutes} * 60 + extra_s);
    // 75 % of the target, in whole seconds: minutes × 45.
    c.at_risk_at = calendar.add(reported_at, std::int64_t{minutes} * 45 + extra_s);
    return c;
  };
  return {clock(tier.response_minutes, 0), clock(band.arrival_minutes, 0),
          clock(band.restore_minutes, paused_s)};
}

Instant counting_until(const Job& job, SlaTarget target, Instant now) {
  // A hold that began after the due stops nothing: the target was already missed.
  if (target == SlaTarget::restore && job.status == JobStatus::on_hold && job.hold_started_at &&
      *job.hold_started_at < job.clock(SlaTarget::restore).due) {
    return std::min(now, *job.hold_started_at);
  }
  return now;
}

SlaState target_state(const Job& job, SlaTarget target, Instant now) {
  return state_at(job.clock(target), counting_until(job, target, now));
}

SlaState state_at(const SlaClock& clock, Instant now) {
  if (clock.done_at) return *clock.done_at <= clock.due ? SlaState::met : SlaState::breached;
  // Due is the last second that still meets the target; breached once it has passed.
  if (now > clock.due) return SlaState::breached;
  if (now >= clock.at_risk_at) return SlaState::at_risk;
  return SlaState::pending;
}

}  // namespace fieldserve::dispatch
