#include "server/http/route.h"

#include <algorithm>
#include <charconv>

#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

std::optional<std::int64_t> parse_int(const std::string& text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::int64_t RouteRequest::path_id(int n) const {
  // Patterns only match digits here, so the conversion fails only on overflow: 0 names nothing.
  return parse_int(http.matches[n].str()).value_or(0);
}

std::optional<std::string> RouteRequest::query(const char* name) const {
  if (!http.has_param(name)) return std::nullopt;
  return http.get_param_value(name);
}

Result<std::optional<std::int64_t>> RouteRequest::query_int(const char* name) const {
  auto text = query(name);
  if (!text) return std::optional<std::int64_t>{};
  auto value = parse_int(*text);
  if (!value) return fail(ErrorCode::bad_request, std::string(name) + " must be an integer");
  return std::optional<std::int64_t>(*value);
}

Result<std::optional<std::int64_t>> RouteRequest::query_id(const char* name) const {
  auto value = query_int(name);
  if (value && *value && **value < 1) {
    return fail(ErrorCode::bad_request, std::string(name) + " must be an id (1 or more)");
  }
  return value;
}

Result<std::optional<Instant>> RouteRequest::query_time(const char* name) const {
  auto text = query(name);
  if (!text) return std::optional<Instant>{};
  auto value = parse_rfc3339(*text);
  if (!value) {
    return fail(ErrorCode::bad_request, std::string(name) + " must be an RFC 3339 time");
  }
  return std::optional<Instant>(*value);
}

Result<json> RouteRequest::body() const {
  auto type = http.get_header_value("Content-Type");
  auto base = type.substr(0, type.find(';'));
  base.erase(std::remove(base.begin(), base.end(), ' '), base.end());
  std::transform(base.begin(), base.end(), base.begin(), ::tolower);
  if (base != "application/json") {
    return fail(ErrorCode::unsupported_media_type,
                "send the body as Content-Type: application/json");
  }
  return parse_json_object(http.body);
}

Result<int> RouteRequest::page_limit() const {
  auto limit = query("limit");
  if (!limit) return store::Page{}.limit;
  auto value = parse_int(*limit);
  if (!value || *value < 1 || *value > 500) {
    return fail(ErrorCode::bad_request, "limit must be an integer from 1 to 500");
  }
  return static_cast<int>(*value);
}

Result<store::Page> RouteRequest::page() const {
  store::Page page;
  auto limit = page_limit();
  if (!limit) return std::unexpected(limit.error());
  page.limit = *limit;
  if (auto cursor = query("cursor"); cursor && !cursor->empty()) {
    auto value = parse_int(*cursor);
    if (!value || *value < 0)
      return fail(ErrorCode::bad_request, "cursor is not one this server gave");
    page.after_id = *value;
  }
  return page;
}

Result<std::optional<std::int64_t>> RouteRequest::if_match() const {
  if (!http.has_header("If-Match")) return std::optional<std::int64_t>{};
  auto text = http.get_header_value("If-Match");
  // Accept the ETag form the server sends ("\"3\"") as well as a bare number.
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  auto value = parse_int(text);
  if (!value || *value < 1)
    return fail(ErrorCode::bad_request, "If-Match must be a version number");
  return std::optional<std::int64_t>(*value);
}

Reply json_reply(json body, int status) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace fieldserve::server
