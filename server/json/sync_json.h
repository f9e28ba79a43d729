#pragma once
// Sync wire shapes (SPEC section 5 and Appendix A). Pull pages are written straight into a
// string: a 200-job page through nlohmann trees costs several times more than the database work.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dispatch/sla_policy.h"
#include "domain/model.h"
#include "sync/push_op.h"

namespace fieldserve::server {

// Everything a tablet needs to work on a job offline.
struct JobDocument {
  const Job* job = nullptr;
  const Site* site = nullptr;
  const Customer* customer = nullptr;
  const Equipment* equipment = nullptr;  // null when the job names none
  std::vector<const JobNote*> notes;
  std::vector<const JobPart*> parts;
  std::vector<const Signoff*> signoffs;
};

void append_json_string(std::string& out, std::string_view text);
// `valid_until` is lowered to the first instant after `now` at which an SLA state in the
// document changes (an at-risk or due time of a clock not yet done).
void append_job_document(std::string& out, const JobDocument& doc,
                         const dispatch::SlaPolicy& policy, Instant now, Instant& valid_until);

// Reads one element of a push's "ops". Never fails: a problem becomes the op's reject code.
// Unknown fields are kept in body and ignored (older and newer app versions push at once).
sync::PushOp parse_push_op(const nlohmann::json& op);

}  // namespace fieldserve::server
