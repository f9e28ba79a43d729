// Centers, customers, sites, equipment and settings.
#include "store/db.h"
#include "store/sql_tx.h"

namespace fieldserve::store {
namespace {

std::optional<std::int64_t> id_or_null(std::int64_t id) {
  return id ? std::optional(id) : std::nullopt;
}

Center read_center(Statement& q) {
  Center c;
  c.id = q.get_int(0);
  c.name = q.get_text(1);
  c.location = {q.get_double(2), q.get_double(3)};
  c.time_zone = q.get_text(4);
  c.business_hours = decode_weekly_hours(q.get_text(5)).value_or(WeeklyHours{});
  c.version = q.get_int(6);
  return c;
}
constexpr const char* kCenterColumns =
    "SELECT id, name, lat, lon, time_zone, business_hours, version FROM centers ";

Customer read_customer(Statement& q) {
  Customer c;
  c.id = q.get_int(0);
  c.name = q.get_text(1);
  c.account_tier = parse_account_tier(q.get_text(2)).value_or(AccountTier::standard);
  c.contact = {q.get_text(3), q.get_text(4), q.get_text(5)};
  c.notes = q.get_text(6);
  c.version = q.get_int(7);
  return c;
}
constexpr const char* kCustomerColumns =
    "SELECT id, name, account_tier, contact_name, contact_phone, contact_email, notes, version "
    "FROM customers ";

Site read_site(Statement& q) {
  Site s;
  s.id = q.get_int(0);
  s.customer_id = q.get_int(1);
  s.address = q.get_text(2);
  s.location = {q.get_double(3), q.get_double(4)};
  s.center_id = q.get_int(5);
  s.center_explicit = q.get_int(6) != 0;
  s.distance_km = q.get_double(7);
  s.version = q.get_int(8);
  return s;
}
constexpr const char* kSiteColumns =
    "SELECT id, customer_id, address, lat, lon, center_id, center_explicit, distance_km, version "
    "FROM sites ";

Equipment read_equipment(Statement& q) {
  Equipment e;
  e.id = q.get_int(0);
  e.site_id = q.get_int(1);
  e.model = q.get_text(2);
  e.serial = q.get_text(3);
  e.sold_at = from_epoch_s(q.get_int(4));
  if (auto v = q.get_opt_int(5)) e.installed_at = from_epoch_s(*v);
  e.warranty_months = static_cast<int>(q.get_int(6));
  e.version = q.get_int(7);
  return e;
}
constexpr const char* kEquipmentColumns =
    "SELECT id, site_id, model, serial, sold_at, installed_at, warranty_months, version "
    "FROM equipment ";

template <class T, class Reader>
std::vector<T> collect(StatementUse& q, Reader reader) {
  std::vector<T> out;
  while (q->step()) out.push_back(reader(*q));
  return out;
}

}  // namespace

CenterId SqlTx::insert_center(const Center& c) {
  auto q = conn_.prepare(
      "INSERT INTO centers (id, name, lat, lon, time_zone, business_hours) "
      "VALUES (:id, :name, :lat, :lon, :tz, :hours) RETURNING id");
  q->bind(":id", id_or_null(c.id))
      .bind(":name", c.name)
      .bind(":lat", c.location.lat)
      .bind(":lon", c.location.lon)
      .bind(":tz", c.time_zone)
      .bind(":hours", encode_weekly_hours(c.business_hours));
  return returned_id(*q);
}

std::optional<Center> SqlTx::center(CenterId id) {
  auto q = conn_.prepare(std::string(kCenterColumns) + "WHERE id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_center(*q);
}

std::vector<Center> SqlTx::centers(const Page& page) {
  auto q = conn_.prepare(std::string(kCenterColumns) + "WHERE id > :after ORDER BY id LIMIT :n");
  q->bind(":after", page.after_id).bind(":n", page.limit);
  return collect<Center>(q, read_center);
}

std::vector<Center> SqlTx::all_centers() {
  auto q = conn_.prepare(std::string(kCenterColumns) + "ORDER BY id");
  return collect<Center>(q, read_center);
}

bool SqlTx::update_center(const Center& c) {
  auto q = conn_.prepare(
      "UPDATE centers SET name = :name, lat = :lat, lon = :lon, time_zone = :tz, "
      "business_hours = :hours, version = version + 1 WHERE id = :id AND version = :version");
  q->bind(":id", c.id)
      .bind(":version", c.version)
      .bind(":name", c.name)
      .bind(":lat", c.location.lat)
      .bind(":lon", c.location.lon)
      .bind(":tz", c.time_zone)
      .bind(":hours", encode_weekly_hours(c.business_hours))
      .exec();
  return q->changes() == 1;
}

CustomerId SqlTx::insert_customer(const Customer& c) {
  auto q = conn_.prepare(
      "INSERT INTO customers (id, name, account_tier, contact_name, contact_phone, contact_email, "
      "notes) VALUES (:id, :name, :tier, :cn, :cp, :ce, :notes) RETURNING id");
  q->bind(":id", id_or_null(c.id))
      .bind(":name", c.name)
      .bind(":tier", std::string(to_string(c.account_tier)))
      .bind(":cn", c.contact.name)
      .bind(":cp", c.contact.phone)
      .bind(":ce", c.contact.email)
      .bind(":notes", c.notes);
  return returned_id(*q);
}

std::optional<Customer> SqlTx::customer(CustomerId id) {
  auto q = conn_.prepare(std::string(kCustomerColumns) + "WHERE id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_customer(*q);
}

std::vector<Customer> SqlTx::customers(const Page& page, const std::optional<AccountTier>& tier) {
  auto q = conn_.prepare(std::string(kCustomerColumns) +
                         "WHERE id > :after AND (account_tier = :tier OR :tier IS NULL) "
                         "ORDER BY id LIMIT :n");
  q->bind(":after", page.after_id).bind(":n", page.limit);
  if (tier) q->bind(":tier", std::string(to_string(*tier)));
  return collect<Customer>(q, read_customer);
}

bool SqlTx::update_customer(const Customer& c) {
  auto q = conn_.prepare(
      "UPDATE customers SET name = :name, account_tier = :tier, contact_name = :cn, "
      "contact_phone = :cp, contact_email = :ce, notes = :notes, version = version + 1 "
      "WHERE id = :id AND version = :version");
  q->bind(":id", c.id)
      .bind(":version", c.version)
      .bind(":name", c.name)
      .bind(":tier", std::string(to_string(c.account_tier)))
      .bind(":cn", c.contact.name)
      .bind(":cp", c.contact.phone)
      .bind(":ce", c.contact.email)
      .bind(":notes", c.notes)
      .exec();
  return q->changes() == 1;
}

namespace {

// The columns insert_site and update_site both write.
void bind_site_fields(Statement& q, const Site& s) {
  q.bind(":customer", s.customer_id)
      .bind(":address", s.address)
      .bind(":lat", s.location.lat)
      .bind(":lon", s.location.lon)
      .bind(":center", s.center_id)
      .bind(":explicit", s.center_explicit)
      .bind(":km", s.distance_km);
}

}  // namespace

SiteId SqlTx::insert_site(const Site& s) {
  auto q = conn_.prepare(
      "INSERT INTO sites (id, customer_id, address, lat, lon, center_id, center_explicit, "
      "distance_km) VALUES (:id, :customer, :address, :lat, :lon, :center, :explicit, :km) "
      "RETURNING id");
  q->bind(":id", id_or_null(s.id));
  bind_site_fields(*q, s);
  return returned_id(*q);
}

std::optional<Site> SqlTx::site(SiteId id) {
  auto q = conn_.prepare(std::string(kSiteColumns) + "WHERE id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_site(*q);
}

std::vector<Site> SqlTx::sites(const Page& page, std::optional<CustomerId> customer,
                               std::optional<CenterId> center) {
  auto q = conn_.prepare(std::string(kSiteColumns) +
                         "WHERE id > :after AND (customer_id = :customer OR :customer IS NULL) "
                         "AND (center_id = :center OR :center IS NULL) ORDER BY id LIMIT :n");
  q->bind(":after", page.after_id)
      .bind(":n", page.limit)
      .bind(":customer", customer)
      .bind(":center", center);
  return collect<Site>(q, read_site);
}

std::vector<Site> SqlTx::all_sites() {
  auto q = conn_.prepare(std::string(kSiteColumns) + "ORDER BY id");
  return collect<Site>(q, read_site);
}

bool SqlTx::update_site(const Site& s) {
  auto q = conn_.prepare(
      "UPDATE sites SET customer_id = :customer, address = :address, lat = :lat, lon = :lon, "
      "center_id = :center, center_explicit = :explicit, distance_km = :km, "
      "version = version + 1 WHERE id = :id AND version = :version");
  q->bind(":id", s.id).bind(":version", s.version);
  bind_site_fields(*q, s);
  q->exec();
  return q->changes() == 1;
}

EquipmentId SqlTx::insert_equipment(const Equipment& e) {
  auto q = conn_.prepare(
      "INSERT INTO equipment (id, site_id, model, serial, sold_at, installed_at, warranty_months) "
      "VALUES (:id, :site, :model, :serial, :sold, :installed, :warranty) RETURNING id");
  std::optional<std::int64_t> installed;
  if (e.installed_at) installed = to_epoch_s(*e.installed_at);
  q->bind(":id", id_or_null(e.id))
      .bind(":site", e.site_id)
      .bind(":model", e.model)
      .bind(":serial", e.serial)
      .bind(":sold", to_epoch_s(e.sold_at))
      .bind(":installed", installed)
      .bind(":warranty", e.warranty_months);
  return returned_id(*q);
}

std::optional<Equipment> SqlTx::equipment(EquipmentId id) {
  auto q = conn_.prepare(std::string(kEquipmentColumns) + "WHERE id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_equipment(*q);
}

std::vector<Equipment> SqlTx::equipment_list(const Page& page, std::optional<SiteId> site) {
  auto q = conn_.prepare(std::string(kEquipmentColumns) +
                         "WHERE id > :after AND (site_id = :site OR :site IS NULL) "
                         "ORDER BY id LIMIT :n");
  q->bind(":after", page.after_id).bind(":n", page.limit).bind(":site", site);
  return collect<Equipment>(q, read_equipment);
}

bool SqlTx::serial_taken(const std::string& model, const std::string& serial, EquipmentId except) {
  auto q = conn_.prepare(
      "SELECT 1 FROM equipment WHERE model = :model AND serial = :serial AND id != :id");
  q->bind(":model", model).bind(":serial", serial).bind(":id", except);
  return q->step();
}

bool SqlTx::update_equipment(const Equipment& e) {
  auto q = conn_.prepare(
      "UPDATE equipment SET site_id = :site, model = :model, serial = :serial, sold_at = :sold, "
      "installed_at = :installed, warranty_months = :warranty, version = version + 1 "
      "WHERE id = :id AND version = :version");
  std::optional<std::int64_t> installed;
  if (e.installed_at) installed = to_epoch_s(*e.installed_at);
  q->bind(":id", e.id)
      .bind(":version", e.version)
      .bind(":site", e.site_id)
      .bind(":model", e.model)
      .bind(":serial", e.serial)
      .bind(":sold", to_epoch_s(e.sold_at))
      .bind(":installed", installed)
      .bind(":warranty", e.warranty_months)
      .exec();
  return q->changes() == 1;
}

std::optional<std::string> SqlTx::setting(const std::string& key) {
  auto q = conn_.prepare("SELECT value FROM settings WHERE key = :key");
  q->bind(":key", key);
  if (!q->step()) return std::nullopt;
  return q->get_text(0);
}

void SqlTx::put_setting(const std::string& key, const std::string& value) {
  auto q = conn_.prepare(
      "INSERT INTO settings (key, value) VALUES (:key, :value) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  q->bind(":key", key).bind(":value", value).exec();
}

}  // namespace fieldserve::store

namespace fieldserve::store {

std::vector<Site> SqlTx::sites_by_id(const std::vector<SiteId>& ids) {
  auto q = conn_.prepare(std::string(kSiteColumns) + "WHERE id IN " + conn_.id_list(":ids") +
                         " ORDER BY id");
  q->bind(":ids", Connection::id_array(ids));
  return collect<Site>(q, read_site);
}

std::vector<Customer> SqlTx::customers_by_id(const std::vector<CustomerId>& ids) {
  auto q = conn_.prepare(std::string(kCustomerColumns) + "WHERE id IN " + conn_.id_list(":ids") +
                         " ORDER BY id");
  q->bind(":ids", Connection::id_array(ids));
  return collect<Customer>(q, read_customer);
}

std::vector<Equipment> SqlTx::equipment_by_id(const std::vector<EquipmentId>& ids) {
  auto q = conn_.prepare(std::string(kEquipmentColumns) + "WHERE id IN " + conn_.id_list(":ids") +
                         " ORDER BY id");
  q->bind(":ids", Connection::id_array(ids));
  return collect<Equipment>(q, read_equipment);
}

}  // namespace fieldserve::store
