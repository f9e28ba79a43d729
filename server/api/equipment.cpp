#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// What equipment's create and PATCH bodies may hold (every field is optional on PATCH).
namespace equipment_body {
const schema::Field site_id = schema::id("site_id");
const schema::Field model = schema::text("model", 200);
const schema::Field serial = schema::text("serial", 100, "unique per model");
const schema::Field sold_at = schema::timestamp("sold_at", "not in the future");
const schema::Field installed_at = schema::optional(
    schema::nullable(schema::timestamp("installed_at", "not before sold_at; null clears it")));
const schema::Field warranty_months = schema::optional(schema::integer("warranty_months", 0, 240,
                                                                       "default 12"));
const std::vector<schema::Field> all{site_id, model,        serial,
                                     sold_at, installed_at, warranty_months};
}  // namespace equipment_body

Result<void> read_equipment(FieldReader& r, Equipment& e, bool creating, Instant now) {
  if (auto v = r.integer(equipment_body::site_id, creating)) e.site_id = *v;
  if (auto v = r.text(equipment_body::model, creating)) e.model = *v;
  if (auto v = r.text(equipment_body::serial, creating)) e.serial = *v;
  if (auto v = r.instant(equipment_body::sold_at, creating)) {
    if (*v > now) r.problem(equipment_body::sold_at, "must not be in the future");
    else e.sold_at = *v;
  }
  if (r.is_null(equipment_body::installed_at)) {
    r.accept(equipment_body::installed_at);
    e.installed_at.reset();
  } else if (auto v = r.instant(equipment_body::installed_at, creating)) {
    e.installed_at = *v;
  }
  if (auto v = r.integer(equipment_body::warranty_months, creating)) {
    e.warranty_months = static_cast<int>(*v);
  }
  if (e.installed_at && e.sold_at.time_since_epoch().count() != 0 && *e.installed_at < e.sold_at) {
    r.problem(equipment_body::installed_at, "must not be before sold_at");
  }
  return r.finish();
}

Result<Reply> create_equipment(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  Equipment e;
  FieldReader r(*body);
  if (auto ok = read_equipment(r, e, true, s.clock.now()); !ok) return std::unexpected(ok.error());
  auto created = s.places.create_equipment(req.who(), std::move(e));
  if (!created) return std::unexpected(created.error());
  return json_reply(equipment_json(*created), 201);
}

Result<Reply> get_equipment(Services& s, RouteRequest& req) {
  auto e = s.places.equipment(req.path_id());
  if (!e) return std::unexpected(e.error());
  return json_reply(equipment_json(*e));
}

Result<Reply> list_equipment(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  auto site = req.query_id("site_id");
  if (!site) return std::unexpected(site.error());
  return list_reply(s.places.equipment_list(*page, *site), *page, equipment_json);
}

Result<Reply> patch_equipment(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto now = s.clock.now();
  auto changed = s.places.patch_equipment(req.who(), req.path_id(), *if_match, [&](Equipment& e) {
    FieldReader r(*body);
    return read_equipment(r, e, false, now);
  });
  if (!changed) return std::unexpected(changed.error());
  return json_reply(equipment_json(*changed));
}

}  // namespace

void add_equipment_routes(RouteTable& routes, Services& s) {
  auto equipment = schema::ref("Equipment");
  routes.push_back({"POST",
                    "/api/v1/equipment",
                    kOperate,
                    "Register a piece of equipment at a site",
                    bind(s, create_equipment),
                    201,
                    {.request = schema::object_schema(equipment_body::all),
                     .response = equipment,
                     .errors = {409}}});
  routes.push_back({"GET",
                    "/api/v1/equipment",
                    kStaffRead,
                    "List equipment (filter: site_id)",
                    bind(s, list_equipment),
                    200,
                    {.response = schema::page_of(equipment),
                     .query = page_query_with({equipment_body::site_id})}});
  routes.push_back({"GET",
                    "/api/v1/equipment/{id}",
                    kStaffRead,
                    "Read a piece of equipment",
                    bind(s, get_equipment),
                    200,
                    {.response = equipment}});
  routes.push_back({"PATCH",
                    "/api/v1/equipment/{id}",
                    kOperate,
                    "Change a piece of equipment (If-Match)",
                    bind(s, patch_equipment),
                    200,
                    {.request = schema::object_schema(equipment_body::all, true),
                     .response = equipment,
                     .errors = {409}}});
}

}  // namespace fieldserve::server
