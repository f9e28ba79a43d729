#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/api/support.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

Result<void> read_customer(FieldReader& r, Customer& c, bool creating) {
  if (auto v = r.text("name", creating, 200)) c.name = *v;
  if (auto v = r.one_of("account_tier", false, parse_account_tier, "key, standard")) {
    c.account_tier = *v;
  }
  if (const json* contact = r.object("contact", false)) {
    FieldReader cr(*contact, "contact");
    if (auto v = cr.text("name", false, 200, true)) c.contact.name = *v;
    if (auto v = cr.text("phone", false, 50, true)) c.contact.phone = *v;
    if (auto v = cr.text("email", false, 254, true)) {
      if (!v->empty() && (v->find('@') == std::string::npos || v->find(' ') != std::string::npos)) {
        cr.problem("email", "is not an e-mail address");
      } else {
        c.contact.email = *v;
      }
    }
    r.merge(cr);
  }
  if (auto v = r.text("notes", false, 4000, true)) c.notes = *v;
  return r.finish();
}

Result<Reply> create_customer(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  Customer c;
  FieldReader r(*body);
  if (auto ok = read_customer(r, c, true); !ok) return std::unexpected(ok.error());
  auto now = s.clock.now();
  return s.store.write([&](store::Tx& tx) -> Result<Reply> {
    c.id = tx.insert_customer(c);
    auto stored = customer_json(*tx.customer(c.id));
    record_changes(tx, "customer", c.id, "create", json::object(), stored, req.who().actor(), now);
    return json_reply(stored, 201);
  });
}

Result<Reply> get_customer(Services& s, RouteRequest& req) {
  auto c = s.store.read([&](store::Tx& tx) { return tx.customer(req.path_id()); });
  if (!c) return not_found("customer", req.path_id());
  return json_reply(customer_json(*c));
}

Result<Reply> list_customers(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  std::optional<AccountTier> tier;
  if (auto t = req.query("account_tier")) {
    tier = parse_account_tier(*t);
    if (!tier) return fail(ErrorCode::bad_request, "account_tier must be key or standard");
  }
  auto rows = s.store.read([&](store::Tx& tx) { return tx.customers(*page, tier); });
  return list_reply(rows, *page, customer_json);
}

Result<Reply> patch_customer(Services& s, RouteRequest& req) {
  auto now = s.clock.now();
  auto load = [](store::Tx& tx, CustomerId id) { return tx.customer(id); };
  return versioned_patch(
      s, req, "customer", load,
      [&](store::Tx& tx, app::Effects&, Customer& c, const json& body) -> Result<Reply> {
        auto before = customer_json(c);
        FieldReader r(body);
        if (auto ok = read_customer(r, c, false); !ok) return std::unexpected(ok.error());
        if (!tx.update_customer(c)) return changed_meanwhile();
        auto after = customer_json(*tx.customer(c.id));
        record_changes(tx, "customer", c.id, "update", before, after, req.who().actor(), now);
        return json_reply(after);
      });
}

}  // namespace

void add_customer_routes(RouteTable& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/customers", kOperate, "Create a customer",
                    bind(s, create_customer), 201});
  routes.push_back({"GET", "/api/v1/customers", kStaffRead, "List customers",
                    bind(s, list_customers)});
  routes.push_back({"GET", "/api/v1/customers/{id}", kStaffRead, "Read a customer",
                    bind(s, get_customer)});
  routes.push_back({"PATCH", "/api/v1/customers/{id}", kOperate, "Change a customer (If-Match)",
                    bind(s, patch_customer)});
}

}  // namespace fieldserve::server
