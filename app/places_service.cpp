#include "app/places_service.h"

#include <map>

#include "app/effects.h"
#include "dispatch/site_placement.h"

namespace fieldserve::app {
namespace {

// stale_version for a row whose version moved between reading it and writing it in the same
// transaction: cannot happen with one writer, and is an answer rather than a lost update if it
// ever does.
std::unexpected<Error> changed_meanwhile() {
  return fail(ErrorCode::stale_version, "the resource changed meanwhile; read it again");
}

std::unexpected<Error> missing_reference(const char* field, std::int64_t id) {
  return fail(ErrorCode::unknown_reference,
              std::string(field) + " " + std::to_string(id) + " does not exist");
}

// The shape every change shares, in one write transaction: load the record (not_found if
// absent), check If-Match against its version (stale_version), apply `edit`, then `store` it
// (which also does whatever the change sets off) and read it back as stored.
template <class T, class Load, class Save>
Result<T> change_record(store::Store& store, const char* what, std::int64_t id,
                        std::optional<std::int64_t> if_match, Load load, const Edit<T>& edit,
                        Save save) {
  return write(store, [&](store::Tx& tx, Effects& fx) -> Result<T> {
    std::optional<T> record = load(tx, id);
    if (!record) return not_found(what, id);
    if (auto ok = check_version(if_match, record->version); !ok) {
      return std::unexpected(ok.error());
    }
    T before = *record;
    if (auto ok = edit(*record); !ok) return std::unexpected(ok.error());
    if (auto ok = save(tx, fx, before, *record); !ok) return std::unexpected(ok.error());
    return *load(tx, id);
  });
}

}  // namespace

void record_changes(store::Tx& tx, const std::string& entity, std::int64_t id,
                    const std::string& action, const AuditFields& before, const AuditFields& after,
                    const std::string& actor, Instant at) {
  std::map<std::string, const std::string*> old_values;
  for (const auto& [field, value] : before) old_values[field] = &value;
  for (const auto& [field, value] : after) {
    if (field == "version" || field == "id") continue;
    auto old = old_values.find(field);
    if (old != old_values.end() && *old->second == value) continue;
    AuditEntry e;
    e.entity = entity;
    e.entity_id = id;
    e.action = action;
    e.field = field;
    e.old_value = old == old_values.end() ? "" : *old->second;
    e.new_value = value;
    e.actor = actor;
    e.at = at;
    tx.insert_audit(e);
  }
}

std::function<void(const Site&, const Site&)> PlacesService::site_auditor(
    store::Tx& tx, const Principal& who, Instant at, const dispatch::SlaPolicy& policy) {
  return [this, &tx, actor = who.actor(), at, &policy](const Site& before, const Site& after) {
    record_changes(tx, "site", after.id, "update", audit_.site(before, policy),
                   audit_.site(after, policy), actor, at);
  };
}

// ---- centers ----

Result<Center> PlacesService::create_center(const Principal& who, Center center) {
  auto now = writer_.clock().now();
  auto policy = writer_.policy().policy();
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Center> {
    center.id = tx.insert_center(center);
    writer_.rehome_sites(tx, fx, site_auditor(tx, who, now, policy));
    return *tx.center(center.id);
  });
}

Result<Center> PlacesService::center(CenterId id) {
  auto c = store_.read([&](store::Tx& tx) { return tx.center(id); });
  if (!c) return not_found("center", id);
  return *c;
}

std::vector<Center> PlacesService::centers(const store::Page& page) {
  return store_.read([&](store::Tx& tx) { return tx.centers(page); });
}

Result<Center> PlacesService::patch_center(const Principal& who, CenterId id,
                                           std::optional<std::int64_t> if_match,
                                           const Edit<Center>& edit) {
  auto now = writer_.clock().now();
  auto policy = writer_.policy().policy();
  return change_record<Center>(
      store_, "center", id, if_match, [](store::Tx& tx, CenterId c) { return tx.center(c); }, edit,
      [&](store::Tx& tx, Effects& fx, const Center& before, const Center& c) -> Result<void> {
        if (!tx.update_center(c)) return changed_meanwhile();
        if (!(before.location == c.location)) {
          writer_.rehome_sites(tx, fx, site_auditor(tx, who, now, policy));
        }
        if (before.time_zone != c.time_zone || before.business_hours != c.business_hours) {
          store::JobFilter filter;
          filter.center_id = c.id;
          writer_.refresh_open_jobs(tx, fx, filter);
        }
        return {};
      });
}

// ---- customers ----

