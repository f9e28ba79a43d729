#include "server/api/json/resource_json.h"

namespace fieldserve::server {

json time_json(const std::optional<Instant>& at) {
  return at ? json(format_rfc3339(*at)) : json(nullptr);
}

json location_json(const geo::LatLon& p) { return {{"lat", p.lat}, {"lon", p.lon}}; }

json weekly_hours_json(const WeeklyHours& hours) {
  json out = json::object();
  for (std::size_t d = 0; d < hours.size(); ++d) {
    if (hours[d]) {
      out[std::string(kWeekdayKeys[d])] = {format_hhmm(hours[d]->start_min),
                                           format_hhmm(hours[d]->end_min)};
    }
  }
  return out;
}

json band_max_km(const dispatch::TierPolicy& tier, double distance_km) {
  const auto& band = dispatch::band_for(tier, distance_km);
  return band.max_km ? json(*band.max_km) : json(nullptr);
}

json center_json(const Center& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"location", location_json(c.location)},
          {"time_zone", c.time_zone},
          {"business_hours", weekly_hours_json(c.business_hours)},
          {"version", c.version}};
}

json customer_json(const Customer& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"account_tier", to_string(c.account_tier)},
          {"contact",
           {{"name", c.contact.name}, {"phone", c.contact.phone}, {"email", c.contact.email}}},
          {"notes", c.notes},
          {"version", c.version}};
}

json site_json(const Site& s, const dispatch::SlaPolicy& policy) {
  // A site has no tier; its band is reported against the critical tier's limits, the ones a
  // dispatcher checks first. Jobs report the band of their own tier.
  return {{"id", s.id},
          {"customer_id", s.customer_id},
          {"address", s.address},
          {"location", location_json(s.location)},
          {"center_id", s.center_id},
          {"center_explicit", s.center_explicit},
          {"distance_km", s.distance_km},
          {"band_max_km", band_max_km(policy.tier(Severity::critical), s.distance_km)},
          {"version", s.version}};
}

json equipment_json(const Equipment& e) {
  return {{"id", e.id},
          {"site_id", e.site_id},
          {"model", e.model},
          {"serial", e.serial},
          {"sold_at", format_rfc3339(e.sold_at)},
          {"installed_at", time_json(e.installed_at)},
          {"warranty_months", e.warranty_months},
          {"version", e.version}};
}

json technician_json(const Technician& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"skills", t.skills},
          {"home_center_id", t.home_center_id},
          {"location", t.location ? location_json(*t.location) : json(nullptr)},
          {"location_at", time_json(t.location_at)},
          {"shift", weekly_hours_json(t.shift)},
          {"active", t.active},
          {"max_open_jobs", t.max_open_jobs},
          {"version", t.version}};
}

json event_json(const JobEvent& e) {
  auto status = [](const std::optional<JobStatus>& s) {
    return s ? json(to_string(*s)) : json(nullptr);
  };
  return {{"id", e.id},
          {"job_id", e.job_id},
          {"type", e.type},
          {"from_status", status(e.from_status)},
          {"to_status", status(e.to_status)},
          {"technician_id", e.technician_id ? json(*e.technician_id) : json(nullptr)},
          {"actor", e.actor},
          {"source", to_string(e.source)},
          {"at", format_rfc3339(e.at)},
          {"received_at", format_rfc3339(e.received_at)},
          {"device_at", time_json(e.device_at)},
          {"detail", e.detail}};
}

json token_json(const Token& t) {
  return {{"id", t.id},
          {"role", to_string(t.role)},
          {"name", t.name},
          {"technician_id", t.technician_id ? json(*t.technician_id) : json(nullptr)},
          {"created_at", format_rfc3339(t.created_at)},
          {"last_used_at", time_json(t.last_used_at)},
          {"revoked", t.revoked}};
}

json audit_json(const AuditEntry& e) {
  return {{"id", e.id},
          {"entity", e.entity},
          {"entity_id", e.entity_id},
          {"action", e.action},
          {"field", e.field},
          {"old_value", e.old_value},
          {"new_value", e.new_value},
          {"actor", e.actor},
          {"at", format_rfc3339(e.at)}};
}

}  // namespace fieldserve::server
