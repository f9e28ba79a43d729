#pragma once
// The "three guarantees" of the service standard: for a unit and a fault report, the remedy the
// customer is entitled to. Pure rules, no storage: the caller gathers the unit's history.
// The rules, their order and every boundary are in docs/after-sales.md ("Warranty").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/time.h"

namespace fieldserve {

enum class WarrantyBasis {
  within_7_days,
  within_15_days,
  out_of_warranty,
  repair_over_30_days,
  repeat_failure,
  in_warranty,
};
enum class Remedy { return_unit, exchange, repair, paid_repair };

std::string_view to_string(WarrantyBasis b);
std::optional<WarrantyBasis> parse_warranty_basis(std::string_view text);
std::string_view to_string(Remedy r);  // "return", "exchange", "repair", "paid_repair"
// The remedies each basis entitles the customer to, in the standard's order.
std::vector<Remedy> remedies_for(WarrantyBasis b);

// A time on hold waiting for parts: [from, to), `to` empty while it lasts.
struct PartsHold {
  Instant from{};
  std::optional<Instant> to;
};

// A repair job on the unit, as far as the rules care.
struct RepairRecord {
  std::int64_t job_id = 0;
  std::string fault;  // "" when the report named none
  Instant reported_at{};
  std::optional<Instant> ended_at;  // resolved or cancelled
  bool resolved = false;            // ended by a repair, not a cancellation
  std::vector<PartsHold> parts_holds;
};

struct UnitHistory {
  Instant sold_at{};
  int warranty_months = 12;
  std::vector<Instant> exchanges;  // any order
  std::vector<RepairRecord> repairs;
};

struct WarrantyAssessment {
  Instant period_start{};
  Instant warranty_until{};
  bool in_warranty = false;
  std::int64_t days = 0;  // whole 24-hour days from period_start
  int failed_repairs = 0;
  WarrantyBasis basis = WarrantyBasis::in_warranty;
};

// `start` plus `months` calendar months, at the same time of day; a day past the month's end is
// its last day (January 31 + 1 month is February 28 or 29).
Instant add_calendar_months(Instant start, int months);

// The rules for `fault` at `at`, all of them evaluated at `at` (GET /equipment/{id}/warranty).
WarrantyAssessment assess_warranty(const UnitHistory& unit, std::string_view fault, Instant at);

// A repair job's own block: rules 1–3, 5 and 6 at its report, rule 4 at `rule4_at` (now while
// the job is open, its end once it has one).
WarrantyAssessment assess_repair_job(const UnitHistory& unit, std::string_view fault,
                                     Instant reported_at, Instant rule4_at);

// Rule 4 for the unit at `t`: a repair job open at `t` and reported more than 30 days before
// it (time on hold for parts not counted), or more than 90 days in all.
bool repair_over_30_days(const UnitHistory& unit, Instant t);
// The first instant after `t` at which rule 4 holds if nothing else happens to the unit's
// repair jobs open at `t` (none ends, no hold starts or ends); nullopt if none is open.
std::optional<Instant> repair_over_30_days_from(const UnitHistory& unit, Instant t);

}  // namespace fieldserve
