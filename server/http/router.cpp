#include "server/http/router.h"

#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "server/http/error_catalogue.h"
#include "server/http/logging.h"
#include "store/errors.h"

namespace fieldserve::server {
namespace {

// "/api/v1/jobs/{id}/events" → "/api/v1/jobs/(\d+)/events". Path parameters are integer ids,
// except {uuid}: the id a device made for a sign-off.
std::string path_regex(const std::string& path) {
  static const std::regex uuid(R"(\{uuid\})");
  static const std::regex param(R"(\{[a-z_]+\})");
  auto out = std::regex_replace(path, uuid, R"(([0-9A-Fa-f-]{36}))");
  return std::regex_replace(out, param, R"((\d{1,18}))");
}

void render(Result<Reply>& result, httplib::Response& res) {
  if (!result) {
    const auto& info = error_info(result.error().code);
    res.status = info.http_status;
    res.set_content(error_body(result.error()), "application/json");
    if (info.http_status == 401) res.set_header("WWW-Authenticate", "Bearer");
    if (info.http_status == 503 || info.http_status == 429) res.set_header("Retry-After", "1");
    return;
  }
  Reply& reply = *result;
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  if (reply.status == 204) return;
  if (reply.content_type == "application/json" && reply.text.empty()) {
    if (reply.body.is_object() && reply.body.contains("version") &&
        reply.body["version"].is_number()) {
      res.set_header("ETag",
                     "\"" + std::to_string(reply.body["version"].get<std::int64_t>()) + "\"");
    }
    res.set_content(reply.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
  } else {
    // Moved, not copied (set_content copies): a page of jobs is tens of kilobytes.
    res.body = std::move(reply.text);
    res.set_header("Content-Type", reply.content_type);
  }
}

httplib::Server::Handler wrap(Gate& gate, Route route) {
  return [&gate, route = std::move(route)](const httplib::Request& http, httplib::Response& res) {
    auto& scope = current_request();
    scope.route = route.path;
    RouteRequest req{http, std::nullopt};
    Result<Reply> result = fail(ErrorCode::internal, "not handled");
    try {
      if (route.roles & kPublic) {
        result = route.handler(req);
      } else if (auto who = gate.auth.authenticate(http.get_header_value("Authorization")); !who) {
        result = std::unexpected(who.error());
      } else {
        scope.token_id = std::to_string(who->token_id);
        if (!(route.roles & (1u << static_cast<int>(who->role)))) {
          result = fail(ErrorCode::forbidden, "a " + std::string(to_string(who->role)) +
                                                  " token may not " + route.method + " " +
                                                  route.path);
        } else if (!gate.limiter.allow(who->token_id)) {
          result = fail(ErrorCode::rate_limited, "too many requests for this token; slow down");
        } else {
          req.principal = *who;
          result = route.handler(req);
        }
      }
    } catch (const store::StoreBusy& e) {
      log_event(app::LogLevel::warn, "database busy",
                {{"request_id", scope.request_id}, {"error", std::string(e.what())}});
      result = fail(ErrorCode::unavailable, "the database is busy; retry the same request");
    } catch (const store::StoreError& e) {
      // Disk full, an I/O error, a failed commit: nothing was applied, and a retry may succeed.
      log_event(app::LogLevel::error, "database error",
                {{"request_id", scope.request_id}, {"error", std::string(e.what())}});
      result = fail(ErrorCode::unavailable,
                    "the database failed; nothing was applied; retry later");
    }
    render(result, res);
  };
}

}  // namespace

void install_routes(HardenedServer& server, Gate& gate, RouteTable routes,
                    const std::string& web_dir, const nlohmann::json& components) {
  routes.push_back({"GET",
                    "/healthz",
                    kPublic,
                    "Liveness: 200 while the server answers",
                    [](RouteRequest&) -> Result<Reply> {
                      return json_reply({{"status", "ok"}});
                    },
                    200,
                    {.response = schema::object_schema({schema::enumeration("status", {"ok"})})}});
  routes.push_back({"GET",
                    "/metrics",
                    kPublic,
                    "Prometheus metrics",
                    [&server, &gate](RouteRequest&) -> Result<Reply> {
                      Reply r;
                      r.content_type = "text/plain; version=0.0.4";
                      auto figures = gate.scrape ? gate.scrape() : ScrapeFigures{};
                      figures.waiting_connections = server.waiting_connections();
                      r.text = gate.metrics.render(figures);
                      return r;
                    },
                    200,
                    {.response = {{"type", "string"}}, .response_type = "text/plain"}});
  auto document = std::make_shared<nlohmann::json>();
  routes.push_back({"GET",
                    "/api/v1/openapi.json",
                    kPublic,
                    "This API as an OpenAPI 3 document",
                    [document](RouteRequest&) -> Result<Reply> { return json_reply(*document); },
                    200,
                    {.response = schema::object_schema(
                         {schema::text("openapi", 10), schema::object("info", {{"type", "object"}}),
                          schema::array("servers", {{"type", "object"}}),
                          schema::array("security", {{"type", "object"}}),
                          schema::object("components", {{"type", "object"}}),
                          schema::object("paths", {{"type", "object"}})})}});
  *document = openapi_document(routes, components);

  for (const auto& route : routes) {
    auto pattern = path_regex(route.path);
    auto handler = wrap(gate, route);
    if (route.method == "GET") server.Get(pattern, handler);
    else if (route.method == "POST") server.Post(pattern, handler);
    else if (route.method == "PATCH") server.Patch(pattern, handler);
    else if (route.method == "PUT") server.Put(pattern, handler);
    else if (route.method == "DELETE") server.Delete(pattern, handler);
  }
  if (!web_dir.empty()) {
    // The web apps run no inline script and load nothing from elsewhere: a job description
    // that smuggles markup in cannot run, and the technician app's service worker can only
    // cache this origin. Files are revalidated on every load (the app shell's offline copy is
    // the service worker's versioned cache, not the HTTP cache).
    httplib::Headers headers{
        {"Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
         "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"Cache-Control", "no-cache"}};
    for (const auto& [ext, mime] : {std::pair{"html", "text/html; charset=utf-8"},
                                    {"js", "text/javascript; charset=utf-8"},
                                    {"mjs", "text/javascript; charset=utf-8"},
                                    {"css", "text/css; charset=utf-8"},
                                    {"json", "application/json"},
                                    {"webmanifest", "application/manifest+json"},
                                    {"svg", "image/svg+xml"},
                                    {"png", "image/png"},
                                    {"txt", "text/plain; charset=utf-8"}}) {
      server.set_file_extension_and_mimetype_mapping(ext, mime);
    }
    server.set_mount_point("/", web_dir, headers);
    // Revalidation is cheap: a file the browser already has (same bytes, same ETag) is a 304
    // with no body, instead of the whole file read, gzipped and sent again on every load.
    server.set_file_request_handler([](const httplib::Request& req, httplib::Response& res) {
      std::uint64_t h = 14695981039346656037ull;  // FNV-1a over the bytes served
      for (unsigned char c : res.body) h = (h ^ c) * 1099511628211ull;
      char etag[24];
      std::snprintf(etag, sizeof etag, "\"%016llx\"", static_cast<unsigned long long>(h));
      res.set_header("ETag", etag);
      if (res.status == 200 && req.get_header_value("If-None-Match") == etag) {
        res.status = 304;
        res.body.clear();
      }
    });
  }

  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                   httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    ErrorCode code = res.status == 404 ? ErrorCode::not_found : ErrorCode::bad_request;
    std::string message = res.status == 404 ? "no route for " + req.method + " " + req.path
                                            : "the request could not be read";
    if (res.status == 413) code = ErrorCode::payload_too_large, message = "the body is too large";
    if (res.status == 414) message = "the request line is too long";
    if (res.status >= 500) code = ErrorCode::internal, message = "internal error";
    res.set_content(error_body(code, message), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));

  // Anything thrown past a handler: a 500 with the request id, the detail only in the log. The
  // packaged httplib would otherwise copy what() into an EXCEPTION_WHAT response header.
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  const std::exception_ptr& ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    auto& scope = current_request();
    log_event(app::LogLevel::error, "unhandled exception",
              {{"request_id", scope.request_id}, {"route", scope.route}, {"error", what}});
    res.status = 500;
    res.set_content(error_body(ErrorCode::internal,
                               "internal error; request id " + scope.request_id),
                    "application/json");
  });

