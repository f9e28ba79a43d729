#include "server/http/schema.h"

#include <stdexcept>
#include <utility>

namespace fieldserve::server::schema {
namespace {

const char* type_name(Type t) {
  switch (t) {
    case Type::string: return "string";
    case Type::integer: return "integer";
    case Type::number: return "number";
    case Type::boolean: return "boolean";
    case Type::object: return "object";
    case Type::array: return "array";
  }
  return "string";
}

}  // namespace

json value_schema(const Field& f) {
  json s;
  if (f.type == Type::object && !f.shape.is_null()) {
    s = f.shape;
  } else if (f.type == Type::array) {
    s = array_of(f.shape.is_null() ? json::object() : f.shape);
  } else {
    s = {{"type", type_name(f.type)}};
  }
  // A $ref stands alone in OpenAPI 3.0: what else the field says goes around it. A null that
  // can stand for the referenced object needs the object inline (validators cannot combine
  // nullable with a reference), so that is refused here rather than documented wrongly.
  if (s.contains("$ref")) {
    if (f.nullable) throw std::logic_error("nullable field " + f.name + " needs an inline schema");
    if (!f.description.empty()) s = {{"allOf", json::array({s})}};
  }
  if (!f.description.empty()) s["description"] = f.description;
  if (f.nullable) s["nullable"] = true;
  if (!f.format.empty()) s["format"] = f.format;
  if (f.minimum) s["minimum"] = *f.minimum;
  if (f.maximum) s["maximum"] = *f.maximum;
  if (f.max_length) s["maxLength"] = *f.max_length;
  if (f.type == Type::string && !f.allow_empty) s["minLength"] = 1;
  if (!f.values.empty()) {
    json values = f.values;
    if (f.nullable) values.push_back(nullptr);  // enum lists every value allowed, null too
    s["enum"] = values;
  }
  return s;
}

json object_schema(const std::vector<Field>& fields, bool all_optional, bool open) {
  json properties = json::object();
  json required = json::array();
  for (const auto& f : fields) {
    properties[f.name] = value_schema(f);
    if (!all_optional && !f.optional) required.push_back(f.name);
  }
  json s = {{"type", "object"}, {"properties", properties}, {"additionalProperties", open}};
  if (!required.empty()) s["required"] = required;
  return s;
}

json ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json array_of(json item) { return {{"type", "array"}, {"items", std::move(item)}}; }

json page_of(json item) {
  return {{"type", "object"},
          {"required", {"items", "next_cursor"}},
          {"additionalProperties", false},
          {"properties",
           {{"items", array_of(std::move(item))},
            {"next_cursor",
             {{"type", "string"},
              {"nullable", true},
              {"description", "pass as cursor for the next page; null on the last"}}}}}};
}

Field id(std::string name, std::string description) {
  return {.name = std::move(name),
          .type = Type::integer,
          .description = std::move(description),
          .minimum = 1};
}

Field optional_id(std::string name, std::string description) {
  return nullable(id(std::move(name), std::move(description)));
}

Field text(std::string name, std::size_t max_length, std::string description) {
  return {.name = std::move(name),
          .type = Type::string,
          .description = std::move(description),
          .max_length = max_length};
}

Field timestamp(std::string name, std::string description) {
  return {.name = std::move(name),
          .type = Type::string,
          .description = std::move(description),
          .format = "date-time"};
}

Field enumeration(std::string name, std::vector<std::string> values, std::string description) {
  return {.name = std::move(name),
          .type = Type::string,
          .description = std::move(description),
          .values = std::move(values)};
}

Field boolean(std::string name, std::string description) {
  return {.name = std::move(name), .type = Type::boolean, .description = std::move(description)};
}

Field number(std::string name, std::string description) {
  return {.name = std::move(name), .type = Type::number, .description = std::move(description)};
}

Field integer(std::string name, std::optional<double> minimum, std::optional<double> maximum,
              std::string description) {
  return {.name = std::move(name),
          .type = Type::integer,
          .description = std::move(description),
          .minimum = minimum,
          .maximum = maximum};
}

Field object(std::string name, json shape, std::string description) {
  return {.name = std::move(name),
          .type = Type::object,
          .description = std::move(description),
          .shape = std::move(shape)};
}

Field array(std::string name, json item, std::string description) {
  return {.name = std::move(name),
          .type = Type::array,
          .description = std::move(description),
          .shape = std::move(item)};
}

Field skills(std::string name, std::string description) {
  return array(std::move(name), {{"type", "string"}, {"pattern", "^[a-z0-9_-]{1,40}$"}},
               std::move(description));
}

Field nullable(Field f) {
  f.nullable = true;
  return f;
}

Field optional(Field f) {
  f.optional = true;
  return f;
}

}  // namespace fieldserve::server::schema
