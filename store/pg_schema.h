#pragma once
#include <vector>

namespace fieldserve::store {

struct PgMigration {
  int version;
  const char* sql;
};

// The PostgreSQL schema. It starts at the SQLite store's version 14 (one migration holding the
// whole schema as SQLite has it at 14); later changes are new entries in both stores, kept in step.
const std::vector<PgMigration>& pg_migrations();

}  // namespace fieldserve::store
