#include "server/http/hardened_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "server/http/error_catalogue.h"

namespace fieldserve::server {
namespace {

thread_local RequestScope tls_request;
thread_local DeadlineStream* tls_stream = nullptr;  // the connection this worker is serving

using Clock = std::chrono::steady_clock;

// How long a connection may take over its request's headers (or, first, the TLS handshake and
// the first bytes) before it gives its worker up to a connection waiting for one.
constexpr std::chrono::seconds kHeaderGrace{2};

int millis_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

std::string address_text(const sockaddr_storage& addr, int& port) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    port = ntohs(in6->sin6_port);
  }
  return buf;
}

}  // namespace

// A buffered socket stream whose every read is bounded by both a per-read stall timeout and the
// current request's total deadline.
class DeadlineStream final : public httplib::Stream {
 public:
  // `waiting`: connections accepted and waiting for a worker (HardenedServer::waiting_).
  DeadlineStream(socket_t sock, const HttpLimits& limits, const std::atomic<int>& waiting)
      : sock_(sock), limits_(limits), waiting_(waiting) {}
  DeadlineStream(const DeadlineStream&) = delete;
  DeadlineStream& operator=(const DeadlineStream&) = delete;
  ~DeadlineStream() override {
    if (ssl_) {
      SSL_shutdown(ssl_);  // one close_notify, not waiting for the peer's
      SSL_free(ssl_);
    }
  }

  // The TLS handshake on a non-blocking socket, bounded by the stall timeout as a whole, so a
  // client cannot hold a worker by trickling its hello either.
  bool start_tls(SSL_CTX* ctx) {
    ssl_ = SSL_new(ctx);
    if (!ssl_) return false;
    ::fcntl(sock_, F_SETFL, ::fcntl(sock_, F_GETFL, 0) | O_NONBLOCK);
    SSL_set_fd(ssl_, sock_);
    auto deadline = Clock::now() + std::chrono::seconds(limits_.read_timeout_s);
    for (;;) {
      int rc = SSL_accept(ssl_);
      if (rc == 1) return true;
      if (!wait_for(SSL_get_error(ssl_, rc), millis_until(deadline))) return false;
    }
  }

  void start_request() {
    started_ = Clock::now();
    deadline_ = started_ + std::chrono::seconds(limits_.request_timeout_s);
    // The answer gets its own allowance on top: a client that reads it a byte at a time is cut
    // off like one that sends its request that way.
    response_deadline_ = deadline_ + kResponseAllowance;
    consumed_ = 0;
  }
  bool has_buffered() const { return begin_ < end_ || (ssl_ && SSL_pending(ssl_) > 0); }

