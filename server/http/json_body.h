#pragma once
// Reading request bodies: JSON with a nesting cap, and a field reader that rejects unknown fields
// and collects every type or range problem so one 422 names them all.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/model.h"
#include "server/http/schema.h"

namespace fieldserve::server {

using nlohmann::json;

inline constexpr int kMaxJsonDepth = 32;

// Nesting depth of a JSON text, counted without recursion (strings are skipped), so a hostile
// body never reaches nlohmann's recursive parser. Returns the maximum depth seen.
int json_nesting_depth(std::string_view text);

// malformed_json if the text is not JSON, nests deeper than kMaxJsonDepth, or is not an object.
Result<json> parse_json_object(std::string_view text);

class FieldReader {
 public:
  // `path` prefixes field names in messages ("contact.email").
  explicit FieldReader(const json& object, std::string path = "");

  bool has(const char* name) const;                             // present, null or not
  void accept(const char* name) { known_.emplace_back(name); }  // read by the caller itself
  bool is_null(const char* name) const;                         // present and null

  // Each getter marks the field as known. Missing optional → nullopt; missing required, wrong
  // type or out of range → nullopt and a recorded problem.
  std::optional<std::string> text(const char* name, bool required, std::size_t max_len = 200,
                                  bool allow_empty = false);
  std::optional<std::int64_t> integer(const char* name, bool required, std::int64_t min,
                                      std::int64_t max);
  std::optional<double> number(const char* name, bool required, double min, double max);
  std::optional<bool> boolean(const char* name, bool required);
  std::optional<Instant> instant(const char* name, bool required);
  std::optional<geo::LatLon> location(const char* name, bool required);
  std::optional<std::vector<std::string>> skills(const char* name, bool required);
  std::optional<WeeklyHours> weekly_hours(const char* name, bool required);
  // An object field, read by a nested reader whose problems join this one's.
  const json* object(const char* name, bool required);
  // A string field that must be one of an enum's names.
  template <class Parse>
  auto one_of(const char* name, bool required, Parse parse, std::string_view allowed)
      -> decltype(parse(std::string_view{})) {
    auto value = text(name, required, 64);
    if (!value) return std::nullopt;
    auto parsed = parse(*value);
    if (!parsed) problem(name, "must be one of " + std::string(allowed));
    return parsed;
  }

  // The same reads with the name and bounds taken from a field table entry (schema.h), so the
  // reader and the OpenAPI document say the same: required when `creating` and the entry is
  // not optional.
  std::optional<std::string> text(const schema::Field& f, bool creating) {
    return text(f.name.c_str(), creating && !f.optional, f.max_length.value_or(200), f.allow_empty);
  }
  std::optional<std::int64_t> integer(const schema::Field& f, bool creating) {
    return integer(f.name.c_str(), creating && !f.optional,
                   f.minimum ? static_cast<std::int64_t>(*f.minimum) : INT64_MIN,
                   f.maximum ? static_cast<std::int64_t>(*f.maximum) : INT64_MAX);
  }
  std::optional<double> number(const schema::Field& f, bool creating) {
    return number(f.name.c_str(), creating && !f.optional, f.minimum.value_or(-1e300),
                  f.maximum.value_or(1e300));
  }
  std::optional<bool> boolean(const schema::Field& f, bool creating) {
    return boolean(f.name.c_str(), creating && !f.optional);
  }
  std::optional<Instant> instant(const schema::Field& f, bool creating) {
    return instant(f.name.c_str(), creating && !f.optional);
  }
  std::optional<geo::LatLon> location(const schema::Field& f, bool creating) {
    return location(f.name.c_str(), creating && !f.optional);
  }
  std::optional<std::vector<std::string>> skills(const schema::Field& f, bool creating) {
    return skills(f.name.c_str(), creating && !f.optional);
  }
  std::optional<WeeklyHours> weekly_hours(const schema::Field& f, bool creating) {
    return weekly_hours(f.name.c_str(), creating && !f.optional);
  }
  const json* object(const schema::Field& f, bool creating) {
    return object(f.name.c_str(), creating && !f.optional);
  }
  template <class Parse>
  auto one_of(const schema::Field& f, bool creating, Parse parse)
      -> decltype(parse(std::string_view{})) {
    std::string allowed;
    for (const auto& v : f.values) allowed += (allowed.empty() ? "" : ", ") + v;
    return one_of(f.name.c_str(), creating && !f.optional, parse, allowed);
  }
  bool has(const schema::Field& f) const { return has(f.name.c_str()); }
  bool is_null(const schema::Field& f) const { return is_null(f.name.c_str()); }
  void accept(const schema::Field& f) { accept(f.name.c_str()); }
  void problem(const schema::Field& f, const std::string& what) { problem(f.name.c_str(), what); }

  void problem(const char* name, const std::string& what);
  void merge(FieldReader& nested);
  // unknown_field (422) if a field was never read, else validation_failed (422) if any problem
  // was recorded, else success.
  Result<void> finish();
  // Like finish, but fields nobody read are ignored: for sync ops, where an app version newer
  // than the server may send more (docs/sync-protocol.md).
  Result<void> finish_tolerant();
  // The fields nobody read, with their values: what a sync op from a newer app carries beyond
  // what this server knows, kept with the op rather than dropped.
  json unread() const;

 private:
  std::string full(const char* name) const;
  const json& object_;
  std::string path_;
  // Field names are short and few: a vector of small strings costs no allocation per name,
  // where a set allocated a node for each (a tenth of parsing a pushed op).
  std::vector<std::string> known_;
  bool is_known(const std::string& name) const;
  std::vector<std::string> problems_;
  std::vector<std::string> unknown_;
};

}  // namespace fieldserve::server
