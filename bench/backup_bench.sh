#!/usr/bin/env bash
# A backup of the million-job history (bench/sla_bench.sh makes it, about 950 MB) while 64
# devices push notes: how long the backup takes, and the push p99 during it against the push p99
# without it, in the same run on the same server (wrk on loopback, release build).
#  1. pushes alone for the run's length: the baseline p99;
#  2. the backup alone: its duration (copy, then integrity_check of the copy);
#  3. pushes again, started with a second backup and lasting as long as the first took.
# The history is copied first, so the pushes never touch the file the report benchmark reuses.
# Usage: bench/backup_bench.sh [jobs, default 1000000] [seconds of the baseline run, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-1000000}"
secs="${2:-20}"
. scripts/deps.sh
install_missing_packages
mkdir -p build/release
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFIELDSERVE_TESTS=OFF \
  -DFIELDSERVE_BENCH=ON > build/release/configure.log
cmake --build build/release --target fieldserve history_gen > build/release/build.log
bin=build/release/server/fieldserve
history="build/release/history-$jobs-after-sales.db"
[ -f "$history" ] || build/release/bench/history_gen --db "$history" --jobs "$jobs" > "$history.gen"

work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
"$bin" backup --db "$history" --out "$work/bench.db" 2> /dev/null  # a quiet, consistent copy
admin=$("$bin" token create --db "$work/bench.db" --role admin --name bench 2>/dev/null)
"$bin" serve --db "$work/bench.db" --port 0 --port-file "$work/port" --rate 1e9 --burst 1e9 \
  2>> "$work/server.log" &
server=$!
for _ in $(seq 300); do [ -s "$work/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$work/port")"
api() {  # method path body
  curl -sf -X "$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    --data "$3" "$base$2"
}
site=$(sqlite3 "$work/bench.db" "SELECT MIN(id) FROM sites")
techs=($(sqlite3 "$work/bench.db" "SELECT id FROM technicians ORDER BY id LIMIT 64"))
devices=""
for d in $(seq 0 63); do
  tech=${techs[$d]}
  id=$(api POST /api/v1/jobs "{\"site_id\": $site, \"kind\": \"repair\", \"severity\": \"general\", \"auto_assign\": false}" \
    | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  api POST "/api/v1/jobs/$id/assign" "{\"technician_id\": $tech, \"force\": true}" > /dev/null
  token=$("$bin" token create --db "$work/bench.db" --role technician --name "bench-$d" --technician "$tech" 2>/dev/null)
  devices+="$token:$id,"
done

push() {  # seconds -> "requests/s p99 non200"
  local out
  out=$(DEVICES="$devices" OPS=10 wrk -t2 -c64 -d"$1s" --timeout 10s --latency \
    -s bench/sync_push.lua "$base/api/v1/sync/push")
  grep -q 'Socket errors' <<< "$out" && { echo "socket errors: $out" >&2; exit 1; }
  echo "$(awk '/Requests\/sec/ {print $2}' <<< "$out") $(awk '$1 == "99%" {print $2}' <<< "$out") \
$(sed -nE 's/^PUSH answered=[0-9]+ applied=[0-9]+ duplicate=[0-9]+ non200=([0-9]+)/\1/p' <<< "$out")"
}
backup() {  # out -> the command's report line
  "$bin" backup --db "$work/bench.db" --out "$1" 2>&1
}

read -r base_rps base_p99 base_non200 <<< "$(push "$secs")"
start=$(date +%s.%N)
alone=$(backup "$work/alone.db")
alone_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rm -f "$work/alone.db"
run_s=$(awk -v s="$alone_s" 'BEGIN { printf "%d", s + 0.999 }')
sleep 1  # a new second: the Lua script's op ids start from the run's start time
push "$run_s" > "$work/during" &
pusher=$!
sleep 0.5
start=$(date +%s.%N)
loaded=$(backup "$work/loaded.db")
loaded_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
wait "$pusher"
read -r during_rps during_p99 during_non200 < "$work/during"
size=$(du -m "$work/bench.db" | cut -f1)

echo "| backup of the $jobs-job history ($size MB) | figure |"
echo "|---|---:|"
echo "| backup alone, wall time (\`$alone\`) | $alone_s s |"
echo "| backup while 64 devices push, wall time (\`$loaded\`) | $loaded_s s |"
echo "| push (10 notes per request, -c64) without a backup: requests/s, p99 | $base_rps, $base_p99 (non-2xx $base_non200) |"
echo "| push during the backup (${run_s} s): requests/s, p99 | $during_rps, $during_p99 (non-2xx $during_non200) |"