Result<Customer> PlacesService::create_customer(const Principal& who, Customer customer) {
  auto now = writer_.clock().now();
  return store_.write([&](store::Tx& tx) -> Result<Customer> {
    customer.id = tx.insert_customer(customer);
    auto stored = *tx.customer(customer.id);
    record_changes(tx, "customer", stored.id, "create", {}, audit_.customer(stored), who.actor(),
                   now);
    return stored;
  });
}

Result<Customer> PlacesService::customer(CustomerId id) {
  auto c = store_.read([&](store::Tx& tx) { return tx.customer(id); });
  if (!c) return not_found("customer", id);
  return *c;
}

std::vector<Customer> PlacesService::customers(const store::Page& page,
                                               std::optional<AccountTier> tier) {
  return store_.read([&](store::Tx& tx) { return tx.customers(page, tier); });
}

Result<Customer> PlacesService::patch_customer(const Principal& who, CustomerId id,
                                               std::optional<std::int64_t> if_match,
                                               const Edit<Customer>& edit) {
  auto now = writer_.clock().now();
  return change_record<Customer>(
      store_, "customer", id, if_match, [](store::Tx& tx, CustomerId c) { return tx.customer(c); },
      edit,
      [&](store::Tx& tx, Effects&, const Customer& before, const Customer& c) -> Result<void> {
        if (!tx.update_customer(c)) return changed_meanwhile();
        record_changes(tx, "customer", c.id, "update", audit_.customer(before),
                       audit_.customer(*tx.customer(c.id)), who.actor(), now);
        return {};
      });
}

// ---- sites ----

Result<void> PlacesService::place_site(store::Tx& tx, const SiteChanges& in, Site& site) {
  if (in.customer_id) {
    if (!tx.customer(*in.customer_id)) return missing_reference("customer_id", *in.customer_id);
    site.customer_id = *in.customer_id;
  }
  if (in.address) site.address = *in.address;
  if (in.location) site.location = *in.location;
  if (in.center_given) site.center_explicit = in.center_id.has_value();
  std::optional<CenterId> wanted;
  if (site.center_explicit) wanted = in.center_id ? in.center_id : std::optional(site.center_id);
  auto centers = tx.all_centers();
  auto placement = dispatch::place_site(site.location, centers, wanted);
  if (!placement) {
    if (wanted) return missing_reference("center_id", *wanted);
    return fail(ErrorCode::conflict, "create a service center before the first site");
  }
  site.center_id = placement->center_id;
  site.distance_km = placement->distance_km;
  return {};
}

Result<Site> PlacesService::create_site(const Principal& who, const SiteChanges& in) {
  auto now = writer_.clock().now();
  auto policy = writer_.policy().policy();
  return store_.write([&](store::Tx& tx) -> Result<Site> {
    Site site;
    if (auto ok = place_site(tx, in, site); !ok) return std::unexpected(ok.error());
    site.id = tx.insert_site(site);
    auto stored = *tx.site(site.id);
    record_changes(tx, "site", stored.id, "create", {}, audit_.site(stored, policy), who.actor(),
                   now);
    return stored;
  });
}

Result<Site> PlacesService::site(SiteId id) {
  auto s = store_.read([&](store::Tx& tx) { return tx.site(id); });
  if (!s) return not_found("site", id);
  return *s;
}

std::vector<Site> PlacesService::sites(const store::Page& page, std::optional<CustomerId> customer,
                                       std::optional<CenterId> center) {
  return store_.read([&](store::Tx& tx) { return tx.sites(page, customer, center); });
}

Result<Site> PlacesService::patch_site(const Principal& who, SiteId id,
                                       std::optional<std::int64_t> if_match,
                                       const SiteChanges& in) {
  auto now = writer_.clock().now();
  auto policy = writer_.policy().policy();
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Site> {
    auto site = tx.site(id);
    if (!site) return not_found("site", id);
    if (auto ok = check_version(if_match, site->version); !ok) return std::unexpected(ok.error());
    auto before = audit_.site(*site, policy);
    if (auto ok = place_site(tx, in, *site); !ok) return std::unexpected(ok.error());
    if (!tx.update_site(*site)) return changed_meanwhile();
    auto stored = *tx.site(id);
    record_changes(tx, "site", id, "update", before, audit_.site(stored, policy), who.actor(), now);
    store::JobFilter filter;
    filter.site_id = id;
    writer_.refresh_open_jobs(tx, fx, filter);
    return stored;
  });
}

// ---- equipment ----

namespace {

Result<void> check_equipment_references(store::Tx& tx, const Equipment& e) {
  if (!tx.site(e.site_id)) return missing_reference("site_id", e.site_id);
  if (tx.serial_taken(e.model, e.serial, e.id)) {
    return fail(ErrorCode::conflict, "equipment " + e.model + " " + e.serial + " already exists");
  }
  return {};
}

}  // namespace