  bool is_readable() const override {
    if (has_buffered()) return true;
    return wait_readable(read_wait_ms());
  }
  bool is_writable() const override { return wait(POLLOUT, limits_.write_timeout_s * 1000); }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ >= end_) {
      if (!flush()) return -1;  // an interim answer (100 Continue) must reach the client first
      if (Clock::now() >= deadline_) return -1;
      ssize_t n = ssl_ ? tls_read() : plain_read();
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    std::size_t take = std::min(size, end_ - begin_);
    // httplib grows a header line without bound; the request line and headers together may use
    // max_header_bytes, after which the parser sees the stream fail and answers 400.
    if (!tls_request.headers_read && consumed_ + take > limits_.max_header_bytes) return -1;
    std::memcpy(ptr, buffer_ + begin_, take);
    begin_ += take;
    consumed_ += take;
    return static_cast<ssize_t>(take);
  }

  // httplib writes the status line and headers, then the body, in separate calls. Small writes
  // are held until the request is answered (or the stream is about to read) and go out in one
  // send, so a small response is one segment rather than two, with one wake-up of the client.
  // A streamed response (a content provider) would be held the same way, up to 16 KiB: none is
  // served today; one that must reach the client piece by piece needs a flush per piece.
  ssize_t write(const char* ptr, size_t size) override {
    if (pending_.size() + size <= kCoalesceBytes) {
      pending_.append(ptr, size);
      return static_cast<ssize_t>(size);
    }
    if (!flush()) return -1;
    return send_now(ptr, size);
  }

  // Sends what write() held back; false when the connection failed or ran out of time.
  bool flush() {
    if (pending_.empty()) return !send_failed_;
    if (send_now(pending_.data(), pending_.size()) != static_cast<ssize_t>(pending_.size())) {
      send_failed_ = true;  // remembered for the flush after the request, which ends the connection
    }
    pending_.clear();  // keeps its capacity for the next response
    return !send_failed_;
  }

 private:
  ssize_t send_now(const char* ptr, size_t size) {
    std::size_t sent = 0;
    while (sent < size) {
      if (Clock::now() >= response_deadline_) return -1;
      if (ssl_) {
        int n = SSL_write(ssl_, ptr + sent,
                          static_cast<int>(std::min<std::size_t>(size - sent, 1 << 20)));
        if (n > 0) {
          sent += static_cast<std::size_t>(n);
        } else if (!wait_for(SSL_get_error(ssl_, n), write_wait_ms())) {
          return -1;
        }
        continue;
      }
      // Try first and wait only when the socket buffer is full: a poll before every send was a
      // system call per response for nothing.
      ssize_t n = ::send(sock_, ptr + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait(POLLOUT, write_wait_ms())) return -1;
        continue;
      }
      if (n <= 0) return -1;
      sent += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(sent);
  }

 public:
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      ip = address_text(addr, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      ip = address_text(addr, port);
    }
  }
  socket_t socket() const override { return sock_; }

 private:
  static constexpr std::chrono::seconds kResponseAllowance{60};
  static constexpr std::size_t kCoalesceBytes = 16384;
  int write_wait_ms() const {
    return std::min(limits_.write_timeout_s * 1000, millis_until(response_deadline_));
  }
  int read_wait_ms() const {
    return std::min(limits_.read_timeout_s * 1000, millis_until(deadline_));
  }

  // Reads what is there, and waits (bounded) only when nothing is: the next request has usually
  // arrived already, since wait_for_next_request polled for it.
  ssize_t plain_read() {
    for (;;) {
      ssize_t n = ::recv(sock_, buffer_, sizeof buffer_, MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return n;
      if (!wait_readable(read_wait_ms())) return -1;
    }
  }

  ssize_t tls_read() {
    for (;;) {
      int n = SSL_read(ssl_, buffer_, sizeof buffer_);
      if (n > 0) return n;
      int err = SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_ZERO_RETURN) return 0;
      if (!wait_for(err, read_wait_ms())) return -1;
    }
  }

  // Waits for the next bytes of the request. While its headers are still coming, a connection
  // that has taken more than kHeaderGrace over them gives its worker up as soon as another
  // connection is waiting for one: a client trickling its headers (alone, or as many as there
  // are workers) then holds a worker for about that long, not for the whole request deadline.
  // An honest client sends its headers in one go; one on a slow network is cut only when the
  // server is full, and a client's retry is cheaper than everyone else waiting.
  bool wait_readable(int timeout_ms) const {
    if (tls_request.headers_read) return wait(POLLIN, timeout_ms);
    auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      int slice = std::min(100, millis_until(until));
      if (wait(POLLIN, slice)) return true;
      if (Clock::now() >= until) return false;
      if (Clock::now() - started_ > kHeaderGrace && waiting_.load() > 0) return false;
    }
  }

  // Waits for what OpenSSL says it needs; false for a real error or when time runs out.
  bool wait_for(int ssl_error, int timeout_ms) const {
    if (ssl_error == SSL_ERROR_WANT_READ) return wait_readable(timeout_ms);
    if (ssl_error == SSL_ERROR_WANT_WRITE) return wait(POLLOUT, timeout_ms);
    return false;
  }

  bool wait(short events, int timeout_ms) const {
    pollfd p{sock_, events, 0};
    int rc;
    do {
      rc = ::poll(&p, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    return rc > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  }

  socket_t sock_;
  const HttpLimits& limits_;
  const std::atomic<int>& waiting_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point deadline_ = Clock::now();
  Clock::time_point response_deadline_ = Clock::now() + kResponseAllowance;
  char buffer_[16384];
  std::size_t begin_ = 0, end_ = 0;
  std::size_t consumed_ = 0;  // bytes handed to the parser in this request
  std::string pending_;       // written but not yet sent: see write()
  bool send_failed_ = false;
  SSL* ssl_ = nullptr;
};

namespace {

// A fixed pool that counts connections waiting for a worker, so idle keep-alive connections can
// step aside for them.
class CountingPool final : public httplib::TaskQueue {
 public:
  CountingPool(std::size_t threads, std::atomic<int>& waiting) : waiting_(waiting) {
    for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { run(); });
  }
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(fn));
      waiting_.fetch_add(1);
    }
    ready_.notify_one();
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        waiting_.fetch_sub(1);
      }
      fn();
    }
  }
  std::atomic<int>& waiting_;
  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> jobs_;
  std::mutex mutex_;
  std::condition_variable ready_;
  bool stopping_ = false;
};

