#pragma once
// The route table: each endpoint is declared once with its method, path, the roles that may call
// it and a one-line summary; the HTTP registration and the OpenAPI document both come from it.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "app/auth.h"
#include "domain/error.h"
#include "domain/model.h"
#include "server/http/schema.h"
#include "store/tx.h"

namespace fieldserve::server {

using nlohmann::json;
using app::Principal;

struct RouteRequest {
  const httplib::Request& http;
  std::optional<Principal> principal;  // empty on public routes

  // The n-th {id} of the path (1-based), as matched by the route's pattern.
  std::int64_t path_id(int n = 1) const;
  // The n-th path parameter as matched, for {uuid}.
  std::string path_text(int n) const { return http.matches[n].str(); }
  std::optional<std::string> query(const char* name) const;
  // An integer query parameter: nullopt when absent, bad_request when not an integer.
  Result<std::optional<std::int64_t>> query_int(const char* name) const;
  // An id: an integer of at least 1 (400 otherwise, as for a malformed integer).
  Result<std::optional<std::int64_t>> query_id(const char* name) const;
  // An RFC 3339 query parameter: nullopt when absent, bad_request when unreadable.
  Result<std::optional<Instant>> query_time(const char* name) const;
  // The body as a JSON object: 415 unless Content-Type is application/json, 400 if malformed.
  Result<json> body() const;
  // limit (1..500, default 50) and cursor; bad_request if either is malformed.
  Result<store::Page> page() const;
  // limit alone, for lists whose cursor is not an id.
  Result<int> page_limit() const;
  // If-Match: nullopt when absent, bad_request when not a version number.
  Result<std::optional<std::int64_t>> if_match() const;

  const Principal& who() const { return *principal; }
  bool is_technician() const { return principal && principal->role == Role::technician; }
};

struct Reply {
  int status = 200;
  json body;
  std::string text;  // sent instead of body when content_type is not JSON
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Result<Reply>(RouteRequest&)>;

enum RoleBit : unsigned {
  kAdmin = 1u << static_cast<int>(Role::admin),
  kDispatcher = 1u << static_cast<int>(Role::dispatcher),
  kManager = 1u << static_cast<int>(Role::manager),
  kTechnician = 1u << static_cast<int>(Role::technician),
  kPublic = 1u << 8,
};
inline constexpr unsigned kStaffRead = kAdmin | kDispatcher | kManager;
inline constexpr unsigned kOperate = kAdmin | kDispatcher;

// What a route takes and answers, as the OpenAPI document states it (and the contract test holds
// every answer to). The statuses every route of its kind can answer (401 without a token, 404
// for an {id} that does not exist, 422 for a body that does not fit...) are added by the
// document; `errors` names the ones particular to this route.
struct Contract {
  schema::json request;  // the body's schema; null: none (POST, PATCH, PUT: an untyped object)
  schema::json response = {{"type", "object"}};  // the success answer's; null: no body (204)
  std::vector<schema::Field> query;              // query parameters, with their bounds
  std::vector<int> errors;                       // further error statuses this route can answer
  std::string response_type = "application/json";
  std::vector<std::string> also_types;  // other content types of the success answer (text)
};

struct Route {
  std::string method;  // GET POST PATCH PUT DELETE
  std::string path;    // OpenAPI style: /api/v1/jobs/{id}
  unsigned roles;
  std::string summary;
  Handler handler;
  int success_status = 200;
  Contract contract = {};
};

using RouteTable = std::vector<Route>;

// Helpers used by handlers.
Reply json_reply(json body, int status = 200);
// {"items": [...], "next_cursor"}: a cursor when the page came back full.
template <class T, class Render>
Reply list_reply(const std::vector<T>& rows, const store::Page& page, Render render) {
  json items = json::array();
  for (const auto& row : rows) items.push_back(render(row));
  json next = nullptr;
  if (static_cast<int>(rows.size()) == page.limit && !rows.empty()) {
    next = std::to_string(rows.back().id);
  }
  return json_reply({{"items", std::move(items)}, {"next_cursor", next}});
}

}  // namespace fieldserve::server
