#pragma once
// The one renderer of a job: REST answers and the sync job document both
// write a job's fields through append_job_fields, streaming into a string (no JSON tree on these
// hot paths), so the two cannot disagree.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/sla_policy.h"
#include "domain/model.h"
#include "server/http/route.h"

namespace fieldserve::server {

void append_json_string(std::string& out, std::string_view text);
void append_time(std::string& out, Instant at);
void append_opt_time(std::string& out, const std::optional<Instant>& at);
void append_location(std::string& out, const geo::LatLon& p);

// The job's fields, `"id":1,...,"version":3`, without the braces. `valid_until` is lowered to
// the first instant after `now` at which an SLA state in them changes by itself.
void append_job_fields(std::string& out, const Job& j, const dispatch::SlaPolicy& policy,
                       Instant now, Instant& valid_until);
// The job as one JSON object.
void append_job(std::string& out, const Job& j, const dispatch::SlaPolicy& policy, Instant now);

// The Job schema append_job_fields writes (same fields, same order; tests/server/job_render_test
// holds them together), and the schema of one SLA clock in it.
nlohmann::json job_schema();
nlohmann::json sla_clock_schema();
// A repair job's warranty block: {"in_warranty", "basis", "remedies"}; and its parts.
nlohmann::json warranty_schema();
std::vector<std::string> warranty_basis_names();
nlohmann::json remedies_schema();  // one remedy's name

// A reply holding JSON text, with the resource's version as its ETag.
Reply json_text_reply(std::string text, int status = 200, std::optional<std::int64_t> version = {});
Reply job_reply(const Job& j, const dispatch::SlaPolicy& policy, Instant now, int status = 200);

}  // namespace fieldserve::server
