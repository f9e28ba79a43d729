// The sync change feed, the op ledger and the facts devices push (notes, parts, sign-offs).
#include "store/db.h"
#include "store/hot_queries.h"
#include "store/sql_tx.h"

namespace fieldserve::store {

namespace {

std::optional<std::string> opt_text(Statement& q, int col) {
  return q.is_null(col) ? std::nullopt : std::optional(q.get_text(col));
}

}  // namespace

std::vector<StaffChange> SqlTx::staff_changes(std::int64_t after_seq, int limit) {
  auto q = conn_.prepare(
      "SELECT seq, kind = 'technician', entity_id FROM staff_feed WHERE seq > :after "
      "ORDER BY seq LIMIT :n");
  q->bind(":after", after_seq).bind(":n", limit);
  std::vector<StaffChange> out;
  while (q->step()) out.push_back({q->get_int(0), q->get_int(1) != 0, q->get_int(2)});
  return out;
}

// The newest number of a feed, as this transaction sees it. SQLite keeps it transactionally in
// sqlite_sequence. A PostgreSQL sequence is not transactional (it shows numbers drawn by writers
// that have not committed), so there the newest row in this snapshot says it; writers commit in
// number order under the write lock, so no row this snapshot misses can be older.
std::int64_t SqlTx::staff_feed_last() {
  auto q = conn_.prepare(conn_.dialect() == Dialect::sqlite
                             ? "SELECT seq FROM sqlite_sequence WHERE name = 'staff_feed'"
                             : "SELECT COALESCE(MAX(seq), 0) FROM staff_feed");
  return q->step() ? q->get_int(0) : 0;
}

FeedState SqlTx::feed_state() {
  auto q = conn_.prepare(
      "SELECT (SELECT value FROM settings WHERE key = 'database_id'), "
      "(" +
      newest_feed_seq_sql() +
      "), "
      "(SELECT CAST(value AS BIGINT) FROM settings WHERE key = 'sync_floor')");
  FeedState s;
  if (q->step()) {
    s.database_id = q->get_text(0);
    s.last_seq = q->get_int(1);
    s.floor = q->get_int(2);
  }
  return s;
}

// The feed's index is led by (seq >> 10) (migration 9): the statements below name that exact
// expression so SQLite uses it, and walk the buckets from the cursor's to the newest.
namespace {
constexpr int kFeedBucketBits = 10;
std::int64_t feed_bucket(std::int64_t seq) { return seq >> kFeedBucketBits; }
}  // namespace

// As staff_feed_last. Pruning may have emptied the feed: then the floor is the newest number.
std::string SqlTx::newest_feed_seq_sql() const {
  return conn_.dialect() == Dialect::sqlite
             ? "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'sync_changes'), 0)"
             : "SELECT COALESCE((SELECT MAX(seq) FROM sync_changes), "
               "(SELECT CAST(value AS BIGINT) FROM settings WHERE key = 'sync_floor'))";
}

std::int64_t SqlTx::newest_feed_seq() {
  auto q = conn_.prepare(newest_feed_seq_sql());
  return q->step() ? q->get_int(0) : 0;
}

std::vector<FeedRow> SqlTx::feed_after(TechnicianId technician, std::int64_t after_seq, int limit) {
  auto q = conn_.prepare(kFeedAfterSql);
  std::vector<FeedRow> out;
  auto last = feed_bucket(newest_feed_seq());
  for (auto bucket = feed_bucket(after_seq); bucket <= last && std::ssize(out) < limit; ++bucket) {
    q->bind(":bucket", bucket)
        .bind(":tech", technician)
        .bind(":after", after_seq)
        .bind(":n", static_cast<std::int64_t>(limit - std::ssize(out)));
    while (q->step()) out.push_back({q->get_int(0), q->get_int(1), opt_text(*q, 2)});
    q->reset();
  }
  return out;
}

bool SqlTx::feed_has_after(TechnicianId technician, std::int64_t seq) {
  auto q = conn_.prepare(kFeedHasAfterSql);
  auto last = feed_bucket(newest_feed_seq());
  for (auto bucket = feed_bucket(seq); bucket <= last; ++bucket) {
    q->bind(":bucket", bucket).bind(":tech", technician).bind(":seq", seq);
    bool found = q->step();
    q->reset();
    if (found) return true;
  }
  return false;
}

void SqlTx::renew_database_id() {
  conn_.exec(conn_.dialect() == Dialect::sqlite
                 ? "UPDATE settings SET value = lower(hex(randomblob(8))) WHERE key = 'database_id'"
                 : "UPDATE settings SET value = substr(md5(gen_random_uuid()::text), 1, 16) "
                   "WHERE key = 'database_id'");
}

std::int64_t SqlTx::prune_feed(Instant before) {
  auto top = conn_.prepare("SELECT MAX(seq) FROM sync_changes WHERE at < :before");
  top->bind(":before", to_epoch_s(before));
  std::optional<std::int64_t> floor;
  if (top->step()) floor = top->get_opt_int(0);
  if (!floor) return feed_state().floor;
  auto del = conn_.prepare("DELETE FROM sync_changes WHERE seq <= :floor");
  del->bind(":floor", *floor).exec();
  auto put = conn_.prepare("UPDATE settings SET value = CAST(" + conn_.greatest() +
                           "(CAST(value AS BIGINT), :floor) AS TEXT) "
                           "WHERE key = 'sync_floor'");
  put->bind(":floor", *floor).exec();
  return feed_state().floor;
}

namespace {

constexpr const char* kLedgerColumns =
    "SELECT op_id, technician_id, token_id, job_id, type, digest, status, code, message, "
    "device_at, at, received_at, body FROM ";

LedgerEntry ledger_row(const Statement& q) {
  LedgerEntry e;
  e.op_id = q.get_text(0);
  e.technician_id = q.get_int(1);
  e.token_id = q.get_int(2);
  e.job_id = q.get_opt_int(3);
  e.type = q.get_text(4);
  e.digest = q.get_text(5);
  e.status = q.get_text(6);
  e.code = q.is_null(7) ? "" : q.get_text(7);
  e.message = q.is_null(8) ? "" : q.get_text(8);
  e.device_at = q.get_opt_instant(9);
  e.at = q.get_opt_instant(10);
  e.received_at = from_epoch_s(q.get_int(11));
  e.body = q.get_text(12);
  return e;
}

}  // namespace

std::optional<LedgerEntry> SqlTx::ledger_entry(const std::string& op_id) {
  auto q = conn_.prepare(std::string(kLedgerColumns) + "sync_ops WHERE op_id = :op");
  q->bind(":op", op_id);
  if (!q->step()) return std::nullopt;
  return ledger_row(*q);
}

std::vector<LedgerEntry> SqlTx::ledger_entries(const std::vector<std::string>& op_ids) {
  std::vector<LedgerEntry> out;
  if (op_ids.empty()) return out;
  auto q = conn_.prepare(std::string(kLedgerColumns) +
                         conn_.rows_by_unique_key("sync_ops", "op_id", ":ops") + " AS s");
  q->bind(":ops", Connection::text_array(op_ids));
  while (q->step()) out.push_back(ledger_row(*q));
  return out;
}

void SqlTx::insert_ledger(const LedgerEntry& e) {
  auto q = conn_.prepare(
      "INSERT INTO sync_ops (op_id, technician_id, token_id, job_id, type, digest, status, code, "
      "message, device_at, at, received_at, body) VALUES (:op, :tech, :token, :job, :type, "
      ":digest, :status, :code, :message, :device_at, :at, :received, :body)");
  q->bind(":op", e.op_id)
      .bind(":tech", e.technician_id)
      .bind(":token", e.token_id)
      .bind(":job", e.job_id)
      .bind(":type", e.type)
      .bind(":digest", e.digest)
      .bind(":status", e.status)
      .bind(":code", e.code.empty() ? std::nullopt : std::optional(e.code))
      .bind(":message", e.message.empty() ? std::nullopt : std::optional(e.message))
      .bind(":device_at", to_epoch_s(e.device_at))
      .bind(":at", to_epoch_s(e.at))
      .bind(":received", to_epoch_s(e.received_at))
      .bind(":body", e.body)
      .exec_later();
}

void SqlTx::insert_note(const JobNote& n) {
  auto q = conn_.prepare(
      "INSERT INTO job_notes (job_id, technician_id, author, text, at, received_at, op_id) "
      "VALUES (:job, :tech, :author, :text, :at, :received, :op) RETURNING id");
  q->bind(":job", n.job_id)
      .bind(":tech", n.technician_id)
      .bind(":author", n.author)
      .bind(":text", n.text)
      .bind(":at", to_epoch_s(n.at))
      .bind(":received", to_epoch_s(n.received_at))
      .bind(":op", n.op_id);
  // The id comes back when the connection next waits (at the latest in write_note_runs), and
  // ids come back in the order the notes were sent.
  q->exec_later([this, job = n.job_id](std::int64_t id) {
    if (!note_runs_.empty() && note_runs_.back().job == job &&
        note_runs_.back().last_id + 1 == id) {
      note_runs_.back().last_id = id;
    } else {
      note_runs_.push_back({job, id, id});
    }
  });
  feed_job_once(n.job_id);
}

void SqlTx::write_note_runs() {
  conn_.flush();  // every note sent ahead has its id
  if (note_runs_.empty()) return;
  auto append = conn_.prepare(
      "INSERT INTO note_runs (job_id, first_id, last_id, previous) VALUES (:job, :first, :last, "
      "(SELECT last_run FROM note_run_heads WHERE job_id = :job)) RETURNING id");
  auto head = conn_.prepare(
      "INSERT INTO note_run_heads (job_id, last_run) VALUES (:job, :run) "
      "ON CONFLICT (job_id) DO UPDATE SET last_run = excluded.last_run");
  for (const auto& run : note_runs_) {
    append->bind(":job", run.job).bind(":first", run.first_id).bind(":last", run.last_id);
    auto run_id = returned_id(*append);
    append->reset();
    head->bind(":job", run.job).bind(":run", run_id).exec();
    head->reset();
  }
  note_runs_.clear();
}

void SqlTx::finish() {
  write_note_runs();
  write_visit_tallies();
}

void SqlTx::feed_job_once(JobId job) {
  if (fed_jobs_.contains(job)) return;
  auto q = conn_.prepare(
      "INSERT INTO sync_changes (technician_id, job_id) "
      "SELECT technician_id, id FROM device_jobs WHERE id = :job");
  q->bind(":job", job).exec_later();
  fed_jobs_.insert(job);  // only once the row is written
}

void SqlTx::insert_part(const JobPart& p) {
  auto q = conn_.prepare(
      "INSERT INTO job_parts (job_id, technician_id, part_number, qty, signoff_id, at, "
      "received_at, op_id, site_id, repair) SELECT :job, :tech, :part, :qty, :signoff, :at, "
      ":received, :op, j.site_id, CASE WHEN j.kind = 'repair' THEN 1 ELSE 0 END FROM jobs j "
      "WHERE j.id = :job");
  q->bind(":job", p.job_id)
      .bind(":tech", p.technician_id)
      .bind(":part", p.part.part_number)
      .bind(":qty", p.part.qty)
      .bind(":signoff", p.signoff_id)
      .bind(":at", to_epoch_s(p.at))
      .bind(":received", to_epoch_s(p.received_at))
      .bind(":op", p.op_id)
      .exec();
  feed_job_once(p.job_id);
}

bool SqlTx::signoff_exists(const std::string& id) {
  auto q = conn_.prepare("SELECT 1 FROM signoffs WHERE id = :id");
  q->bind(":id", id);
  return q->step();
}

bool SqlTx::job_signed(JobId job) {
  auto q = conn_.prepare("SELECT 1 FROM signoffs WHERE job_id = :job LIMIT 1");
  q->bind(":job", job);
  return q->step();
}

void SqlTx::insert_signoff(const Signoff& s) {
  auto q = conn_.prepare(
      "INSERT INTO signoffs (id, job_id, technician_id, signer_name, signer_role, signed_at, "
      "signed_at_device, lat, lon, signature_png, rating, comment, received_at, op_id) VALUES "
      "(:id, :job, :tech, :name, :role, :at, :device_at, :lat, :lon, :png, :rating, :comment, "
      ":received, :op)");
  std::optional<double> lat, lon;
  if (s.location) {
    lat = s.location->lat;
    lon = s.location->lon;
  }
  q->bind(":id", s.id)
      .bind(":job", s.job_id)
      .bind(":tech", s.technician_id)
      .bind(":name", s.signer_name)
      .bind(":role", s.signer_role)
      .bind(":at", to_epoch_s(s.signed_at))
      .bind(":device_at", to_epoch_s(s.signed_at_device))
      .bind(":lat", lat)
      .bind(":lon", lon)
      .bind_blob(":png", s.signature_png)
      .bind(":rating", s.rating)
      .bind(":comment", s.comment)
      .bind(":received", to_epoch_s(s.received_at))
      .bind(":op", s.op_id)
      .exec();
  auto item = conn_.prepare(
      "INSERT INTO signoff_checklist (signoff_id, position, item, ok, note) "
      "VALUES (:id, :pos, :item, :ok, :note)");
  for (std::size_t i = 0; i < s.checklist.size(); ++i) {
    const auto& c = s.checklist[i];
    item->bind(":id", s.id)
        .bind(":pos", static_cast<std::int64_t>(i))
        .bind(":item", c.item)
        .bind(":ok", c.ok)
        .bind(":note", c.note)
        .exec();
    item->reset();
  }
  for (const auto& part : s.parts_used) {
    insert_part({0, s.job_id, s.technician_id, part, s.id, s.signed_at, s.received_at, s.op_id});
  }
}

std::vector<JobNote> SqlTx::notes_of(const std::vector<JobId>& jobs) {
  write_note_runs();  // notes written earlier in this transaction are found too
  auto q = conn_.prepare(notes_of_jobs_sql(conn_.id_list(":ids")));
  q->bind(":ids", Connection::id_array(jobs));
  std::vector<JobNote> out;
  while (q->step()) {
    out.push_back({q->get_int(0), q->get_int(1), q->get_opt_int(2), q->get_text(3), q->get_text(4),
                   from_epoch_s(q->get_int(5)), from_epoch_s(q->get_int(6)), opt_text(*q, 7)});
  }
  return out;
}

std::vector<JobPart> SqlTx::parts_of(const std::vector<JobId>& jobs) {
  auto q = conn_.prepare(
      "SELECT id, job_id, technician_id, part_number, qty, signoff_id, at, received_at, op_id "
      "FROM job_parts WHERE job_id IN " +
      conn_.id_list(":ids") + " ORDER BY job_id, id");
  q->bind(":ids", Connection::id_array(jobs));
  std::vector<JobPart> out;
  while (q->step()) {
    out.push_back({q->get_int(0),
                   q->get_int(1),
                   q->get_opt_int(2),
                   {q->get_text(3), static_cast<int>(q->get_int(4))},
                   opt_text(*q, 5),
                   from_epoch_s(q->get_int(6)),
                   from_epoch_s(q->get_int(7)),
                   opt_text(*q, 8)});
  }
  return out;
}

std::vector<Signoff> SqlTx::signoffs_of(const std::vector<JobId>& jobs) {
  auto q = conn_.prepare(
      "SELECT id, job_id, technician_id, signer_name, signer_role, signed_at, signed_at_device, "
      "lat, lon, rating, comment, received_at, op_id FROM signoffs "
      "WHERE job_id IN " +
      conn_.id_list(":ids") + " ORDER BY job_id, signed_at");
  q->bind(":ids", Connection::id_array(jobs));
  std::vector<Signoff> out;
  while (q->step()) {
    Signoff s;
    s.id = q->get_text(0);
    s.job_id = q->get_int(1);
    s.technician_id = q->get_int(2);
    s.signer_name = q->get_text(3);
    s.signer_role = q->get_text(4);
    s.signed_at = from_epoch_s(q->get_int(5));
    s.signed_at_device = from_epoch_s(q->get_int(6));
    if (!q->is_null(7)) s.location = geo::LatLon{q->get_double(7), q->get_double(8)};
    if (!q->is_null(9)) s.rating = static_cast<int>(q->get_int(9));
    s.comment = q->get_text(10);
    s.received_at = from_epoch_s(q->get_int(11));
    s.op_id = opt_text(*q, 12);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ChecklistItem> SqlTx::signoff_checklist(const std::string& signoff_id) {
  auto q = conn_.prepare(
      "SELECT item, ok, note FROM signoff_checklist WHERE signoff_id = :id ORDER BY position");
  q->bind(":id", signoff_id);
  std::vector<ChecklistItem> out;
  while (q->step()) out.push_back({q->get_text(0), q->get_int(1) != 0, q->get_text(2)});
  return out;
}

std::optional<SignatureImage> SqlTx::signature(const std::string& signoff_id) {
  auto q = conn_.prepare("SELECT job_id, signature_png FROM signoffs WHERE id = :id");
  q->bind(":id", signoff_id);
  if (!q->step()) return std::nullopt;
  return SignatureImage{q->get_int(0), q->get_blob(1)};
}

std::map<std::string, Instant> SqlTx::device_times(const std::vector<std::string>& op_ids) {
  auto q = conn_.prepare("SELECT device_at FROM sync_ops WHERE op_id = :op");
  std::map<std::string, Instant> out;
  for (const auto& op : op_ids) {
    q->bind(":op", op);
    if (q->step() && !q->is_null(0)) out.emplace(op, from_epoch_s(q->get_int(0)));
    q->reset();
  }
  return out;
}

bool SqlTx::move_technician(TechnicianId id, geo::LatLon at, Instant when) {
  auto q = conn_.prepare(
      "UPDATE technicians SET lat = :lat, lon = :lon, location_at = :at, version = version + 1 "
      "WHERE id = :id AND (location_at IS NULL OR location_at <= :at)");
  q->bind(":lat", at.lat).bind(":lon", at.lon).bind(":at", to_epoch_s(when)).bind(":id", id).exec();
  return q->changes() == 1;
}

}  // namespace fieldserve::store