// Reads the rest of what the client sent (bounded) before closing, so the kernel does not answer
// unread bytes with a reset that can destroy the response still in flight.
void close_gracefully(socket_t sock) {
  ::shutdown(sock, SHUT_WR);
  char sink[4096];
  std::size_t drained = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(500);
  while (drained < (1u << 20)) {
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, millis_until(deadline)) <= 0) break;
    ssize_t n = ::recv(sock, sink, sizeof sink, 0);
    if (n <= 0) break;
    drained += static_cast<std::size_t>(n);
  }
  ::close(sock);
}

std::string new_request_prefix() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return buf;
}

// The packaged library compresses a response with brotli whenever the client accepts it, at
// brotli's slowest quality: 1.9 s of a core for the console's 740 KB basemap, against 0.1 s with
// gzip, and every browser accepts br. So the server answers as if only gzip were accepted.
void offer_gzip_only(httplib::Request& req) {
  auto accepted = req.get_header_value("Accept-Encoding");
  if (accepted.empty()) return;
  bool gzip = accepted.find("gzip") != std::string::npos;
  req.headers.erase("Accept-Encoding");
  if (gzip) req.headers.emplace("Accept-Encoding", "gzip");
}

}  // namespace

RequestScope& current_request() { return tls_request; }

void HardenedServer::set_logger(httplib::Logger logger) {
  httplib::Server::set_logger([logger = std::move(logger)](const httplib::Request& req,
                                                           const httplib::Response& res) {
    if (tls_stream) tls_stream->flush();
    logger(req, res);
  });
}

HardenedServer::HardenedServer(HttpLimits limits) : limits_(limits) {
  // The library's default also sets SO_REUSEPORT, which lets a second server bind a port that is
  // in use and silently take half its connections. SO_REUSEADDR alone still lets a restarted
  // server take its port back from connections in TIME_WAIT.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  set_tcp_nodelay(true);
  set_payload_max_length(limits_.max_body_bytes);
  set_read_timeout(limits_.read_timeout_s, 0);
  set_write_timeout(limits_.write_timeout_s, 0);
  set_keep_alive_timeout(limits_.keep_alive_timeout_s);
  set_keep_alive_max_count(static_cast<std::size_t>(limits_.keep_alive_max_requests));
  new_task_queue = [this] {
    return new CountingPool(static_cast<std::size_t>(limits_.threads), waiting_);
  };
  set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return guard(req, res);
  });
}

