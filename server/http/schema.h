#pragma once
// Field tables: what a field of a request or a response is (type, bounds, format, enum names,
// whether it may be null or absent), written once in C++. The OpenAPI document is built from
// them, request readers take their bounds from them (FieldReader's Field overloads), and the
// resource renderers walk them (server/api/json/resources.h), so the three cannot drift apart.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace fieldserve::server::schema {

using nlohmann::json;

enum class Type { string, integer, number, boolean, object, array };

struct Field {
  std::string name;
  Type type = Type::string;
  std::string description;
  bool nullable = false;
  // In a response: may be left out. In a request: may be left out on create (every field may
  // be left out of a PATCH).
  bool optional = false;
  std::string format;  // date-time, uuid, email
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::optional<std::size_t> max_length;
  bool allow_empty = true;          // a string may be ""
  std::vector<std::string> values;  // enum names
  json shape;                       // object or array: the schema of the value (or of an item)
};

// The OpenAPI 3.0 schema of one field's value.
json value_schema(const Field& field);
// An object with these fields: `required` lists the fields that are not optional (none when
// `all_optional`, as for PATCH); unknown fields are refused unless `open`.
json object_schema(const std::vector<Field>& fields, bool all_optional = false, bool open = false);
// {"$ref": "#/components/schemas/<name>"}
json ref(const std::string& name);
// {"type": "array", "items": item}
json array_of(json item);
// A page of a list: {"items": [item...], "next_cursor": string or null}.
json page_of(json item);

// Shorthands for the common field kinds.
Field id(std::string name, std::string description = "");
Field optional_id(std::string name, std::string description = "");
Field text(std::string name, std::size_t max_length, std::string description = "");
Field timestamp(std::string name, std::string description = "");
Field enumeration(std::string name, std::vector<std::string> values, std::string description = "");
Field boolean(std::string name, std::string description = "");
Field number(std::string name, std::string description = "");
Field integer(std::string name, std::optional<double> minimum, std::optional<double> maximum,
              std::string description = "");
Field object(std::string name, json shape, std::string description = "");
Field array(std::string name, json item, std::string description = "");
// A list of skills as the body reader takes them (domain is_valid_skill): at most 50, each 1-40
// characters of a-z, 0-9, _ or -.
Field skills(std::string name, std::string description = "at most 50");
// The same field, allowed to be null / allowed to be absent.
Field nullable(Field f);
Field optional(Field f);

}  // namespace fieldserve::server::schema
