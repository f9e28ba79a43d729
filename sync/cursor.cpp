#include "sync/cursor.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace fieldserve::sync {
namespace {

// FNV-1a: not a secret, only a guard against truncated or hand-edited cursors being read as a
// different position. A technician who forges a valid one can only ask for its own jobs again.
std::uint32_t checksum(std::string_view text) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

template <class T>
std::optional<T> number(std::string_view s) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

bool is_hex_id(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// One checksummed form for both kinds: "<body>.<fnv1a of body>".
std::string seal(const std::string& body) { return fmt::format("{}.{:08x}", body, checksum(body)); }

std::optional<std::string_view> unseal(std::string_view text) {
  if (text.size() > 200) return std::nullopt;
  auto dot = text.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto body = text.substr(0, dot);
  auto hex = text.substr(dot + 1);
  if (hex.size() != 8) return std::nullopt;
  std::uint32_t expected = 0;
  auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), expected, 16);
  if (ec != std::errc() || end != hex.data() + hex.size() || expected != checksum(body)) {
    return std::nullopt;
  }
  return body;
}

}  // namespace

std::string encode_cursor(const Cursor& c) {
  return seal(fmt::format("c1.{}.{}.{}.{}", c.database_id, c.technician_id, c.seq,
                          c.snapshot_after ? std::to_string(*c.snapshot_after) : "-"));
}

std::optional<Cursor> decode_cursor(std::string_view text) {
  auto body = unseal(text);
  if (!body) return std::nullopt;
  auto parts = split(*body, '.');
  if (parts.size() != 5 || parts[0] != "c1" || !is_hex_id(parts[1])) return std::nullopt;
  auto technician = number<TechnicianId>(parts[2]);
  auto seq = number<std::int64_t>(parts[3]);
  if (!technician || !seq || *technician <= 0 || *seq < 0) return std::nullopt;
  Cursor c{std::string(parts[1]), *technician, *seq, std::nullopt};
  if (parts[4] != "-") {
    auto after = number<JobId>(parts[4]);
    if (!after || *after < 0) return std::nullopt;
    c.snapshot_after = *after;
  }
  return c;
}

CursorVerdict judge_cursor(const Cursor& c, TechnicianId technician, const FeedBounds& bounds) {
  // A cursor from another database says nothing about this one, not even whose it was.
  if (c.database_id != bounds.database_id) return CursorVerdict::reset;
  if (c.technician_id != technician) return CursorVerdict::wrong_owner;
  if (c.seq > bounds.last_seq || c.seq < bounds.floor) return CursorVerdict::reset;
  return CursorVerdict::resume;
}

std::string encode_staff_cursor(const StaffCursor& c) {
  return seal(fmt::format("s1.{}.{}", c.database_id, c.seq));
}

std::optional<StaffCursor> decode_staff_cursor(std::string_view text) {
  auto body = unseal(text);
  if (!body) return std::nullopt;
  auto parts = split(*body, '.');
  if (parts.size() != 3 || parts[0] != "s1" || !is_hex_id(parts[1])) return std::nullopt;
  auto seq = number<std::int64_t>(parts[2]);
  if (!seq || *seq < 0) return std::nullopt;
  return StaffCursor{std::string(parts[1]), *seq};
}

}  // namespace fieldserve::sync
