#pragma once
// The warranty desk: what a unit's owner is entitled to for a fault at a time, and exchanges,
// which start the guarantee period again (docs/after-sales.md, "Warranty").
#include <optional>
#include <string>

#include "app/auth.h"
#include "app/job_writer.h"
#include "domain/error.h"
#include "domain/model.h"
#include "domain/warranty.h"
#include "store/store.h"

namespace fieldserve::app {

struct WarrantyAnswer {
  EquipmentId equipment_id = 0;
  std::string fault;  // "" when none was asked about
  WarrantyAssessment assessment;
};

struct ExchangeRequest {
  std::optional<Instant> at;  // now when absent
  std::string note;
};

class WarrantyService {
 public:
  WarrantyService(store::Store& store, JobWriter& writer) : store_(store), writer_(writer) {}

  // `at` defaults to now; before the sale it is refused.
  Result<WarrantyAnswer> warranty(EquipmentId unit, const std::string& fault,
                                  std::optional<Instant> at);
  // Dated before the sale or in the future: refused. Audited as a change of the unit, and the
  // unit's repair jobs get their blocks worked out again.
  Result<EquipmentExchange> exchange(const Principal& who, EquipmentId unit,
                                     const ExchangeRequest& in);

 private:
  store::Store& store_;
  JobWriter& writer_;
};

}  // namespace fieldserve::app
