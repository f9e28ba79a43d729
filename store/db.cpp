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

std::int64_t returned_id(Statement& insert) {
  if (!insert.step()) throw StoreError(0, "an INSERT ... RETURNING id returned no row");
  return insert.get_int(0);
}

}  // namespace fieldserve::store
