#pragma once
#include <nlohmann/json.hpp>

#include "dispatch/sla_policy.h"
#include "domain/error.h"

namespace fieldserve::server {

// The policy document's schema, from the same field table policy_from_json reads with.
nlohmann::json policy_schema();
nlohmann::json policy_to_json(const dispatch::SlaPolicy& policy);
// Reads the shape of sample_data/sla_policy.json; unknown fields and broken rules are 422.
Result<dispatch::SlaPolicy> policy_from_json(const nlohmann::json& document);

}  // namespace fieldserve::server
