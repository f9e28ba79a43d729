#include "store/pg.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace fieldserve::store {
namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// SQLSTATE classes the caller may retry: lock_not_available (a lock wait past lock_timeout),
// serialization_failure, deadlock_detected.
bool retryable(std::string_view state) {
  return state == "55P03" || state == "40001" || state == "40P01";
}

}  // namespace

PositionalSql to_positional(std::string_view sql) {
  PositionalSql out;
  out.sql.reserve(sql.size() + 8);
  for (std::size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // copied whole; a doubled quote inside is two quoted runs
      auto end = sql.find(c, i + 1);
      end = end == std::string_view::npos ? sql.size() : end + 1;
      out.sql.append(sql.substr(i, end - i));
      i = end;
    } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
      out.sql.append("::");
      i += 2;
    } else if (c == ':' && i + 1 < sql.size() && name_start(sql[i + 1])) {
      std::size_t end = i + 1;
      while (end < sql.size() && name_char(sql[end])) ++end;
      std::string name(sql.substr(i, end - i));
      std::size_t n = 0;
      while (n < out.names.size() && out.names[n] != name) ++n;
      if (n == out.names.size()) out.names.push_back(name);
      out.sql += '$';
      out.sql += std::to_string(n + 1);
      i = end;
    } else {
      out.sql += c;
      ++i;
    }
  }
  return out;
}

PgStatement::PgStatement(PgConnection& conn, std::string name, std::vector<std::string> params)
    : conn_(conn),
      name_(std::move(name)),
      params_(std::move(params)),
      values_(params_.size()),
      binary_(params_.size(), 0) {}

PgStatement::~PgStatement() { PQclear(result_); }

std::size_t PgStatement::index(const char* name) const {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (params_[i] == name) return i;
  }
  throw StoreError(0, std::string("no SQL parameter named ") + name);
}

Statement& PgStatement::bind(const char* name, std::int64_t value) {
  auto i = index(name);
  values_[i] = std::to_string(value);
  binary_[i] = 0;
  return *this;
}

Statement& PgStatement::bind(const char* name, double value) {
  auto i = index(name);
  char buffer[32];
  // Shortest text that reads back as the same double.
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  values_[i] = ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
  binary_[i] = 0;
  return *this;
}

Statement& PgStatement::bind(const char* name, std::string_view value) {
  auto i = index(name);
  values_[i] = std::string(value);
  binary_[i] = 0;
  return *this;
}

Statement& PgStatement::bind_blob(const char* name, std::string_view bytes) {
  auto i = index(name);
  values_[i] = std::string(bytes);
  binary_[i] = 1;  // bytea sent as its bytes: no escaping either way
  return *this;
}

Statement& PgStatement::bind_null(const char* name) {
  values_[index(name)].reset();
  return *this;
}

PgStatement::Params PgStatement::params() const {
  Params p{std::vector<const char*>(params_.size()), std::vector<int>(params_.size())};
  for (std::size_t i = 0; i < params_.size(); ++i) {
    p.values[i] = values_[i] ? values_[i]->data() : nullptr;
    p.lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
  }
  return p;
}

void PgStatement::run() {
  conn_.flush();
  auto p = params();
  PQclear(result_);
  result_ = PQexecPrepared(conn_.raw(), name_.c_str(), static_cast<int>(params_.size()),
                           p.values.data(), p.lengths.data(), binary_.data(), 0);
  auto status = PQresultStatus(result_);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PGresult* failed = result_;
    result_ = nullptr;
    conn_.fail(failed, name_);
  }
  const char* tuples = PQcmdTuples(result_);
  changes_ = tuples && *tuples ? std::atoi(tuples) : 0;
  row_ = -1;
}

bool PgStatement::step() {
  if (!result_) run();
  if (row_ + 1 < PQntuples(result_)) {
    ++row_;
    return true;
  }
  return false;
}

void PgStatement::exec() { run(); }

