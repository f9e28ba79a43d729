#include "server/api/handlers.h"

namespace fieldserve::server {

RouteTable api_routes(Services& s) {
  RouteTable routes;
  add_center_routes(routes, s);
  add_customer_routes(routes, s);
  add_site_routes(routes, s);
  add_equipment_routes(routes, s);
  add_warranty_routes(routes, s);
  add_technician_routes(routes, s);
  add_job_routes(routes, s);
  add_job_action_routes(routes, s);
  add_job_fact_routes(routes, s);
  add_token_routes(routes, s);
  add_admin_routes(routes, s);
  add_optimize_routes(routes, s);
  add_sync_routes(routes, s);
  add_report_routes(routes, s);
  add_parts_report_routes(routes, s);
  add_complaint_routes(routes, s);
  add_follow_up_routes(routes, s);
  add_feed_routes(routes, s);
  return routes;
}

}  // namespace fieldserve::server
