// The cpp-httplib 0.11.4 weaknesses docs/decisions.md lists, each closed before routing. Every test
// here sends what an attacker would, on a raw socket, and fails if the guard is removed.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

class HttpGuardsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess({"--max-body-bytes", "65536", "--threads", "4", "--request-timeout",
                                 "2", "--keep-alive-timeout", "60"});
  }
  static void TearDownTestSuite() { delete server_; }
  static ServerProcess* server_;
  int port() { return server_->port(); }
  std::string auth() { return "Authorization: Bearer " + server_->admin_token() + "\r\n"; }
};
ServerProcess* HttpGuardsTest::server_ = nullptr;

// What a smuggler hides after a body the server refuses: if the connection stayed open and the
// body were skipped or parsed as a request, this GET would be answered too.
const std::string kSmuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(HttpGuardsTest, ChunkedRequestBodyIs411AndTheConnectionCloses) {
  bool closed = false;
  std::string req = "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n" + auth() +
                    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\n{\"a\":\r\n0\r\n\r\n" +
                    kSmuggled;
  auto out = raw_exchange(port(), req, 5000, &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 411")) << out;
  EXPECT_NE(out.find("length_required"), std::string::npos);
  EXPECT_EQ(count(out, "HTTP/1.1 "), 1) << out;
  EXPECT_TRUE(closed);
}

// Failure mode: brotli at the library's quality took 1.9 s of a core for a 740 KB answer, and
// every browser asks for br. The answer is gzip when gzip is accepted, else not compressed.
TEST_F(HttpGuardsTest, AnswersAreGzippedNeverBrotli) {
  std::string page = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  bool closed = false;
  auto both = raw_exchange(port(), page + "Accept-Encoding: gzip, deflate, br\r\n\r\n", 5000,
                           &closed);
  EXPECT_TRUE(both.starts_with("HTTP/1.1 200")) << both.substr(0, 200);
  EXPECT_NE(both.find("Content-Encoding: gzip"), std::string::npos) << both.substr(0, 400);
  auto br = raw_exchange(port(), page + "Accept-Encoding: br\r\n\r\n", 5000, &closed);
  EXPECT_TRUE(br.starts_with("HTTP/1.1 200")) << br.substr(0, 200);
  EXPECT_EQ(br.find("Content-Encoding"), std::string::npos) << br.substr(0, 400);
  EXPECT_NE(br.find("\"openapi\""), std::string::npos) << "plain JSON";
}

TEST_F(HttpGuardsTest, ContentLengthWithTransferEncodingIs400) {
  bool closed = false;
  std::string req = "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n" + auth() +
                    "Content-Type: application/json\r\nContent-Length: 4\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                    kSmuggled;
  auto out = raw_exchange(port(), req, 5000, &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_EQ(count(out, "HTTP/1.1 "), 1) << out;
  EXPECT_TRUE(closed);
}

TEST_F(HttpGuardsTest, CompressedRequestBodyIs415) {
  bool closed = false;
  std::string req = "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n" + auth() +
                    "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                    "Content-Length: 10\r\n\r\n0123456789" +
                    kSmuggled;
  auto out = raw_exchange(port(), req, 5000, &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 415")) << out;
  EXPECT_EQ(count(out, "HTTP/1.1 "), 1) << out;
  EXPECT_TRUE(closed);
}

TEST_F(HttpGuardsTest, DeclaredBodyOverTheLimitIs413BeforeAnyByteIsSent) {
  // Only the headers go out: the answer must come without waiting for 10 MB that never arrive.
  bool closed = false;
  std::string req = "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n" + auth() +
                    "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n";
  auto out = raw_exchange(port(), req, 5000, &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 413")) << out;
  EXPECT_NE(out.find("payload_too_large"), std::string::npos);
  EXPECT_TRUE(closed);
}

TEST_F(HttpGuardsTest, BytesAfterAnEarlyRejectionAreNeverReadAsTheNextRequest) {
  // The declared body is refused unread; what follows the headers is a complete request. Were the
  // connection kept for reuse, it would be answered as a second request.
  bool closed = false;
  std::string req = "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n" + auth() +
                    "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n" +
                    kSmuggled;
  auto out = raw_exchange(port(), req, 5000, &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 413")) << out;
  EXPECT_EQ(count(out, "HTTP/1.1 "), 1) << out;
  EXPECT_EQ(out.find("\"ok\""), std::string::npos) << out;
  EXPECT_TRUE(closed);
}

TEST_F(HttpGuardsTest, ABodyOnAGetIsRefusedNotParsedAsTheNextRequest) {
  // httplib reads no body for GET: without the guard the body below is answered as a request.
  bool closed = false;
  std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                    std::to_string(kSmuggled.size()) + "\r\n\r\n" + kSmuggled;
  auto out = raw_exchange(port(), req, 5000, &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_EQ(count(out, "HTTP/1.1 "), 1) << out;
  EXPECT_TRUE(closed);
}

TEST_F(HttpGuardsTest, ConflictingContentLengthsAre400) {
  bool closed = false;
  std::string req =
      "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n" + auth() +
      "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}";
  auto out = raw_exchange(port(), req, 5000, &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
}

TEST_F(HttpGuardsTest, PostWithoutLengthIsAnEmptyBodyNotAWaitForClose) {
  bool closed = false;
  std::string req = "POST /api/v1/jobs/1/cancel HTTP/1.1\r\nHost: x\r\n" + auth() +
                    "Content-Type: application/json\r\n\r\n";
  auto out = raw_exchange(port(), req, 1500, &closed);
  // Answered at once (an empty body is not a JSON object), not after the request deadline.
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
}

TEST_F(HttpGuardsTest, OversizedHeadersAreRefusedAndTheServerLivesOn) {
  // One 200 KB header line, then many small ones: both past the 64 KiB header allowance.
  for (const std::string& headers : {"X-Big: " + std::string(200000, 'a') + "\r\n", [] {
                                       std::string h;
                                       for (int i = 0; i < 5000; ++i)
                                         h += "X-H" + std::to_string(i) + ": 0123456789abcdef\r\n";
                                       return h;
                                     }()}) {
    bool closed = false;
    auto out = raw_exchange(port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n", 5000,
                            &closed);
    EXPECT_FALSE(out.starts_with("HTTP/1.1 200")) << out.substr(0, 200);
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(server_->get("/healthz", "").status, 200);
}

TEST_F(HttpGuardsTest, PeerAddressComesFromTheSocketNotFromHeaders) {
  bool closed = false;
  std::string req =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nREMOTE_ADDR: 6.6.6.6\r\n"
      "X-Forwarded-For: 7.7.7.7\r\nConnection: close\r\n\r\n";
  auto out = raw_exchange(port(), req, 5000, &closed);
  ASSERT_TRUE(out.starts_with("HTTP/1.1 200")) << out;
  auto log = server_->log_containing("route=/metrics");
  ASSERT_NE(log.find("route=/metrics"), std::string::npos);
  EXPECT_EQ(log.find("6.6.6.6"), std::string::npos);
  EXPECT_EQ(log.find("7.7.7.7"), std::string::npos);
  EXPECT_NE(log.find("peer=127.0.0.1"), std::string::npos);
}

TEST_F(HttpGuardsTest, SlowClientsCannotHoldEveryWorker) {
  // Four workers, four clients that trickle a header byte every 300 ms for up to 15 s. With the
  // per-request deadline (2 s here) each is cut off and a normal request gets through while
  // they are still trickling; without it the normal request would wait for all of them.
  std::atomic<bool> stop{false};
  std::atomic<int> still_trickling{0};
  Workers slow(&stop);
  for (int i = 0; i < 4; ++i) {
    slow.start([&, this] {
      ++still_trickling;
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<std::uint16_t>(port()));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        std::string header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        // Keeps its window open for the whole 15 s even after the server cuts it off, so
        // "still trickling" means the window, not the socket.
        for (int n = 0; n < 50 && !stop; ++n) {
          char c = n < static_cast<int>(header.size()) ? header[n] : 'a';
          send(fd, &c, 1, MSG_NOSIGNAL);
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
      }
      close(fd);
      --still_trickling;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  httplib::Client client("127.0.0.1", port());
  client.set_read_timeout(14, 0);
  auto res = client.Get("/healthz");
  bool answered_while_trickling = res && res->status == 200 && still_trickling.load() > 0;
  slow.join();
  EXPECT_TRUE(answered_while_trickling);
}

TEST(HttpGuardsCrowdTest, ACrowdOfSlowClientsGivesWayToAWaitingOne) {
  // Four workers and the default 30 s request deadline. Six clients trickle a header byte every
  // 300 ms for 15 s and two connect and send nothing: more than there are workers. A client
  // still on its headers after 2 s gives its worker up when another connection waits, so a
  // normal request is answered while they trickle; without that it would wait out the 30 s
  // deadline of the four that got a worker (its own read timeout is 12 s).
  ServerProcess server({"--threads", "4", "--keep-alive-timeout", "60"});
  std::atomic<bool> stop{false};
  std::atomic<int> still_trickling{0};
  Workers slow(&stop);
  for (int i = 0; i < 8; ++i) {
    bool silent = i >= 6;
    slow.start([&, silent] {
      ++still_trickling;
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        std::string header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        for (int n = 0; n < 50 && !stop; ++n) {
          char c = n < static_cast<int>(header.size()) ? header[n] : 'a';
          if (!silent) send(fd, &c, 1, MSG_NOSIGNAL);
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
      }
      close(fd);
      --still_trickling;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(12, 0);
  auto res = client.Get("/healthz");
  bool answered_while_trickling = res && res->status == 200 && still_trickling.load() == 8;
  stop = true;
  slow.join();
  EXPECT_TRUE(answered_while_trickling);
}

// The server holds small writes back so headers and body leave in one segment; an interim
// "100 Continue" must still go out before it waits for the body, or the client waits out its
// own timeout (and this server's request deadline) for nothing.
TEST_F(HttpGuardsTest, ExpectContinueIsAnsweredBeforeTheBodyIsRead) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string body = R"({"name": "Continue Ltd", "account_tier": "standard"})";
  std::string head = "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n" + auth() +
                     "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n";
  send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  auto read_some = [&](int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return std::string();
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  };
  // Well inside the 2 s request deadline: without the flush nothing arrives before it ends.
  auto interim = read_some(1000);
  EXPECT_TRUE(interim.starts_with("HTTP/1.1 100 Continue")) << interim;
  send(fd, body.data(), body.size(), MSG_NOSIGNAL);
  std::string answer;
  for (int i = 0; i < 20 && answer.find("Continue Ltd") == std::string::npos; ++i)
    answer += read_some(500);
  close(fd);
  EXPECT_NE(answer.find("HTTP/1.1 201"), std::string::npos) << answer;
}

TEST_F(HttpGuardsTest, PipelinedRequestsAreEachAnsweredWholeAndInOrder) {
  // Two requests in one segment; the second answer is large enough to be sent unbuffered.
  std::string req =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  bool closed = false;
  auto out = raw_exchange(port(), req, 5000, &closed);
  auto first = out.find("HTTP/1.1 200");
  auto second = out.find("HTTP/1.1 200", first + 1);
  ASSERT_NE(second, std::string::npos) << out.substr(0, 400);
  EXPECT_NE(out.find("\"status\":\"ok\""), std::string::npos);
  EXPECT_LT(out.find("\"status\":\"ok\""), second);
  auto length_at = out.find("Content-Length: ", second);
  ASSERT_NE(length_at, std::string::npos);
  auto declared = std::stoul(out.substr(length_at + 16));
  auto body_at = out.find("\r\n\r\n", second) + 4;
  EXPECT_GT(declared, 16384u);
  EXPECT_EQ(out.size() - body_at, declared);
  EXPECT_TRUE(closed);
}

TEST_F(HttpGuardsTest, IdleKeepAliveConnectionsGiveWayToWaitingOnes) {
  // Four workers, four keep-alive connections that made one request each and now sit idle
  // inside a 60 s keep-alive window. A fifth client must still be served.
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < 4; ++i) {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port());
    c->set_keep_alive(true);
    auto r = c->Get("/healthz");
    ASSERT_TRUE(r && r->status == 200);
    idle.push_back(std::move(c));
  }
  // The read timeout is half the idle connections' keep-alive window: without the guard the
  // fifth request would still be queued when it runs out.
  httplib::Client fifth("127.0.0.1", port());
  fifth.set_read_timeout(30, 0);
  auto r = fifth.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace fieldserve::testing
