#include "dispatch/calendar.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/api/support.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// Reads the fields a center may have; on PATCH (`creating` false) every field is optional.
Result<void> read_center(FieldReader& r, Center& c, bool creating) {
  if (auto v = r.text("name", creating, 200)) c.name = *v;
  if (auto v = r.location("location", creating)) c.location = *v;
  if (auto v = r.text("time_zone", creating, 64)) {
    if (dispatch::is_known_time_zone(*v)) c.time_zone = *v;
    else r.problem("time_zone", "is not an IANA time zone such as Asia/Shanghai");
  }
  if (r.has("business_hours") && !r.is_null("business_hours")) {
    if (auto v = r.weekly_hours("business_hours", false)) {
      bool open = std::any_of(v->begin(), v->end(), [](const auto& d) { return d.has_value(); });
      if (open) c.business_hours = *v;
      else r.problem("business_hours", "must open on at least one weekday");
    }
  } else {
    r.accept("business_hours");
  }
  return r.finish();
}

Result<Reply> create_center(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  Center c;
  FieldReader r(*body);
  if (auto ok = read_center(r, c, true); !ok) return std::unexpected(ok.error());
  auto now = s.clock.now();
  return app::write(s.store, [&](store::Tx& tx, app::Effects& fx) -> Result<Reply> {
    c.id = tx.insert_center(c);
    s.writer.rehome_sites(tx, fx, site_auditor(s, tx, req.who().actor(), now));
    return json_reply(center_json(*tx.center(c.id)), 201);
  });
}

Result<Reply> get_center(Services& s, RouteRequest& req) {
  auto c = s.store.read([&](store::Tx& tx) { return tx.center(req.path_id()); });
  if (!c) return not_found("center", req.path_id());
  return json_reply(center_json(*c));
}

Result<Reply> list_centers(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  auto rows = s.store.read([&](store::Tx& tx) { return tx.centers(*page); });
  return list_reply(rows, *page, center_json);
}

Result<Reply> patch_center(Services& s, RouteRequest& req) {
  auto now = s.clock.now();
  auto load = [](store::Tx& tx, CenterId id) { return tx.center(id); };
  return versioned_patch(
      s, req, "center", load,
      [&](store::Tx& tx, app::Effects& fx, Center& c, const json& body) -> Result<Reply> {
        auto before = c;
        FieldReader r(body);
        if (auto ok = read_center(r, c, false); !ok) return std::unexpected(ok.error());
        if (!tx.update_center(c)) return changed_meanwhile();
        if (!(before.location == c.location))
          s.writer.rehome_sites(tx, fx, site_auditor(s, tx, req.who().actor(), now));
        if (before.time_zone != c.time_zone || before.business_hours != c.business_hours) {
          store::JobFilter filter;
          filter.center_id = c.id;
          s.writer.refresh_open_jobs(tx, fx, filter);
        }
        return json_reply(center_json(*tx.center(c.id)));
      });
}

}  // namespace

void add_center_routes(RouteTable& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/centers", kOperate, "Create a service center",
                    bind(s, create_center), 201});
  routes.push_back({"GET", "/api/v1/centers", kStaffRead, "List service centers",
                    bind(s, list_centers)});
  routes.push_back({"GET", "/api/v1/centers/{id}", kStaffRead, "Read a service center",
                    bind(s, get_center)});
  routes.push_back({"PATCH", "/api/v1/centers/{id}", kOperate, "Change a service center (If-Match)",
                    bind(s, patch_center)});
}

}  // namespace fieldserve::server
