#pragma once
// Domain values to their wire shapes. Field names here are the contract. Jobs,
// the hot path, are written by job_json.h.
#include <nlohmann/json.hpp>
#include <optional>

#include "dispatch/sla_policy.h"
#include "domain/model.h"

namespace fieldserve::server {

using nlohmann::json;

json time_json(const std::optional<Instant>& at);
json location_json(const geo::LatLon& p);
json weekly_hours_json(const WeeklyHours& hours);

json center_json(const Center& c);
json customer_json(const Customer& c);
// band_max_km: the upper limit of the band the site falls in (null = beyond the last limit).
json site_json(const Site& s, const dispatch::SlaPolicy& policy);
json equipment_json(const Equipment& e);
json technician_json(const Technician& t);
json event_json(const JobEvent& e);
json token_json(const Token& t);
json audit_json(const AuditEntry& e);

// The band limit for a distance in a tier: 10, 30, 60 … or null beyond the last.
json band_max_km(const dispatch::TierPolicy& tier, double distance_km);

}  // namespace fieldserve::server
