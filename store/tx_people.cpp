// Technicians, tokens and the audit log.
#include "store/db.h"
#include "store/sql_tx.h"

namespace fieldserve::store {
namespace {

Technician read_technician(Statement& q) {
  Technician t;
  t.id = q.get_int(0);
  t.name = q.get_text(1);
  t.skills = split_skills(q.get_text(2));
  t.home_center_id = q.get_int(3);
  if (!q.is_null(4) && !q.is_null(5)) t.location = geo::LatLon{q.get_double(4), q.get_double(5)};
  if (auto at = q.get_opt_int(6)) t.location_at = from_epoch_s(*at);
  t.shift = decode_weekly_hours(q.get_text(7)).value_or(WeeklyHours{});
  t.active = q.get_int(8) != 0;
  t.max_open_jobs = static_cast<int>(q.get_int(9));
  t.version = q.get_int(10);
  return t;
}
constexpr const char* kTechnicianColumns =
    "SELECT id, name, skills, home_center_id, lat, lon, location_at, shift, active, "
    "max_open_jobs, version FROM technicians ";

Token read_token(Statement& q) {
  Token t;
  t.id = q.get_int(0);
  t.role = parse_role(q.get_text(1)).value_or(Role::technician);
  t.name = q.get_text(2);
  t.technician_id = q.get_opt_int(3);
  t.created_at = from_epoch_s(q.get_int(4));
  if (auto at = q.get_opt_int(5)) t.last_used_at = from_epoch_s(*at);
  t.revoked = q.get_int(6) != 0;
  return t;
}
constexpr const char* kTokenColumns =
    "SELECT id, role, name, technician_id, created_at, last_used_at, revoked FROM tokens ";

void bind_technician(Statement& q, const Technician& t) {
  q.bind(":name", t.name)
      .bind(":skills", join_skills(t.skills))
      .bind(":center", t.home_center_id)
      .bind(":shift", encode_weekly_hours(t.shift))
      .bind(":active", t.active)
      .bind(":max_open", t.max_open_jobs);
  if (t.location) {
    q.bind(":lat", t.location->lat).bind(":lon", t.location->lon);
  } else {
    q.bind_null(":lat").bind_null(":lon");
  }
  std::optional<std::int64_t> at;
  if (t.location_at) at = to_epoch_s(*t.location_at);
  q.bind(":location_at", at);
}

}  // namespace

TechnicianId SqlTx::insert_technician(const Technician& t) {
  auto q = conn_.prepare(
      "INSERT INTO technicians (id, name, skills, home_center_id, lat, lon, location_at, shift, "
      "active, max_open_jobs) VALUES (:id, :name, :skills, :center, :lat, :lon, :location_at, "
      ":shift, :active, :max_open) RETURNING id");
  bind_technician(*q, t);
  q->bind(":id", t.id ? std::optional(t.id) : std::nullopt);
  return returned_id(*q);
}

std::optional<Technician> SqlTx::technician(TechnicianId id) {
  auto q = conn_.prepare(std::string(kTechnicianColumns) + "WHERE id = :id");
  q->bind(":id", id);
  if (!q->step()) return std::nullopt;
  return read_technician(*q);
}

std::vector<Technician> SqlTx::technicians(const Page& page, const TechnicianFilter& f) {
  // Skills are stored comma-joined; wrapping both sides in commas matches whole skills only.
  auto q = conn_.prepare(std::string(kTechnicianColumns) +
                         "WHERE id > :after AND (home_center_id = :center OR :center IS NULL) "
                         "AND (active = :active OR :active IS NULL) "
                         "AND (" +
                         (conn_.dialect() == Dialect::sqlite ? "instr" : "strpos") +
                         "(',' || skills || ',', ',' || :skill || ',') > 0 OR :skill IS NULL) "
                         "ORDER BY id LIMIT :n");
  q->bind(":after", page.after_id)
      .bind(":n", page.limit)
      .bind(":center", f.home_center_id)
      .bind(":active", f.active)
      .bind(":skill", f.skill);
  std::vector<Technician> out;
  while (q->step()) out.push_back(read_technician(*q));
  return out;
}

std::vector<Technician> SqlTx::technicians_by_id(const std::vector<TechnicianId>& ids) {
  auto q = conn_.prepare(std::string(kTechnicianColumns) + "WHERE id IN " + conn_.id_list(":ids") +
                         " ORDER BY id");
  q->bind(":ids", Connection::id_array(ids));
  std::vector<Technician> out;
  while (q->step()) out.push_back(read_technician(*q));
  return out;
}

bool SqlTx::update_technician(const Technician& t) {
  auto q = conn_.prepare(
      "UPDATE technicians SET name = :name, skills = :skills, home_center_id = :center, "
      "lat = :lat, lon = :lon, location_at = :location_at, shift = :shift, active = :active, "
      "max_open_jobs = :max_open, version = version + 1 WHERE id = :id AND version = :version");
  bind_technician(*q, t);
  q->bind(":id", t.id).bind(":version", t.version).exec();
  return q->changes() == 1;
}

int SqlTx::open_job_count(TechnicianId id) {
  auto q = conn_.prepare(
      "SELECT COUNT(*) FROM jobs WHERE technician_id = :id AND status IN "
      "('assigned', 'accepted', 'en_route', 'on_site', 'on_hold')");
  q->bind(":id", id);
  return q->step() ? static_cast<int>(q->get_int(0)) : 0;
}

std::int64_t SqlTx::technicians_revision() {
  auto q =
      conn_.prepare("SELECT CAST(value AS BIGINT) FROM settings WHERE key = 'technicians_rev'");
  return q->step() ? q->get_int(0) : 0;
}

Tx::DispatchRevisions SqlTx::dispatch_revisions() {
  auto q = conn_.prepare(
      "SELECT (SELECT CAST(value AS BIGINT) FROM settings WHERE key = 'technicians_rev'), "
      "(SELECT COUNT(*) FROM centers), (SELECT COALESCE(SUM(version), 0) FROM centers)");
  if (!q->step()) return {};
  return {q->get_int(0), q->get_int(1), q->get_int(2)};
}

TokenId SqlTx::insert_token(const Token& t, const std::string& sha256_hex) {
  auto q = conn_.prepare(
      "INSERT INTO tokens (sha256, role, name, technician_id, created_at) "
      "VALUES (:hash, :role, :name, :tech, :at) RETURNING id");
  q->bind(":hash", sha256_hex)
      .bind(":role", std::string(to_string(t.role)))
      .bind(":name", t.name)
      .bind(":tech", t.technician_id)
      .bind(":at", to_epoch_s(t.created_at));
  return returned_id(*q);
}

std::optional<Token> SqlTx::token_by_hash(const std::string& sha256_hex) {
  auto q = conn_.prepare(std::string(kTokenColumns) + "WHERE sha256 = :hash");
  q->bind(":hash", sha256_hex);
  if (!q->step()) return std::nullopt;
  return read_token(*q);
}

std::vector<Token> SqlTx::tokens(const Page& page) {
  auto q = conn_.prepare(std::string(kTokenColumns) + "WHERE id > :after ORDER BY id LIMIT :n");
  q->bind(":after", page.after_id).bind(":n", page.limit);
  std::vector<Token> out;
  while (q->step()) out.push_back(read_token(*q));
  return out;
}

bool SqlTx::revoke_token(TokenId id) {
  auto q = conn_.prepare("UPDATE tokens SET revoked = 1 WHERE id = :id");
  q->bind(":id", id).exec();
  return q->changes() == 1;
}

void SqlTx::touch_token(TokenId id, Instant at) {
  auto q = conn_.prepare("UPDATE tokens SET last_used_at = :at WHERE id = :id");
  q->bind(":id", id).bind(":at", to_epoch_s(at)).exec();
}

void SqlTx::insert_audit(const AuditEntry& e) {
  auto q = conn_.prepare(
      "INSERT INTO audit_log (entity, entity_id, action, field, old_value, new_value, actor, at) "
      "VALUES (:entity, :entity_id, :action, :field, :old, :new, :actor, :at)");
  q->bind(":entity", e.entity)
      .bind(":entity_id", e.entity_id)
      .bind(":action", e.action)
      .bind(":field", e.field)
      .bind(":old", e.old_value)
      .bind(":new", e.new_value)
      .bind(":actor", e.actor)
      .bind(":at", to_epoch_s(e.at))
      .exec();
}

std::vector<AuditEntry> SqlTx::audit(const std::string& entity,
                                     std::optional<std::int64_t> entity_id, const Page& page) {
  auto q = conn_.prepare(
      "SELECT id, entity, entity_id, action, field, old_value, new_value, actor, at "
      "FROM audit_log WHERE id > :after AND (:entity = '' OR entity = :entity) "
      "AND (entity_id = :entity_id OR :entity_id IS NULL) ORDER BY id LIMIT :n");
  q->bind(":after", page.after_id)
      .bind(":n", page.limit)
      .bind(":entity", entity)
      .bind(":entity_id", entity_id);
  std::vector<AuditEntry> out;
  while (q->step()) {
    AuditEntry e;
    e.id = q->get_int(0);
    e.entity = q->get_text(1);
    e.entity_id = q->get_int(2);
    e.action = q->get_text(3);
    e.field = q->get_text(4);
    e.old_value = q->get_text(5);
    e.new_value = q->get_text(6);
    e.actor = q->get_text(7);
    e.at = from_epoch_s(q->get_int(8));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace fieldserve::store
