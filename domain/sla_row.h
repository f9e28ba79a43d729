#pragma once
// One job as the SLA reports read it: the store fills it, dispatch/sla_report adds it up.
#include <array>
#include <optional>

#include "domain/model.h"

namespace fieldserve {

struct SlaRow {
  struct Target {
    Instant due{};
    std::optional<Instant> done_at;
    std::optional<std::int64_t> taken_s;
  };
  JobId job_id = 0;
  Severity severity = Severity::general;
  std::optional<TechnicianId> technician_id;
  CenterId center_id = 0;
  Instant reported_at{};
  bool cancelled = false;
  // Set while the job is on a hold that began before the restore due: that clock stopped there.
  std::optional<Instant> hold_started_at;
  std::array<Target, 3> targets{};  // indexed by SlaTarget
};

}  // namespace fieldserve
