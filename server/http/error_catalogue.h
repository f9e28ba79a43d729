#pragma once
// The one table from ErrorCode to HTTP status and stable wire code (STYLE 7).
#include <string>
#include <string_view>

#include "domain/error.h"

namespace fieldserve::server {

struct ErrorInfo {
  int http_status;
  std::string_view code;  // snake_case, stable for clients
};

ErrorInfo error_info(ErrorCode code);

// Every code, for the OpenAPI document's list of them.
inline constexpr ErrorCode kAllErrorCodes[] = {
    ErrorCode::malformed_json,  ErrorCode::bad_request,       ErrorCode::validation_failed,
    ErrorCode::unknown_field,   ErrorCode::unknown_reference, ErrorCode::not_found,
    ErrorCode::conflict,        ErrorCode::stale_version,     ErrorCode::invalid_transition,
    ErrorCode::invalid_cursor,  ErrorCode::invalid_signature, ErrorCode::unauthorized,
    ErrorCode::forbidden,       ErrorCode::payload_too_large, ErrorCode::unsupported_media_type,
    ErrorCode::length_required, ErrorCode::rate_limited,      ErrorCode::unavailable,
    ErrorCode::internal};

// {"error": {"code", "message", "details"}} as text.
std::string error_body(const Error& error);
std::string error_body(ErrorCode code, const std::string& message);

}  // namespace fieldserve::server
