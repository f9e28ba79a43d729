#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/api/services.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

Result<Reply> create_token(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  FieldReader r(*body);
  auto role = r.one_of("role", true, parse_role, "admin, dispatcher, manager, technician");
  auto name = r.text("name", true, 200);
  auto technician_id = r.integer("technician_id", false, 1, INT64_MAX);
  if (role == Role::technician && !technician_id) {
    r.problem("technician_id", "is required for a technician token");
  }
  if (role && role != Role::technician && technician_id) {
    r.problem("technician_id", "is only for technician tokens");
  }
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  auto issued = s.auth.create(*role, *name, technician_id);
  if (!issued) return std::unexpected(issued.error());
  json out = {{"id", issued->id},
              {"token", issued->token},
              {"role", to_string(*role)},
              {"name", *name},
              {"technician_id", technician_id ? json(*technician_id) : json(nullptr)}};
  return json_reply(out, 201);
}

Result<Reply> list_tokens(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  return list_reply(s.auth.tokens(*page), *page, token_json);
}

Result<Reply> revoke_token(Services& s, RouteRequest& req) {
  auto id = req.path_id();
  if (!s.auth.revoke(id)) return not_found("token", id);
  Reply reply;
  reply.status = 204;
  return reply;
}

}  // namespace

void add_token_routes(RouteTable& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/tokens", kAdmin,
                    "Create a token; its value is shown only in this answer", bind(s, create_token),
                    201});
  routes.push_back({"GET", "/api/v1/tokens", kAdmin, "List tokens (never their values)",
                    bind(s, list_tokens)});
  routes.push_back({"DELETE", "/api/v1/tokens/{id}", kAdmin,
                    "Revoke a token; its next request is 401", bind(s, revoke_token), 204});
}

}  // namespace fieldserve::server
