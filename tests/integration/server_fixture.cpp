#include "server_fixture.h"

#include "app/auth.h"
#include "domain/time.h"
#include "server/http/json_body.h"
#include "store/store.h"

#include <sqlite3.h>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fieldserve::testing {
namespace {

std::filesystem::path make_temp_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "fieldserve-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// With FIELDSERVE_CONTRACT_DIR set (ctest sets it), every answer a test receives is appended to
// a file there, one JSON line each, for the contract check (tests/contract/check_contract.mjs)
// to hold against the OpenAPI document once the suite is done. One file per process.
void record_exchange(const std::string& method, const std::string& path, const std::string& request,
                     const Response& r) {
  static const char* dir = std::getenv("FIELDSERVE_CONTRACT_DIR");
  if (!dir || r.status < 0) return;
  auto type = r.headers.find("Content-Type");
  json line = {{"method", method},
               {"path", path},
               {"status", r.status},
               {"content_type", type == r.headers.end() ? "" : type->second}};
  if (r.body.is_discarded()) line["body"] = r.text;
  else line["body"] = r.body;
  if (!request.empty()) {
    // Bodies sent to test the nesting cap would crash nlohmann's recursive parser here too.
    bool shallow = server::json_nesting_depth(request) <= server::kMaxJsonDepth;
    json sent = shallow ? json::parse(request, nullptr, false) : json(json::value_t::discarded);
    line["request"] = sent.is_discarded() ? json(request) : sent;
  }
  static const bool made = std::filesystem::create_directories(dir) || true;
  (void)made;
  // Threads of one test record at once: a line written in pieces by two of them interleaves
  // (a long line left the stream before its newline did), so one whole line at a time.
  static std::mutex writing;
  std::string text = line.dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
  std::lock_guard lock(writing);
  std::ofstream out(std::string(dir) + "/exchanges-" + std::to_string(::getpid()) + ".jsonl",
                    std::ios::app);
  out << text;
}

Response to_response(const std::string& method, const std::string& path,
                     const httplib::Result& result, const std::string& request = "") {
  Response r;
  if (!result) {
    r.status = -1;
    return r;
  }
  r.status = result->status;
  r.text = result->body;
  r.headers = result->headers;
  r.body = json::parse(result->body, nullptr, false);
  record_exchange(method, path, request, r);
  return r;
}

httplib::Headers auth(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace

int run_command(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) text.append(buf, n);
  int status = pclose(pipe);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ServerProcess::ServerProcess(std::vector<std::string> extra_args) : dir_(make_temp_dir()) {
  if (auto cluster = pg_cluster_url()) pg_ = std::make_unique<PgTestDatabase>(*cluster);
  // What `fieldserve init` does (server/cli/main.cpp), in this process: starting the instrumented
  // binary once more per case cost a second of the suite's time each (CliTest runs the command).
  {
    auto store = store::Store::open(db_path(), 0);
    admin_token_ = store
                       ->write([](store::Tx& tx) {
                         return app::issue_token(tx, Role::admin, "admin (init)", std::nullopt,
                                                 SystemClock().now());
                       })
                       .token;
  }

  args_ = std::move(extra_args);
  start(false);
}

ServerProcess::ServerProcess(Attach, const ServerProcess& first,
                             std::vector<std::string> extra_args)
    : dir_(make_temp_dir()),
      shared_db_(first.db_path()),
      args_(std::move(extra_args)),
      admin_token_(first.admin_token_) {
  start(false);
}

std::unique_ptr<ServerProcess> ServerProcess::another_instance(
    const ServerProcess& first, std::vector<std::string> extra_args) {
  return std::unique_ptr<ServerProcess>(new ServerProcess(Attach{}, first, std::move(extra_args)));
}

void ServerProcess::start(bool append_log) {
  auto port_file = (dir_ / "port").string();
  std::filesystem::remove(port_file);
  auto log_file = (dir_ / "server.log").string();
  std::vector<std::string> args{FIELDSERVE_BINARY, "serve",   "--db",   db_path(),  "--port", "0",
                                "--port-file",     port_file, "--bind", "127.0.0.1"};
  args.insert(args.end(), args_.begin(), args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    FILE* log = std::freopen(log_file.c_str(), append_log ? "a" : "w", stderr);
    (void)log;
    // A test that dies must not leave its server running, or holding the test's stdout open
    // (ctest would wait on that pipe until its timeout).
    FILE* out = std::freopen("/dev/null", "w", stdout);
    (void)out;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  bool tls = std::find(args_.begin(), args_.end(), "--tls-cert") != args_.end();
  port_ = 0;
  // Bounded wait for the port file and a healthy answer: 1,200 × 50 ms. A start takes well under
  // a second here; a CI machine once needed more than 30 s for a restart under load.
  for (int i = 0; i < 1200; ++i) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) {
      httplib::SSLClient tls_client("127.0.0.1", port);
      tls_client.enable_server_certificate_verification(false);
      httplib::Client plain_client("127.0.0.1", port);
      plain_client.set_connection_timeout(1, 0);
      auto res = tls ? tls_client.Get("/healthz") : plain_client.Get("/healthz");
      if (res && res->status == 200) {
        port_ = port;
        return;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                            : "exit code " + std::to_string(WEXITSTATUS(status));
      throw std::runtime_error("fieldserve exited at start (" + how + "): " + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("fieldserve did not become healthy: " + log());
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (waitpid(pid_, &status, WNOHANG) == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

void ServerProcess::restart() {
  kill_hard();
  start(true);
}

ServerProcess::~ServerProcess() {
  stop();
  // The server's warnings and errors go with a failed case's output: its folder goes next.
  if (::testing::UnitTest::GetInstance()->failed_test_count() > 0 ||
      ::testing::Test::HasFailure()) {
    std::istringstream lines(log());
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find(" warning ") != std::string::npos ||
          line.find(" error ") != std::string::npos) {
        std::fprintf(stderr, "server: %s\n", line.c_str());
      }
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ServerProcess::log() const {
  std::ifstream in(dir_ / "server.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ServerProcess::log_containing(const std::string& needle) const {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = log();
    if (text.find(needle) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return text;
}

Response ServerProcess::get(const std::string& path, const std::string& token) const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(20, 0);  // longer than the server's 5 s busy timeout
  return to_response("GET", path, c.Get(path.c_str(), auth(token)));
}

Response ServerProcess::del(const std::string& path, const std::string& token) const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(20, 0);  // longer than the server's 5 s busy timeout
  return to_response("DELETE", path, c.Delete(path.c_str(), auth(token)));
}

Response ServerProcess::post(const std::string& path, const json& body,
                             const std::string& token) const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(20, 0);  // longer than the server's 5 s busy timeout
  auto text = body.dump();
  return to_response("POST", path, c.Post(path.c_str(), auth(token), text, "application/json"),
                     text);
}

Response ServerProcess::patch(const std::string& path, const json& body, const std::string& token,
                              const std::string& if_match) const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(20, 0);  // longer than the server's 5 s busy timeout
  auto headers = auth(token);
  if (!if_match.empty()) headers.emplace("If-Match", if_match);
  auto text = body.dump();
  return to_response("PATCH", path, c.Patch(path.c_str(), headers, text, "application/json"), text);
}

Response ServerProcess::put(const std::string& path, const json& body,
                            const std::string& token) const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(20, 0);  // longer than the server's 5 s busy timeout
  auto text = body.dump();
  return to_response("PUT", path, c.Put(path.c_str(), auth(token), text, "application/json"), text);
}

Response ServerProcess::send(const std::string& method, const std::string& path,
                             const std::string& body, const std::string& content_type,
                             const httplib::Headers& headers) const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(20, 0);  // longer than the server's 5 s busy timeout
  if (method == "POST")
    return to_response(method, path, c.Post(path.c_str(), headers, body, content_type.c_str()),
                       body);
  if (method == "PATCH")
    return to_response(method, path, c.Patch(path.c_str(), headers, body, content_type.c_str()),
                       body);
  if (method == "PUT") {
    return to_response(method, path, c.Put(path.c_str(), headers, body, content_type.c_str()),
                       body);
  }
  if (method == "DELETE") return to_response(method, path, c.Delete(path.c_str(), headers));
  return to_response("GET", path, c.Get(path.c_str(), headers));
}

std::string ServerProcess::make_token(const std::string& role, const std::string& name,
                                      std::int64_t technician_id) const {
  json body{{"role", role}, {"name", name}};
  if (technician_id) body["technician_id"] = technician_id;
  auto r = post("/api/v1/tokens", body, admin_token_);
  if (r.status != 201) throw std::runtime_error("token create failed: " + r.text);
  return r.body["token"];
}

std::string raw_exchange(int port, const std::string& bytes, int timeout_ms, bool* closed) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("connect failed");
  }
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string received;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool eof = false;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) break;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      eof = true;
      break;
    }
    received.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  if (closed) *closed = eof;
  return received;
}

