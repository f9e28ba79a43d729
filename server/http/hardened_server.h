#pragma once
// cpp-httplib 0.11.4 (Debian 12) with its known server-side weaknesses closed here, before
// routing, because the packaged shared library ignores the compile-time macros that later
// releases use for the same purpose (docs/decisions.md):
// - Transfer-Encoding on a request → 411; Content-Length with Transfer-Encoding → 400 (smuggling);
//   Content-Encoding on a request → 415 (limits would apply to compressed bytes);
//   a declared body over the limit → 413 before a byte of it is read.
// - Any early rejection closes the connection, so unread body bytes are never parsed as the
//   next request on a reused connection.
// - The connection loop is ours: every request has a total deadline (headers and body), so a
//   client that trickles bytes cannot hold a worker for longer than that; idle keep-alive
//   connections give their worker up as soon as another connection is waiting for one, and so
//   does a connection still on its headers (or silent since it connected) after 2 s, so a crowd
//   of slow clients cannot hold every worker for the whole deadline either.
// - The peer address comes from the socket; request headers never override it.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace fieldserve::server {

// Every guard above was written against, and tested with, this one release: a Debian upgrade of
// libcpp-httplib-dev must fail the build here, not change the server's behaviour unnoticed. Check
// the guards (tests/integration/http_guards_test.cpp, docs/decisions.md) before moving this.
static_assert(std::string_view(CPPHTTPLIB_VERSION) == "0.11.4",
              "fieldserve's HTTP guards are written for cpp-httplib 0.11.4; review them first");

struct HttpLimits {
  std::size_t max_body_bytes = 8u << 20;
  std::size_t max_header_bytes = 64u << 10;  // request line and headers together
  int request_timeout_s = 30;                // whole request: headers and body
  int read_timeout_s = 10;                   // one stalled read
  int write_timeout_s = 10;
  int keep_alive_timeout_s = 30;
  int keep_alive_max_requests = 10000;
  int threads = 64;
};

// What the current worker thread knows about the request it is serving; reset per request.
struct RequestScope {
  std::chrono::steady_clock::time_point started;
  std::string request_id;
  std::string route;          // the matched route pattern, empty if none matched
  std::string token_id;       // id of the bearer token, never the token
  std::string peer;           // from the socket
  bool headers_read = false;  // set by the guard, which runs once the headers are parsed
  bool close_after_response = false;
};
RequestScope& current_request();

class DeadlineStream;  // hardened_server.cpp: the per-connection stream with deadlines and TLS

class HardenedServer : public httplib::Server {
 public:
  explicit HardenedServer(HttpLimits limits);
  ~HardenedServer() override;
  HardenedServer(const HardenedServer&) = delete;
  HardenedServer& operator=(const HardenedServer&) = delete;
  const HttpLimits& limits() const { return limits_; }
  // Serves HTTPS from now on (TLS 1.2 at least). False, with `error` set, if the files do not
  // load or do not match.
  bool enable_tls(const std::string& cert_file, const std::string& key_file, std::string& error);
  bool tls() const { return tls_ != nullptr; }
  // Connections accepted and waiting for a worker; for /metrics.
  int waiting_connections() const { return waiting_.load(); }
  // httplib calls its logger once the response is written, but the stream holds small writes
  // until the request is done: this one sends them first, so the client never waits for the
  // log line and the logged duration includes the send.
  void set_logger(httplib::Logger logger);
  // Stops accepting, and tells every idle keep-alive connection to close now instead of at the
  // end of its keep-alive window (httplib's own flag stays up until the workers are done, so a
  // stop would otherwise wait for the idlest client). Safe in a signal handler.
  void shut_down();

 private:
  bool serving() const { return !stopping_.load() && is_running(); }
  bool process_and_close_socket(socket_t sock) override;
  // The keep-alive loop over one connection's stream (ours, plain or TLS).
  bool serve_requests(DeadlineStream& stream, socket_t sock);
  bool wait_for_next_request(socket_t sock, bool first);
  HandlerResponse guard(const httplib::Request& req, httplib::Response& res);

  HttpLimits limits_;
  void* tls_ = nullptr;  // SSL_CTX*, kept opaque so this header needs no OpenSSL
  std::atomic<int> waiting_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_request_id_{1};
};

}  // namespace fieldserve::server
