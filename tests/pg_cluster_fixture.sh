#!/usr/bin/env bash
# ctest's pg_cluster fixture (tests/CMakeLists.txt): starts the throwaway PostgreSQL cluster the
# "pg." cases run on, and removes it after the last of them, whether they passed or not.
#   tests/pg_cluster_fixture.sh start STATE   the cluster's URL goes to STATE.url, its folder's
#                                             path to STATE.dir (a leftover of an interrupted run
#                                             is removed first)
#   tests/pg_cluster_fixture.sh stop STATE
set -euo pipefail
cluster="$(dirname "$0")/../scripts/pg_cluster"
action=${1:?start or stop}
state=${2:?the state file prefix}

stop() {
  if [ -f "$state.dir" ]; then
    "$cluster" stop "$(cat "$state.dir")"
  fi
  rm -f "$state.dir" "$state.url"
}

case $action in
  start)
    stop
    # Under /tmp, whose parents the postgres user can always pass through (a build folder's may
    # not be).
    dir=$(mktemp -d /tmp/fieldserve-pg.XXXXXX)
    echo "$dir" > "$state.dir"
    "$cluster" start "$dir" > "$state.url.tmp"
    mv "$state.url.tmp" "$state.url"
    echo "PostgreSQL test cluster: $(cat "$state.url")"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE" >&2; exit 2 ;;
esac
