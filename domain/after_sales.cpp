#include "domain/after_sales.h"

#include <algorithm>
#include <array>

namespace fieldserve {
namespace {

constexpr std::array<std::string_view, 4> kChannels{"phone", "email", "web", "visit"};
constexpr std::array<std::string_view, 2> kComplaintSeverities{"normal", "serious"};
constexpr std::array<std::string_view, 2> kComplaintStatuses{"open", "answered"};
constexpr std::array<std::string_view, 2> kFollowUpStatuses{"due", "done"};

template <class E, std::size_t N>
std::optional<E> find(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

PartForecast forecast_part(std::string part_number, CenterId center, std::int64_t used,
                           std::int64_t installed_units, std::chrono::seconds window) {
  constexpr std::int64_t kMonth = 30LL * 24 * 3600;
  PartForecast f;
  f.part_number = std::move(part_number);
  f.center_id = center;
  f.used = used;
  f.installed_units = installed_units;
  auto seconds = std::max<std::int64_t>(window.count(), 1);
  f.months = static_cast<double>(seconds) / static_cast<double>(kMonth);
  if (installed_units > 0) {
    f.failures_per_unit_month = static_cast<double>(used) /
                                (static_cast<double>(installed_units) * f.months);
  }
  // ceil(used × month ÷ window) in integers.
  f.forecast_next_month = (used * kMonth + seconds - 1) / seconds;
  return f;
}

std::string_view to_string(ComplaintChannel v) { return kChannels[static_cast<int>(v)]; }
std::string_view to_string(ComplaintSeverity v) {
  return kComplaintSeverities[static_cast<int>(v)];
}
std::string_view to_string(ComplaintStatus v) { return kComplaintStatuses[static_cast<int>(v)]; }
std::string_view to_string(FollowUpStatus v) { return kFollowUpStatuses[static_cast<int>(v)]; }

std::optional<ComplaintChannel> parse_complaint_channel(std::string_view s) {
  return find<ComplaintChannel>(kChannels, s);
}
std::optional<ComplaintSeverity> parse_complaint_severity(std::string_view s) {
  return find<ComplaintSeverity>(kComplaintSeverities, s);
}
std::optional<ComplaintStatus> parse_complaint_status(std::string_view s) {
  return find<ComplaintStatus>(kComplaintStatuses, s);
}
std::optional<FollowUpStatus> parse_follow_up_status(std::string_view s) {
  return find<FollowUpStatus>(kFollowUpStatuses, s);
}

}  // namespace fieldserve
