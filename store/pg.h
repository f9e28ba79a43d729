#pragma once
// The PostgreSQL driver of the store's SQL seam (store/db.h), a thin RAII layer over libpq's C
// API: a connection, statements prepared once per connection with their ":name" parameters
// turned into "$n", values sent as text (the server casts them to each column's type), results
// read by column. Only store/ includes this header.
//
// Every write transaction takes one cluster-wide advisory lock first (kWriteLockKey): writers
// from every fieldserve instance run one at a time, as on SQLite, so every rule that reads and
// then writes (a technician's capacity, an op applied once, the change feed's order) holds across
// instances without a lock of its own. docs/architecture.md ("Several instances") has the why.
#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/db.h"

namespace fieldserve::store {

// The advisory lock every writer holds until it commits: an arbitrary constant, "fsw" in ASCII.
inline constexpr std::int64_t kWriteLockKey = 0x667377;
// The advisory lock the instance running the periodic work holds for its session's life ("fsl").
inline constexpr std::int64_t kLeaderLockKey = 0x66736c;
// The application_name of each instance's one leader session, by which instances are counted.
inline constexpr const char* kInstanceSessionName = "fieldserve instance";

class PgConnection;

// `sql` with each ":name" parameter replaced by "$n" (the same name, the same n), and the names
// in order of n. Quoted text, quoted identifiers and "::" casts are left alone.
struct PositionalSql {
  std::string sql;
  std::vector<std::string> names;
};
PositionalSql to_positional(std::string_view sql);

class PgStatement final : public Statement {
 public:
  PgStatement(PgConnection& conn, std::string name, std::vector<std::string> params);
  ~PgStatement() override;

  using Statement::bind;
  Statement& bind(const char* name, std::int64_t value) override;
  Statement& bind(const char* name, double value) override;
  Statement& bind(const char* name, std::string_view value) override;
  Statement& bind_blob(const char* name, std::string_view bytes) override;
  Statement& bind_null(const char* name) override;

  bool step() override;
  void exec() override;
  void exec_later(const std::function<void(std::int64_t)>& on_id) override;
  void reset() override;
  int changes() const override { return changes_; }

  std::int64_t get_int(int col) const override;
  double get_double(int col) const override;
  std::string get_text(int col) const override { return std::string(get_view(col)); }
  std::string get_blob(int col) const override;
  std::string_view get_view(int col) const override;
  bool is_null(int col) const override;

 private:
  std::size_t index(const char* name) const;
  // The bound values as libpq takes them; pointers into values_, valid until the next bind.
  struct Params {
    std::vector<const char*> values;
    std::vector<int> lengths;
  };
  Params params() const;
  void run();
  PgConnection& conn_;
  std::string name_;
  std::vector<std::string> params_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;  // 1 for a parameter sent as bytes (bind_blob)
  PGresult* result_ = nullptr;
  int row_ = -1;
  int changes_ = 0;
};

class PgConnection final : public Connection {
 public:
  // `url`: a libpq connection string or URI (postgresql://user@host:port/db). Throws StoreError
  // if it cannot connect.
  explicit PgConnection(const std::string& url);
  ~PgConnection() override;

  StatementUse prepare(const std::string& sql) override;
  void exec(const std::string& sql) override;
  Dialect dialect() const override { return Dialect::postgresql; }
  void begin(bool writer) override;
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override;
  void flush() override;

  // What a failed statement left: its SQLSTATE (may be empty) and a message naming it.
  struct Failure {
    std::string sqlstate;
    std::string message;
  };

  PGconn* raw() { return conn_; }
  // Sends a prepared statement into the pipeline without waiting for its answer; flush() reads
  // the answers in order and calls `on_result` with each that succeeded.
  void send_later(const std::string& statement, int count, const char* const* values,
                  const int* lengths, const int* formats,
                  std::function<void(const PGresult*)> on_result);
  // Throws StoreBusy for a lock wait that timed out, a serialization failure or a deadlock (the
  // caller may retry), StoreError for anything else; `result` is cleared either way.
  [[noreturn]] void fail(PGresult* result, std::string_view context);

 private:
  void configure_session();
  void reconnect_if_lost();
  // Reads every queued answer and leaves pipeline mode. The first failure is returned, not
  // thrown, so that rollback can drain too. `deliver`: call the statements' on_result; a
  // rollback does not, as whoever asked for them may be gone.
  std::optional<Failure> drain(bool deliver) noexcept;
  [[noreturn]] static void raise(const Failure& failure);
  struct Sent {
    std::string statement;
    std::function<void(const PGresult*)> on_result;
  };
  std::vector<Sent> sent_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<PgStatement>> cache_;
  int next_statement_ = 0;
};

}  // namespace fieldserve::store
