#pragma once
// The customer's signature on a sign-off: base64 on the wire, a PNG of at most 256 KiB.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace fieldserve::sync {

inline constexpr std::size_t kMaxSignatureBytes = std::size_t{256} * 1024;

// Standard base64 (RFC 4648 section 4), padding optional, no whitespace. nullopt if malformed.
std::optional<std::string> decode_base64(std::string_view text);
std::string encode_base64(std::string_view bytes);

// The decoded image, or invalid_signature naming what is wrong: not base64, too large, not a
// PNG (signature bytes, IHDR first), or cut short (no IEND at the end).
Result<std::string> decode_signature_png(std::string_view base64);

}  // namespace fieldserve::sync
