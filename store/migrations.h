#pragma once
#include "store/db.h"

namespace fieldserve::store {

// Applies every migration of the connection's dialect newer than the database's recorded version
// and records it in schema_migrations: on SQLite each in its own transaction, on PostgreSQL all in
// one. Returns the version reached. `up_to` stops at an older version (tests of a migration start
// from the one before it).
int migrate(Connection& conn, int up_to = 0);
int latest_schema_version();

}  // namespace fieldserve::store