httplib::Server::HandlerResponse HardenedServer::guard(const httplib::Request& req,
                                                       httplib::Response& res) {
  tls_request.headers_read = true;
  auto reject = [&](ErrorCode code, const std::string& message) {
    res.status = error_info(code).http_status;
    res.set_content(error_body(code, message), "application/json");
    res.set_header("Connection", "close");
    tls_request.close_after_response = true;
    return HandlerResponse::Handled;
  };
  offer_gzip_only(const_cast<httplib::Request&>(req));
  bool chunked = req.has_header("Transfer-Encoding");
  auto lengths = req.get_header_value_count("Content-Length");
  if (chunked && lengths > 0) {
    return reject(ErrorCode::bad_request,
                  "Content-Length and Transfer-Encoding together are not accepted");
  }
  if (chunked) {
    return reject(ErrorCode::length_required,
                  "request bodies must carry Content-Length; Transfer-Encoding is not accepted");
  }
  if (req.has_header("Content-Encoding")) {
    return reject(ErrorCode::unsupported_media_type, "compressed request bodies are not accepted");
  }
  if (lengths > 1) return reject(ErrorCode::bad_request, "more than one Content-Length header");
  if (lengths == 1) {
    const auto& text = req.get_header_value("Content-Length");
    bool digits = !text.empty() && text.size() <= 18 &&
                  std::all_of(text.begin(), text.end(),
                              [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return reject(ErrorCode::bad_request, "Content-Length is not a number");
    if (std::stoull(text) > limits_.max_body_bytes) {
      return reject(ErrorCode::payload_too_large,
                    "the body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
    }
    // httplib 0.11.4 reads a body only for POST, PUT, PATCH and DELETE; the body of any other
    // method would be left on the connection and parsed as the next request.
    bool reads_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                      req.method == "DELETE";
    if (!reads_body && std::stoull(text) > 0) {
      return reject(ErrorCode::bad_request, req.method + " requests carry no body here");
    }
  } else if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
             req.method == "DELETE") {
    // No length and no chunking: the body is empty. Saying so stops httplib from reading until
    // the peer closes, which would hold this worker for the whole request deadline.
    const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
  }
  return HandlerResponse::Unhandled;
}

bool HardenedServer::wait_for_next_request(socket_t sock, bool first) {
  // The first request gets the full stall timeout; later ones wait in the keep-alive window.
  // Either gives the worker up when another connection is queued for it (the first only after
  // kHeaderGrace: it has only just been accepted).
  auto limit = std::chrono::seconds(first ? limits_.read_timeout_s : limits_.keep_alive_timeout_s);
  auto deadline = Clock::now() + limit;
  // A new connection that has sent nothing for kHeaderGrace gives way like an idle one.
  auto yield_after = first ? Clock::now() + kHeaderGrace : Clock::now();
  while (serving()) {
    int slice = std::min(100, millis_until(deadline));
    pollfd p{sock, POLLIN, 0};
    int rc = ::poll(&p, 1, slice);
    if (rc > 0) return (p.revents & POLLIN) != 0 || (p.revents & POLLHUP) == 0;
    if (rc < 0 && errno != EINTR) return false;
    if (Clock::now() >= deadline) return false;
    if (Clock::now() >= yield_after && waiting_.load() > 0) return false;
  }
  return false;
}

void HardenedServer::shut_down() {
  stopping_.store(true);
  stop();
}

HardenedServer::~HardenedServer() {
  if (tls_) SSL_CTX_free(static_cast<SSL_CTX*>(tls_));
}

bool HardenedServer::enable_tls(const std::string& cert_file, const std::string& key_file,
                                std::string& error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  auto fail_with = [&](const std::string& what) {
    char detail[256] = {0};
    ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
    error = what + ": " + detail;
    SSL_CTX_free(ctx);
    return false;
  };
  if (!ctx) return fail_with("cannot create a TLS context");
  // TLS 1.2 is the floor (docs/decisions.md).
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return fail_with("TLS 1.2 minimum");
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    return fail_with("certificate " + cert_file);
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return fail_with("key " + key_file);
  if (SSL_CTX_check_private_key(ctx) != 1)
    return fail_with("the key does not match the certificate");
  if (tls_) SSL_CTX_free(static_cast<SSL_CTX*>(tls_));
  tls_ = ctx;
  return true;
}

bool HardenedServer::process_and_close_socket(socket_t sock) {
  // Set on the accepted socket itself: without it every small response waits for the peer's
  // delayed ACK (about 40 ms on loopback).
  int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bool ok = false;
  {
    // The handshake counts as the first request's header phase (DeadlineStream::wait_readable).
    tls_request = RequestScope{};
    DeadlineStream stream(sock, limits_, waiting_);
    if (!tls_ || stream.start_tls(static_cast<SSL_CTX*>(tls_))) {
      tls_stream = &stream;
      ok = serve_requests(stream, sock);
      tls_stream = nullptr;
    }
  }  // the stream, and its TLS session, end before the socket closes
  close_gracefully(sock);
  return ok;
}

bool HardenedServer::serve_requests(DeadlineStream& stream, socket_t sock) {
  static const std::string prefix = new_request_prefix();
  int left = limits_.keep_alive_max_requests;
  bool first = true;
  bool ok = true;
  std::string peer;  // the connection's, asked of the socket once rather than per request
  int port = 0;
  stream.get_remote_ip_and_port(peer, port);
  while (left-- > 0) {
    if (!stream.has_buffered() && !wait_for_next_request(sock, first)) break;
    first = false;
    tls_request = RequestScope{};
    tls_request.started = Clock::now();
    tls_request.request_id = prefix + "-" + std::to_string(next_request_id_.fetch_add(1));
    tls_request.peer = peer;
    stream.start_request();
    bool connection_closed = false;
    ok = process_request(stream, left == 0 || !serving(), connection_closed, nullptr);
    if (!stream.flush()) ok = false;
    // A request the parser refused before the guard ran (bad request line, oversized headers)
    // leaves the stream at an unknown place: never read another request from it.
    if (!ok || connection_closed || tls_request.close_after_response || !tls_request.headers_read) {
      break;
    }
  }
  return ok;
}

}  // namespace fieldserve::server
