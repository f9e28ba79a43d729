// HTTPS when given a certificate and key (docs/decisions.md): TLS 1.2 at least, and the same
// guards behind it.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fieldserve-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
    ASSERT_EQ(run_command(
                  "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
                  key + " -out " + cert + " 2>/dev/null"),
              0);
    server_ = new ServerProcess({"--tls-cert", cert, "--tls-key", key});
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(dir_);
  }
  static inline ServerProcess* server_ = nullptr;
  static inline std::filesystem::path dir_;
};

// A TLS handshake capped at `max_version`; true if it completed.
bool handshake(int port, int max_version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL_CTX_set_security_level(ctx, 0);  // let the old protocol be offered at all
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    ok = SSL_connect(ssl) == 1;
    SSL_free(ssl);
  }
  close(fd);
  SSL_CTX_free(ctx);
  return ok;
}

TEST_F(TlsTest, ServesTheApiOverHttps) {
  httplib::SSLClient client("127.0.0.1", server_->port());
  client.enable_server_certificate_verification(false);
  client.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto res = client.Get("/healthz");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  httplib::Headers auth{{"Authorization", "Bearer " + server_->admin_token()}};
  auto created = client.Post("/api/v1/customers", auth, R"({"name": "Over TLS"})",
                             "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
}

TEST_F(TlsTest, RefusesTlsOlderThanOnePointTwo) {
  EXPECT_FALSE(handshake(server_->port(), TLS1_1_VERSION));
  EXPECT_TRUE(handshake(server_->port(), TLS1_2_VERSION));
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoAnswer) {
  bool closed = false;
  auto out = raw_exchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 3000,
                          &closed);
  EXPECT_EQ(out.find("200 OK"), std::string::npos);
}

TEST_F(TlsTest, GuardsStillApplyBehindTls) {
  httplib::SSLClient client("127.0.0.1", server_->port());
  client.enable_server_certificate_verification(false);
  httplib::Headers headers{{"Authorization", "Bearer " + server_->admin_token()},
                           {"Content-Encoding", "gzip"}};
  auto res = client.Post("/api/v1/customers", headers, "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
}

}  // namespace
}  // namespace fieldserve::testing
