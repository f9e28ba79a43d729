#include "dispatch/sla_report.h"

#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace fieldserve::dispatch {
namespace {

constexpr std::array<std::string_view, 5> kDimensionNames{"tier", "technician", "center", "day",
                                                          "week"};

// A zone and the offset period last used in it: rows come mostly in time order, so one lookup in
// the tz database serves thousands of rows.
struct ZoneCache {
  const date::time_zone* zone = nullptr;
  date::sys_info info{};
  bool has_info = false;

  std::int64_t local_day(Instant at) {
    if (!has_info || at < info.begin || at >= info.end) {
      info = zone->get_info(date::sys_seconds{at.time_since_epoch()});
      has_info = true;
    }
    auto local_s = at.time_since_epoch().count() + info.offset.count();
    return local_s >= 0 ? local_s / 86400 : (local_s - 86399) / 86400;
  }
};

std::int64_t monday_of(std::int64_t day) {
  // 1970-01-01 was a Thursday: day 0 has ISO weekday 4 (Monday 1).
  std::int64_t iso_weekday = ((day + 3) % 7 + 7) % 7;  // 0 = Monday
  return day - iso_weekday;
}

std::string day_label(std::int64_t day) {
  date::year_month_day ymd{date::sys_days{date::days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string week_label(std::int64_t monday) {
  // The ISO year is the year of the week's Thursday; week 1 holds the year's first Thursday.
  date::sys_days thursday{date::days{monday + 3}};
  date::year_month_day ymd{thursday};
  date::sys_days jan1{ymd.year() / date::January / 1};
  int week = static_cast<int>((thursday - jan1).count() / 7 + 1);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(ymd.year()), week);
  return buf;
}

// Rounded to `decimals` places by dividing the scaled integer, never by multiplying by a step:
// 9510 / 100 is the double nearest 95.1, while 9510 * 0.01 is 95.10000000000001, which the
// JSON then shows.
double round_to_places(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// A group's key: one number per dimension (at most five, each dimension once), unused ones 0.
using GroupKey = std::array<std::int64_t, 5>;

struct GroupKeyHash {
  std::size_t operator()(const GroupKey& k) const {
    std::uint64_t h = 1469598103934665603ull;
    for (auto v : k) h = (h ^ static_cast<std::uint64_t>(v)) * 1099511628211ull;
    return static_cast<std::size_t>(h);
  }
};

struct Accumulator {
  std::int64_t count = 0;
  std::int64_t cancelled = 0;
  std::array<std::int64_t, 3> met{}, breached{}, pending{};
  std::array<std::vector<std::int64_t>, 3> taken;
};

}  // namespace

std::optional<ReportDimension> parse_report_dimension(std::string_view s) {
  for (std::size_t i = 0; i < kDimensionNames.size(); ++i) {
    if (kDimensionNames[i] == s) return static_cast<ReportDimension>(i);
  }
  return std::nullopt;
}

std::string_view to_string(ReportDimension d) { return kDimensionNames[static_cast<int>(d)]; }

std::optional<SlaState> report_state(const SlaRow& row, SlaTarget target, Instant now) {
  const auto& t = row.targets[static_cast<int>(target)];
  if (t.done_at) return *t.done_at <= t.due ? SlaState::met : SlaState::breached;
  if (row.cancelled) return std::nullopt;
  Instant until = now;
  if (target == SlaTarget::restore && row.hold_started_at)
    until = std::min(now, *row.hold_started_at);
  return until > t.due ? SlaState::breached : SlaState::pending;
}

std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t>& values, int percent) {
  if (values.empty()) return std::nullopt;
  auto n = static_cast<std::int64_t>(values.size());
  std::int64_t rank = (percent * n + 99) / 100;  // ceil(p × n / 100), at least 1 for p > 0
  rank = std::clamp<std::int64_t>(rank, 1, n);
  std::nth_element(values.begin(), values.begin() + (rank - 1), values.end());
  return values[rank - 1];
}

struct SlaReportBuilder::State {
  std::vector<ReportDimension> dimensions;
  Instant now;
  std::map<CenterId, ZoneCache> zones;
  // Hashed: a year by tier × center × week is ten thousand groups and a million rows.
  std::unordered_map<GroupKey, Accumulator, GroupKeyHash> groups;
};

SlaReportBuilder::SlaReportBuilder(std::unique_ptr<State> state) : state_(std::move(state)) {}
SlaReportBuilder::SlaReportBuilder(SlaReportBuilder&&) noexcept = default;
SlaReportBuilder& SlaReportBuilder::operator=(SlaReportBuilder&&) noexcept = default;
SlaReportBuilder::~SlaReportBuilder() = default;

Result<SlaReportBuilder> SlaReportBuilder::create(
    std::vector<ReportDimension> dimensions, Instant now,
    const std::map<CenterId, std::string>& center_zones) {
  auto state = std::make_unique<State>();
  state->dimensions = std::move(dimensions);
  state->now = now;
  for (const auto& [id, name] : center_zones) {
    try {
      state->zones[id].zone = date::locate_zone(name);
    } catch (const std::exception&) {
      return fail(ErrorCode::internal, "center " + std::to_string(id) + " has an unknown zone");
    }
  }
  return SlaReportBuilder(std::move(state));
}

void SlaReportBuilder::add(const SlaRow& row) {
  auto& s = *state_;
  GroupKey key{};
  std::size_t n = 0;
  for (auto d : s.dimensions) {
    switch (d) {
      case ReportDimension::tier: key[n++] = static_cast<int>(row.severity); break;
      case ReportDimension::technician: key[n++] = row.technician_id.value_or(0); break;
      case ReportDimension::center: key[n++] = row.center_id; break;
      case ReportDimension::day:
      case ReportDimension::week: {
        auto zone = s.zones.find(row.center_id);
        std::int64_t day = zone == s.zones.end()
                               ? date::floor<date::days>(row.reported_at).time_since_epoch().count()
                               : zone->second.local_day(row.reported_at);
        key[n++] = d == ReportDimension::day ? day : monday_of(day);
        break;
      }
    }
  }
  auto& acc = s.groups[key];
  ++acc.count;
  if (row.cancelled) ++acc.cancelled;
  for (SlaTarget t : kSlaTargets) {
    auto state = report_state(row, t, s.now);
    if (!state) continue;
    int i = static_cast<int>(t);
    if (*state == SlaState::met) ++acc.met[i];
    else if (*state == SlaState::breached) ++acc.breached[i];
    else ++acc.pending[i];
    if (row.targets[i].done_at && row.targets[i].taken_s) {
      acc.taken[i].push_back(*row.targets[i].taken_s);
    }
  }
}

std::vector<SlaGroup> SlaReportBuilder::finish() {
  auto& s = *state_;
  std::vector<std::pair<GroupKey, Accumulator*>> sorted;
  sorted.reserve(s.groups.size());
  for (auto& [key, acc] : s.groups) sorted.emplace_back(key, &acc);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<SlaGroup> out;
  out.reserve(sorted.size());
  for (auto& [key, acc_ptr] : sorted) {
    auto& acc = *acc_ptr;
    SlaGroup g;
    for (std::size_t i = 0; i < s.dimensions.size(); ++i) {
      switch (s.dimensions[i]) {
        case ReportDimension::tier:
          g.key.emplace_back(to_string(static_cast<Severity>(key[i])));
          break;
        case ReportDimension::technician:
          g.key.push_back(key[i] == 0 ? "unassigned" : std::to_string(key[i]));
          break;
        case ReportDimension::center: g.key.push_back(std::to_string(key[i])); break;
        case ReportDimension::day: g.key.push_back(day_label(key[i])); break;
        case ReportDimension::week: g.key.push_back(week_label(key[i])); break;
      }
    }
    g.count = acc.count;
    g.cancelled = acc.cancelled;
    for (int t = 0; t < 3; ++t) {
      auto& f = g.targets[t];
      f.met = acc.met[t];
      f.breached = acc.breached[t];
      f.pending = acc.pending[t];
      if (f.met + f.breached > 0) {
        f.compliance_pct = round_to_places(
            100.0 * static_cast<double>(f.met) / static_cast<double>(f.met + f.breached), 2);
      }
      if (auto p = nearest_rank(acc.taken[t], 50))
        f.p50_minutes = round_to_places(static_cast<double>(*p) / 60.0, 1);
      if (auto p = nearest_rank(acc.taken[t], 90))
        f.p90_minutes = round_to_places(static_cast<double>(*p) / 60.0, 1);
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::string local_day_key(const std::string& zone, Instant at) {
  ZoneCache cache{date::locate_zone(zone)};
  return day_label(cache.local_day(at));
}

LocalDays::LocalDays(const std::string& zone) : zone_(date::locate_zone(zone)) {}

std::int64_t LocalDays::day(Instant at) {
  if (!known_ || at < begin_ || at >= end_) {
    auto info = static_cast<const date::time_zone*>(zone_)->get_info(date::sys_seconds{
        at.time_since_epoch()});
    begin_ = Instant{info.begin.time_since_epoch()};
    end_ = Instant{info.end.time_since_epoch()};
    offset_s_ = info.offset.count();
    known_ = true;
  }
  auto local_s = at.time_since_epoch().count() + offset_s_;
  return local_s >= 0 ? local_s / 86400 : (local_s - 86399) / 86400;
}

std::string iso_week_key(const std::string& zone, Instant at) {
  ZoneCache cache{date::locate_zone(zone)};
  return week_label(monday_of(cache.local_day(at)));
}

}  // namespace fieldserve::dispatch
