#pragma once
// Instants are whole UTC seconds: the wire format (RFC 3339) carries no finer precision that any
// SLA rule needs, and integers store and compare exactly in every backend.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fieldserve {

using Instant = std::chrono::sys_seconds;
using Minutes = std::chrono::minutes;

// Parses "2026-11-22T09:30:00Z" or "...+08:00" / "...-05:30", optional fractional seconds
// (truncated). Returns nullopt for anything else, including impossible dates like 02-30.
std::optional<Instant> parse_rfc3339(std::string_view text);

// Always UTC with a Z suffix.
std::string format_rfc3339(Instant at);
// The same text appended to `out`, without a string of its own.
void append_rfc3339(std::string& out, Instant at);

// How far ahead of the server's clock a time a client gives may be: a clock a minute fast is
// drift; further ahead is a typo, not a date in the future.
inline constexpr std::chrono::seconds kClientClockTolerance{60};

inline std::int64_t to_epoch_s(Instant at) { return at.time_since_epoch().count(); }
inline Instant from_epoch_s(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }
inline std::optional<std::int64_t> to_epoch_s(const std::optional<Instant>& at) {
  return at ? std::optional(to_epoch_s(*at)) : std::nullopt;
}

// Injected wherever "now" matters, so replay and tests run on a simulated clock (STYLE 5).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant now() const override;
};

}  // namespace fieldserve
