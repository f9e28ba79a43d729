#include "dispatch/calendar.h"
#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// What a center's create and PATCH bodies may hold (every field is optional on PATCH).
namespace center_body {
const schema::Field name = schema::text("name", 200);
const schema::Field location = schema::object("location", location_schema());
const schema::Field time_zone = schema::text("time_zone", 64, "IANA time zone, e.g. Asia/Shanghai");
const schema::Field business_hours = schema::optional(schema::nullable(schema::object(
    "business_hours", weekly_hours_schema(), "null or absent: Monday to Friday 08:00-18:00")));
const std::vector<schema::Field> all{name, location, time_zone, business_hours};
}  // namespace center_body

Result<void> read_center(FieldReader& r, Center& c, bool creating) {
  if (auto v = r.text(center_body::name, creating)) c.name = *v;
  if (auto v = r.location(center_body::location, creating)) c.location = *v;
  if (auto v = r.text(center_body::time_zone, creating)) {
    if (dispatch::is_known_time_zone(*v)) c.time_zone = *v;
    else r.problem(center_body::time_zone, "is not an IANA time zone such as Asia/Shanghai");
  }
  if (r.has(center_body::business_hours) && !r.is_null(center_body::business_hours)) {
    if (auto v = r.weekly_hours(center_body::business_hours, false)) {
      bool open = std::any_of(v->begin(), v->end(), [](const auto& d) { return d.has_value(); });
      if (open) c.business_hours = *v;
      else r.problem(center_body::business_hours, "must open on at least one weekday");
    }
  } else {
    r.accept(center_body::business_hours);
  }
  return r.finish();
}

Result<Reply> create_center(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  Center c;
  FieldReader r(*body);
  if (auto ok = read_center(r, c, true); !ok) return std::unexpected(ok.error());
  auto created = s.places.create_center(req.who(), std::move(c));
  if (!created) return std::unexpected(created.error());
  return json_reply(center_json(*created), 201);
}

Result<Reply> get_center(Services& s, RouteRequest& req) {
  auto c = s.places.center(req.path_id());
  if (!c) return std::unexpected(c.error());
  return json_reply(center_json(*c));
}

Result<Reply> list_centers(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  return list_reply(s.places.centers(*page), *page, center_json);
}

Result<Reply> patch_center(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto changed = s.places.patch_center(req.who(), req.path_id(), *if_match, [&](Center& c) {
    FieldReader r(*body);
    return read_center(r, c, false);
  });
  if (!changed) return std::unexpected(changed.error());
  return json_reply(center_json(*changed));
}

}  // namespace

void add_center_routes(RouteTable& routes, Services& s) {
  auto center = schema::ref("Center");
  routes.push_back({"POST",
                    "/api/v1/centers",
                    kOperate,
                    "Create a service center",
                    bind(s, create_center),
                    201,
                    {.request = schema::object_schema(center_body::all), .response = center}});
  routes.push_back({"GET",
                    "/api/v1/centers",
                    kStaffRead,
                    "List service centers",
                    bind(s, list_centers),
                    200,
                    {.response = schema::page_of(center), .query = page_query()}});
  routes.push_back({"GET",
                    "/api/v1/centers/{id}",
                    kStaffRead,
                    "Read a service center",
                    bind(s, get_center),
                    200,
                    {.response = center}});
  routes.push_back({"PATCH",
                    "/api/v1/centers/{id}",
                    kOperate,
                    "Change a service center (If-Match)",
                    bind(s, patch_center),
                    200,
                    {.request = schema::object_schema(center_body::all, true),
                     .response = center}});
}

}  // namespace fieldserve::server
