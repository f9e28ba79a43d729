#include "store/outbox.h"

#include "store/sqlite.h"

namespace fieldserve::store {

Outbox::Outbox(const std::string& path) : conn_(std::make_unique<SqliteConnection>(path, false)) {
  conn_->exec(R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  op_id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  status TEXT,
  code TEXT,
  duplicate_answers INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS job_cache (id INTEGER PRIMARY KEY, document TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS device_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql");
}

Outbox::~Outbox() = default;

void Outbox::add(const std::string& op_id, const std::string& body) {
  auto q = conn_->prepare("INSERT INTO outbox (op_id, body) VALUES (:op, :body)");
  q->bind(":op", op_id).bind(":body", body).exec();
}

std::vector<OutboxOp> Outbox::pending(int limit) {
  auto q = conn_->prepare(
      "SELECT seq, op_id, body, attempts FROM outbox WHERE status IS NULL ORDER BY seq LIMIT :n");
  q->bind(":n", limit);
  std::vector<OutboxOp> out;
  while (q->step())
    out.push_back({q->get_int(0), q->get_text(1), q->get_text(2), static_cast<int>(q->get_int(3)),
                   std::nullopt, std::nullopt});
  return out;
}

void Outbox::mark_sent(const std::vector<std::string>& op_ids) {
  Transaction tx(*conn_, true);
  auto q = conn_->prepare("UPDATE outbox SET attempts = attempts + 1 WHERE op_id = :op");
  for (const auto& id : op_ids) {
    q->bind(":op", id).exec();
    q->reset();
  }
  tx.commit();
}

void Outbox::record_answers(const std::vector<Answer>& answers) {
  Transaction tx(*conn_, true);
  auto q = conn_->prepare(
      "UPDATE outbox SET status = COALESCE(status, :status), code = COALESCE(code, :code), "
      "duplicate_answers = duplicate_answers + :duplicate WHERE op_id = :op");
  for (const auto& a : answers) {
    q->bind(":op", a.op_id)
        .bind(":status", a.status)
        .bind(":code", a.code.empty() ? std::nullopt : std::optional(a.code))
        .bind(":duplicate", a.duplicate)
        .exec();
    q->reset();
  }
  tx.commit();
}

std::vector<OutboxOp> Outbox::all() {
  auto q =
      conn_->prepare("SELECT seq, op_id, body, attempts, status, code FROM outbox ORDER BY seq");
  std::vector<OutboxOp> out;
  while (q->step()) {
    OutboxOp op{q->get_int(0), q->get_text(1), q->get_text(2), static_cast<int>(q->get_int(3)),
                std::nullopt,  std::nullopt};
    if (!q->is_null(4)) op.status = q->get_text(4);
    if (!q->is_null(5)) op.code = q->get_text(5);
    out.push_back(std::move(op));
  }
  return out;
}

OutboxCounts Outbox::counts() {
  auto q = conn_->prepare(
      "SELECT COALESCE(SUM(status IS NULL), 0), COALESCE(SUM(status IS NOT NULL), 0), "
      "COALESCE(SUM(attempts > 1), 0), COALESCE(SUM(duplicate_answers > 0), 0), "
      "(SELECT COUNT(*) FROM job_cache) FROM outbox");
  OutboxCounts c;
  if (q->step()) c = {q->get_int(0), q->get_int(1), q->get_int(2), q->get_int(3), q->get_int(4)};
  return c;
}

std::optional<std::string> Outbox::cursor() {
  auto q = conn_->prepare("SELECT value FROM device_state WHERE key = 'cursor'");
  if (!q->step()) return std::nullopt;
  return q->get_text(0);
}

void Outbox::apply_page(bool reset,
                        const std::vector<std::pair<std::int64_t, std::string>>& upserted,
                        const std::vector<std::int64_t>& removed, const std::string& cursor) {
  Transaction tx(*conn_, true);
  // A reset replaces the job cache, never the outbox: ops not yet answered are still owed.
  if (reset) conn_->exec("DELETE FROM job_cache");
  auto put = conn_->prepare("INSERT OR REPLACE INTO job_cache (id, document) VALUES (:id, :doc)");
  for (const auto& [id, doc] : upserted) {
    put->bind(":id", id).bind(":doc", doc).exec();
    put->reset();
  }
  auto drop = conn_->prepare("DELETE FROM job_cache WHERE id = :id");
  for (auto id : removed) {
    drop->bind(":id", id).exec();
    drop->reset();
  }
  auto save =
      conn_->prepare("INSERT OR REPLACE INTO device_state (key, value) VALUES ('cursor', :cursor)");
  save->bind(":cursor", cursor).exec();
  tx.commit();
}

std::vector<std::string> Outbox::cached_jobs() {
  auto q = conn_->prepare("SELECT document FROM job_cache ORDER BY id");
  std::vector<std::string> out;
  while (q->step()) out.push_back(q->get_text(0));
  return out;
}

}  // namespace fieldserve::store