  server.set_logger([&gate](const httplib::Request& req, const httplib::Response& res) {
    auto& scope = current_request();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - scope.started).count();
    std::string route = scope.route.empty() ? "unmatched" : scope.route;
    gate.metrics.record(req.method, route, res.status, seconds);
    log_event(app::LogLevel::info, "request",
              {{"request_id", scope.request_id},
               {"peer", scope.peer},
               {"token_id", scope.token_id.empty() ? std::string("-") : scope.token_id},
               {"method", req.method},
               {"route", route},
               {"status", std::int64_t{res.status}},
               {"duration_ms", seconds * 1000}});
  });
}

namespace {

// The error statuses a route can answer, with the error codes behind each: those every route of
// its kind shares (authentication, a body, an {id} in the path, If-Match, query parameters) and
// the ones its contract adds.
std::map<int, std::set<std::string>> error_statuses(const Route& r) {
  std::map<int, std::set<std::string>> out;
  auto add = [&](ErrorCode code) {
    auto info = error_info(code);
    out[info.http_status].insert(std::string(info.code));
  };
  if (!(r.roles & kPublic)) {
    add(ErrorCode::unauthorized);
    add(ErrorCode::forbidden);
    add(ErrorCode::rate_limited);
  }
  if (!r.contract.request.is_null() || r.method == "POST" || r.method == "PATCH" ||
      r.method == "PUT") {
    for (auto code : {ErrorCode::malformed_json, ErrorCode::payload_too_large,
                      ErrorCode::unsupported_media_type, ErrorCode::validation_failed,
                      ErrorCode::unknown_field}) {
      add(code);
    }
  }
  if (r.path.find('{') != std::string::npos) add(ErrorCode::not_found);
  if (r.method == "PATCH") add(ErrorCode::stale_version);
  if (!r.contract.query.empty()) add(ErrorCode::bad_request);
  for (int status : r.contract.errors) {
    for (auto code : kAllErrorCodes) {
      if (error_info(code).http_status == status) add(code);
    }
  }
  return out;
}

// A name for generated and runtime clients: the method and the path's words, a parameter as
// "By" and its name: GET /api/v1/jobs/{id}/candidates is getJobsByIdCandidates.
std::string operation_id(const Route& r) {
  std::string id = r.method;
  std::transform(id.begin(), id.end(), id.begin(), ::tolower);
  std::string_view path = r.path;
  if (path.starts_with("/api/v1")) path.remove_prefix(7);
  bool upper = true;
  for (char c : path) {
    if (c == '/' || c == '-' || c == '_' || c == '.') {
      upper = true;
    } else if (c == '{') {
      id += "By";
      upper = true;
    } else if (c != '}') {
      id += upper ? static_cast<char>(::toupper(c)) : c;
      upper = false;
    }
  }
  return id;
}

const char* reason(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Missing, unknown or revoked token";
    case 403: return "The token's role may not do this";
    case 404: return "Not found";
    case 409: return "Conflict with the resource's current state or version";
    case 411: return "Length required";
    case 413: return "Body too large";
    case 415: return "Body is not application/json";
    case 422: return "The body does not fit";
    case 429: return "Rate limited";
    case 503: return "Busy: try again";
    default: return "Error";
  }
}

}  // namespace

