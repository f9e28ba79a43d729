#include "dispatch/site_placement.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/api/support.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

struct SiteInput {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> address;
  std::optional<geo::LatLon> location;
  bool center_given = false;
  std::optional<CenterId> center_id;  // given and null: back to the nearest center
};

Result<SiteInput> read_site(const json& body, bool creating) {
  FieldReader r(body);
  SiteInput in;
  in.customer_id = r.integer("customer_id", creating, 1, INT64_MAX);
  in.address = r.text("address", creating, 500);
  in.location = r.location("location", creating);
  in.center_given = r.has("center_id");
  in.center_id = r.integer("center_id", false, 1, INT64_MAX);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  return in;
}

// Applies the input to `site` inside the transaction: checks references and places the site.
Result<void> apply(store::Tx& tx, const SiteInput& in, Site& site) {
  if (in.customer_id) {
    if (!tx.customer(*in.customer_id)) {
      return fail(ErrorCode::unknown_reference,
                  "customer_id " + std::to_string(*in.customer_id) + " does not exist");
    }
    site.customer_id = *in.customer_id;
  }
  if (in.address) site.address = *in.address;
  if (in.location) site.location = *in.location;
  if (in.center_given) site.center_explicit = in.center_id.has_value();
  std::optional<CenterId> wanted = site.center_explicit
                                       ? (in.center_id ? in.center_id
                                                       : std::optional(site.center_id))
                                       : std::nullopt;
  auto centers = tx.all_centers();
  auto placement = dispatch::place_site(site.location, centers, wanted);
  if (!placement) {
    if (wanted) {
      return fail(ErrorCode::unknown_reference,
                  "center_id " + std::to_string(*wanted) + " does not exist");
    }
    return fail(ErrorCode::conflict, "create a service center before the first site");
  }
  site.center_id = placement->center_id;
  site.distance_km = placement->distance_km;
  return {};
}

Result<Reply> create_site(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto in = read_site(*body, true);
  if (!in) return std::unexpected(in.error());
  auto now = s.clock.now();
  auto policy = s.policy.policy();
  return s.store.write([&](store::Tx& tx) -> Result<Reply> {
    Site site;
    if (auto ok = apply(tx, *in, site); !ok) return std::unexpected(ok.error());
    site.id = tx.insert_site(site);
    auto stored = site_json(*tx.site(site.id), policy);
    record_changes(tx, "site", site.id, "create", json::object(), stored, req.who().actor(), now);
    return json_reply(stored, 201);
  });
}

Result<Reply> get_site(Services& s, RouteRequest& req) {
  auto site = s.store.read([&](store::Tx& tx) { return tx.site(req.path_id()); });
  if (!site) return not_found("site", req.path_id());
  return json_reply(site_json(*site, s.policy.policy()));
}

Result<Reply> list_sites(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  auto customer = req.query_int("customer_id");
  if (!customer) return std::unexpected(customer.error());
  auto center = req.query_int("center_id");
  if (!center) return std::unexpected(center.error());
  auto policy = s.policy.policy();
  auto rows = s.store.read([&](store::Tx& tx) { return tx.sites(*page, *customer, *center); });
  return list_reply(rows, *page, [&](const Site& site) { return site_json(site, policy); });
}

Result<Reply> patch_site(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto in = read_site(*body, false);
  if (!in) return std::unexpected(in.error());
  auto now = s.clock.now();
  auto policy = s.policy.policy();
  return app::write(s.store, [&](store::Tx& tx, app::Effects& fx) -> Result<Reply> {
    auto site = tx.site(req.path_id());
    if (!site) return not_found("site", req.path_id());
    if (auto ok = check_version(*if_match, site->version); !ok) return std::unexpected(ok.error());
    auto before = site_json(*site, policy);
    if (auto ok = apply(tx, *in, *site); !ok) return std::unexpected(ok.error());
    if (!tx.update_site(*site)) return changed_meanwhile();
    auto after = site_json(*tx.site(site->id), policy);
    record_changes(tx, "site", site->id, "update", before, after, req.who().actor(), now);
    store::JobFilter filter;
    filter.site_id = site->id;
    s.writer.refresh_open_jobs(tx, fx, filter);
    return json_reply(after);
  });
}

}  // namespace

void add_site_routes(RouteTable& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/sites", kOperate,
                    "Create a site; its center is the nearest unless center_id is given",
                    bind(s, create_site), 201});
  routes.push_back({"GET", "/api/v1/sites", kStaffRead,
                    "List sites (filters: customer_id, center_id)", bind(s, list_sites)});
  routes.push_back({"GET", "/api/v1/sites/{id}", kStaffRead, "Read a site", bind(s, get_site)});
  routes.push_back({"PATCH", "/api/v1/sites/{id}", kOperate,
                    "Change a site (If-Match); open jobs get new due times", bind(s, patch_site)});
}

}  // namespace fieldserve::server
