# Shared by the wrk benchmarks: a release build of fieldserve, and a sample-data database in a
# temporary folder that is removed (and its server stopped) on exit. Source it from the repo root.
. scripts/deps.sh
install_missing_packages
mkdir -p build/release
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFIELDSERVE_TESTS=OFF \
  -DFIELDSERVE_BENCH=ON > build/release/configure.log
cmake --build build/release --target fieldserve > build/release/build.log
bin=build/release/server/fieldserve

work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
admin=$("$bin" init --db "$work/bench.db" 2>/dev/null)
"$bin" import --db "$work/bench.db" sample_data/ 2>/dev/null

start_server() {  # extra serve args...; sets $server and $base
  rm -f "$work/port"
  "$bin" serve --db "$work/bench.db" --port 0 --port-file "$work/port" --rate 1e9 --burst 1e9 \
    "$@" 2>> "$work/server.log" &
  server=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  base="http://127.0.0.1:$(cat "$work/port")"
}
