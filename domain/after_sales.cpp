#include "domain/after_sales.h"

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
