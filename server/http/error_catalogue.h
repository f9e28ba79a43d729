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

// {"error": {"code", "message", "details"}} as text.
std::string error_body(const Error& error);
std::string error_body(ErrorCode code, const std::string& message);

}  // namespace fieldserve::server
