#include "server/json/resource_json.h"

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
          {"contact", {{"name", c.contact.name}, {"phone", c.contact.phone}, {"email", c.contact.email}}},
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

json job_json(const Job& j, const dispatch::SlaPolicy& policy, Instant now) {
  json sla = json::object();
  for (SlaTarget t : kSlaTargets) {
    const auto& c = j.clock(t);
    sla[std::string(to_string(t))] = {{"target_minutes", c.target_minutes},
                                      {"due", format_rfc3339(c.due)},
                                      {"at_risk_at", format_rfc3339(c.at_risk_at)},
                                      {"done_at", time_json(c.done_at)},
                                      {"state", to_string(dispatch::target_state(j, t, now))}};
  }
  json dispatch = json::object();
  if (!j.dispatch_reason.empty()) dispatch["reason"] = j.dispatch_reason;
  return {{"id", j.id},
          {"kind", to_string(j.kind)},
          {"severity", to_string(j.severity)},
          {"site_id", j.site_id},
          {"equipment_id", j.equipment_id ? json(*j.equipment_id) : json(nullptr)},
          {"required_skills", j.required_skills},
          {"description", j.description},
          {"reported_at", format_rfc3339(j.reported_at)},
          {"created_at", format_rfc3339(j.created_at)},
          {"technician_id", j.technician_id ? json(*j.technician_id) : json(nullptr)},
          {"assignment_locked", j.assignment_locked},
          {"status", to_string(j.status)},
          {"hold_reason", j.hold_reason ? json(to_string(*j.hold_reason)) : json(nullptr)},
          {"needs_review", j.needs_review},
          {"distance_km", j.distance_km},
          {"band_max_km", band_max_km(policy.tier(j.severity), j.distance_km)},
          {"dispatch", dispatch},
          {"sla", sla},
          {"version", j.version}};
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
  return {{"id", e.id},         {"entity", e.entity},       {"entity_id", e.entity_id},
          {"action", e.action}, {"field", e.field},         {"old_value", e.old_value},
          {"new_value", e.new_value}, {"actor", e.actor},   {"at", format_rfc3339(e.at)}};
}

}  // namespace fieldserve::server
