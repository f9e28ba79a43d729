#pragma once
#include <optional>

#include "server/http/route.h"

namespace fieldserve::server {

// not_found when the job does not exist; forbidden when a technician token asks for a job that
// is not assigned to its technician. Checked per object, not only per route (SPEC section 10).
inline Result<void> check_job_access(const RouteRequest& req, const std::optional<Job>& job,
                                     JobId id) {
  if (!job) return not_found("job", id);
  if (req.is_technician() &&
      (!job->technician_id || job->technician_id != req.who().technician_id)) {
    return fail(ErrorCode::forbidden, "job " + std::to_string(id) + " is not assigned to you");
  }
  return {};
}

}  // namespace fieldserve::server
