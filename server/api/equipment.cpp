#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/api/support.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

Result<void> read_equipment(FieldReader& r, Equipment& e, bool creating, Instant now) {
  if (auto v = r.integer("site_id", creating, 1, INT64_MAX)) e.site_id = *v;
  if (auto v = r.text("model", creating, 200)) e.model = *v;
  if (auto v = r.text("serial", creating, 100)) e.serial = *v;
  if (auto v = r.instant("sold_at", creating)) {
    if (*v > now) r.problem("sold_at", "must not be in the future");
    else e.sold_at = *v;
  }
  if (r.is_null("installed_at")) {
    r.accept("installed_at");
    e.installed_at.reset();
  } else if (auto v = r.instant("installed_at", false)) {
    e.installed_at = *v;
  }
  if (auto v = r.integer("warranty_months", false, 0, 240))
    e.warranty_months = static_cast<int>(*v);
  if (e.installed_at && e.sold_at.time_since_epoch().count() != 0 && *e.installed_at < e.sold_at) {
    r.problem("installed_at", "must not be before sold_at");
  }
  return r.finish();
}

Result<void> check_references(store::Tx& tx, const Equipment& e) {
  if (!tx.site(e.site_id)) {
    return fail(ErrorCode::unknown_reference,
                "site_id " + std::to_string(e.site_id) + " does not exist");
  }
  if (tx.serial_taken(e.model, e.serial, e.id)) {
    return fail(ErrorCode::conflict, "equipment " + e.model + " " + e.serial + " already exists");
  }
  return {};
}

Result<Reply> create_equipment(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto now = s.clock.now();
  Equipment e;
  FieldReader r(*body);
  if (auto ok = read_equipment(r, e, true, now); !ok) return std::unexpected(ok.error());
  return s.store.write([&](store::Tx& tx) -> Result<Reply> {
    if (auto ok = check_references(tx, e); !ok) return std::unexpected(ok.error());
    e.id = tx.insert_equipment(e);
    auto stored = equipment_json(*tx.equipment(e.id));
    record_changes(tx, "equipment", e.id, "create", json::object(), stored, req.who().actor(), now);
    return json_reply(stored, 201);
  });
}

Result<Reply> get_equipment(Services& s, RouteRequest& req) {
  auto e = s.store.read([&](store::Tx& tx) { return tx.equipment(req.path_id()); });
  if (!e) return not_found("equipment", req.path_id());
  return json_reply(equipment_json(*e));
}

Result<Reply> list_equipment(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  auto site = req.query_int("site_id");
  if (!site) return std::unexpected(site.error());
  auto rows = s.store.read([&](store::Tx& tx) { return tx.equipment_list(*page, *site); });
  return list_reply(rows, *page, equipment_json);
}

Result<Reply> patch_equipment(Services& s, RouteRequest& req) {
  auto now = s.clock.now();
  auto load = [](store::Tx& tx, EquipmentId id) { return tx.equipment(id); };
  return versioned_patch(
      s, req, "equipment", load,
      [&](store::Tx& tx, app::Effects&, Equipment& e, const json& body) -> Result<Reply> {
        auto before = equipment_json(e);
        FieldReader r(body);
        if (auto ok = read_equipment(r, e, false, now); !ok) return std::unexpected(ok.error());
        if (auto ok = check_references(tx, e); !ok) return std::unexpected(ok.error());
        if (!tx.update_equipment(e)) return changed_meanwhile();
        auto after = equipment_json(*tx.equipment(e.id));
        record_changes(tx, "equipment", e.id, "update", before, after, req.who().actor(), now);
        return json_reply(after);
      });
}

}  // namespace

void add_equipment_routes(RouteTable& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/equipment", kOperate,
                    "Register a piece of equipment at a site", bind(s, create_equipment), 201});
  routes.push_back({"GET", "/api/v1/equipment", kStaffRead, "List equipment (filter: site_id)",
                    bind(s, list_equipment)});
  routes.push_back({"GET", "/api/v1/equipment/{id}", kStaffRead, "Read a piece of equipment",
                    bind(s, get_equipment)});
  routes.push_back({"PATCH", "/api/v1/equipment/{id}", kOperate,
                    "Change a piece of equipment (If-Match)", bind(s, patch_equipment)});
}

}  // namespace fieldserve::server
