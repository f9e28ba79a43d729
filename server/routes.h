#pragma once
// Every route of the server, registered in one place (STYLE 3).
#include <nlohmann/json.hpp>
#include <string>

#include "server/app.h"
#include "server/http/hardened_server.h"
#include "server/http/route.h"

namespace fieldserve::server {

// The API routes of all resource modules.
RouteTable api_routes();

// Registers `routes` plus /healthz, /metrics and /api/v1/openapi.json on `server`, with
// authentication, role checks, rate limits, the error shape, the exception handler and the
// request log. `web_dir`, when not empty, is served at /.
void install_routes(HardenedServer& server, App& app, RouteTable routes,
                    const std::string& web_dir);

// The OpenAPI 3 document for `routes`: built from the same table the server registers.
nlohmann::json openapi_document(const RouteTable& routes);

}  // namespace fieldserve::server
