// Complaints: record, list, answer (docs/after-sales.md, "Complaints").
#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

namespace complaint_body {
const schema::Field customer_id = schema::id("customer_id");
const schema::Field job_id = schema::optional(schema::id("job_id", "a job at the customer's site"));
const schema::Field technician_id =
    schema::optional(schema::id("technician_id", "default: the named job's technician"));
const schema::Field channel = schema::enumeration("channel", {"phone", "email", "web", "visit"});
const schema::Field severity =
    schema::optional(schema::enumeration("severity", {"normal", "serious"}, "default normal"));
const schema::Field text = [] {
  auto f = schema::text("text", 4000);
  f.allow_empty = false;
  return f;
}();
const schema::Field received_at = schema::optional(
    schema::timestamp("received_at", "default now; not before 2000, not in the future"));
const schema::Field answer = [] {
  auto f = schema::text("answer", 4000, "what the customer was told");
  f.allow_empty = false;
  return f;
}();
const schema::Field answered_at = schema::optional(
    schema::timestamp("answered_at", "default now; not before received_at, not in the future"));
}  // namespace complaint_body

json opt_id(const std::optional<std::int64_t>& id) { return id ? json(*id) : json(nullptr); }
json complaint_json(const Complaint& c) {
  auto late = c.answered_late();
  return {{"id", c.id},
          {"customer_id", c.customer_id},
          {"job_id", opt_id(c.job_id)},
          {"technician_id", opt_id(c.technician_id)},
          {"channel", std::string(to_string(c.channel))},
          {"severity", std::string(to_string(c.severity))},
          {"text", c.text},
          {"status", std::string(to_string(c.status))},
          {"received_at", format_rfc3339(c.received_at)},
          {"due", format_rfc3339(c.due)},
          {"escalated", c.escalated_at.has_value()},
          {"escalated_at", time_json(c.escalated_at)},
          {"answer", c.status == ComplaintStatus::answered ? json(c.answer) : json(nullptr)},
          {"answered_at", time_json(c.answered_at)},
          {"answered_late", late ? json(*late) : json(nullptr)},
          {"created_at", format_rfc3339(c.created_at)},
          {"version", c.version}};
}

json complaint_schema() {
  namespace s = schema;
  return s::object_schema(
      {s::id("id"), s::id("customer_id"), s::nullable(s::id("job_id")),
       s::nullable(s::id("technician_id")), complaint_body::channel,
       s::enumeration("severity", {"normal", "serious"}), s::text("text", 4000),
       s::enumeration("status", {"open", "answered"}), s::timestamp("received_at"),
       s::timestamp("due", "received_at + 4 h for a key account, + 24 h otherwise (policy)"),
       s::boolean("escalated", "unanswered at its due: escalated within a minute"),
       s::nullable(s::timestamp("escalated_at")), s::nullable(s::text("answer", 4000)),
       s::nullable(s::timestamp("answered_at")),
       s::nullable(s::boolean("answered_late", "answered_at > due; null while open")),
       s::timestamp("created_at"), s::integer("version", 1, std::nullopt)});
}

Result<Reply> create_complaint(Services& s, RouteRequest& req) {
  auto object = req.body();
  if (!object) return std::unexpected(object.error());
  FieldReader r(*object);
  app::NewComplaint in;
  in.customer_id = r.integer(complaint_body::customer_id, true).value_or(0);
  in.job_id = r.integer(complaint_body::job_id, true);
  in.technician_id = r.integer(complaint_body::technician_id, true);
  in.channel = r.one_of(complaint_body::channel, true, parse_complaint_channel)
                   .value_or(ComplaintChannel::phone);
  in.severity = r.one_of(complaint_body::severity, true, parse_complaint_severity)
                    .value_or(ComplaintSeverity::normal);
  in.text = r.text(complaint_body::text, true).value_or("");
  in.received_at = r.instant(complaint_body::received_at, true);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  auto c = s.complaints.create(req.who(), in);
  if (!c) return std::unexpected(c.error());
  return json_reply(complaint_json(*c), 201);
}

Result<Reply> get_complaint(Services& s, RouteRequest& req) {
  auto c = s.complaints.get(req.path_id());
  if (!c) return std::unexpected(c.error());
  return json_reply(complaint_json(*c));
}

Result<Reply> list_complaints(Services& s, RouteRequest& req) {
  auto page = req.page();
  if (!page) return std::unexpected(page.error());
  std::optional<ComplaintStatus> status;
  if (auto v = req.query("status")) {
    status = parse_complaint_status(*v);
    if (!status) return fail(ErrorCode::bad_request, "status must be open or answered");
  }
  bool overdue = false;
  if (auto v = req.query("overdue")) {
    if (*v != "true" && *v != "false")
      return fail(ErrorCode::bad_request, "overdue must be true or false");
    overdue = *v == "true";
  }
  auto customer = req.query_id("customer_id");
  if (!customer) return std::unexpected(customer.error());
  auto rows = s.complaints.list(*page, status, overdue, *customer);
  return list_reply(rows, *page, complaint_json);
}

Result<Reply> answer_complaint(Services& s, RouteRequest& req) {
  auto object = req.body();
  if (!object) return std::unexpected(object.error());
  FieldReader r(*object);
  app::ComplaintAnswer in;
  in.answer = r.text(complaint_body::answer, true).value_or("");
  in.answered_at = r.instant(complaint_body::answered_at, true);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  auto c = s.complaints.answer(req.who(), req.path_id(), in);
  if (!c) return std::unexpected(c.error());
  return json_reply(complaint_json(*c));
}

}  // namespace

void add_complaint_routes(RouteTable& routes, Services& s) {
  auto complaint = complaint_schema();
  routes.push_back(
      {"POST",
       "/api/v1/complaints",
       kOperate,
       "Record a complaint; its due follows the customer's account tier",
       bind(s, create_complaint),
       201,
       {.request = schema::object_schema({complaint_body::customer_id, complaint_body::job_id,
                                          complaint_body::technician_id, complaint_body::channel,
                                          complaint_body::severity, complaint_body::text,
                                          complaint_body::received_at}),
        .response = complaint}});
  routes.push_back({"GET",
                    "/api/v1/complaints",
                    kStaffRead,
                    "List complaints by id (filters: status, overdue, customer_id)",
                    bind(s, list_complaints),
                    200,
                    {.response = schema::page_of(complaint),
                     .query = page_query_with({schema::enumeration("status", {"open", "answered"}),
                                               schema::enumeration("overdue", {"true", "false"},
                                                                   "open and past their due now"),
                                               schema::id("customer_id")})}});
  routes.push_back({"GET",
                    "/api/v1/complaints/{id}",
                    kStaffRead,
                    "Read a complaint",
                    bind(s, get_complaint),
                    200,
                    {.response = complaint}});
  routes.push_back(
      {"POST",
       "/api/v1/complaints/{id}/answer",
       kOperate,
       "Record the answer given to the customer (once: a second is 409)",
       bind(s, answer_complaint),
       200,
       {.request = schema::object_schema({complaint_body::answer, complaint_body::answered_at}),
        .response = complaint,
        .errors = {409}}});
}

}  // namespace fieldserve::server
