#include "server/api/json/sync_json.h"

#include "server/api/json/job_json.h"

#include <fmt/format.h>

#include "app/auth.h"
#include "server/http/fast_json.h"
#include "server/http/json_body.h"
#include "server/http/schema.h"
#include "sync/op_codes.h"
#include "sync/signature.h"

namespace fieldserve::server {

nlohmann::json job_document_schema() {
  namespace s = schema;
  auto doc = job_schema();
  auto add = [&](const s::Field& f) {
    doc["properties"][f.name] = s::value_schema(f);
    doc["required"].push_back(f.name);
  };
  auto location = s::object_schema({{.name = "lat", .type = s::Type::number},
                                    {.name = "lon", .type = s::Type::number}});
  add(s::object("site", s::object_schema({s::id("id"), s::text("address", 500),
                                          s::object("location", location), s::id("center_id")})));
  add(s::object(
      "customer",
      s::object_schema(
          {s::id("id"), s::text("name", 200), s::enumeration("account_tier", {"key", "standard"}),
           s::object("contact", s::object_schema({s::text("name", 200), s::text("phone", 50),
                                                  s::text("email", 254)}))})));
  auto equipment = s::object_schema(
      {s::id("id"), s::text("model", 200), s::text("serial", 100), s::timestamp("sold_at"),
       s::nullable(s::timestamp("installed_at")), s::integer("warranty_months", 0, 240)});
  equipment["nullable"] = true;
  add(s::object("equipment", equipment, "null when the job names none"));
  add(s::array("notes", s::object_schema({s::id("id"), s::text("author", 200),
                                          s::text("text", 4000), s::timestamp("at")})));
  add(s::array("parts_used", s::object_schema({s::text("part_number", 64),
                                               s::integer("qty", 1, 100000), s::timestamp("at")})));
  add(s::array("signoffs",
               s::object_schema({{.name = "id", .type = s::Type::string, .format = "uuid"},
                                 s::text("signer_name", 200),
                                 s::timestamp("signed_at"),
                                 s::nullable(s::integer("rating", 1, 5))})));
  return doc;
}

nlohmann::json pull_page_schema() {
  namespace s = schema;
  auto removed = s::object_schema(
      {s::id("id"), s::enumeration("reason", {"reassigned", "cancelled", "closed"})});
  return s::object_schema(
      {s::text("cursor", 200, "pass it on the next pull"),
       s::boolean("has_more", "pull again at once: the page was full"),
       s::boolean("reset", "replace the job cache with this snapshot (never the outbox)"),
       s::timestamp("server_time"),
       s::object("jobs", s::object_schema({s::array("upserted", s::ref("JobDocument")),
                                           s::array("removed", removed)}))});
}

nlohmann::json push_request_schema() {
  namespace s = schema;
  // Any value is taken as an op and answered in its result (rejected when it is not one), so
  // the push itself is refused only for what is outside the ops.
  json any_op = {{"description",
                  "an op as PushOp describes it; one that does not fit is answered rejected "
                  "(malformed_op, unknown_op_type, validation_failed...), not refused"}};
  auto ops = s::array_of(any_op);
  ops["maxItems"] = 500;
  return s::object_schema({s::timestamp("client_time", "the device's clock when it sent the push"),
                           s::object("ops", ops, "applied in order, each exactly once")});
}

nlohmann::json push_op_schema() {
  namespace s = schema;
  std::vector<std::string> types{"status", "signoff", "note", "parts_used", "location"};
  // Fields a newer app sends are kept with the op: an op is an open object.
  return s::object_schema({{.name = "op_id",
                            .type = s::Type::string,
                            .description = "UUID, v7 preferred",
                            .format = "uuid"},
                           s::enumeration("type", types),
                           s::id("job_id"),
                           s::timestamp("at", "when it happened, on the device's clock"),
                           s::object("payload", {{"type", "object"}},
                                     "by type: docs/sync-protocol.md")},
                          false, true);
}

nlohmann::json push_results_schema() {
  namespace s = schema;
  std::vector<std::string> statuses{"applied", "duplicate", "conflict", "rejected"};
  std::vector<std::string> codes;
  for (const auto& info : sync::op_code_catalogue()) {
    if (!info.name.empty()) codes.emplace_back(info.name);
  }
  auto first = s::object_schema(
      {s::enumeration("status", statuses), s::optional(s::enumeration("code", codes)),
       s::optional(s::text("message", 1000)), s::timestamp("received_at")});
  auto result = s::object_schema(
      {s::nullable(s::text("op_id", 100)), s::enumeration("status", statuses),
       s::optional(s::enumeration("code", codes)), s::optional(s::text("message", 1000)),
       s::optional(s::object("first", first, "for a duplicate: the result it got first"))});
  return s::object_schema({s::array("results", result, "one per op, in order")});
}

void append_job_document(std::string& out, const app::JobDocument& doc,
                         const dispatch::SlaPolicy& policy, Instant now, Instant& valid_until) {
  const Job& j = *doc.job;
  out += '{';
  append_job_fields(out, j, policy, now, valid_until);

  const Site& s = *doc.site;
  fmt::format_to(std::back_inserter(out), R"(,"site":{{"id":{},"address":)", s.id);
  append_json_string(out, s.address);
  out += R"(,"location":)";
  append_location(out, s.location);
  fmt::format_to(std::back_inserter(out), R"(,"center_id":{}}})", s.center_id);

  const Customer& c = *doc.customer;
  fmt::format_to(std::back_inserter(out), R"(,"customer":{{"id":{},"name":)", c.id);
  append_json_string(out, c.name);
  fmt::format_to(std::back_inserter(out), R"(,"account_tier":"{}","contact":{{"name":)",
                 to_string(c.account_tier));
  append_json_string(out, c.contact.name);
  out += R"(,"phone":)";
  append_json_string(out, c.contact.phone);
  out += R"(,"email":)";
  append_json_string(out, c.contact.email);
  out += "}}";

  out += R"(,"equipment":)";
  if (const Equipment* e = doc.equipment) {
    fmt::format_to(std::back_inserter(out), R"({{"id":{},"model":)", e->id);
    append_json_string(out, e->model);
    out += R"(,"serial":)";
    append_json_string(out, e->serial);
    out += R"(,"sold_at":)";
    append_time(out, e->sold_at);
    out += R"(,"installed_at":)";
    append_opt_time(out, e->installed_at);
    fmt::format_to(std::back_inserter(out), R"(,"warranty_months":{}}})", e->warranty_months);
  } else {
    out += "null";
  }

  out += R"(,"notes":[)";
  for (std::size_t i = 0; i < doc.notes.size(); ++i) {
    const JobNote& n = *doc.notes[i];
    fmt::format_to(std::back_inserter(out), R"({}{{"id":{},"author":)", i ? "," : "", n.id);
    append_json_string(out, n.author);
    out += R"(,"text":)";
    append_json_string(out, n.text);
    out += R"(,"at":)";
    append_time(out, n.at);
    out += '}';
  }
  out += R"(],"parts_used":[)";
  for (std::size_t i = 0; i < doc.parts.size(); ++i) {
    const JobPart& p = *doc.parts[i];
    out += i ? "," : "";
    out += R"({"part_number":)";
    append_json_string(out, p.part.part_number);
    fmt::format_to(std::back_inserter(out), R"(,"qty":{},"at":)", p.part.qty);
    append_time(out, p.at);
    out += '}';
  }
  out += R"(],"signoffs":[)";
  for (std::size_t i = 0; i < doc.signoffs.size(); ++i) {
    const Signoff& so = *doc.signoffs[i];
    out += i ? "," : "";
    out += R"({"id":)";
    append_json_string(out, so.id);
    out += R"(,"signer_name":)";
    append_json_string(out, so.signer_name);
    out += R"(,"signed_at":)";
    append_time(out, so.signed_at);
    out += R"(,"rating":)";
    if (so.rating) fmt::format_to(std::back_inserter(out), "{}", *so.rating);
    else out += "null";
    out += '}';
  }
  out += "]}";
}

namespace {

void reject(sync::PushOp& op, sync::OpCode code, std::string message) {
  if (op.reject_code != sync::OpCode::none) return;  // the first problem is the one reported
  op.reject_code = code;
  op.reject_message = std::move(message);
}

std::string problems_text(const Error& e) {
  std::string text = e.message;
  for (std::size_t i = 0; i < e.details.size(); ++i) text += (i ? "; " : ": ") + e.details[i];
  return text;
}

void read_parts(FieldReader& r, const json& list, const char* name, std::vector<PartUse>& out) {
  if (!list.is_array() || list.size() > 200) {
    r.problem(name, "must be a list of at most 200 {part_number, qty}");
    return;
  }
  for (const auto& item : list) {
    if (!item.is_object()) {
      r.problem(name, "items must be objects {part_number, qty}");
      return;
    }
    FieldReader pr(item, std::string(name) + "[]");
    auto number = pr.text("part_number", true, 64);
    auto qty = pr.integer("qty", true, 1, 100000);
    r.merge(pr);
    if (number && qty) out.push_back({*number, static_cast<int>(*qty)});
  }
}

void read_signoff(FieldReader& r, const json& payload, sync::PushOp& op) {
  Signoff& s = op.signoff;
  auto id = r.text("id", true, 36);
  if (id && !sync::is_uuid(*id)) r.problem("id", "must be a UUID");
  if (id) s.id = *id;
  if (auto v = r.text("signer_name", true, 200)) s.signer_name = *v;
  if (auto v = r.text("signer_role", false, 100, true)) s.signer_role = *v;
  if (auto v = r.instant("signed_at", true)) s.signed_at_device = *v;
  s.location = r.location("location", false);
  if (auto v = r.integer("rating", false, 1, 5)) s.rating = static_cast<int>(*v);
  if (auto v = r.text("comment", false, 4000, true)) s.comment = *v;
  if (r.has("checklist") && !r.is_null("checklist")) {
    r.accept("checklist");
    const auto& list = payload["checklist"];
    if (!list.is_array() || list.size() > 200) {
      r.problem("checklist", "must be a list of at most 200 {item, ok, note?}");
    } else {
      for (const auto& item : list) {
        if (!item.is_object()) {
          r.problem("checklist", "items must be objects {item, ok, note?}");
          break;
        }
        FieldReader cr(item, "checklist[]");
        auto name = cr.text("item", true, 200);
        auto ok = cr.boolean("ok", true);
        auto note = cr.text("note", false, 1000, true);
        r.merge(cr);
        if (name && ok) s.checklist.push_back({*name, *ok, note.value_or("")});
      }
    }
  }
  if (r.has("parts_used") && !r.is_null("parts_used")) {
    r.accept("parts_used");
    read_parts(r, payload["parts_used"], "parts_used", s.parts_used);
  }
  auto png = r.text("signature_png", true, 8u << 20);
  if (png) {
    auto image = sync::decode_signature_png(*png);
    if (!image) reject(op, sync::OpCode::invalid_signature, image.error().message);
    else s.signature_png = std::move(*image);
  }
}

}  // namespace

sync::PushOp parse_push_op(const json& element) {
  sync::PushOp op;
  if (!element.is_object()) {
    reject(op, sync::OpCode::malformed_op,
           "an op must be an object {op_id, type, job_id, at, payload}");
    return op;
  }
  op.body = canonical_json(element);
  op.digest = app::sha256_hex(op.body);
  auto id = element.find("op_id");
  if (id == element.end() || !id->is_string() ||
      !sync::is_uuid(id->get_ref<const std::string&>())) {
    reject(op, sync::OpCode::malformed_op, "op_id must be a UUID");
    return op;
  }
  op.op_id = id->get<std::string>();

  FieldReader r(element);
  r.accept("op_id");
  auto type = r.text("type", true, 32);
  if (type) {
    op.type_name = *type;
    op.type = sync::parse_op_type(*type);
    if (!op.type) {
      reject(op, sync::OpCode::unknown_op_type,
             "op type \"" + *type + "\" is not one this server knows");
      return op;
    }
  }
  bool needs_job = op.type != sync::OpType::location;
  op.job_id = r.integer("job_id", needs_job, 1, INT64_MAX);
  op.at = r.instant("at", true);
  const json* payload = r.object("payload", true);
  if (auto ok = r.finish_tolerant(); !ok) {
    reject(op, sync::OpCode::malformed_op, problems_text(ok.error()));
    return op;
  }
  if (!op.type || !payload) return op;

  FieldReader p(*payload, "payload");
  switch (*op.type) {
    case sync::OpType::status:
      op.status_to = p.one_of("to", true, parse_status_request,
                              "accepted, en_route, on_site, on_hold, resumed, resolved");
      if (op.status_to == StatusRequest::closed) {
        p.problem("to", "closing a job is for dispatchers");
      }
      op.hold_reason = p.one_of("reason", false, parse_hold_reason,
                                "waiting_parts, waiting_customer");
      if (auto note = p.text("note", false, 4000, true)) op.text = *note;
      break;
    case sync::OpType::note:
      if (auto text = p.text("text", true, 4000)) op.text = *text;
      break;
    case sync::OpType::parts_used:
      if (!p.has("parts")) {
        p.problem("parts", "is required");
      } else {
        p.accept("parts");
        read_parts(p, (*payload)["parts"], "parts", op.parts);
        if (op.parts.empty()) p.problem("parts", "must name at least one part");
      }
      break;
    case sync::OpType::location:
      if (auto lat = p.number("lat", true, -90, 90)) {
        if (auto lon = p.number("lon", true, -180, 180)) op.location = geo::LatLon{*lat, *lon};
      } else {
        p.number("lon", true, -180, 180);
      }
      break;
    case sync::OpType::signoff: read_signoff(p, *payload, op); break;
  }
  if (auto ok = p.finish_tolerant(); !ok)
    reject(op, sync::OpCode::validation_failed, problems_text(ok.error()));
  json unknown = r.unread();
  if (json in_payload = p.unread(); !in_payload.empty()) unknown["payload"] = std::move(in_payload);
  if (!unknown.empty()) op.unknown_fields = canonical_json(unknown);
  return op;
}

}  // namespace fieldserve::server
