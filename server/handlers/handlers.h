#pragma once
// Each resource module adds its routes to the table; server/routes.cpp calls them all.
#include "server/http/route.h"

namespace fieldserve::server {

void add_center_routes(RouteTable& routes);
void add_customer_routes(RouteTable& routes);
void add_site_routes(RouteTable& routes);
void add_equipment_routes(RouteTable& routes);
void add_technician_routes(RouteTable& routes);
void add_job_routes(RouteTable& routes);
void add_job_action_routes(RouteTable& routes);
void add_token_routes(RouteTable& routes);
void add_admin_routes(RouteTable& routes);
void add_optimize_routes(RouteTable& routes);
void add_sync_routes(RouteTable& routes);
void add_report_routes(RouteTable& routes);

}  // namespace fieldserve::server
