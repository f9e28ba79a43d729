#pragma once
// Pieces of route contracts the API's modules share (server/http/route.h).
#include <string>
#include <vector>

#include "server/http/route.h"

namespace fieldserve::server {

// limit (1..max_limit, default 50) and cursor, as RouteRequest::page reads them.
inline std::vector<schema::Field> page_query(int max_limit = 500) {
  return {schema::optional(schema::integer("limit", 1, max_limit, "items per page (default 50)")),
          schema::optional(schema::text("cursor", 100, "next_cursor of the previous page"))};
}

// The page query with further filters after it.
inline std::vector<schema::Field> page_query_with(std::vector<schema::Field> filters) {
  auto query = page_query();
  for (auto& f : filters) query.push_back(schema::optional(std::move(f)));
  return query;
}

}  // namespace fieldserve::server
