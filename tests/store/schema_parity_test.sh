#!/usr/bin/env bash
# ctest's schema_parity case: a fresh SQLite database and a fresh PostgreSQL database, both made
# by `fieldserve init`, must hold the same schema (tests/store/schema_parity.py says what "same"
# means).
#   tests/store/schema_parity_test.sh FIELDSERVE_BINARY CLUSTER_URL_FILE
set -euo pipefail
binary=$1
cluster=$(cat "$2")
dir=$(mktemp -d)
database=parity_$$
cleanup() {
  psql "$cluster" -qXc "DROP DATABASE IF EXISTS $database WITH (FORCE)" > /dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$binary" init --db "$dir/parity.db" > /dev/null 2>&1
psql "$cluster" -qXc "CREATE DATABASE $database"
url="${cluster%/*}/$database"
"$binary" init --db "$url" > /dev/null 2>&1
python3 "$(dirname "$0")/schema_parity.py" --sqlite "$dir/parity.db" --pg "$url"
