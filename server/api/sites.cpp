#include "dispatch/site_placement.h"
#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// What a site's create and PATCH bodies may hold (every field is optional on PATCH).
namespace site_body {
const schema::Field customer_id = schema::id("customer_id");
const schema::Field address = schema::text("address", 500);
const schema::Field location = schema::object("location", location_schema());
const schema::Field center_id = schema::optional(schema::optional_id(
    "center_id", "a center to serve the site; absent or null: the nearest center"));
const std::vector<schema::Field> all{customer_id, address, location, center_id};
}  // namespace site_body

Result<app::SiteChanges> read_site(const json& object, bool creating) {
  FieldReader r(object);
  app::SiteChanges in;
  in.customer_id = r.integer(site_body::customer_id, creating);
  in.address = r.text(site_body::address, creating);
  in.location = r.location(site_body::location, creating);
  in.center_given = r.has(site_body::center_id);
  in.center_id = r.integer(site_body::center_id, creating);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  return in;
}

Result<Reply> create_site(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto in = read_site(*body, true);
  if (!in) return std::unexpected(in.error());
  auto created = s.places.create_site(req.who(), *in);
  if (!created) return std::unexpected(created.error());
  return json_reply(site_json(*created, s.policy.policy()), 201);
}

Result<Reply> get_site(Services& s, RouteRequest& req) {
  auto site = s.places.site(req.path_id());
  if (!site) return std::unexpected(site.error());
  return json_reply(site_json(*site, s.policy.policy()));
}

Result<Reply> list_sites(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  auto customer = req.query_id("customer_id");
  if (!customer) return std::unexpected(customer.error());
  auto center = req.query_id("center_id");
  if (!center) return std::unexpected(center.error());
  auto policy = s.policy.policy();
  return list_reply(s.places.sites(*page, *customer, *center), *page,
                    [&](const Site& site) { return site_json(site, policy); });
}

Result<Reply> patch_site(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto in = read_site(*body, false);
  if (!in) return std::unexpected(in.error());
  auto changed = s.places.patch_site(req.who(), req.path_id(), *if_match, *in);
  if (!changed) return std::unexpected(changed.error());
  return json_reply(site_json(*changed, s.policy.policy()));
}

}  // namespace

void add_site_routes(RouteTable& routes, Services& s) {
  auto site = schema::ref("Site");
  routes.push_back(
      {"POST",
       "/api/v1/sites",
       kOperate,
       "Create a site; its center is the nearest unless center_id is given",
       bind(s, create_site),
       201,
       {.request = schema::object_schema(site_body::all), .response = site, .errors = {409}}});
  routes.push_back({"GET",
                    "/api/v1/sites",
                    kStaffRead,
                    "List sites (filters: customer_id, center_id)",
                    bind(s, list_sites),
                    200,
                    {.response = schema::page_of(site),
                     .query = page_query_with({site_body::customer_id, schema::id("center_id")})}});
  routes.push_back({"GET",
                    "/api/v1/sites/{id}",
                    kStaffRead,
                    "Read a site",
                    bind(s, get_site),
                    200,
                    {.response = site}});
  routes.push_back({"PATCH",
                    "/api/v1/sites/{id}",
                    kOperate,
                    "Change a site (If-Match); open jobs get new due times",
                    bind(s, patch_site),
                    200,
                    {.request = schema::object_schema(site_body::all, true),
                     .response = site,
                     .errors = {409}}});
}

}  // namespace fieldserve::server
