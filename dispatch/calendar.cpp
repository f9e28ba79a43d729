#include "dispatch/calendar.h"

#include <date/tz.h>

#include <algorithm>

namespace fieldserve::dispatch {
namespace {

const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// A local wall time that falls in a spring-forward gap maps to the moment the gap ends; an
// ambiguous one (fall back) to its earlier instance. Opening hours then follow the wall clock.
Instant local_to_sys(const date::time_zone* zone, date::local_seconds local) {
  auto info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the earlier of the two instants
      return Instant{local.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
    default: return info.first.end;
  }
}

// Limit on how far a calendar walks: ten years of days. A valid calendar has opening hours every
// week, so the walk ends long before; the limit only guards against a logic error looping forever.
constexpr int kMaxDays = 3660;

}  // namespace

Instant AlwaysOpenCalendar::add(Instant start, std::int64_t seconds) const {
  return start + std::chrono::seconds{seconds};
}

std::int64_t AlwaysOpenCalendar::elapsed(Instant from, Instant to) const {
  return to > from ? (to - from).count() : 0;
}

bool is_known_time_zone(const std::string& name) { return find_zone(name) != nullptr; }

Result<std::unique_ptr<BusinessHoursCalendar>> BusinessHoursCalendar::create(
    const std::string& time_zone, const WeeklyHours& hours) {
  const auto* zone = find_zone(time_zone);
  if (!zone) return fail(ErrorCode::validation_failed, "unknown time zone: " + time_zone);
  bool any_open = std::any_of(hours.begin(), hours.end(), [](const auto& span) {
    return span && span->end_min > span->start_min;
  });
  if (!any_open) return fail(ErrorCode::validation_failed, "business hours are closed all week");
  return std::unique_ptr<BusinessHoursCalendar>(new BusinessHoursCalendar(zone, hours));
}

Instant BusinessHoursCalendar::add(Instant start, std::int64_t seconds) const {
  const auto* zone = static_cast<const date::time_zone*>(zone_);
  auto local_day = date::floor<date::days>(zone->to_local(start));
  std::int64_t left = seconds;
  Instant cursor = start;
  for (int i = 0; i < kMaxDays; ++i, local_day += date::days{1}) {
    // date::weekday: Sunday = 0; our table starts on Monday.
    auto index = static_cast<int>((date::weekday{local_day}.c_encoding() + 6) % 7);
    const auto& span = hours_[index];
    if (!span || span->end_min <= span->start_min) continue;
    Instant open = local_to_sys(zone, local_day + std::chrono::minutes{span->start_min});
    Instant close = local_to_sys(zone, local_day + std::chrono::minutes{span->end_min});
    Instant from = std::max(open, cursor);
    if (from >= close) continue;
    std::int64_t available = (close - from).count();
    if (left <= available) return from + std::chrono::seconds{left};
    left -= available;
    cursor = close;
  }
  return cursor + std::chrono::seconds{left};
}

std::int64_t BusinessHoursCalendar::elapsed(Instant from, Instant to) const {
  if (to <= from) return 0;
  const auto* zone = static_cast<const date::time_zone*>(zone_);
  auto local_day = date::floor<date::days>(zone->to_local(from));
  std::int64_t total = 0;
  for (int i = 0; i < kMaxDays; ++i, local_day += date::days{1}) {
    auto index = static_cast<int>((date::weekday{local_day}.c_encoding() + 6) % 7);
    const auto& span = hours_[index];
    if (!span || span->end_min <= span->start_min) continue;
    Instant open = local_to_sys(zone, local_day + std::chrono::minutes{span->start_min});
    if (open >= to) break;
    Instant close = local_to_sys(zone, local_day + std::chrono::minutes{span->end_min});
    Instant a = std::max(open, from), b = std::min(close, to);
    if (b > a) total += (b - a).count();
  }
  return total;
}

}  // namespace fieldserve::dispatch
