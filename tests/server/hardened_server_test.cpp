// The server's own HTTP plumbing, in process, on a real loopback socket.
#include "server/http/hardened_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "server/api/handlers.h"
#include "server/api/services.h"
#include "server/http/router.h"
#include "store/store.h"

namespace fieldserve::server {
namespace {

class InProcessServer : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open(":memory:", 0);
    services_ = std::make_unique<Services>(*store_, clock_);
    gate_ = std::make_unique<Gate>(Gate{
        services_->auth, services_->limiter, services_->metrics, {}});
    server_ = std::make_unique<HardenedServer>(HttpLimits{});
    RouteTable routes = api_routes(*services_);
    routes.push_back({"GET", "/test/throw", kPublic, "throws", [](RouteRequest&) -> Result<Reply> {
                        throw std::runtime_error("secret: /etc/passwd at 0xdeadbeef");
                      }});
    routes.push_back({"GET", "/test/busy", kPublic, "database busy",
                      [](RouteRequest&) -> Result<Reply> { throw store::StoreBusy(5, "locked"); }});
    install_routes(*server_, *gate_, routes, "", nlohmann::json::object());
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 200 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<Gate> gate_;
  std::unique_ptr<HardenedServer> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(InProcessServer, ExceptionBecomesA500WithoutItsText) {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/test/throw");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_FALSE(res->has_header("EXCEPTION_WHAT"));
  for (const auto& [name, value] : res->headers) {
    EXPECT_EQ(value.find("secret"), std::string::npos) << name;
  }
  EXPECT_EQ(res->body.find("secret"), std::string::npos);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["error"]["code"], "internal");
  // The server lives on.
  EXPECT_EQ(client.Get("/healthz")->status, 200);
}

TEST_F(InProcessServer, BusyDatabaseIs503WithRetryAfter) {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/test/busy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"]["code"], "unavailable");
}

TEST_F(InProcessServer, KeepAliveServesManyRequestsOnOneConnection) {
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  for (int i = 0; i < 50; ++i) {
    auto res = client.Get("/healthz");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
  }
}

}  // namespace
}  // namespace fieldserve::server
