#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// What a technician's create and PATCH bodies may hold (every field is optional on PATCH).
namespace technician_body {
const schema::Field name = schema::text("name", 200);
const schema::Field skills = schema::skills("skills");
const schema::Field home_center_id = schema::id("home_center_id");
const schema::Field location = schema::optional(schema::nullable(
    schema::object("location", location_schema(), "where it is now; null: unknown")));
const schema::Field max_open_jobs = schema::optional(schema::integer("max_open_jobs", 1, 100,
                                                                     "default 6"));
const schema::Field active = schema::optional(schema::boolean("active", "default true"));
const schema::Field shift = schema::object("shift", weekly_hours_schema());
const std::vector<schema::Field> all{name,          skills, home_center_id, location,
                                     max_open_jobs, active, shift};
}  // namespace technician_body

Result<void> read_technician(FieldReader& r, Technician& t, bool creating, Instant now) {
  if (auto v = r.text(technician_body::name, creating)) t.name = *v;
  if (auto v = r.skills(technician_body::skills, creating)) t.skills = *v;
  if (auto v = r.integer(technician_body::home_center_id, creating)) t.home_center_id = *v;
  if (r.is_null(technician_body::location)) {
    r.accept(technician_body::location);
    t.location.reset();
    t.location_at.reset();
  } else if (auto v = r.location(technician_body::location, creating)) {
    t.location = *v;
    t.location_at = now;
  }
  if (auto v = r.integer(technician_body::max_open_jobs, creating))
    t.max_open_jobs = static_cast<int>(*v);
  if (auto v = r.boolean(technician_body::active, creating)) t.active = *v;
  if (auto v = r.weekly_hours(technician_body::shift, creating)) t.shift = *v;
  return r.finish();
}

Result<Reply> create_technician(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  Technician t;
  FieldReader r(*body);
  if (auto ok = read_technician(r, t, true, s.clock.now()); !ok) {
    return std::unexpected(ok.error());
  }
  auto created = s.places.create_technician(req.who(), std::move(t));
  if (!created) return std::unexpected(created.error());
  return json_reply(technician_json(*created), 201);
}

Result<Reply> get_technician(Services& s, RouteRequest& req) {
  auto t = s.places.technician(req.who(), req.path_id());
  if (!t) return std::unexpected(t.error());
  return json_reply(technician_json(*t));
}

Result<Reply> list_technicians(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  store::TechnicianFilter filter;
  auto center = req.query_id("home_center_id");
  if (!center) return std::unexpected(center.error());
  filter.home_center_id = *center;
  if (auto active = req.query("active")) {
    if (*active != "true" && *active != "false") {
      return fail(ErrorCode::bad_request, "active must be true or false");
    }
    filter.active = *active == "true";
  }
  filter.skill = req.query("skill");
  return list_reply(s.places.technicians(*page, filter), *page, technician_json);
}

Result<Reply> patch_technician(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto now = s.clock.now();
  auto changed = s.places.patch_technician(req.who(), req.path_id(), *if_match, [&](Technician& t) {
    FieldReader r(*body);
    return read_technician(r, t, false, now);
  });
  if (!changed) return std::unexpected(changed.error());
  return json_reply(technician_json(*changed));
}

}  // namespace

void add_technician_routes(RouteTable& routes, Services& s) {
  auto technician = schema::ref("Technician");
  routes.push_back({"POST",
                    "/api/v1/technicians",
                    kOperate,
                    "Create a technician",
                    bind(s, create_technician),
                    201,
                    {.request = schema::object_schema(technician_body::all),
                     .response = technician}});
  routes.push_back({"GET",
                    "/api/v1/technicians",
                    kStaffRead,
                    "List technicians (filters: home_center_id, active, skill)",
                    bind(s, list_technicians),
                    200,
                    {.response = schema::page_of(technician),
                     .query = page_query_with({technician_body::home_center_id,
                                               schema::enumeration("active", {"true", "false"}),
                                               schema::text("skill", 64)})}});
  routes.push_back({"GET",
                    "/api/v1/technicians/{id}",
                    kStaffRead | kTechnician,
                    "Read a technician (a technician token: only its own)",
                    bind(s, get_technician),
                    200,
                    {.response = technician}});
  routes.push_back({"PATCH",
                    "/api/v1/technicians/{id}",
                    kOperate,
                    "Change a technician (If-Match)",
                    bind(s, patch_technician),
                    200,
                    {.request = schema::object_schema(technician_body::all, true),
                     .response = technician}});
}

}  // namespace fieldserve::server
