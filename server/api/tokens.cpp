#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/api/services.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// What a token's create body holds.
namespace token_body {
const schema::Field role = schema::enumeration("role", names_of({Role::admin, Role::dispatcher,
                                                                 Role::manager, Role::technician}));
const schema::Field name = schema::text("name", 200);
const schema::Field technician_id =
    schema::optional(schema::id("technician_id", "required for a technician token, only then"));
}  // namespace token_body

Result<Reply> create_token(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  FieldReader r(*body);
  auto role = r.one_of(token_body::role, true, parse_role);
  auto name = r.text(token_body::name, true);
  auto technician_id = r.integer(token_body::technician_id, true);
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

// Who the token belongs to: the web apps ask once, to check a pasted token and to show the
// right screen.
Result<Reply> whoami(Services&, RouteRequest& req) {
  const auto& who = req.who();
  json out = {{"token_id", who.token_id},
              {"role", to_string(who.role)},
              {"name", who.name},
              {"technician_id", who.technician_id ? json(*who.technician_id) : json(nullptr)}};
  return json_reply(out);
}

}  // namespace

void add_token_routes(RouteTable& routes, Services& s) {
  namespace sc = schema;
  routes.push_back(
      {"POST",
       "/api/v1/tokens",
       kAdmin,
       "Create a token; its value is shown only in this answer",
       bind(s, create_token),
       201,
       {.request = sc::object_schema({token_body::role, token_body::name,
                                      token_body::technician_id}),
        .response = sc::object_schema(
            {sc::id("id"), sc::text("token", 100, "the bearer token; never shown again"),
             token_body::role, token_body::name, sc::optional_id("technician_id")})}});
  routes.push_back(
      {"GET",
       "/api/v1/me",
       kStaffRead | kTechnician,
       "The caller's token: its id, role, name and technician",
       bind(s, whoami),
       200,
       {.response = sc::object_schema({sc::id("token_id"), token_body::role, token_body::name,
                                       sc::optional_id("technician_id")})}});
  routes.push_back({"GET",
                    "/api/v1/tokens",
                    kAdmin,
                    "List tokens (never their values)",
                    bind(s, list_tokens),
                    200,
                    {.response = sc::page_of(sc::ref("Token")), .query = page_query()}});
  routes.push_back({"DELETE",
                    "/api/v1/tokens/{id}",
                    kAdmin,
                    "Revoke a token; its next request is 401",
                    bind(s, revoke_token),
                    204,
                    {.response = nullptr}});
}

}  // namespace fieldserve::server
