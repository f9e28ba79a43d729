// Follow-up calls: the call list and results (docs/after-sales.md, "Follow-ups").
#include <charconv>

#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/resource_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

namespace follow_up_body {
const schema::Field reached = schema::boolean("reached", "whether the customer answered");
const schema::Field satisfaction = schema::optional(
    schema::integer("satisfaction", 1, 5, "the customer's score; only when reached"));
const schema::Field comment = schema::optional(schema::text("comment", 4000));
const schema::Field at = schema::optional(schema::timestamp("at", "default now"));
}  // namespace follow_up_body

json follow_up_json(const FollowUp& f) {
  return {{"id", f.id},
          {"job_id", f.job_id},
          {"customer_id", f.customer_id},
          {"technician_id", f.technician_id ? json(*f.technician_id) : json(nullptr)},
          {"due", format_rfc3339(f.due)},
          {"status", std::string(to_string(f.status))},
          {"reached", f.reached ? json(*f.reached) : json(nullptr)},
          {"satisfaction", f.satisfaction ? json(*f.satisfaction) : json(nullptr)},
          {"comment", f.comment},
          {"done_at", time_json(f.done_at)},
          {"version", f.version}};
}

json follow_up_schema() {
  namespace s = schema;
  return s::object_schema(
      {s::id("id"), s::id("job_id"), s::id("customer_id"), s::nullable(s::id("technician_id")),
       s::timestamp("due", "the job's close + 7 days"), s::enumeration("status", {"due", "done"}),
       s::nullable(s::boolean("reached")), s::nullable(s::integer("satisfaction", 1, 5)),
       s::text("comment", 4000), s::nullable(s::timestamp("done_at")),
       s::integer("version", 1, std::nullopt)});
}

// The call list's cursor: the last row's due (epoch seconds) and id, "1765000000.42".
std::string cursor_of(const FollowUp& f) {
  return std::to_string(to_epoch_s(f.due)) + "." + std::to_string(f.id);
}

std::optional<store::FollowUpPosition> parse_cursor(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::int64_t due = 0, id = 0;
  auto a = std::from_chars(text.data(), text.data() + dot, due);
  auto b = std::from_chars(text.data() + dot + 1, text.data() + text.size(), id);
  if (a.ec != std::errc() || a.ptr != text.data() + dot || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || id < 0) {
    return std::nullopt;
  }
  return store::FollowUpPosition{from_epoch_s(due), id};
}

Result<Reply> list_follow_ups(Services& s, RouteRequest& req) {
  auto page = req.page_limit();
  if (!page) return std::unexpected(page.error());
  store::FollowUpFilter filter;
  if (auto v = req.query("status")) {
    filter.status = parse_follow_up_status(*v);
    if (!filter.status) return fail(ErrorCode::bad_request, "status must be due or done");
  }
  auto before = req.query_time("due_before");
  if (!before) return std::unexpected(before.error());
  filter.due_before = *before;
  std::optional<store::FollowUpPosition> after;
  if (auto c = req.query("cursor"); c && !c->empty()) {
    after = parse_cursor(*c);
    if (!after) return fail(ErrorCode::bad_request, "cursor is not one this server gave");
  }
  auto rows = s.follow_ups.list(filter, after, *page);
  json items = json::array();
  for (const auto& f : rows) items.push_back(follow_up_json(f));
  json next = nullptr;
  if (static_cast<int>(rows.size()) == *page && !rows.empty()) next = cursor_of(rows.back());
  return json_reply({{"items", std::move(items)}, {"next_cursor", next}});
}

Result<Reply> get_follow_up(Services& s, RouteRequest& req) {
  auto f = s.follow_ups.get(req.path_id());
  if (!f) return std::unexpected(f.error());
  return json_reply(follow_up_json(*f));
}

Result<Reply> record_result(Services& s, RouteRequest& req) {
  auto object = req.body();
  if (!object) return std::unexpected(object.error());
  FieldReader r(*object);
  app::FollowUpResult in;
  in.reached = r.boolean(follow_up_body::reached, true).value_or(false);
  if (auto v = r.integer(follow_up_body::satisfaction, true))
    in.satisfaction = static_cast<int>(*v);
  in.comment = r.text(follow_up_body::comment, true).value_or("");
  in.at = r.instant(follow_up_body::at, true);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  auto f = s.follow_ups.record(req.who(), req.path_id(), in);
  if (!f) return std::unexpected(f.error());
  return json_reply(follow_up_json(*f));
}

}  // namespace

void add_follow_up_routes(RouteTable& routes, Services& s) {
  auto follow_up = follow_up_schema();
  routes.push_back({"GET",
                    "/api/v1/followups",
                    kStaffRead,
                    "The follow-up call list, earliest due first (filters: status, due_before)",
                    bind(s, list_follow_ups),
                    200,
                    {.response = schema::page_of(follow_up),
                     .query = page_query_with({schema::enumeration("status", {"due", "done"}),
                                               schema::timestamp("due_before", "exclusive")})}});
  routes.push_back({"GET",
                    "/api/v1/followups/{id}",
                    kStaffRead,
                    "Read a follow-up call",
                    bind(s, get_follow_up),
                    200,
                    {.response = follow_up}});
  routes.push_back(
      {"POST",
       "/api/v1/followups/{id}/result",
       kOperate,
       "Record the call's result (once: a second is 409)",
       bind(s, record_result),
       200,
       {.request = schema::object_schema({follow_up_body::reached, follow_up_body::satisfaction,
                                          follow_up_body::comment, follow_up_body::at}),
        .response = follow_up,
        .errors = {409}}});
}

}  // namespace fieldserve::server
