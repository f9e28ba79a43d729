#pragma once
// SLA calendars: a 24×7 clock counts every second; a business-hours clock counts only the opening
// hours of the site's service center, in that center's IANA zone, so a daylight-saving change
// shortens or lengthens the day exactly as the wall clock does.
#include <cstdint>
#include <memory>
#include <string>

#include "domain/error.h"
#include "domain/model.h"
#include "domain/time.h"

namespace fieldserve::dispatch {

class Calendar {
 public:
  virtual ~Calendar() = default;
  // The instant at which `seconds` counted seconds have passed since `start`.
  virtual Instant add(Instant start, std::int64_t seconds) const = 0;
  // Counted seconds in [from, to); 0 when to <= from.
  virtual std::int64_t elapsed(Instant from, Instant to) const = 0;
};

class AlwaysOpenCalendar final : public Calendar {
 public:
  Instant add(Instant start, std::int64_t seconds) const override;
  std::int64_t elapsed(Instant from, Instant to) const override;
};

class BusinessHoursCalendar final : public Calendar {
 public:
  // Fails with validation_failed for an unknown zone or a week with no opening hours.
  static Result<std::unique_ptr<BusinessHoursCalendar>> create(const std::string& time_zone,
                                                               const WeeklyHours& hours);
  Instant add(Instant start, std::int64_t seconds) const override;
  std::int64_t elapsed(Instant from, Instant to) const override;

 private:
  BusinessHoursCalendar(const void* zone, WeeklyHours hours) : zone_(zone), hours_(hours) {}
  const void* zone_;  // const date::time_zone*, kept opaque so the header needs no date/tz
  WeeklyHours hours_;
};

// True if `name` is a zone of the system tz database.
bool is_known_time_zone(const std::string& name);

}  // namespace fieldserve::dispatch
