// Mobile sync routes (docs/sync-protocol.md): parse, call the sync service, render.
#include <fmt/format.h>

#include "server/api/handlers.h"
#include "server/api/json/job_json.h"
#include "server/api/json/sync_json.h"
#include "sync/cursor.h"

namespace fieldserve::server {
namespace {

Reply page_reply(const app::PullPage& page) {
  Reply reply;
  reply.content_type = "application/json; charset=utf-8";
  std::string& out = reply.text;
  auto documents = page.documents();
  out.reserve(documents.size() + page.removed.size() * 40 + 256);
  out += R"({"cursor":)";
  append_json_string(out, sync::encode_cursor(page.cursor));
  fmt::format_to(std::back_inserter(out), R"(,"has_more":{},"reset":{},"server_time":")",
                 page.has_more, page.reset);
  out += format_rfc3339(page.server_time);
  out += R"(","jobs":{"upserted":[)";
  out += documents;
  out += R"(],"removed":[)";
  for (std::size_t i = 0; i < page.removed.size(); ++i) {
    fmt::format_to(std::back_inserter(out), R"({}{{"id":{},"reason":"{}"}})", i ? "," : "",
                   page.removed[i].job_id, sync::to_string(page.removed[i].reason));
  }
  out += "]}}";
  return reply;
}

Result<Reply> pull(Services& s, RouteRequest& req) {
  auto limit = req.query_int("limit");
  if (!limit) return std::unexpected(limit.error());
  auto wanted = limit->value_or(app::SyncService::kDefaultPullLimit);
  if (wanted < 1 || wanted > app::SyncService::kMaxPullLimit) {
    return fail(ErrorCode::bad_request, "limit must be an integer from 1 to 1000");
  }
  std::optional<sync::Cursor> cursor;
  if (auto text = req.query("cursor"); text && !text->empty()) {
    cursor = sync::decode_cursor(*text);
    if (!cursor) {
      return fail(ErrorCode::invalid_cursor,
                  "the cursor is not one this server issued; pull without a cursor to start over");
    }
  }
  auto page = s.sync.pull(req.who(), cursor, static_cast<int>(wanted));
  if (!page) return std::unexpected(page.error());
  return page_reply(*page);
}

void append_outcome(std::string& out, const std::string& op_id, const app::OpOutcome& r) {
  out += R"({"op_id":)";
  if (op_id.empty()) out += "null";
  else append_json_string(out, op_id);
  fmt::format_to(std::back_inserter(out), R"(,"status":"{}")", sync::to_string(r.status));
  if (r.code != sync::OpCode::none) {
    out += R"(,"code":)";
    append_json_string(out, sync::to_string(r.code));
  }
  if (!r.message.empty()) {
    out += R"(,"message":)";
    append_json_string(out, r.message);
  }
  if (r.first) {
    out += R"(,"first":{"status":)";
    append_json_string(out, r.first->status);
    if (!r.first->code.empty()) {
      out += R"(,"code":)";
      append_json_string(out, r.first->code);
    }
    if (!r.first->message.empty()) {
      out += R"(,"message":)";
      append_json_string(out, r.first->message);
    }
    out += R"(,"received_at":)";
    append_json_string(out, format_rfc3339(r.first->received_at));
    out += '}';
  }
  out += '}';
}

Result<Reply> push(Services& s, RouteRequest& req) {
  if (!req.who().technician_id) {
    return fail(ErrorCode::forbidden, "sync is for technician tokens that name a technician");
  }
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto client_time_field = body->find("client_time");
  std::optional<Instant> client_time;
  if (client_time_field != body->end() && client_time_field->is_string()) {
    client_time = parse_rfc3339(client_time_field->get_ref<const std::string&>());
  }
  if (!client_time) {
    return fail(ErrorCode::validation_failed,
                "client_time is required: the device's clock when it sent the push (RFC 3339)");
  }
  auto ops_field = body->find("ops");
  if (ops_field == body->end() || !ops_field->is_array()) {
    return fail(ErrorCode::validation_failed, "ops is required: a list of ops");
  }
  if (ops_field->size() > app::SyncService::kMaxOpsPerPush) {
    return fail(ErrorCode::payload_too_large,
                "a push holds at most 500 ops; send the rest in the next push");
  }
  std::vector<sync::PushOp> ops;
  ops.reserve(ops_field->size());
  for (const auto& element : *ops_field) ops.push_back(parse_push_op(element));
  auto results = s.sync.push(req.who(), *client_time, ops);
  if (!results) return std::unexpected(results.error());
  Reply reply;
  reply.content_type = "application/json; charset=utf-8";
  std::string& out = reply.text;
  out += R"({"results":[)";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i) out += ',';
    append_outcome(out, ops[i].op_id, (*results)[i]);
  }
  out += "]}";
  return reply;
}

}  // namespace

void add_sync_routes(RouteTable& routes, Services& s) {
  routes.push_back(
      {"GET",
       "/api/v1/sync/pull",
       kTechnician,
       "A technician's job list: a snapshot without a cursor, then changes and removals after it",
       bind(s, pull),
       200,
       {.response = pull_page_schema(),
        .query = {
            schema::optional(schema::integer("limit", 1, 1000, "jobs per page (default 200)")),
            schema::optional(schema::text("cursor", 200, "the cursor of the last page"))}}});
  routes.push_back(
      {"POST",
       "/api/v1/sync/push",
       kTechnician,
       "Ops a device recorded offline, applied in order exactly once, committed before the answer",
       bind(s, push),
       200,
       {.request = push_request_schema(), .response = push_results_schema(), .errors = {503}}});
}

}  // namespace fieldserve::server
