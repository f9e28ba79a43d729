#include "server/http/json_body.h"

#include <algorithm>
#include <cmath>

#include "server/http/fast_json.h"

namespace fieldserve::server {

int json_nesting_depth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    else if (c == '}' || c == ']') --depth;
  }
  return max_depth;
}

Result<json> parse_json_object(std::string_view text) {
  if (json_nesting_depth(text) > kMaxJsonDepth) {
    return fail(ErrorCode::malformed_json,
                "JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  json value;
  if (auto fast = parse_json_fast(text, kMaxJsonDepth)) {
    value = std::move(*fast);
  } else {
    value = json::parse(text, nullptr, false);
    if (value.is_discarded()) return fail(ErrorCode::malformed_json, "the body is not valid JSON");
  }
  if (!value.is_object()) return fail(ErrorCode::malformed_json, "the body must be a JSON object");
  return value;
}

FieldReader::FieldReader(const json& object, std::string path)
    : object_(object), path_(std::move(path)) {
  known_.reserve(8);
}

std::string FieldReader::full(const char* name) const {
  return path_.empty() ? std::string(name) : path_ + "." + name;
}

bool FieldReader::is_known(const std::string& name) const {
  return std::find(known_.begin(), known_.end(), name) != known_.end();
}

bool FieldReader::has(const char* name) const { return object_.contains(name); }

bool FieldReader::is_null(const char* name) const {
  auto it = object_.find(name);
  return it != object_.end() && it->is_null();
}

void FieldReader::problem(const char* name, const std::string& what) {
  problems_.push_back(full(name) + ": " + what);
}

void FieldReader::merge(FieldReader& nested) {
  for (const auto& field : nested.object_.items()) {
    if (!nested.is_known(field.key())) unknown_.push_back(nested.full(field.key().c_str()));
  }
  unknown_.insert(unknown_.end(), nested.unknown_.begin(), nested.unknown_.end());
  problems_.insert(problems_.end(), nested.problems_.begin(), nested.problems_.end());
}

std::optional<std::string> FieldReader::text(const char* name, bool required, std::size_t max_len,
                                             bool allow_empty) {
  known_.emplace_back(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) problem(name, "is required");
    return std::nullopt;
  }
  if (!it->is_string()) {
    problem(name, "must be a string");
    return std::nullopt;
  }
  const auto& s = it->get_ref<const std::string&>();
  if (!allow_empty && s.empty()) {
    problem(name, "must not be empty");
    return std::nullopt;
  }
  // Characters, not bytes, as the API documents and a browser's maxlength counts: the parser
  // took only valid UTF-8, so every byte that does not continue a sequence starts a character.
  auto characters = static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (c & 0xC0) != 0x80;
  }));
  if (characters > max_len) {
    problem(name, "must be at most " + std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> FieldReader::integer(const char* name, bool required, std::int64_t min,
                                                 std::int64_t max) {
  known_.emplace_back(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) problem(name, "is required");
    return std::nullopt;
  }
  if (!it->is_number_integer()) {
    problem(name, "must be an integer");
    return std::nullopt;
  }
  // Unsigned values above int64 range arrive as number_unsigned; compare without overflow.
  if (it->is_number_unsigned() &&
      it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    problem(name, "is out of range");
    return std::nullopt;
  }
  auto v = it->get<std::int64_t>();
  if (v < min || v > max) {
    problem(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<double> FieldReader::number(const char* name, bool required, double min, double max) {
  known_.emplace_back(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) problem(name, "is required");
    return std::nullopt;
  }
  if (!it->is_number()) {
    problem(name, "must be a number");
    return std::nullopt;
  }
  auto v = it->get<double>();
  if (!std::isfinite(v) || v < min || v > max) {
    problem(name, "must be between " + json(min).dump() + " and " + json(max).dump());
    return std::nullopt;
  }
  return v;
}

std::optional<bool> FieldReader::boolean(const char* name, bool required) {
  known_.emplace_back(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) problem(name, "is required");
    return std::nullopt;
  }
  if (!it->is_boolean()) {
    problem(name, "must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

std::optional<Instant> FieldReader::instant(const char* name, bool required) {
  auto value = text(name, required, 64);
  if (!value) return std::nullopt;
  auto at = parse_rfc3339(*value);
  if (!at) problem(name, "must be an RFC 3339 time such as 2026-11-22T09:30:00Z");
  return at;
}

std::optional<geo::LatLon> FieldReader::location(const char* name, bool required) {
  const json* obj = object(name, required);
  if (!obj) return std::nullopt;
  FieldReader nested(*obj, full(name));
  auto lat = nested.number("lat", true, -90, 90);
  auto lon = nested.number("lon", true, -180, 180);
  merge(nested);
  if (!lat || !lon) return std::nullopt;
  return geo::LatLon{*lat, *lon};
}

std::optional<std::vector<std::string>> FieldReader::skills(const char* name, bool required) {
  known_.emplace_back(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) problem(name, "is required");
    return std::nullopt;
  }
  if (!it->is_array() || it->size() > 50) {
    problem(name, "must be an array of at most 50 skills");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string() || !is_valid_skill(item.get_ref<const std::string&>())) {
      problem(name, "each skill must be 1-40 characters of a-z, 0-9, _ or -");
      return std::nullopt;
    }
    const auto& s = item.get_ref<const std::string&>();
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

std::optional<WeeklyHours> FieldReader::weekly_hours(const char* name, bool required) {
  const json* obj = object(name, required);
  if (!obj) return std::nullopt;
  WeeklyHours hours{};
  bool ok = true;
  for (const auto& [day, span] : obj->items()) {
    auto key = std::find(kWeekdayKeys.begin(), kWeekdayKeys.end(), day);
    if (key == kWeekdayKeys.end()) {
      problem(name, "unknown weekday '" + day + "' (use mon..sun)");
      ok = false;
      continue;
    }
    std::optional<int> start, end;
    if (span.is_array() && span.size() == 2 && span[0].is_string() && span[1].is_string()) {
      start = parse_hhmm(span[0].get_ref<const std::string&>());
      end = parse_hhmm(span[1].get_ref<const std::string&>());
    }
    if (!start || !end || *start >= *end) {
      problem(name, day + R"( must be ["HH:MM", "HH:MM"] with start before end (24:00 allowed))");
      ok = false;
      continue;
    }
    hours[key - kWeekdayKeys.begin()] = DaySpan{*start, *end};
  }
  if (!ok) return std::nullopt;
  return hours;
}

const json* FieldReader::object(const char* name, bool required) {
  known_.emplace_back(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) problem(name, "is required");
    return nullptr;
  }
  if (!it->is_object()) {
    problem(name, "must be an object");
    return nullptr;
  }
  return &*it;
}

Result<void> FieldReader::finish_tolerant() {
  if (!problems_.empty()) {
    return fail(ErrorCode::validation_failed, "the request is not valid", problems_);
  }
  return {};
}

json FieldReader::unread() const {
  json out = json::object();
  for (const auto& field : object_.items()) {
    if (!is_known(field.key())) out[field.key()] = field.value();
  }
  return out;
}

Result<void> FieldReader::finish() {
  for (const auto& field : object_.items()) {
    if (!is_known(field.key())) unknown_.push_back(full(field.key().c_str()));
  }
  if (!unknown_.empty()) {
    return fail(ErrorCode::unknown_field,
                "unknown field(s): the request names fields this "
                "resource does not have",
                unknown_);
  }
  if (!problems_.empty()) {
    return fail(ErrorCode::validation_failed, "the request is not valid", problems_);
  }
  return {};
}

}  // namespace fieldserve::server
