#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
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
  auto created = s.places.create_customer(req.who(), std::move(c));
  if (!created) return std::unexpected(created.error());
  return json_reply(customer_json(*created), 201);
}

Result<Reply> get_customer(Services& s, RouteRequest& req) {
  auto c = s.places.customer(req.path_id());
  if (!c) return std::unexpected(c.error());
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
  return list_reply(s.places.customers(*page, tier), *page, customer_json);
}

Result<Reply> patch_customer(Services& s, RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  auto changed = s.places.patch_customer(req.who(), req.path_id(), *if_match, [&](Customer& c) {
    FieldReader r(*body);
    return read_customer(r, c, false);
  });
  if (!changed) return std::unexpected(changed.error());
  return json_reply(customer_json(*changed));
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
