#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/api/support.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

Result<void> read_technician(FieldReader& r, Technician& t, bool creating, Instant now) {
  if (auto v = r.text("name", creating, 200)) t.name = *v;
  if (auto v = r.skills("skills", creating)) t.skills = *v;
  if (auto v = r.integer("home_center_id", creating, 1, INT64_MAX)) t.home_center_id = *v;
  if (r.is_null("location")) {
    r.accept("location");
    t.location.reset();
    t.location_at.reset();
  } else if (auto v = r.location("location", false)) {
    t.location = *v;
    t.location_at = now;
  }
  if (auto v = r.integer("max_open_jobs", false, 1, 100)) t.max_open_jobs = static_cast<int>(*v);
  if (auto v = r.boolean("active", false)) t.active = *v;
  if (auto v = r.weekly_hours("shift", creating)) t.shift = *v;
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
  return app::write(s.store, [&](store::Tx& tx, app::Effects& fx) -> Result<Reply> {
    if (!tx.center(t.home_center_id)) {
      return fail(ErrorCode::unknown_reference,
                  "home_center_id " + std::to_string(t.home_center_id) + " does not exist");
    }
    t.id = tx.insert_technician(t);
    s.dispatcher.technician_changed(tx, fx, t);
    return json_reply(technician_json(*tx.technician(t.id)), 201);
  });
}

Result<Reply> get_technician(Services& s, RouteRequest& req) {
  if (req.is_technician() && req.who().technician_id != req.path_id()) {
    return fail(ErrorCode::forbidden, "a technician token reads only its own technician");
  }
  auto t = s.store.read([&](store::Tx& tx) { return tx.technician(req.path_id()); });
  if (!t) return not_found("technician", req.path_id());
  return json_reply(technician_json(*t));
}

Result<Reply> list_technicians(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  store::TechnicianFilter filter;
  auto center = req.query_int("home_center_id");
  if (!center) return std::unexpected(center.error());
  filter.home_center_id = *center;
  if (auto active = req.query("active")) {
    if (*active != "true" && *active != "false") {
      return fail(ErrorCode::bad_request, "active must be true or false");
    }
    filter.active = *active == "true";
  }
  filter.skill = req.query("skill");
  auto rows = s.store.read([&](store::Tx& tx) { return tx.technicians(*page, filter); });
  return list_reply(rows, *page, technician_json);
}

Result<Reply> patch_technician(Services& s, RouteRequest& req) {
  auto now = s.clock.now();
  auto load = [](store::Tx& tx, TechnicianId id) { return tx.technician(id); };
  return versioned_patch(
      s, req, "technician", load,
      [&](store::Tx& tx, app::Effects& fx, Technician& t, const json& body) -> Result<Reply> {
        FieldReader r(body);
        if (auto ok = read_technician(r, t, false, now); !ok) return std::unexpected(ok.error());
        if (!tx.center(t.home_center_id)) {
          return fail(ErrorCode::unknown_reference,
                      "home_center_id " + std::to_string(t.home_center_id) + " does not exist");
        }
        if (!tx.update_technician(t)) return changed_meanwhile();
        s.dispatcher.technician_changed(tx, fx, t);
        return json_reply(technician_json(*tx.technician(t.id)));
      });
}

}  // namespace

void add_technician_routes(RouteTable& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/technicians", kOperate, "Create a technician",
                    bind(s, create_technician), 201});
  routes.push_back({"GET", "/api/v1/technicians", kStaffRead,
                    "List technicians (filters: home_center_id, active, skill)",
                    bind(s, list_technicians)});
  routes.push_back({"GET", "/api/v1/technicians/{id}", kStaffRead | kTechnician,
                    "Read a technician (a technician token: only its own)",
                    bind(s, get_technician)});
  routes.push_back({"PATCH", "/api/v1/technicians/{id}", kOperate, "Change a technician (If-Match)",
                    bind(s, patch_technician)});
}

}  // namespace fieldserve::server
