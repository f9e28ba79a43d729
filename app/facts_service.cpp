#include "app/facts_service.h"

#include "app/job_service.h"

namespace fieldserve::app {

Result<JobFacts> FactsService::facts(const Principal& who, JobId id) {
  return store_.read([&](store::Tx& tx) -> Result<JobFacts> {
    auto job = tx.job(id);
    if (auto ok = check_job_access(who, job, id); !ok) return std::unexpected(ok.error());
    JobFacts out;
    auto notes = tx.notes_of({id});
    std::vector<std::string> ops;
    for (const auto& n : notes) {
      if (n.op_id) ops.push_back(*n.op_id);
    }
    auto device_times = tx.device_times(ops);
    for (auto& n : notes) {
      std::optional<Instant> device_at;
      if (n.op_id) {
        if (auto it = device_times.find(*n.op_id); it != device_times.end()) device_at = it->second;
      }
      out.notes.push_back({std::move(n), device_at});
    }
    out.parts = tx.parts_of({id});
    out.signoffs = tx.signoffs_of({id});
    for (auto& s : out.signoffs) s.checklist = tx.signoff_checklist(s.id);
    return out;
  });
}

Result<std::string> FactsService::signature(const Principal& who, JobId id,
                                            const std::string& signoff_id) {
  return store_.read([&](store::Tx& tx) -> Result<std::string> {
    auto job = tx.job(id);
    if (auto ok = check_job_access(who, job, id); !ok) return std::unexpected(ok.error());
    auto image = tx.signature(signoff_id);
    if (!image || image->job_id != id) {
      return fail(ErrorCode::not_found,
                  "job " + std::to_string(id) + " has no sign-off " + signoff_id);
    }
    return std::move(image->png);
  });
}

}  // namespace fieldserve::app
