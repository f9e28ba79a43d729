// The SLA policy and the audit log of customer records.
#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/policy_json.h"
#include "server/api/json/resource_json.h"
#include "server/api/services.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

Result<Reply> get_policy(Services& s, RouteRequest&) {
  return json_reply(policy_to_json(s.policy.policy()));
}

Result<Reply> put_policy(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto policy = policy_from_json(*body);
  if (!policy) return std::unexpected(policy.error());
  s.places.replace_policy(*policy, policy_to_json(*policy).dump());
  return json_reply(policy_to_json(*policy));
}

Result<Reply> list_audit(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  std::string entity = req.query("entity").value_or("");
  if (!entity.empty() && entity != "customer" && entity != "site" && entity != "equipment") {
    return fail(ErrorCode::bad_request, "entity must be customer, site or equipment");
  }
  auto entity_id = req.query_id("entity_id");
  if (!entity_id) return std::unexpected(entity_id.error());
  return list_reply(s.places.audit(entity, *entity_id, *page), *page, audit_json);
}

}  // namespace

void add_admin_routes(RouteTable& routes, Services& s) {
  auto policy = schema::ref("SlaPolicy");
  routes.push_back({"GET",
                    "/api/v1/sla-policy",
                    kStaffRead,
                    "The SLA policy in force",
                    bind(s, get_policy),
                    200,
                    {.response = policy}});
  routes.push_back({"PUT",
                    "/api/v1/sla-policy",
                    kAdmin,
                    "Replace the SLA policy; open jobs get new due times",
                    bind(s, put_policy),
                    200,
                    {.request = policy, .response = policy}});
  routes.push_back(
      {"GET",
       "/api/v1/audit",
       kAdmin | kManager,
       "Changes to customers, sites and equipment (filters: entity, entity_id)",
       bind(s, list_audit),
       200,
       {.response = schema::page_of(schema::ref("AuditEntry")),
        .query = page_query_with({schema::enumeration("entity", {"customer", "site", "equipment"}),
                                  schema::id("entity_id")})}});
}

}  // namespace fieldserve::server