World make_world(const ServerProcess& s) {
  const auto& admin = s.admin_token();
  World w{};
  auto center = s.post("/api/v1/centers",
                       {{"name", "Shanghai"},
                        {"location", {{"lat", 31.2304}, {"lon", 121.4737}}},
                        {"time_zone", "Asia/Shanghai"}},
                       admin);
  if (center.status != 201) throw std::runtime_error("center: " + center.text);
  w.center_id = center.body["id"];
  auto customer = s.post("/api/v1/customers", {{"name", "Acme Cooling"}, {"account_tier", "key"}},
                         admin);
  w.customer_id = customer.body["id"];
  auto site = s.post("/api/v1/sites",
                     {{"customer_id", w.customer_id},
                      {"address", "1 Century Ave"},
                      {"location", {{"lat", 31.2397}, {"lon", 121.4998}}}},
                     admin);
  if (site.status != 201) throw std::runtime_error("site: " + site.text);
  w.site_id = site.body["id"];
  for (auto* id : {&w.tech_a, &w.tech_b}) {
    auto t = s.post("/api/v1/technicians",
                    {{"name", id == &w.tech_a ? "Li Wei" : "Zhang Min"},
                     {"skills", {"hvac", "electrical"}},
                     {"home_center_id", w.center_id},
                     {"location", {{"lat", 31.2304}, {"lon", 121.4737}}},
                     {"shift", all_week()}},
                    admin);
    if (t.status != 201) throw std::runtime_error("technician: " + t.text);
    *id = t.body["id"];
  }
  w.dispatcher = s.make_token("dispatcher", "desk");
  w.manager = s.make_token("manager", "boss");
  w.tablet_a = s.make_token("technician", "tablet a", w.tech_a);
  w.tablet_b = s.make_token("technician", "tablet b", w.tech_b);
  return w;
}

std::int64_t scalar(const std::string& db_path, const std::string& sql) {
  if (db_path.starts_with("postgresql://")) {
    try {
      auto out = psql(db_path, sql);
      out = out.substr(0, out.find('\n'));
      if (out == "t" || out == "f") return out == "t";  // SQLite answers a condition with 1 or 0
      return out.empty() ? -1 : std::stoll(out);
    } catch (const std::exception&) {
      return -1;
    }
  }
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* q = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    value = sqlite3_column_int64(q, 0);
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return value;
}

std::optional<std::string> text_scalar(const std::string& db_path, const std::string& sql) {
  std::optional<std::string> value;
  if (db_path.starts_with("postgresql://")) {
    PGconn* conn = PQconnectdb(db_path.c_str());
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) value = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQfinish(conn);
    return value;
  }
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    auto* text = sqlite3_column_text(q, 0);
    value = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return value;
}

}  // namespace fieldserve::testing
