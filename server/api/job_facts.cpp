// What the field sent about a job, for staff: notes, parts and sign-offs, and each sign-off's
// signature image (docs/after-sales.md, "Field facts").
#include "server/api/handlers.h"

namespace fieldserve::server {
namespace {

std::string signature_url(JobId job, const std::string& signoff_id) {
  return "/api/v1/jobs/" + std::to_string(job) + "/signoffs/" + signoff_id + "/signature";
}

json optional_id(const std::optional<std::int64_t>& id) { return id ? json(*id) : json(nullptr); }

json facts_json(JobId job, const app::JobFacts& facts) {
  json notes = json::array();
  for (const auto& [n, device_at] : facts.notes) {
    notes.push_back({{"id", n.id},
                     {"text", n.text},
                     {"at", format_rfc3339(n.at)},
                     {"device_at", device_at ? json(format_rfc3339(*device_at)) : json(nullptr)},
                     {"technician_id", optional_id(n.technician_id)}});
  }
  json parts = json::array();
  for (const auto& p : facts.parts) {
    parts.push_back({{"part_number", p.part.part_number},
                     {"qty", p.part.qty},
                     {"at", format_rfc3339(p.at)},
                     {"technician_id", optional_id(p.technician_id)}});
  }
  json signoffs = json::array();
  for (const auto& so : facts.signoffs) {
    json checklist = json::array();
    for (const auto& c : so.checklist) {
      checklist.push_back({{"item", c.item}, {"ok", c.ok}, {"note", c.note}});
    }
    signoffs.push_back({{"id", so.id},
                        {"signer_name", so.signer_name},
                        {"signer_role", so.signer_role},
                        {"signed_at", format_rfc3339(so.signed_at)},
                        {"location",
                         so.location ? json{{"lat", so.location->lat}, {"lon", so.location->lon}}
                                     : json(nullptr)},
                        {"checklist", std::move(checklist)},
                        {"rating", so.rating ? json(*so.rating) : json(nullptr)},
                        {"comment", so.comment},
                        {"signature_url", signature_url(job, so.id)}});
  }
  return {
      {"notes", std::move(notes)}, {"parts", std::move(parts)}, {"signoffs", std::move(signoffs)}};
}

Result<Reply> get_facts(Services& s, RouteRequest& req) {
  auto facts = s.facts.facts(req.who(), req.path_id());
  if (!facts) return std::unexpected(facts.error());
  return Reply{.body = facts_json(req.path_id(), *facts)};
}

Result<Reply> get_signature(Services& s, RouteRequest& req) {
  auto png = s.facts.signature(req.who(), req.path_id(), req.path_text(2));
  if (!png) return std::unexpected(png.error());
  Reply reply;
  reply.text = std::move(*png);
  reply.content_type = "image/png";
  // A sign-off never changes once stored.
  reply.headers.emplace_back("Cache-Control", "private, max-age=86400, immutable");
  return reply;
}

json facts_schema() {
  namespace s = schema;
  auto location = s::object_schema({{.name = "lat", .type = s::Type::number},
                                    {.name = "lon", .type = s::Type::number}});
  location["nullable"] = true;
  auto note = s::object_schema({s::id("id"), s::text("text", 4000), s::timestamp("at"),
                                s::nullable(s::timestamp("device_at", "null: entered over REST")),
                                s::nullable(s::id("technician_id"))});
  auto part = s::object_schema({s::text("part_number", 64), s::integer("qty", 1, 100000),
                                s::timestamp("at"), s::nullable(s::id("technician_id"))});
  auto item = s::object_schema({s::text("item", 200), s::boolean("ok"), s::text("note", 1000)});
  auto signoff = s::object_schema({{.name = "id", .type = s::Type::string, .format = "uuid"},
                                   s::text("signer_name", 200),
                                   s::text("signer_role", 200),
                                   s::timestamp("signed_at"),
                                   s::object("location", location),
                                   s::array("checklist", item),
                                   s::nullable(s::integer("rating", 1, 5)),
                                   s::text("comment", 4000),
                                   s::text("signature_url", 300,
                                           "GET it with the same token: the PNG the tablet sent")});
  return s::object_schema({s::array("notes", note), s::array("parts", part),
                           s::array("signoffs", signoff)});
}

}  // namespace

void add_job_fact_routes(RouteTable& routes, Services& s) {
  routes.push_back({"GET",
                    "/api/v1/jobs/{id}/facts",
                    kStaffRead | kTechnician,
                    "What the field sent: notes, parts and sign-offs",
                    bind(s, get_facts),
                    200,
                    {.response = facts_schema()}});
  routes.push_back({"GET",
                    "/api/v1/jobs/{id}/signoffs/{uuid}/signature",
                    kStaffRead | kTechnician,
                    "A sign-off's signature, as the PNG the tablet sent",
                    bind(s, get_signature),
                    200,
                    {.response = {{"type", "string"}, {"format", "binary"}},
                     .response_type = "image/png"}});
}

}  // namespace fieldserve::server
