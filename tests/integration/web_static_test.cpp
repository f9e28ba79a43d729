// The web apps' files as the server serves them with --web: the right types, a
// Content-Security-Policy that allows no inline script, and the API still answering JSON beside
// them (docs/web.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

std::string header(const Response& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

TEST(WebStatic, FilesComeWithTheirTypeAndAPolicyThatForbidsInlineScript) {
  auto web = std::filesystem::temp_directory_path() /
             ("fieldserve_web_" + std::to_string(::getpid()));
  std::filesystem::create_directories(web / "console");
  std::ofstream(web / "index.html") << "<!doctype html><title>home</title>";
  std::ofstream(web / "console" / "index.html") << "<!doctype html><title>console</title>";
  std::ofstream(web / "console" / "app.js") << "export const x = 1;";
  std::ofstream(web / "app.webmanifest") << "{}";
  ServerProcess server({"--web", web.string()});

  auto home = server.get("/", "");
  EXPECT_EQ(home.status, 200);
  EXPECT_NE(home.text.find("<title>home</title>"), std::string::npos);
  EXPECT_EQ(header(home, "Content-Type"), "text/html; charset=utf-8");
  auto csp = header(home, "Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(header(home, "X-Content-Type-Options"), "nosniff");

  auto console = server.get("/console/", "");
  EXPECT_EQ(console.status, 200);
  EXPECT_NE(console.text.find("<title>console</title>"), std::string::npos);
  EXPECT_EQ(header(server.get("/console/app.js", ""), "Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(header(server.get("/app.webmanifest", ""), "Content-Type"),
            "application/manifest+json");

  // A file the browser has: the same ETag back is a 304 without the bytes; a stale one is 200.
  auto script = server.get("/console/app.js", "");
  auto etag = header(script, "ETag");
  ASSERT_FALSE(etag.empty());
  auto again = server.send("GET", "/console/app.js", "", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.text.empty());
  std::ofstream(web / "console" / "app.js") << "export const x = 2;";
  auto changed = server.send("GET", "/console/app.js", "", "", {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.text, "export const x = 2;");
  EXPECT_NE(header(changed, "ETag"), etag);

  auto missing = server.get("/console/nothing.js", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_code(), "not_found");
  EXPECT_EQ(server.get("/../../etc/passwd", "").status, 404) << "nothing outside the folder";
  auto api = server.get("/api/v1/centers", "");
  EXPECT_EQ(api.status, 401) << "the API beside the files still asks for a token";
  EXPECT_EQ(api.error_code(), "unauthorized");
  std::filesystem::remove_all(web);
}

}  // namespace
}  // namespace fieldserve::testing
