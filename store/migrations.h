#pragma once
#include "store/sqlite.h"

namespace fieldserve::store {

// Applies every migration newer than the database's recorded version, each in its own
// transaction, and records it in schema_migrations. Returns the version reached.
int migrate(Connection& conn);
int latest_schema_version();

}  // namespace fieldserve::store
