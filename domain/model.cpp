#include "domain/model.h"

#include <algorithm>
#include <cstdio>

namespace fieldserve {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 2> kAccountTiers{"key", "standard"};
constexpr std::array<std::string_view, 4> kKinds{"repair", "installation", "maintenance",
                                                 "inspection"};
constexpr std::array<std::string_view, 4> kSeverityNames{"critical", "serious", "general", "minor"};
constexpr std::array<std::string_view, 10> kStatuses{
    "new",     "assigned", "accepted",   "en_route", "on_site",
    "on_hold", "resolved", "signed_off", "closed",   "cancelled"};
constexpr std::array<std::string_view, 2> kHoldReasons{"waiting_parts", "waiting_customer"};
constexpr std::array<std::string_view, 3> kSources{"api", "sync", "dispatcher"};
constexpr std::array<std::string_view, 3> kTargets{"response", "arrival", "restore"};
constexpr std::array<std::string_view, 4> kStates{"pending", "at_risk", "met", "breached"};
constexpr std::array<std::string_view, 4> kRoles{"admin", "dispatcher", "manager", "technician"};

}  // namespace

std::string_view to_string(AccountTier v) { return kAccountTiers[static_cast<int>(v)]; }
std::string_view to_string(JobKind v) { return kKinds[static_cast<int>(v)]; }
std::string_view to_string(Severity v) { return kSeverityNames[static_cast<int>(v)]; }
std::string_view to_string(JobStatus v) { return kStatuses[static_cast<int>(v)]; }
std::string_view to_string(HoldReason v) { return kHoldReasons[static_cast<int>(v)]; }
std::string_view to_string(EventSource v) { return kSources[static_cast<int>(v)]; }
std::string_view to_string(SlaTarget v) { return kTargets[static_cast<int>(v)]; }
std::string_view to_string(SlaState v) { return kStates[static_cast<int>(v)]; }
std::string_view to_string(Role v) { return kRoles[static_cast<int>(v)]; }

std::optional<AccountTier> parse_account_tier(std::string_view s) {
  return lookup<AccountTier>(kAccountTiers, s);
}
std::optional<JobKind> parse_job_kind(std::string_view s) { return lookup<JobKind>(kKinds, s); }
std::optional<Severity> parse_severity(std::string_view s) {
  return lookup<Severity>(kSeverityNames, s);
}
std::optional<JobStatus> parse_job_status(std::string_view s) {
  return lookup<JobStatus>(kStatuses, s);
}
std::optional<HoldReason> parse_hold_reason(std::string_view s) {
  return lookup<HoldReason>(kHoldReasons, s);
}
std::optional<EventSource> parse_event_source(std::string_view s) {
  return lookup<EventSource>(kSources, s);
}
std::optional<Role> parse_role(std::string_view s) { return lookup<Role>(kRoles, s); }
std::optional<SlaState> parse_sla_state(std::string_view s) { return lookup<SlaState>(kStates, s); }

WeeklyHours default_business_hours() {
  WeeklyHours hours{};
  for (int d = 0; d < 5; ++d) hours[d] = DaySpan{8 * 60, 18 * 60};
  return hours;
}

std::string format_hhmm(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

std::optional<int> parse_hhmm(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  int h = (t[0] - '0') * 10 + (t[1] - '0');
  int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string encode_weekly_hours(const WeeklyHours& hours) {
  std::string out;
  for (std::size_t d = 0; d < hours.size(); ++d) {
    if (!hours[d]) continue;
    if (!out.empty()) out += ';';
    out += kWeekdayKeys[d];
    out += '=';
    out += format_hhmm(hours[d]->start_min);
    out += '-';
    out += format_hhmm(hours[d]->end_min);
  }
  return out;
}

std::optional<WeeklyHours> decode_weekly_hours(std::string_view text) {
  WeeklyHours hours{};
  while (!text.empty()) {
    auto end = text.find(';');
    auto item = text.substr(0, end);
    if (end != std::string_view::npos && end + 1 == text.size()) return std::nullopt;
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    // "mon=08:00-18:00"
    if (item.size() != 15 || item[3] != '=' || item[9] != '-') return std::nullopt;
    auto day = std::find(kWeekdayKeys.begin(), kWeekdayKeys.end(), item.substr(0, 3));
    auto start = parse_hhmm(item.substr(4, 5));
    auto stop = parse_hhmm(item.substr(10, 5));
    if (day == kWeekdayKeys.end() || !start || !stop || *start >= *stop) return std::nullopt;
    hours[day - kWeekdayKeys.begin()] = DaySpan{*start, *stop};
  }
  return hours;
}

bool is_valid_skill(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string join_skills(const std::vector<std::string>& skills) {
  std::string out;
  for (const auto& s : skills) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> split_skills(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto end = text.find(',');
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text = text.substr(end + 1);
  }
  return out;
}

}  // namespace fieldserve
