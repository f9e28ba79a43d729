#pragma once
// SLA compliance figures for managers (docs/sla.md): jobs grouped by tier, technician, center,
// local day or ISO week, and for each target the met / breached / pending counts, compliance and
// the median and 90th-percentile durations. Pure: the store streams rows in, the server renders.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/error.h"
#include "domain/model.h"
#include "domain/sla_row.h"

namespace fieldserve::dispatch {

enum class ReportDimension { tier, technician, center, day, week };

std::optional<ReportDimension> parse_report_dimension(std::string_view s);
std::string_view to_string(ReportDimension d);

// A target's verdict at `now`; nullopt for a target that does not count (see is_void).
std::optional<SlaState> report_state(const SlaRow& row, SlaTarget target, Instant now);

// The nearest-rank percentile: the smallest value with at least p % of the values at or below it,
// i.e. the value at rank ceil(p/100 × n) of the sorted values. nullopt for no values.
std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t>& values, int percent);

struct TargetFigures {
  std::int64_t met = 0;
  std::int64_t breached = 0;
  std::int64_t pending = 0;
  std::optional<double> compliance_pct;  // met ÷ (met + breached) × 100
  std::optional<double> p50_minutes;     // durations of done targets, counted on the calendar
  std::optional<double> p90_minutes;
};

struct SlaGroup {
  std::vector<std::string> key;  // one part per dimension, in the order asked
  std::int64_t count = 0;
  std::int64_t cancelled = 0;
  std::array<TargetFigures, 3> targets{};
};

class SlaReportBuilder {
 public:
  // `center_zones`: each center's IANA zone, for the day and week keys (local to the job's center,
  // so the same job falls on the same day whoever looks).
  static Result<SlaReportBuilder> create(std::vector<ReportDimension> dimensions, Instant now,
                                         const std::map<CenterId, std::string>& center_zones);
  SlaReportBuilder(SlaReportBuilder&&) noexcept;
  SlaReportBuilder& operator=(SlaReportBuilder&&) noexcept;
  ~SlaReportBuilder();

  void add(const SlaRow& row);
  std::vector<SlaGroup> finish();  // sorted by key: tiers by severity, ids numerically, dates

 private:
  struct State;
  explicit SlaReportBuilder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The local date ("2026-11-23") and ISO week ("2026-W48") of an instant in a zone.
std::string local_day_key(const std::string& zone, Instant at);
std::string iso_week_key(const std::string& zone, Instant at);

// Local calendar days in one zone as numbers (days since 1970-01-01 there), for rows that come
// mostly in time order: one look-up in the tz database per offset period, not one per row.
// Throws std::runtime_error for a zone the database does not know.
class LocalDays {
 public:
  explicit LocalDays(const std::string& zone);
  std::int64_t day(Instant at);

 private:
  const void* zone_;  // a date::time_zone, kept opaque so this header needs no tz database
  Instant begin_{}, end_{};
  std::int64_t offset_s_ = 0;
  bool known_ = false;
};

}  // namespace fieldserve::dispatch
