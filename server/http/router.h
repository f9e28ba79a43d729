#pragma once
// Registers a route table on the hardened server: authentication, role checks and rate limits
// before every handler, the JSON error shape, the exception handler, /healthz, /metrics, the
// OpenAPI document, and one request log line per request.
#include <nlohmann/json.hpp>
#include <functional>
#include <string>

#include "app/auth.h"
#include "app/rate_limiter.h"
#include "server/http/hardened_server.h"
#include "server/http/metrics.h"
#include "server/http/route.h"

namespace fieldserve::server {

// What stands between a request and its handler, and what /metrics reads.
struct Gate {
  app::Authenticator& auth;
  app::RateLimiter& limiter;
  Metrics& metrics;
  // Figures of the store, read at scrape time (the server adds its own).
  std::function<ScrapeFigures()> scrape;
};

// `web_dir`, when not empty, is served at /. `components` are the named schemas the routes'
// contracts refer to.
void install_routes(HardenedServer& server, Gate& gate, RouteTable routes,
                    const std::string& web_dir, const nlohmann::json& components);

// The OpenAPI 3 document for `routes`: built from the same table the server registers, with
// `components` as its named schemas (Error is added).
nlohmann::json openapi_document(const RouteTable& routes, const nlohmann::json& components);

}  // namespace fieldserve::server
