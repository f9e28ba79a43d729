#pragma once
// The API's resources as field tables: each field's schema (server/http/schema.h) next to how its
// value is read from the domain record. The renderers walk the tables and the OpenAPI document's
// component schemas are built from the same tables, so a field cannot be shown without being
// documented, nor documented without being shown. Jobs, the hot path, are streamed by
// job_json.h against the Job schema of job_schema() (a test holds the two together).
#include <nlohmann/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/sla_policy.h"
#include "domain/model.h"
#include "server/http/schema.h"

namespace fieldserve::server {

using nlohmann::json;

// One field of a resource: its schema and its value in a record.
template <class T>
struct Column {
  schema::Field field;
  json (*value)(const T&);
};

template <class T>
json render(const std::vector<Column<T>>& columns, const T& record) {
  json out = json::object();
  for (const auto& c : columns) out[c.field.name] = c.value(record);
  return out;
}

template <class T>
json schema_of(const std::vector<Column<T>>& columns) {
  std::vector<schema::Field> fields;
  fields.reserve(columns.size());
  for (const auto& c : columns) fields.push_back(c.field);
  return schema::object_schema(fields);
}

// The wire names of an enum's values, for a field's enum list.
template <class E>
std::vector<std::string> names_of(std::initializer_list<E> values) {
  std::vector<std::string> out;
  for (E v : values) out.emplace_back(to_string(v));
  return out;
}

json time_json(const std::optional<Instant>& at);
json location_json(const geo::LatLon& p);
json weekly_hours_json(const WeeklyHours& hours);

// A site as the API shows it: its band is measured with the policy in force.
struct SiteView {
  const Site& site;
  const dispatch::SlaPolicy& policy;
};

const std::vector<Column<Center>>& center_columns();
const std::vector<Column<Customer>>& customer_columns();
const std::vector<Column<SiteView>>& site_columns();
const std::vector<Column<Equipment>>& equipment_columns();
const std::vector<Column<Technician>>& technician_columns();
const std::vector<Column<JobEvent>>& event_columns();
const std::vector<Column<Token>>& token_columns();
const std::vector<Column<AuditEntry>>& audit_columns();

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

// The values several resources share, as inline schemas (a nullable field cannot refer to one).
json location_schema();
json weekly_hours_schema();

// The named schemas of the resources above, and of the values they share (Location,
// WeeklyHours), for the OpenAPI document's components.
json resource_schemas();

}  // namespace fieldserve::server
