#pragma once
// A fresh PostgreSQL database per test on the throwaway cluster that ctest's pg_cluster fixture
// starts (scripts/pg_cluster, registered in tests/CMakeLists.txt). The cases registered a second
// time with the "pg." prefix get FIELDSERVE_TEST_PG, the file holding the cluster's URL; without
// it a test runs on SQLite. Databases are made and dropped with psql, so the tests need no driver.
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace fieldserve::testing {

// The cluster's URL (postgresql://user@host:port/dbname) when this run is on PostgreSQL.
inline std::optional<std::string> pg_cluster_url() {
  const char* file = std::getenv("FIELDSERVE_TEST_PG");
  if (!file || !*file) return std::nullopt;
  std::ifstream in(file);
  std::string url;
  if (!std::getline(in, url) || url.empty()) {
    throw std::runtime_error(std::string("FIELDSERVE_TEST_PG names ") + file +
                             ", which holds no cluster URL: did the pg_cluster_start test fail?");
  }
  return url;
}

inline bool on_postgresql() { return pg_cluster_url().has_value(); }

// `url` with its database name replaced.
inline std::string pg_url_with_database(const std::string& url, const std::string& database) {
  auto slash = url.rfind('/');
  return url.substr(0, slash + 1) + database;
}

// Runs one SQL statement with psql against `url`; returns its output (unaligned, tuples only).
inline std::string psql(const std::string& url, const std::string& sql) {
  std::string command = "psql '" + url + "' -v ON_ERROR_STOP=1 -qAtX -c \"" + sql + "\" 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run psql");
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  if (pclose(pipe) != 0) throw std::runtime_error("psql failed on: " + sql + "\n" + out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A libpq session of the test's own, to act as another instance would in the middle of a write.
class RawSession {
 public:
  explicit RawSession(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string error = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error(error);
    }
  }
  ~RawSession() { PQfinish(conn_); }
  RawSession(const RawSession&) = delete;
  RawSession& operator=(const RawSession&) = delete;
  // The first column of the first row, or "" when there is none.
  std::string exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    auto status = PQresultStatus(r);
    std::string out = status == PGRES_TUPLES_OK && PQntuples(r) > 0
                          ? std::string(PQgetvalue(r, 0, 0))
                          : "";
    std::string error = PQresultErrorMessage(r);
    PQclear(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) throw std::runtime_error(error);
    return out;
  }
  // Holds the write lock every instance takes before it writes (store/pg.h, kWriteLockKey,
  // "fsw"), in a transaction left open: as an instance in the middle of a write.
  void begin_as_writer() {
    exec("BEGIN");
    exec("SELECT pg_advisory_xact_lock(6714231)");
  }

 private:
  PGconn* conn_;
};

// CREATE DATABASE on construction, DROP (closing what is still connected) on destruction.
class PgTestDatabase {
 public:
  explicit PgTestDatabase(std::string cluster_url) : cluster_url_(std::move(cluster_url)) {
    static std::atomic<int> counter{0};
    name_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    psql(cluster_url_, "CREATE DATABASE " + name_);
    url_ = pg_url_with_database(cluster_url_, name_);
  }
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;
  ~PgTestDatabase() {
    try {
      psql(cluster_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // the cluster goes away with the run anyway
    }
  }
  const std::string& url() const { return url_; }

 private:
  std::string cluster_url_;
  std::string name_;
  std::string url_;
};

}  // namespace fieldserve::testing
