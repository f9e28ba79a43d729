#include "store/db.h"

#include "store/sql_tx.h"

namespace fieldserve::store {

std::string Connection::id_list(std::string_view name) const {
  // The ids travel as one JSON array text in both dialects: a statement keeps one parameter
  // whatever the number of ids, so it is prepared once.
  if (dialect() == Dialect::sqlite) {
    return "(SELECT value FROM json_each(" + std::string(name) + "))";
  }
  return "(SELECT value::bigint FROM json_array_elements_text(CAST(" + std::string(name) +
         " AS json)) AS ids(value))";
}

std::string Connection::id_array(const std::vector<std::int64_t>& ids) {
  std::string text = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(ids[i]);
  }
  return text + "]";
}

std::string Connection::text_list(std::string_view name) const {
  if (dialect() == Dialect::sqlite) {
    return "(SELECT value FROM json_each(" + std::string(name) + "))";
  }
  return "(SELECT value FROM json_array_elements_text(CAST(" + std::string(name) +
         " AS json)) AS texts(value))";
}

std::string Connection::rows_by_unique_key(std::string_view table, std::string_view key,
                                           std::string_view name) const {
  std::string t(table), k(key);
  if (dialect() == Dialect::sqlite) {
    return "(SELECT * FROM " + t + " WHERE " + k + " IN " + text_list(name) + ")";
  }
  return "(SELECT found.* FROM json_array_elements_text(CAST(" + std::string(name) +
         " AS json)) AS wanted(value) CROSS JOIN LATERAL (SELECT * FROM " + t + " WHERE " + k +
         " = wanted.value LIMIT 1) AS found)";
}

std::string Connection::text_array(const std::vector<std::string>& texts) {
  std::string out = "[";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : texts[i]) {
      auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (byte < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
      } else {
        out += c;  // UTF-8 passes through: JSON text is UTF-8
      }
    }
    out += '"';
  }
  return out + "]";
}

std::int64_t returned_id(Statement& insert) {
  if (!insert.step()) throw StoreError(0, "an INSERT ... RETURNING id returned no row");
  return insert.get_int(0);
}

}  // namespace fieldserve::store
