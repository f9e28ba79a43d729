#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// What a customer's create and PATCH bodies may hold (every field is optional on PATCH).
namespace customer_body {
const schema::Field name = schema::text("name", 200);
const schema::Field account_tier = schema::optional(schema::enumeration(
    "account_tier", names_of({AccountTier::key, AccountTier::standard}), "default standard"));
const schema::Field contact_name = schema::optional(schema::text("name", 200));
const schema::Field contact_phone = schema::optional(schema::text("phone", 50));
const schema::Field contact_email = schema::optional(schema::text("email", 254,
                                                                  "an e-mail address, or empty"));
const schema::Field contact = schema::optional(schema::object(
    "contact", schema::object_schema({contact_name, contact_phone, contact_email}, true)));
const schema::Field notes = schema::optional(schema::text("notes", 4000));
const std::vector<schema::Field> all{name, account_tier, contact, notes};
}  // namespace customer_body

Result<void> read_customer(FieldReader& r, Customer& c, bool creating) {
  if (auto v = r.text(customer_body::name, creating)) c.name = *v;
  if (auto v = r.one_of(customer_body::account_tier, creating, parse_account_tier))
    c.account_tier = *v;
  if (const json* contact = r.object(customer_body::contact, creating)) {
    FieldReader cr(*contact, "contact");
    if (auto v = cr.text(customer_body::contact_name, false)) c.contact.name = *v;
    if (auto v = cr.text(customer_body::contact_phone, false)) c.contact.phone = *v;
    if (auto v = cr.text(customer_body::contact_email, false)) {
      if (!v->empty() && (v->find('@') == std::string::npos || v->find(' ') != std::string::npos)) {
        cr.problem(customer_body::contact_email, "is not an e-mail address");
      } else {
        c.contact.email = *v;
      }
    }
    r.merge(cr);
  }
  if (auto v = r.text(customer_body::notes, creating)) c.notes = *v;
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
  auto customer = schema::ref("Customer");
  routes.push_back({"POST",
                    "/api/v1/customers",
                    kOperate,
                    "Create a customer",
                    bind(s, create_customer),
                    201,
                    {.request = schema::object_schema(customer_body::all), .response = customer}});
  routes.push_back({"GET",
                    "/api/v1/customers",
                    kStaffRead,
                    "List customers (filter: account_tier)",
                    bind(s, list_customers),
                    200,
                    {.response = schema::page_of(customer),
                     .query = page_query_with({customer_body::account_tier})}});
  routes.push_back({"GET",
                    "/api/v1/customers/{id}",
                    kStaffRead,
                    "Read a customer",
                    bind(s, get_customer),
                    200,
                    {.response = customer}});
  routes.push_back({"PATCH",
                    "/api/v1/customers/{id}",
                    kOperate,
                    "Change a customer (If-Match)",
                    bind(s, patch_customer),
                    200,
                    {.request = schema::object_schema(customer_body::all, true),
                     .response = customer}});
}

}  // namespace fieldserve::server
