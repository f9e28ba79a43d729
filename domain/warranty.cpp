#include "domain/warranty.h"

#include <algorithm>
#include <array>

namespace fieldserve {
namespace {

constexpr std::chrono::hours kDay{24};
constexpr auto kRepairDays = 30 * kDay;
constexpr auto kRepairCap = 90 * kDay;

constexpr std::array<std::pair<WarrantyBasis, std::string_view>, 6> kBasisNames{{
    {WarrantyBasis::within_7_days, "within_7_days"},
    {WarrantyBasis::within_15_days, "within_15_days"},
    {WarrantyBasis::out_of_warranty, "out_of_warranty"},
    {WarrantyBasis::repair_over_30_days, "repair_over_30_days"},
    {WarrantyBasis::repeat_failure, "repeat_failure"},
    {WarrantyBasis::in_warranty, "in_warranty"},
}};

bool open_at(const RepairRecord& r, Instant t) {
  return r.reported_at <= t && (!r.ended_at || *r.ended_at > t);
}

// Time on hold for parts between the report and `t`.
std::chrono::seconds held_until(const RepairRecord& r, Instant t) {
  std::chrono::seconds held{0};
  for (const auto& h : r.parts_holds) {
    auto from = std::max(h.from, r.reported_at);
    auto to = std::min(h.to.value_or(t), t);
    if (to > from) held += to - from;
  }
  return held;
}

bool on_parts_hold_at(const RepairRecord& r, Instant t) {
  return std::any_of(r.parts_holds.begin(), r.parts_holds.end(),
                     [&](const PartsHold& h) { return h.from <= t && (!h.to || *h.to > t); });
}

Instant period_start_at(const UnitHistory& unit, Instant at) {
  Instant start = unit.sold_at;
  for (auto e : unit.exchanges) {
    if (e <= at && e > start) start = e;
  }
  return start;
}

int failed_repairs(const UnitHistory& unit, std::string_view fault, Instant from, Instant at) {
  if (fault.empty()) return 0;  // a report without a fault code cannot repeat one
  return static_cast<int>(std::count_if(unit.repairs.begin(), unit.repairs.end(), [&](auto& r) {
    return r.resolved && r.fault == fault && r.ended_at && *r.ended_at >= from && *r.ended_at <= at;
  }));
}

// Rules 1–3 at `at`, and the figures every answer carries. Returns the basis when one of the
// first three rules decides.
std::optional<WarrantyBasis> first_rules(const UnitHistory& unit, std::string_view fault,
                                         Instant at, WarrantyAssessment& out) {
  out.period_start = period_start_at(unit, at);
  out.warranty_until = add_calendar_months(out.period_start, unit.warranty_months);
  // Before the sale there is no unit to guarantee (a record with a wrong sale date, or a report
  // about another unit): no warranty, rather than the first week's rights.
  if (at < unit.sold_at) {
    out.in_warranty = false;
    out.days = 0;
    out.failed_repairs = 0;
    return WarrantyBasis::out_of_warranty;
  }
  out.in_warranty = at <= out.warranty_until;
  out.days = (at - out.period_start) / kDay;
  out.failed_repairs = failed_repairs(unit, fault, out.period_start, at);
  if (out.days <= 7) return WarrantyBasis::within_7_days;
  if (out.days <= 15) return WarrantyBasis::within_15_days;
  if (!out.in_warranty) return WarrantyBasis::out_of_warranty;
  return std::nullopt;
}

WarrantyBasis last_rules(const WarrantyAssessment& a) {
  return a.failed_repairs >= 2 ? WarrantyBasis::repeat_failure : WarrantyBasis::in_warranty;
}

}  // namespace

std::string_view to_string(WarrantyBasis b) {
  for (auto [basis, name] : kBasisNames) {
    if (basis == b) return name;
  }
  return "in_warranty";
}

std::optional<WarrantyBasis> parse_warranty_basis(std::string_view text) {
  for (auto [basis, name] : kBasisNames) {
    if (name == text) return basis;
  }
  return std::nullopt;
}

std::string_view to_string(Remedy r) {
  switch (r) {
    case Remedy::return_unit: return "return";
    case Remedy::exchange: return "exchange";
    case Remedy::repair: return "repair";
    case Remedy::paid_repair: return "paid_repair";
  }
  return "repair";
}

std::vector<Remedy> remedies_for(WarrantyBasis b) {
  switch (b) {
    case WarrantyBasis::within_7_days:
      return {Remedy::return_unit, Remedy::exchange, Remedy::repair};
    case WarrantyBasis::within_15_days: return {Remedy::exchange, Remedy::repair};
    case WarrantyBasis::out_of_warranty: return {Remedy::paid_repair};
    case WarrantyBasis::repair_over_30_days:
    case WarrantyBasis::repeat_failure: return {Remedy::exchange};
    case WarrantyBasis::in_warranty: return {Remedy::repair};
  }
  return {Remedy::repair};
}

Instant add_calendar_months(Instant start, int months) {
  auto day = std::chrono::floor<std::chrono::days>(start);
  auto time_of_day = start - day;
  std::chrono::year_month_day ymd{day};
  auto moved = ymd + std::chrono::months{months};
  if (!moved.ok()) moved = moved.year() / moved.month() / std::chrono::last;
  return std::chrono::sys_days{moved} + time_of_day;
}

bool repair_over_30_days(const UnitHistory& unit, Instant t) {
  return std::any_of(unit.repairs.begin(), unit.repairs.end(), [&](const RepairRecord& r) {
    if (!open_at(r, t)) return false;
    auto open = t - r.reported_at;
    return open > kRepairCap || open - held_until(r, t) > kRepairDays;
  });
}

std::optional<Instant> repair_over_30_days_from(const UnitHistory& unit, Instant t) {
  std::optional<Instant> first;
  for (const auto& r : unit.repairs) {
    if (!open_at(r, t)) continue;
    // "More than" a span: the first whole second past it.
    Instant at = r.reported_at + kRepairCap + std::chrono::seconds(1);
    // On hold for parts, the 30 days stand still until the hold ends: only the cap runs.
    if (!on_parts_hold_at(r, t)) {
      at = std::min(at, r.reported_at + kRepairDays + held_until(r, t) + std::chrono::seconds(1));
    }
    at = std::max(at, t);
    if (!first || at < *first) first = at;
  }
  return first;
}

WarrantyAssessment assess_warranty(const UnitHistory& unit, std::string_view fault, Instant at) {
  return assess_repair_job(unit, fault, at, at);
}

WarrantyAssessment assess_repair_job(const UnitHistory& unit, std::string_view fault,
                                     Instant reported_at, Instant rule4_at) {
  WarrantyAssessment out;
  if (auto basis = first_rules(unit, fault, reported_at, out)) {
    out.basis = *basis;
  } else if (repair_over_30_days(unit, rule4_at)) {
    out.basis = WarrantyBasis::repair_over_30_days;
  } else {
    out.basis = last_rules(out);
  }
  return out;
}

}  // namespace fieldserve
