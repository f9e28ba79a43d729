#pragma once
// Reports for managers: SLA compliance grouped by tier, technician, center and period; the
// breached targets with the dispatch decision behind each; and per technician what was finished
// and what it cost. Figures come back typed; the edge chooses JSON or CSV.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/sla_report.h"
#include "dispatch/travel.h"
#include "domain/after_sales.h"
#include "domain/error.h"
#include "domain/time.h"
#include "store/store.h"

namespace fieldserve::app {

// What the technician report prices a job's labour and travel at (parts come from part_prices).
struct CostRates {
  double labour_per_hour = 60;
  double travel_per_km = 0.5;
};

struct ReportWindow {
  Instant from{};
  Instant to{};
};

struct Breach {
  store::BreachRow row;
  double lateness_minutes = 0;                    // to a tenth; until now for a target still open
  std::optional<store::DecisionRecord> decision;  // the last auto-dispatch, if there was one
};

struct BreachPage {
  std::vector<Breach> items;
  bool more = false;  // another page follows the last item
};

struct TechnicianFigures {
  TechnicianId technician_id = 0;
  std::optional<std::string> name;  // absent if the technician's row is gone
  std::int64_t jobs_done = 0;
  std::int64_t met = 0;
  std::int64_t breached = 0;
  std::int64_t fixed_first_time = 0;
  double travel_km = 0;
  std::int64_t visits = 0;
  double rating_sum = 0;
  std::int64_t ratings = 0;
  std::int64_t on_site_s = 0;
  double parts_cost = 0;
  std::int64_t unpriced_parts = 0;
  std::int64_t complaints = 0;  // naming the technician, received in the window
  // Priced at the service's rates.
  double labour_hours = 0;
  double labour_cost = 0;
  double travel_cost = 0;
  double total_cost = 0;
};

class ReportService {
 public:
  ReportService(store::Store& store, const Clock& clock, const dispatch::TravelModel& travel,
                CostRates costs)
      : store_(store), clock_(clock), travel_(travel), costs_(costs) {}

  const CostRates& costs() const { return costs_; }
  const Clock& clock() const { return clock_; }

  // `to` defaults to just after now (what happened this second is in it), `from` to 30 days
  // before `to`. At most 732 days, so one request cannot read a large fleet's whole history by
  // accident.
  Result<ReportWindow> window(std::optional<Instant> from, std::optional<Instant> to) const;

  // Compliance of jobs reported in the window, grouped by `dims`, as of `now`.
  Result<std::vector<dispatch::SlaGroup>> sla(const ReportWindow& window,
                                              const store::SlaRowFilter& filter,
                                              const std::vector<dispatch::ReportDimension>& dims,
                                              Instant now);
  // Breached targets of jobs reported in the window, after `after`, at most `limit`.
  BreachPage breaches(const ReportWindow& window, const store::SlaRowFilter& filter,
                      std::optional<SlaTarget> target,
                      const std::optional<store::BreachPosition>& after, int limit, Instant now);
  // Per center and part, the parts used on repair jobs in the window with their failure rate
  // and next month's forecast (docs/after-sales.md, "Spare parts").
  std::vector<PartForecast> parts(const ReportWindow& window, std::optional<CenterId> center);
  // Per technician, in id order: what it finished in the window. Travel is measured from the
  // site visited before the same local day, or from the home center on a day's first visit.
  std::vector<TechnicianFigures> technicians(const ReportWindow& window);

 private:
  store::Store& store_;
  const Clock& clock_;
  const dispatch::TravelModel& travel_;
  CostRates costs_;
};

}  // namespace fieldserve::app