void PgStatement::exec_later(const std::function<void(std::int64_t)>& on_id) {
  std::function<void(const PGresult*)> on_result;
  if (on_id) {
    on_result = [on_id](const PGresult* r) {
      if (PQntuples(r) < 1 || PQgetisnull(r, 0, 0)) return;
      std::string_view text(PQgetvalue(r, 0, 0), static_cast<std::size_t>(PQgetlength(r, 0, 0)));
      std::int64_t id = 0;
      std::from_chars(text.data(), text.data() + text.size(), id);
      on_id(id);
    };
  }
  auto p = params();  // libpq copies them into its buffer before send_later returns
  conn_.send_later(name_, static_cast<int>(params_.size()), p.values.data(), p.lengths.data(),
                   binary_.data(), std::move(on_result));
}

void PgStatement::reset() {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  for (auto& v : values_) v.reset();
  std::fill(binary_.begin(), binary_.end(), 0);
}

std::string_view PgStatement::get_view(int col) const {
  if (PQgetisnull(result_, row_, col)) return {};
  return {PQgetvalue(result_, row_, col),
          static_cast<std::size_t>(PQgetlength(result_, row_, col))};
}

bool PgStatement::is_null(int col) const { return PQgetisnull(result_, row_, col) != 0; }

std::int64_t PgStatement::get_int(int col) const {
  auto text = get_view(col);
  if (text.empty()) return 0;  // NULL reads as 0, as SQLite's column_int64 does
  if (text == "t") return 1;   // a boolean expression: SQLite gives 1 and 0
  if (text == "f") return 0;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    // A numeric result (SUM of integers is numeric in PostgreSQL): its whole part.
    return static_cast<std::int64_t>(std::strtod(std::string(text).c_str(), nullptr));
  }
  return value;
}

double PgStatement::get_double(int col) const {
  auto text = get_view(col);
  return text.empty() ? 0.0 : std::strtod(std::string(text).c_str(), nullptr);
}

std::string PgStatement::get_blob(int col) const {
  if (PQgetisnull(result_, row_, col)) return {};
  std::size_t length = 0;
  auto* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, col)), &length);
  if (!bytes) throw StoreError(0, "bytea column " + std::to_string(col) + " could not be read");
  std::string out(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

PgConnection::PgConnection(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "connect to PostgreSQL: " + std::string(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError(0, message);
  }
  configure_session();
}

void PgConnection::configure_session() {
  // UTC and plain ISO dates whatever the server's defaults; a lock held past 5 s answers busy,
  // as SQLite's busy timeout does; and no commit is acknowledged before it is durable.
  exec(
      "SET TIME ZONE 'UTC'; SET lock_timeout = '5s'; SET synchronous_commit = on; "
      "SET client_min_messages = warning");
}

void PgConnection::reconnect_if_lost() {
  // A session left in pipeline mode (its answers could not all be read) is treated as lost too.
  if (PQstatus(conn_) == CONNECTION_OK && PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) return;
  sent_.clear();
  // The server restarted or the network dropped the session: its prepared statements went with
  // it. Between transactions nothing is lost but the session; a transaction it cut short was
  // rolled back by the server and reported to its caller as a failure.
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw StoreError(0, "reconnect to PostgreSQL: " + std::string(PQerrorMessage(conn_)));
  }
  cache_.clear();
  configure_session();
}

PgConnection::~PgConnection() {
  cache_.clear();
  if (conn_) PQfinish(conn_);
}

namespace {

PgConnection::Failure failure_of(PGconn* conn, const PGresult* result, std::string_view context) {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  PgConnection::Failure f{
      sqlstate ? sqlstate : "",
      std::string(context) + ": " + (result ? PQresultErrorMessage(result) : PQerrorMessage(conn))};
  while (!f.message.empty() && (f.message.back() == '\n' || f.message.back() == ' ')) {
    f.message.pop_back();
  }
  return f;
}

}  // namespace

void PgConnection::raise(const Failure& failure) {
  if (retryable(failure.sqlstate)) throw StoreBusy(0, failure.message);
  throw StoreError(0, failure.message);
}

void PgConnection::fail(PGresult* result, std::string_view context) {
  auto failure = failure_of(conn_, result, context);
  PQclear(result);
  raise(failure);
}