nlohmann::json openapi_document(const RouteTable& routes, const nlohmann::json& components) {
  using nlohmann::json;
  json paths = json::object();
  static const std::regex param(R"(\{([a-z_]+)\})");
  for (const auto& r : routes) {
    json op = {{"summary", r.summary}, {"operationId", operation_id(r)}};
    json roles = json::array();
    for (Role role : {Role::admin, Role::dispatcher, Role::manager, Role::technician}) {
      if (r.roles & (1u << static_cast<int>(role))) roles.push_back(to_string(role));
    }
    if (r.roles & kPublic) {
      op["security"] = json::array();
    } else {
      op["x-roles"] = roles;
    }
    json params = json::array();
    for (std::sregex_iterator it(r.path.begin(), r.path.end(), param), end; it != end; ++it) {
      auto name = (*it)[1].str();
      params.push_back({{"name", name},
                        {"in", "path"},
                        {"required", true},
                        {"schema", name == "uuid" ? json{{"type", "string"}, {"format", "uuid"}}
                                                  : json{{"type", "integer"}, {"minimum", 1}}}});
    }
    if (r.method == "PATCH") {
      params.push_back({{"name", "If-Match"},
                        {"in", "header"},
                        {"required", false},
                        {"schema", {{"type", "string"}}},
                        {"description", "the version last read; a stale one is 409"}});
    }
    if (r.contract.query.empty() && r.method == "GET" && r.path.find('{') == std::string::npos &&
        !(r.roles & kPublic) && r.path != "/api/v1/sla-policy") {
      params.push_back({{"name", "limit"},
                        {"in", "query"},
                        {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}}});
      params.push_back({{"name", "cursor"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
    }
    for (const auto& q : r.contract.query) {
      json p = {{"name", q.name},
                {"in", "query"},
                {"required", false},
                {"schema", schema::value_schema(q)}};
      if (!q.description.empty()) p["description"] = q.description;
      params.push_back(std::move(p));
    }
    if (!params.empty()) op["parameters"] = params;
    json request = r.contract.request;
    if (request.is_null() && (r.method == "POST" || r.method == "PATCH" || r.method == "PUT")) {
      request = {{"type", "object"}};
    }
    if (!request.is_null()) {
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", request}}}}}};
    }
    json responses = json::object();
    json ok = {{"description", r.success_status == 204 ? "No content" : "Success"}};
    if (!r.contract.response.is_null()) {
      ok["content"] = {{r.contract.response_type, {{"schema", r.contract.response}}}};
      for (const auto& type : r.contract.also_types) {
        ok["content"][type] = {{"schema", {{"type", "string"}}}};
      }
    }
    responses[std::to_string(r.success_status)] = ok;
    for (const auto& [status, codes] : error_statuses(r)) {
      std::string names;
      for (const auto& c : codes) names += (names.empty() ? "" : ", ") + c;
      responses[std::to_string(status)] = {
          {"description", std::string(reason(status)) + " (error codes: " + names + ")"},
          {"x-error-codes", codes},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    }
    op["responses"] = responses;
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    paths[r.path][method] = op;
  }
  json codes = json::array();
  for (auto code : kAllErrorCodes) codes.push_back(std::string(error_info(code).code));
  json schemas = components.is_object() ? components : json::object();
  schemas["Error"] = {
      {"type", "object"},
      {"required", {"error"}},
      {"additionalProperties", false},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"additionalProperties", false},
          {"properties",
           {{"code", {{"type", "string"}, {"enum", codes}}},
            {"message", {{"type", "string"}}},
            {"details", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}}}}}};
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "fieldserve"},
            {"version", FIELDSERVE_VERSION},
            {"description", "Field-service dispatch with a mobile-sync API"}}},
          {"servers", json::array({{{"url", "/"}}})},
          {"security", json::array({{{"bearer", json::array()}}})},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
            {"schemas", schemas}}},
          {"paths", paths}};
}

}  // namespace fieldserve::server
