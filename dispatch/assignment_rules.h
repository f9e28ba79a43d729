#pragma once
// The rules a manual assignment may break (docs/decisions.md): the dispatcher's choice stands, but
// the answer says which rules it breaks so the choice is an informed one.
#include <string>
#include <vector>

#include "dispatch/sla_policy.h"
#include "dispatch/travel.h"
#include "domain/model.h"

namespace fieldserve::dispatch {

struct AssignmentCheck {
  std::vector<std::string>
      broken;  // inactive, off_shift, missing_skills, capacity, radius, eta_misses_due
               // off_shift: not on shift now and no shift starting before the arrival due
  std::vector<std::string> missing_skills;
  double distance_km = 0;  // geodesic, technician's position to the site
  Instant eta{};
};

struct AssignmentInput {
  const Job& job;
  const Site& site;
  const Technician& technician;
  const Center& home_center;  // the technician's: its zone reads the shift, its place is the
                              // fallback position when no location is known
  const TierPolicy& tier;
  int open_jobs = 0;  // the technician's open jobs, not counting this one
  Instant now{};
};

AssignmentCheck check_assignment(const AssignmentInput& in, const TravelModel& travel);

// Whether `now` falls inside the weekly shift, read in the zone `time_zone`. An unknown zone
// reads as UTC.
bool is_on_shift(const WeeklyHours& shift, const std::string& time_zone, Instant now);

// Whether the technician is on shift at `now` or starts a shift before `until`: the engine's
// eligibility and the manual assignment's `off_shift` read shifts the same way.
bool on_shift_by(const WeeklyHours& shift, const std::string& time_zone, Instant now,
                 Instant until);

}  // namespace fieldserve::dispatch
