#include "server/http/error_catalogue.h"

#include <nlohmann/json.hpp>

namespace fieldserve::server {

ErrorInfo error_info(ErrorCode code) {
  switch (code) {
    case ErrorCode::malformed_json: return {400, "malformed_json"};
    case ErrorCode::bad_request: return {400, "bad_request"};
    case ErrorCode::validation_failed: return {422, "validation_failed"};
    case ErrorCode::unknown_field: return {422, "unknown_field"};
    case ErrorCode::unknown_reference: return {422, "unknown_reference"};
    case ErrorCode::not_found: return {404, "not_found"};
    case ErrorCode::conflict: return {409, "conflict"};
    case ErrorCode::stale_version: return {409, "stale_version"};
    case ErrorCode::invalid_transition: return {409, "invalid_transition"};
    case ErrorCode::invalid_cursor: return {400, "invalid_cursor"};
    case ErrorCode::invalid_signature: return {422, "invalid_signature"};
    case ErrorCode::unauthorized: return {401, "unauthorized"};
    case ErrorCode::forbidden: return {403, "forbidden"};
    case ErrorCode::payload_too_large: return {413, "payload_too_large"};
    case ErrorCode::unsupported_media_type: return {415, "unsupported_media_type"};
    case ErrorCode::length_required: return {411, "length_required"};
    case ErrorCode::rate_limited: return {429, "rate_limited"};
    case ErrorCode::unavailable: return {503, "unavailable"};
    case ErrorCode::internal: return {500, "internal"};
  }
  return {500, "internal"};
}

std::string error_body(const Error& error) {
  nlohmann::json body{{"error",
                       {{"code", error_info(error.code).code},
                        {"message", error.message},
                        {"details", error.details}}}};
  // Messages may quote user input; replace rather than throw on invalid UTF-8.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_body(ErrorCode code, const std::string& message) {
  return error_body(Error{code, message, {}});
}

}  // namespace fieldserve::server
