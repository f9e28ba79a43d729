#include "dispatch/assignment_rules.h"

#include <date/tz.h>

#include <algorithm>

#include "geo/distance.h"

namespace fieldserve::dispatch {

bool is_on_shift(const WeeklyHours& shift, const std::string& time_zone, Instant now) {
  // Round the clock every day: on shift in any zone, and the zone lookup is the costly part.
  if (std::all_of(shift.begin(), shift.end(),
                  [](const auto& d) { return d && d->start_min <= 0 && d->end_min >= 1440; }))
    return true;
  date::local_seconds local{now.time_since_epoch()};
  try {
    local = date::locate_zone(time_zone)->to_local(now);
  } catch (const std::exception&) {
  }
  auto day = date::floor<date::days>(local);
  int minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  auto index = static_cast<int>((date::weekday{day}.c_encoding() + 6) % 7);
  if (shift[index] && minute >= shift[index]->start_min && minute < shift[index]->end_min) {
    return true;
  }
  // A night shift written as the previous day ending at 24:00 is covered by the day itself; a
  // shift starting before midnight and running past it is two entries, one per day.
  return false;
}

bool on_shift_by(const WeeklyHours& shift, const std::string& time_zone, Instant now,
                 Instant until) {
  if (is_on_shift(shift, time_zone, now)) return true;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(time_zone);
  } catch (const std::exception&) {
    return false;
  }
  auto local_now = zone->to_local(now);
  auto day = date::floor<date::days>(local_now);
  // A shift start within the window: look at the starts of today and the next days it spans.
  for (int d = 0; d < 8; ++d, day += date::days{1}) {
    auto index = static_cast<int>((date::weekday{day}.c_encoding() + 6) % 7);
    if (!shift[index]) continue;
    auto start_local = day + std::chrono::minutes{shift[index]->start_min};
    if (start_local < local_now) continue;
    auto start = zone->to_sys(start_local, date::choose::earliest);
    return start <= until;
  }
  return false;
}

AssignmentCheck check_assignment(const AssignmentInput& in, const TravelModel& travel) {
  AssignmentCheck out;
  const auto& t = in.technician;
  if (!t.active) out.broken.emplace_back("inactive");
  // As the engine reads it: a technician whose shift starts before the arrival due can take it.
  const auto& arrival = in.job.clock(SlaTarget::arrival);
  Instant until = arrival.done_at ? in.now : std::max(in.now, arrival.due);
  if (!on_shift_by(t.shift, in.home_center.time_zone, in.now, until))
    out.broken.emplace_back("off_shift");
  for (const auto& skill : in.job.required_skills) {
    if (std::find(t.skills.begin(), t.skills.end(), skill) == t.skills.end()) {
      out.missing_skills.emplace_back(skill);
    }
  }
  if (!out.missing_skills.empty()) out.broken.emplace_back("missing_skills");
  if (in.open_jobs >= t.max_open_jobs) out.broken.emplace_back("capacity");
  geo::LatLon from = t.location.value_or(in.home_center.location);
  out.distance_km = geo::geodesic_km(from, in.site.location);
  if (out.distance_km > in.tier.dispatch_radius_km) out.broken.emplace_back("radius");
  out.eta = in.now + travel.travel_time(from, in.site.location);
  if (!arrival.done_at && out.eta > arrival.due) out.broken.emplace_back("eta_misses_due");
  return out;
}

}  // namespace fieldserve::dispatch
