// Warranty: a unit's entitlement for a fault, and exchanges (docs/after-sales.md, "Warranty").
#include "server/api/handlers.h"
#include "server/api/json/job_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

namespace warranty_body {
const schema::Field at = schema::optional(
    schema::timestamp("at", "default now; not before the sale, not in the future"));
const schema::Field note = schema::optional(schema::text("note", 1000));
}  // namespace warranty_body

json remedies_json(WarrantyBasis basis) {
  json out = json::array();
  for (auto r : remedies_for(basis)) out.push_back(std::string(to_string(r)));
  return out;
}

Result<Reply> get_warranty(Services& s, RouteRequest& req) {
  auto at = req.query_time("at");
  if (!at) return std::unexpected(at.error());
  auto fault = req.query("fault").value_or("");
  if (fault.size() > 64) return fail(ErrorCode::bad_request, "fault is longer than 64 characters");
  auto answer = s.warranty.warranty(req.path_id(), fault, *at);
  if (!answer) return std::unexpected(answer.error());
  const auto& a = answer->assessment;
  return json_reply({{"equipment_id", answer->equipment_id},
                     {"period_start", format_rfc3339(a.period_start)},
                     {"warranty_until", format_rfc3339(a.warranty_until)},
                     {"in_warranty", a.in_warranty},
                     {"days", a.days},
                     {"fault", fault.empty() ? json(nullptr) : json(fault)},
                     {"failed_repairs", a.failed_repairs},
                     {"basis", std::string(to_string(a.basis))},
                     {"remedies", remedies_json(a.basis)}});
}

Result<Reply> post_exchange(Services& s, RouteRequest& req) {
  auto object = req.body();
  if (!object) return std::unexpected(object.error());
  FieldReader r(*object);
  app::ExchangeRequest in;
  in.at = r.instant(warranty_body::at, false);
  in.note = r.text(warranty_body::note, false).value_or("");
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  auto e = s.warranty.exchange(req.who(), req.path_id(), in);
  if (!e) return std::unexpected(e.error());
  return json_reply({{"id", e->id},
                     {"equipment_id", e->equipment_id},
                     {"at", format_rfc3339(e->at)},
                     {"note", e->note},
                     {"recorded_at", format_rfc3339(e->recorded_at)}},
                    201);
}

json warranty_answer_schema() {
  namespace s = schema;
  return s::object_schema(
      {s::id("equipment_id"), s::timestamp("period_start", "the sale or the last exchange"),
       s::timestamp("warranty_until", "period start + warranty_months calendar months"),
       s::boolean("in_warranty"), s::integer("days", 0, std::nullopt, "whole days since the start"),
       s::nullable(s::text("fault", 64)),
       s::integer("failed_repairs", 0, std::nullopt, "repairs for the fault since the start"),
       s::enumeration("basis", warranty_basis_names()),
       s::array("remedies", remedies_schema(), "in the standard's order")});
}

json exchange_schema() {
  namespace s = schema;
  return s::object_schema({s::id("id"), s::id("equipment_id"), s::timestamp("at"),
                           s::text("note", 1000), s::timestamp("recorded_at")});
}

}  // namespace

void add_warranty_routes(RouteTable& routes, Services& s) {
  routes.push_back(
      {"GET",
       "/api/v1/equipment/{id}/warranty",
       kStaffRead,
       "The remedy the customer is entitled to for a fault at a time (the first rule that holds)",
       bind(s, get_warranty),
       200,
       {.response = warranty_answer_schema(),
        .query = {schema::text("fault", 64, "a fault code; repairs are counted per fault"),
                  schema::timestamp("at", "default now; not before the sale")},
        .errors = {422}}});
  routes.push_back({"POST",
                    "/api/v1/equipment/{id}/exchange",
                    kOperate,
                    "Record an exchange: the guarantee period and repair counts start again",
                    bind(s, post_exchange),
                    201,
                    {.request = schema::object_schema({warranty_body::at, warranty_body::note}),
                     .response = exchange_schema()}});
}

}  // namespace fieldserve::server
