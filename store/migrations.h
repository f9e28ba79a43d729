#pragma once
#include "store/sqlite.h"

namespace fieldserve::store {

// Applies every migration newer than the database's recorded version, each in its own
// transaction, and records it in schema_migrations. Returns the version reached.
// `up_to` stops at an older version (tests of a migration start from the one before it).
int migrate(Connection& conn, int up_to = 0);
int latest_schema_version();

}  // namespace fieldserve::store
