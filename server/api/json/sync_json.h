#pragma once
// Sync wire shapes (docs/sync-protocol.md). Pull pages are written straight into a
// string: a 200-job page through nlohmann trees costs several times more than the database work.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/job_document.h"
#include "dispatch/sla_policy.h"
#include "domain/model.h"
#include "sync/push_op.h"

namespace fieldserve::server {

// The job's own fields exactly as REST renders them (append_job_fields), then what it embeds.
// `valid_until` is lowered to the first instant after `now` at which an SLA state in the
// document changes (an at-risk or due time of a clock not yet done).
void append_job_document(std::string& out, const app::JobDocument& doc,
                         const dispatch::SlaPolicy& policy, Instant now, Instant& valid_until);

// The schemas of the shapes above, for the OpenAPI document.
nlohmann::json job_document_schema();
nlohmann::json pull_page_schema();
nlohmann::json push_request_schema();
nlohmann::json push_op_schema();
nlohmann::json push_results_schema();

// Reads one element of a push's "ops". Never fails: a problem becomes the op's reject code.
// Unknown fields are ignored and kept: in body (the whole op) and in unknown_fields (only them).
sync::PushOp parse_push_op(const nlohmann::json& op);

}  // namespace fieldserve::server
