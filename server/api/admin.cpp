// The SLA policy and the audit log of customer records.
#include "server/api/handlers.h"
#include "server/api/json/policy_json.h"
#include "server/api/json/resource_json.h"
#include "server/api/services.h"
#include "server/api/support.h"
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
  auto document = policy_to_json(*policy).dump();
  // Inside the write transaction, which serializes every policy change: the new policy is live
  // while open jobs are recomputed with it, and put back if the transaction fails.
  app::write(s.store, [&](store::Tx& tx, app::Effects& fx) {
    auto previous = s.policy.policy();
    s.policy.set_policy(*policy);
    try {
      tx.put_setting("sla_policy", document);
      s.writer.refresh_open_jobs(tx, fx, store::JobFilter{});  // new targets at once
    } catch (...) {
      s.policy.set_policy(previous);
      throw;
    }
    return true;
  });
  return json_reply(policy_to_json(*policy));
}

Result<Reply> list_audit(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  std::string entity = req.query("entity").value_or("");
  if (!entity.empty() && entity != "customer" && entity != "site" && entity != "equipment") {
    return fail(ErrorCode::bad_request, "entity must be customer, site or equipment");
  }
  auto entity_id = req.query_int("entity_id");
  if (!entity_id) return std::unexpected(entity_id.error());
  auto rows = s.store.read([&](store::Tx& tx) { return tx.audit(entity, *entity_id, *page); });
  return list_reply(rows, *page, audit_json);
}

}  // namespace

void add_admin_routes(RouteTable& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/sla-policy", kStaffRead, "The SLA policy in force",
                    bind(s, get_policy)});
  routes.push_back({"PUT", "/api/v1/sla-policy", kAdmin,
                    "Replace the SLA policy; open jobs get new due times", bind(s, put_policy)});
  routes.push_back({"GET", "/api/v1/audit", kAdmin | kManager,
                    "Changes to customers, sites and equipment (filters: entity, entity_id)",
                    bind(s, list_audit)});
}

}  // namespace fieldserve::server