Result<Equipment> PlacesService::create_equipment(const Principal& who, Equipment equipment) {
  auto now = writer_.clock().now();
  return store_.write([&](store::Tx& tx) -> Result<Equipment> {
    if (auto ok = check_equipment_references(tx, equipment); !ok) {
      return std::unexpected(ok.error());
    }
    equipment.id = tx.insert_equipment(equipment);
    auto stored = *tx.equipment(equipment.id);
    record_changes(tx, "equipment", stored.id, "create", {}, audit_.equipment(stored), who.actor(),
                   now);
    return stored;
  });
}

Result<Equipment> PlacesService::equipment(EquipmentId id) {
  auto e = store_.read([&](store::Tx& tx) { return tx.equipment(id); });
  if (!e) return not_found("equipment", id);
  return *e;
}

std::vector<Equipment> PlacesService::equipment_list(const store::Page& page,
                                                     std::optional<SiteId> site) {
  return store_.read([&](store::Tx& tx) { return tx.equipment_list(page, site); });
}

Result<Equipment> PlacesService::patch_equipment(const Principal& who, EquipmentId id,
                                                 std::optional<std::int64_t> if_match,
                                                 const Edit<Equipment>& edit) {
  auto now = writer_.clock().now();
  return change_record<Equipment>(
      store_, "equipment", id, if_match,
      [](store::Tx& tx, EquipmentId e) { return tx.equipment(e); }, edit,
      [&](store::Tx& tx, Effects& fx, const Equipment& before, const Equipment& e) -> Result<void> {
        if (auto ok = check_equipment_references(tx, e); !ok) return std::unexpected(ok.error());
        if (!tx.update_equipment(e)) return changed_meanwhile();
        // A new sale date or period changes what its repair jobs are entitled to.
        writer_.refresh_warranty(fx, e.id);
        record_changes(tx, "equipment", e.id, "update", audit_.equipment(before),
                       audit_.equipment(*tx.equipment(e.id)), who.actor(), now);
        return {};
      });
}

// ---- technicians ----

Result<Technician> PlacesService::create_technician(const Principal&, Technician technician) {
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Technician> {
    if (!tx.center(technician.home_center_id)) {
      return missing_reference("home_center_id", technician.home_center_id);
    }
    technician.id = tx.insert_technician(technician);
    dispatcher_.technician_changed(tx, fx, technician);
    return *tx.technician(technician.id);
  });
}

Result<Technician> PlacesService::technician(const Principal& who, TechnicianId id) {
  if (who.role == Role::technician && who.technician_id != id) {
    return fail(ErrorCode::forbidden, "a technician token reads only its own technician");
  }
  auto t = store_.read([&](store::Tx& tx) { return tx.technician(id); });
  if (!t) return not_found("technician", id);
  return *t;
}

std::vector<Technician> PlacesService::technicians(const store::Page& page,
                                                   const store::TechnicianFilter& filter) {
  return store_.read([&](store::Tx& tx) { return tx.technicians(page, filter); });
}

Result<Technician> PlacesService::patch_technician(const Principal&, TechnicianId id,
                                                   std::optional<std::int64_t> if_match,
                                                   const Edit<Technician>& edit) {
  return change_record<Technician>(
      store_, "technician", id, if_match,
      [](store::Tx& tx, TechnicianId t) { return tx.technician(t); }, edit,
      [&](store::Tx& tx, Effects& fx, const Technician&, const Technician& t) -> Result<void> {
        if (!tx.center(t.home_center_id)) {
          return missing_reference("home_center_id", t.home_center_id);
        }
        if (!tx.update_technician(t)) return changed_meanwhile();
        dispatcher_.technician_changed(tx, fx, t);
        return {};
      });
}

std::vector<AuditEntry> PlacesService::audit(const std::string& entity,
                                             std::optional<std::int64_t> entity_id,
                                             const store::Page& page) {
  return store_.read([&](store::Tx& tx) { return tx.audit(entity, entity_id, page); });
}

void PlacesService::replace_policy(const dispatch::SlaPolicy& policy, const std::string& document) {
  auto& source = writer_.policy();
  auto held = source.hold_changes();
  // Inside the write transaction, which serializes every policy change.
  write(store_, [&](store::Tx& tx, Effects& fx) {
    auto previous = source.policy();
    auto previous_document = source.document();
    source.set_policy(policy, document);
    try {
      tx.put_setting("sla_policy", document);
      writer_.refresh_open_jobs(tx, fx, store::JobFilter{});
    } catch (...) {
      source.set_policy(previous, previous_document);
      throw;
    }
    return true;
  });
}

}  // namespace fieldserve::app
