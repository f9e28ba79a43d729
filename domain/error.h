#pragma once
// Expected failures travel as values (STYLE 6). Only server/ maps an ErrorCode to an HTTP status.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fieldserve {

enum class ErrorCode {
  malformed_json,     // body is not JSON, or nested too deep
  bad_request,        // a query parameter or header that cannot be read
  validation_failed,  // well-formed but breaks a rule (range, enum, required field)
  unknown_field,      // a field the resource does not have
  unknown_reference,  // an id in the body names nothing (422, unlike a missing URL resource)
  not_found,
  conflict,            // state does not allow the action
  stale_version,       // If-Match did not match
  invalid_transition,  // job status move not allowed
  invalid_cursor,      // a sync cursor that is not this server's, or not the caller's
  invalid_signature,   // a sign-off's signature image is not an acceptable PNG
  unauthorized,
  forbidden,
  payload_too_large,
  unsupported_media_type,
  length_required,
  rate_limited,
  unavailable,  // database busy: retry later
  internal,
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::vector<std::string> details;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message,
                                   std::vector<std::string> details = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(details)});
}

inline std::unexpected<Error> not_found(const std::string& what, std::int64_t id) {
  return fail(ErrorCode::not_found, what + " " + std::to_string(id) + " does not exist");
}

// stale_version when If-Match named another version than `current` (optimistic concurrency).
inline Result<void> check_version(const std::optional<std::int64_t>& if_match,
                                  std::int64_t current) {
  if (if_match && *if_match != current) {
    return fail(ErrorCode::stale_version, "the resource is at version " + std::to_string(current) +
                                              ", not " + std::to_string(*if_match) +
                                              "; read it again and reapply the change");
  }
  return {};
}

}  // namespace fieldserve
