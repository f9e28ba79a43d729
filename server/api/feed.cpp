// The staff change feed (docs/web.md, "Live updates"): jobs and technicians changed after a
// cursor, each as its REST document, for the dispatcher console and anything else that must
// stay live without holding a connection open.
#include "server/api/contracts.h"
#include "server/api/handlers.h"
#include "server/api/json/job_json.h"
#include "server/api/json/resource_json.h"

namespace fieldserve::server {
namespace {

Result<Reply> read_feed(Services& s, RouteRequest& req) {
  auto limit = req.page_limit();
  if (!limit) return std::unexpected(limit.error());
  std::optional<std::string> cursor;
  if (auto c = req.query("cursor"); c && !c->empty()) cursor = std::string(*c);
  auto page = s.staff_feed.changes(cursor, *limit);
  if (!page) return std::unexpected(page.error());
  auto policy = s.policy.policy();
  auto now = s.clock.now();
  std::string out = "{\"cursor\":";
  append_json_string(out, page->cursor);
  out += ",\"has_more\":";
  out += page->has_more ? "true" : "false";
  out += ",\"reset\":";
  out += page->reset ? "true" : "false";
  out += ",\"jobs\":[";
  for (std::size_t i = 0; i < page->jobs.size(); ++i) {
    if (i > 0) out += ',';
    append_job(out, page->jobs[i], policy, now);
  }
  out += "],\"technicians\":[";
  for (std::size_t i = 0; i < page->technicians.size(); ++i) {
    if (i > 0) out += ',';
    out += technician_json(page->technicians[i]).dump();
  }
  out += "]}";
  return json_text_reply(std::move(out));
}

}  // namespace

void add_feed_routes(RouteTable& routes, Services& s) {
  namespace sc = schema;
  routes.push_back(
      {"GET",
       "/api/v1/feed",
       kStaffRead,
       "Jobs and technicians changed after the cursor, each once as its current document",
       bind(s, read_feed),
       200,
       {.response = sc::object_schema(
            {sc::text("cursor", 100, "pass it back to get what changed after this page"),
             sc::boolean("has_more", "more changes wait: ask again at once"),
             sc::boolean("reset", "the cursor was not this database's: reload the lists"),
             sc::array("jobs", sc::ref("Job")), sc::array("technicians", sc::ref("Technician"))}),
        .query = {sc::optional(sc::integer("limit", 1, 500, "changes per page (default 50)")),
                  sc::optional(sc::text("cursor", 100,
                                        "the previous answer's cursor; none: where the feed "
                                        "stands now, with no changes"))}}});
}

}  // namespace fieldserve::server
