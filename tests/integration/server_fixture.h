#pragma once
// Starts the real fieldserve binary on 127.0.0.1 with a fresh database in a temporary folder,
// and talks to it over HTTP. Nothing is mocked: the same binary ./scripts/run serves.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/pg_test_database.h"

namespace fieldserve::testing {

using nlohmann::json;

struct Response {
  int status = 0;
  json body;
  std::string text;
  httplib::Headers headers;
  std::string error_code() const {
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
};

// Runs a command, returns its exit code; stdout goes to `out` when given.
int run_command(const std::string& command, std::string* out = nullptr);

class ServerProcess {
 public:
  // `extra_args` are appended to `fieldserve serve`.
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  // Another instance serving `first`'s database, as a second machine behind a load balancer
  // would (PostgreSQL only): its own folder, port and log, the same admin token. It must go
  // before `first` does, which owns the database.
  static std::unique_ptr<ServerProcess> another_instance(const ServerProcess& first,
                                                         std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // SIGKILL: no shutdown code runs, as in a crash or power cut (minus the disk cache).
  void kill_hard();
  // Starts the server again on the same database (a new port).
  void restart();
  // SIGTERM and wait: a clean stop. restart() starts it again.
  void stop();
  const std::string& admin_token() const { return admin_token_; }
  const std::filesystem::path& dir() const { return dir_; }
  // The database the server runs on: a SQLite file in dir(), or a fresh PostgreSQL database's URL
  // when the case runs on PostgreSQL (tests/pg_test_database.h).
  std::string db_path() const {
    if (!shared_db_.empty()) return shared_db_;
    return pg_ ? pg_->url() : (dir_ / "fieldserve.db").string();
  }
  std::string log() const;  // everything the server wrote to stderr so far
  // The log once it contains `needle`, waiting for the server's periodic flush (at most 10 s);
  // the log as it is if the needle never comes.
  std::string log_containing(const std::string& needle) const;

  Response get(const std::string& path, const std::string& token) const;
  Response del(const std::string& path, const std::string& token) const;
  Response post(const std::string& path, const json& body, const std::string& token) const;
  Response patch(const std::string& path, const json& body, const std::string& token,
                 const std::string& if_match = "") const;
  Response put(const std::string& path, const json& body, const std::string& token) const;
  // Any request with a raw body and content type.
  Response send(const std::string& method, const std::string& path, const std::string& body,
                const std::string& content_type, const httplib::Headers& headers) const;

  // A token of `role` made through the API with the admin token.
  std::string make_token(const std::string& role, const std::string& name,
                         std::int64_t technician_id = 0) const;

 private:
  struct Attach {};
  ServerProcess(Attach, const ServerProcess& first, std::vector<std::string> extra_args);
  void start(bool append_log);

  std::filesystem::path dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string shared_db_;  // another instance's database, for another_instance()
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string admin_token_;
};

// Sends raw bytes on a new connection and returns everything read until the server closes the
// connection or `timeout_ms` passes. `closed` tells which happened.
std::string raw_exchange(int port, const std::string& bytes, int timeout_ms, bool* closed);

// Threads a case runs beside its own work, told to stop (through `stop`, when given) and joined
// however the case's scope is left. An ASSERT's early return or a throw from a restart then
// fails the case with its message; a joinable std::thread destroyed instead aborts the whole
// binary and the message is lost. Declare it after everything the threads use.
class Workers {
 public:
  explicit Workers(std::atomic<bool>* stop = nullptr) : stop_(stop) {}
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;
  ~Workers() { join(); }
  template <class Work>
  void start(Work&& work) {
    threads_.emplace_back(std::forward<Work>(work));
  }
  void join() {
    if (stop_ != nullptr) *stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::atomic<bool>* stop_;
  std::vector<std::thread> threads_;
};

// A small world most tests need: one center, a customer, a site near the center, and two
// technicians with their technician tokens.
// A shift that covers the whole week.
inline json all_week() {
  json w = json::object();
  for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) w[d] = {"00:00", "24:00"};
  return w;
}

struct World {
  std::int64_t center_id, customer_id, site_id, tech_a, tech_b;
  std::string dispatcher, manager, tablet_a, tablet_b;
};
World make_world(const ServerProcess& server);

// A suite whose cases share one server with a World in it. ctest runs each case in a process of
// its own, so cases never see each other's data there; run directly, they share it.
// The first column of the first row of `sql`, run on the database file directly (-1 if none):
// for what a test must set up behind a stopped server's back. SQLite-only.
std::int64_t scalar(const std::string& db_path, const std::string& sql);
// The same for a text: nullopt when there is no row.
std::optional<std::string> text_scalar(const std::string& db_path, const std::string& sql);

class WorldTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    world_ = new World(make_world(*server_));
  }
  static void TearDownTestSuite() {
    delete world_;
    delete server_;
    world_ = nullptr;
    server_ = nullptr;
  }
  static const ServerProcess& s() { return *server_; }
  static const World& w() { return *world_; }
  static const std::string& admin() { return server_->admin_token(); }

  static inline ServerProcess* server_ = nullptr;
  static inline World* world_ = nullptr;
};

}  // namespace fieldserve::testing
