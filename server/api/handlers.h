#pragma once
// Each resource module adds its routes to the table; api_routes collects them all. A handler
// parses the request, calls a service, and renders the answer (docs/architecture.md).
#include "server/api/services.h"
#include "server/http/route.h"

namespace fieldserve::server {

using ApiHandler = Result<Reply> (*)(Services&, RouteRequest&);
inline Handler bind(Services& s, ApiHandler handler) {
  return [&s, handler](RouteRequest& req) { return handler(s, req); };
}

// Every API route (without /healthz, /metrics and the OpenAPI document, which the router adds).
RouteTable api_routes(Services& s);
// The named schemas the routes' contracts refer to (server/api/json/schemas.cpp).
nlohmann::json api_components();

void add_center_routes(RouteTable& routes, Services& s);
void add_customer_routes(RouteTable& routes, Services& s);
void add_site_routes(RouteTable& routes, Services& s);
void add_equipment_routes(RouteTable& routes, Services& s);
void add_warranty_routes(RouteTable& routes, Services& s);
void add_technician_routes(RouteTable& routes, Services& s);
void add_job_routes(RouteTable& routes, Services& s);
void add_job_action_routes(RouteTable& routes, Services& s);
void add_job_fact_routes(RouteTable& routes, Services& s);
void add_token_routes(RouteTable& routes, Services& s);
void add_admin_routes(RouteTable& routes, Services& s);
void add_optimize_routes(RouteTable& routes, Services& s);
void add_sync_routes(RouteTable& routes, Services& s);
void add_report_routes(RouteTable& routes, Services& s);
void add_parts_report_routes(RouteTable& routes, Services& s);
void add_complaint_routes(RouteTable& routes, Services& s);
void add_follow_up_routes(RouteTable& routes, Services& s);
void add_feed_routes(RouteTable& routes, Services& s);

}  // namespace fieldserve::server
