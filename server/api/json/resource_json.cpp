#include "server/api/json/resource_json.h"

namespace fieldserve::server {

using schema::Field;
namespace s = schema;

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

namespace {

Field location(std::string name, std::string description = "") {
  return s::object(std::move(name), location_schema(), std::move(description));
}

Field hours(std::string name, std::string description) {
  return s::object(std::move(name), weekly_hours_schema(), std::move(description));
}

Field version() {
  return s::integer("version", 1, std::nullopt, "bumped by every change; send it as If-Match");
}

json id_json(std::int64_t id) { return id; }
json opt_id_json(const std::optional<std::int64_t>& id) { return id ? json(*id) : json(nullptr); }

}  // namespace

const std::vector<Column<Center>>& center_columns() {
  static const std::vector<Column<Center>> columns{
      {s::id("id"), [](const Center& c) { return id_json(c.id); }},
      {s::text("name", 200), [](const Center& c) { return json(c.name); }},
      {location("location"), [](const Center& c) { return location_json(c.location); }},
      {s::text("time_zone", 64, "IANA time zone, e.g. Asia/Shanghai"),
       [](const Center& c) { return json(c.time_zone); }},
      {hours("business_hours", "when the general and minor tiers' clocks run"),
       [](const Center& c) { return weekly_hours_json(c.business_hours); }},
      {version(), [](const Center& c) { return json(c.version); }},
  };
  return columns;
}

const std::vector<Column<Customer>>& customer_columns() {
  static const std::vector<Column<Customer>> columns{
      {s::id("id"), [](const Customer& c) { return id_json(c.id); }},
      {s::text("name", 200), [](const Customer& c) { return json(c.name); }},
      {s::enumeration("account_tier", names_of({AccountTier::key, AccountTier::standard})),
       [](const Customer& c) { return json(to_string(c.account_tier)); }},
      {s::object("contact", s::ref("Contact")),
       [](const Customer& c) {
         return json{
             {"name", c.contact.name}, {"phone", c.contact.phone}, {"email", c.contact.email}};
       }},
      {s::text("notes", 4000), [](const Customer& c) { return json(c.notes); }},
      {version(), [](const Customer& c) { return json(c.version); }},
  };
  return columns;
}

const std::vector<Column<SiteView>>& site_columns() {
  static const std::vector<Column<SiteView>> columns{
      {s::id("id"), [](const SiteView& v) { return id_json(v.site.id); }},
      {s::id("customer_id"), [](const SiteView& v) { return id_json(v.site.customer_id); }},
      {s::text("address", 500), [](const SiteView& v) { return json(v.site.address); }},
      {location("location"), [](const SiteView& v) { return location_json(v.site.location); }},
      {s::id("center_id", "the nearest center unless center_explicit"),
       [](const SiteView& v) { return id_json(v.site.center_id); }},
      {s::boolean("center_explicit", "the center was named, not chosen as the nearest"),
       [](const SiteView& v) { return json(v.site.center_explicit); }},
      {s::number("distance_km", "geodesic distance from its center"),
       [](const SiteView& v) { return json(v.site.distance_km); }},
      // A site has no tier; its band is reported against the critical tier's limits, the ones a
      // dispatcher checks first. Jobs report the band of their own tier.
      {s::nullable(s::number("band_max_km",
                             "upper limit of its critical-tier band; null beyond "
                             "the last")),
       [](const SiteView& v) {
         return band_max_km(v.policy.tier(Severity::critical), v.site.distance_km);
       }},
      {version(), [](const SiteView& v) { return json(v.site.version); }},
  };
  return columns;
}

const std::vector<Column<Equipment>>& equipment_columns() {
  static const std::vector<Column<Equipment>> columns{
      {s::id("id"), [](const Equipment& e) { return id_json(e.id); }},
      {s::id("site_id"), [](const Equipment& e) { return id_json(e.site_id); }},
      {s::text("model", 200), [](const Equipment& e) { return json(e.model); }},
      {s::text("serial", 100), [](const Equipment& e) { return json(e.serial); }},
      {s::timestamp("sold_at"), [](const Equipment& e) { return json(format_rfc3339(e.sold_at)); }},
      {s::nullable(s::timestamp("installed_at")),
       [](const Equipment& e) { return time_json(e.installed_at); }},
      {s::integer("warranty_months", 0, 240),
       [](const Equipment& e) { return json(e.warranty_months); }},
      {version(), [](const Equipment& e) { return json(e.version); }},
  };
  return columns;
}

const std::vector<Column<Technician>>& technician_columns() {
  static const std::vector<Column<Technician>> columns{
      {s::id("id"), [](const Technician& t) { return id_json(t.id); }},
      {s::text("name", 200), [](const Technician& t) { return json(t.name); }},
      {s::array("skills", {{"type", "string"}}),
       [](const Technician& t) { return json(t.skills); }},
      {s::id("home_center_id"), [](const Technician& t) { return id_json(t.home_center_id); }},
      {s::nullable(location("location", "last known position")),
       [](const Technician& t) { return t.location ? location_json(*t.location) : json(nullptr); }},
      {s::nullable(s::timestamp("location_at")),
       [](const Technician& t) { return time_json(t.location_at); }},
      {hours("shift", "when the technician works"),
       [](const Technician& t) { return weekly_hours_json(t.shift); }},
      {s::boolean("active"), [](const Technician& t) { return json(t.active); }},
      {s::integer("max_open_jobs", 1, 100),
       [](const Technician& t) { return json(t.max_open_jobs); }},
      {version(), [](const Technician& t) { return json(t.version); }},
  };
  return columns;
}

namespace {

const std::vector<std::string>& job_statuses() {
  static const auto names = names_of({JobStatus::new_, JobStatus::assigned, JobStatus::accepted,
                                      JobStatus::en_route, JobStatus::on_site, JobStatus::on_hold,
                                      JobStatus::resolved, JobStatus::signed_off, JobStatus::closed,
                                      JobStatus::cancelled});
  return names;
}

json status_json(const std::optional<JobStatus>& s) {
  return s ? json(to_string(*s)) : json(nullptr);
}

}  // namespace

const std::vector<Column<JobEvent>>& event_columns() {
  static const std::vector<Column<JobEvent>> columns{
      {s::id("id"), [](const JobEvent& e) { return id_json(e.id); }},
      {s::id("job_id"), [](const JobEvent& e) { return id_json(e.job_id); }},
      {s::text("type", 64, "created, status_changed, assigned, note, sla_at_risk, ..."),
       [](const JobEvent& e) { return json(e.type); }},
      {s::nullable(s::enumeration("from_status", job_statuses())),
       [](const JobEvent& e) { return status_json(e.from_status); }},
      {s::nullable(s::enumeration("to_status", job_statuses())),
       [](const JobEvent& e) { return status_json(e.to_status); }},
      {s::optional_id("technician_id"),
       [](const JobEvent& e) { return opt_id_json(e.technician_id); }},
      {s::text("actor", 200), [](const JobEvent& e) { return json(e.actor); }},
      {s::enumeration("source",
                      names_of({EventSource::api, EventSource::sync, EventSource::dispatcher})),
       [](const JobEvent& e) { return json(to_string(e.source)); }},
      {s::timestamp("at", "when it happened (the device's time, corrected, for synced events)"),
       [](const JobEvent& e) { return json(format_rfc3339(e.at)); }},
      {s::timestamp("received_at"),
       [](const JobEvent& e) { return json(format_rfc3339(e.received_at)); }},
      {s::nullable(s::timestamp("device_at", "the device's own clock, as sent")),
       [](const JobEvent& e) { return time_json(e.device_at); }},
      {s::text("detail", 8000), [](const JobEvent& e) { return json(e.detail); }},
  };
  return columns;
}

const std::vector<Column<Token>>& token_columns() {
  static const std::vector<Column<Token>> columns{
      {s::id("id"), [](const Token& t) { return id_json(t.id); }},
      {s::enumeration("role",
                      names_of({Role::admin, Role::dispatcher, Role::manager, Role::technician})),
       [](const Token& t) { return json(to_string(t.role)); }},
      {s::text("name", 200), [](const Token& t) { return json(t.name); }},
      {s::optional_id("technician_id"),
       [](const Token& t) { return opt_id_json(t.technician_id); }},
      {s::timestamp("created_at"),
       [](const Token& t) { return json(format_rfc3339(t.created_at)); }},
      {s::nullable(s::timestamp("last_used_at")),
       [](const Token& t) { return time_json(t.last_used_at); }},
      {s::boolean("revoked"), [](const Token& t) { return json(t.revoked); }},
  };
  return columns;
}

const std::vector<Column<AuditEntry>>& audit_columns() {
  static const std::vector<Column<AuditEntry>> columns{
      {s::id("id"), [](const AuditEntry& e) { return id_json(e.id); }},
      {s::enumeration("entity", {"customer", "site", "equipment"}),
       [](const AuditEntry& e) { return json(e.entity); }},
      {s::id("entity_id"), [](const AuditEntry& e) { return id_json(e.entity_id); }},
      {s::enumeration("action", {"create", "update", "exchange"}),
       [](const AuditEntry& e) { return json(e.action); }},
      {s::text("field", 64), [](const AuditEntry& e) { return json(e.field); }},
      {s::text("old_value", 8000, "the field's JSON text before; empty on create"),
       [](const AuditEntry& e) { return json(e.old_value); }},
      {s::text("new_value", 8000, "the field's JSON text after"),
       [](const AuditEntry& e) { return json(e.new_value); }},
      {s::text("actor", 200), [](const AuditEntry& e) { return json(e.actor); }},
      {s::timestamp("at"), [](const AuditEntry& e) { return json(format_rfc3339(e.at)); }},
  };
  return columns;
}

json center_json(const Center& c) { return render(center_columns(), c); }
json customer_json(const Customer& c) { return render(customer_columns(), c); }
json site_json(const Site& site, const dispatch::SlaPolicy& policy) {
  return render(site_columns(), SiteView{site, policy});
}
json equipment_json(const Equipment& e) { return render(equipment_columns(), e); }
json technician_json(const Technician& t) { return render(technician_columns(), t); }
json event_json(const JobEvent& e) { return render(event_columns(), e); }
json token_json(const Token& t) { return render(token_columns(), t); }
json audit_json(const AuditEntry& e) { return render(audit_columns(), e); }

json location_schema() {
  return s::object_schema(
      {{.name = "lat", .type = s::Type::number, .minimum = -90, .maximum = 90},
       {.name = "lon", .type = s::Type::number, .minimum = -180, .maximum = 180}});
}

json weekly_hours_schema() {
  json hhmm = {{"type", "string"}, {"pattern", "^([01][0-9]|2[0-4]):[0-5][0-9]$"}};
  json day = {{"type", "array"},
              {"items", hhmm},
              {"minItems", 2},
              {"maxItems", 2},
              {"description", "[start, end], local time"}};
  json week_properties = json::object();
  for (auto key : kWeekdayKeys) week_properties[std::string(key)] = day;
  return {{"type", "object"},
          {"properties", week_properties},
          {"additionalProperties", false},
          {"description", "open days only; a day left out is closed"}};
}

json resource_schemas() {
  return {
      {"Contact",
       s::object_schema({s::text("name", 200), s::text("phone", 50), s::text("email", 254)})},
      {"Center", schema_of(center_columns())},
      {"Customer", schema_of(customer_columns())},
      {"Site", schema_of(site_columns())},
      {"Equipment", schema_of(equipment_columns())},
      {"Technician", schema_of(technician_columns())},
      {"JobEvent", schema_of(event_columns())},
      {"Token", schema_of(token_columns())},
      {"AuditEntry", schema_of(audit_columns())},
  };
}

}  // namespace fieldserve::server
