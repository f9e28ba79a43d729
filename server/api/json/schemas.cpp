// The named schemas of the API, for the OpenAPI document's components: the resources' field
// tables (resource_json.h) and the job's (job_json.h).
#include "server/api/handlers.h"
#include "server/api/json/job_json.h"
#include "server/api/json/policy_json.h"
#include "server/api/json/resource_json.h"
#include "server/api/json/sync_json.h"

namespace fieldserve::server {

nlohmann::json api_components() {
  auto schemas = resource_schemas();
  schemas["Job"] = job_schema();
  schemas["SlaClock"] = sla_clock_schema();
  schemas["SlaPolicy"] = policy_schema();
  schemas["JobDocument"] = job_document_schema();
  schemas["PushOp"] = push_op_schema();
  return schemas;
}

}  // namespace fieldserve::server
