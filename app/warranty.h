#pragma once
// Warranty as the application keeps it: a unit's history gathered from the store for the pure
// rules (domain/warranty.h), and the blocks of its repair jobs kept current (docs/after-sales.md,
// "Warranty").
#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "domain/warranty.h"
#include "store/tx.h"

namespace fieldserve::app {

// The unit's history as the rules see it: sale, period, exchanges, and its repair jobs with
// their parts holds (from the status events) and ends. `writing` is a job being written at
// `change_at` (possibly not stored yet), taken as it is in memory: a hold or an end it has and
// its events do not yet show began or happened at `change_at`.
UnitHistory unit_history(store::Tx& tx, const Equipment& unit, const Job* writing = nullptr,
                         Instant change_at = {});

// A repair job's block at `now` from its unit's history; empty for a job that is not a repair
// or names no unit.
std::optional<JobWarranty> warranty_block(const UnitHistory& unit, const Job& job, Instant now);

// Works out the block of every repair job on the unit again and stores those that changed (a
// version bump each, so tablets get it). Returns how many changed.
int refresh_unit_warranty(store::Tx& tx, EquipmentId unit, Instant now);

}  // namespace fieldserve::app