void PgConnection::send_later(const std::string& statement, int count, const char* const* values,
                              const int* lengths, const int* formats,
                              std::function<void(const PGresult*)> on_result) {
  // Answers wait in the socket until flush() reads them; a bounded queue keeps them well inside
  // its buffers, so neither side can block the other on a full one.
  constexpr std::size_t kMostQueued = 128;
  if (sent_.size() >= kMostQueued) flush();
  if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_) != 1) {
    fail(nullptr, "enter pipeline mode");
  }
  if (PQsendQueryPrepared(conn_, statement.c_str(), count, values, lengths, formats, 0) != 1) {
    auto failure = failure_of(conn_, nullptr, statement);
    (void)drain(false);
    raise(failure);
  }
  sent_.push_back({statement, std::move(on_result)});
}

std::optional<PgConnection::Failure> PgConnection::drain(bool deliver) noexcept {
  if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) {
    sent_.clear();
    return std::nullopt;
  }
  std::optional<Failure> first;
  auto keep_first = [&](Failure f) {
    if (!first) first = std::move(f);
  };
  if (PQpipelineSync(conn_) != 1) keep_first(failure_of(conn_, nullptr, "pipeline sync"));
  // Each statement's answers end with a null result; the sync point's answer ends the pipeline.
  std::size_t at = 0, nulls = 0;
  while (!first || PQstatus(conn_) == CONNECTION_OK) {
    PGresult* r = PQgetResult(conn_);
    if (!r) {
      ++at;
      // More separators than statements: the sync answer is not coming (a broken session).
      if (++nulls > sent_.size() + 1 || PQstatus(conn_) != CONNECTION_OK) {
        keep_first(failure_of(conn_, nullptr, "pipeline"));
        break;
      }
      continue;
    }
    auto status = PQresultStatus(r);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      break;
    }
    const Sent* sent = at < sent_.size() ? &sent_[at] : nullptr;
    std::string name = sent ? sent->statement : "pipeline";
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      if (deliver && !first && sent && sent->on_result) {
        try {
          sent->on_result(r);
        } catch (const std::exception& e) {
          keep_first({"", name + ": " + e.what()});
        }
      }
    } else if (status != PGRES_PIPELINE_ABORTED) {
      keep_first(failure_of(conn_, r, name));
    }
    PQclear(r);
  }
  sent_.clear();
  // Leaves pipeline mode only with nothing left unread; otherwise the session is reset at the
  // next begin (reconnect_if_lost), and every statement until then fails.
  if (PQexitPipelineMode(conn_) != 1) keep_first(failure_of(conn_, nullptr, "leave pipeline mode"));
  return first;
}

void PgConnection::flush() {
  if (auto failure = drain(true)) raise(*failure);
}

StatementUse PgConnection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    flush();  // PQprepare waits for its answer, which pipeline mode does not allow
    auto positional = to_positional(sql);
    std::string name = "s" + std::to_string(next_statement_++);
    PGresult* r = PQprepare(conn_, name.c_str(), positional.sql.c_str(),
                            static_cast<int>(positional.names.size()), nullptr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) fail(r, "prepare " + positional.sql);
    PQclear(r);
    it = cache_
             .emplace(sql, std::make_unique<PgStatement>(*this, std::move(name),
                                                         std::move(positional.names)))
             .first;
  }
  return StatementUse(*it->second);
}

void PgConnection::exec(const std::string& sql) {
  flush();
  PGresult* r = PQexec(conn_, sql.c_str());
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, sql);
  PQclear(r);
}

void PgConnection::begin(bool writer) {
  reconnect_if_lost();
  if (!writer) {
    // A read sees one snapshot from its first statement to its end, as a SQLite read does.
    exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return;
  }
  // Read committed under the write lock: every statement sees what the writers before committed.
  exec("BEGIN");
  try {
    exec("SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLockKey) + ")");
  } catch (...) {
    rollback();  // Transaction's destructor does not run when its constructor throws
    throw;
  }
}

void PgConnection::rollback() noexcept {
  if (!conn_) return;
  (void)drain(
      false);  // what was sent ahead is rolled back with the rest; its errors no longer matter
  PQclear(PQexec(conn_, "ROLLBACK"));
}

}  // namespace fieldserve::store
