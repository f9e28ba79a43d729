#include "sla_oracle.h"

#include <date/iso_week.h>
#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace fieldserve::testing::oracle {
namespace {

date::local_time<std::chrono::minutes> local_minute(const std::string& zone, Minute m) {
  auto sys = date::sys_time<std::chrono::minutes>{std::chrono::minutes{m}};
  return date::floor<std::chrono::minutes>(date::make_zoned(zone, sys).get_local_time());
}

// Whether minute m runs on the target's clock: the calendar is open and no excluded hold covers it.
bool counts(const OpenTable* table, const std::vector<Hold>& excluded, Minute m) {
  if (table && !table->open(m)) return false;
  for (const auto& h : excluded) {
    if (m >= h.start && (!h.end || m < *h.end)) return false;
  }
  return true;
}

// The end of the minute in which the clock reaches `target` counted minutes.
Minute deadline(const OpenTable* table, const std::vector<Hold>& excluded, Minute from,
                int target) {
  Minute m = from;
  int counted = 0;
  for (;; ++m) {
    if (table && m >= table->last()) throw std::runtime_error("open table too short");
    if (counts(table, excluded, m) && ++counted == target) return m + 1;
    // An open-ended hold stops the clock for good: no deadline yet.
    if (!excluded.empty() && excluded.back().start <= m && !excluded.back().end) return INT64_MAX;
  }
}

Minute counted_between(const OpenTable* table, const std::vector<Hold>& excluded, Minute from,
                       Minute to) {
  Minute n = 0;
  for (Minute m = from; m < to; ++m) n += counts(table, excluded, m) ? 1 : 0;
  return n;
}

}  // namespace

OpenTable::OpenTable(const Center& center, Minute first, Minute last) : first_(first) {
  open_.resize(static_cast<std::size_t>(last - first));
  for (Minute m = first; m < last; ++m) {
    auto local = local_minute(center.zone, m);
    auto day = date::floor<date::days>(local);
    int weekday = static_cast<int>((date::weekday{day}.c_encoding() + 6) % 7);
    int minute_of_day = static_cast<int>((local - day).count());
    const auto& hours = center.week[static_cast<std::size_t>(weekday)];
    open_[static_cast<std::size_t>(m - first)] = hours && minute_of_day >= hours->start &&
                                                 minute_of_day < hours->end;
  }
}

std::array<TargetOutcome, 3> evaluate(const JobHistory& job, const OpenTable* table, Minute now) {
  std::array<TargetOutcome, 3> out;
  // A target done before the policy change keeps the due it had; one not yet done on a job still
  // open then is measured against the new policy.
  auto target_for = [&](int which, bool done) {
    const Targets& t = (!done && job.open_at_policy_change) ? job.new_targets : job.targets;
    return which == 0 ? t.response : which == 1 ? t.arrival : t.restore;
  };
  std::array<std::optional<Minute>, 3> done_at{
      job.assigned, job.on_site ? job.on_site : job.resolved, job.resolved};
  for (int i = 0; i < 3; ++i) {
    auto& o = out[static_cast<std::size_t>(i)];
    o.done = done_at[static_cast<std::size_t>(i)];
    int target = target_for(i, o.done.has_value());
    std::vector<Hold> excluded;
    if (i == 2) {
      // Only a hold that begins while the restore clock still runs stops it. Whether it did was
      // settled when it ended, under the policy of that time (every hold that ended did so before
      // the policy change); a hold still open is judged against the due in force now.
      for (const auto& h : job.holds) {
        if (o.done && h.start >= *o.done) break;
        int judged_by = h.end ? job.targets.restore : target;
        Minute due_so_far = deadline(table, excluded, job.reported, judged_by);
        if (h.start < due_so_far) excluded.push_back(h);
      }
    }
    o.due = deadline(table, excluded, job.reported, target);
    if (o.done) {
      o.taken = counted_between(table, excluded, job.reported, *o.done);
      o.verdict = *o.done <= o.due ? Verdict::met : Verdict::breached;
    } else if (job.cancelled) {
      o.verdict = Verdict::none;
    } else {
      o.verdict = now > o.due ? Verdict::breached : Verdict::pending;
    }
  }
  return out;
}

std::optional<double> percentile(std::vector<Minute> values, int percent) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  auto n = static_cast<double>(values.size());
  auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * n));
  rank = std::max<std::size_t>(rank, 1);
  return static_cast<double>(values[rank - 1]);
}

std::string local_date(const std::string& zone, Minute m) {
  auto day = date::floor<date::days>(local_minute(zone, m));
  return date::format("%F", day);
}

std::string iso_week(const std::string& zone, Minute m) {
  auto day = date::floor<date::days>(local_minute(zone, m));
  iso_week::year_weeknum_weekday iso{date::sys_days{day.time_since_epoch()}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02u", static_cast<int>(iso.year()),
                static_cast<unsigned>(iso.weeknum()));
  return buf;
}

}  // namespace fieldserve::testing::oracle
