#!/usr/bin/env bash
# fieldserve on PostgreSQL against fieldserve on SQLite, on loopback with wrk, release build and
# the sample data, all measured in this run (docs/benchmarks.md, "Several instances"):
#  - 10-op sync pushes from 64 devices (bench/sync_push.lua) with durable commits: SQLite
#    (synchronous=FULL), then PostgreSQL (fsync and synchronous_commit on) with one instance and
#    with two (one wrk per instance, 32 devices each, at the same time); afterwards every op
#    answered "applied" must be stored once;
#  - GET /api/v1/jobs/{id}: one instance, then two, on PostgreSQL;
#  - dispatch decisions (POST /api/v1/jobs, auto-assigned, the index warm) on SQLite and on
#    PostgreSQL: p50 and p99 from the server's own fieldserve_dispatch_decision_seconds.
# Run as root (the cluster's server runs as `postgres`). Usage: bench/pg_bench.sh [seconds, 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
. bench/common.sh   # builds, and imports the sample data into $work/bench.db (SQLite)
cluster=$(mktemp -d /tmp/fieldserve-pg-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}" $server; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  scripts/pg_cluster stop "$cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
url=$(PG_CLUSTER_DURABLE=1 scripts/pg_cluster start "$cluster")
pg_admin=$("$bin" init --db "$url" 2> /dev/null)
"$bin" import --db "$url" sample_data/ 2> /dev/null

# start_on DB PORTFILE [args]: a server in the background, its pid added to pids and its URL
# in $started (not printed: a command substitution would wait for the server's end).
start_on() {
  local db=$1 portfile=$2
  shift 2
  rm -f "$portfile"
  "$bin" serve --db "$db" --port 0 --port-file "$portfile" --rate 1e9 --burst 1e9 "$@" \
    > /dev/null 2>> "$work/server.log" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.1; done
  started="http://127.0.0.1:$(cat "$portfile")"
}
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait "${pids[@]}" 2> /dev/null || true
  pids=()
}
# devices DB BASE TOKEN N -> "token:job,..." for N devices over technicians 1..60, each with a job
# assigned by hand.
devices() {
  local db=$1 base=$2 token=$3 n=$4 out="" d tech device job
  for d in $(seq 0 $((n - 1))); do
    tech=$((d % 60 + 1))
    device=$("$bin" token create --db "$db" --role technician --name "bench-$d" \
      --technician "$tech" 2> /dev/null)
    job=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data '{"site_id": 5, "kind": "repair", "severity": "general", "auto_assign": false}' \
      "$base/api/v1/jobs" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
    curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data "{\"technician_id\": $tech, \"force\": true}" "$base/api/v1/jobs/$job/assign" \
      > /dev/null
    out+="$device:$job,"
  done
  echo "$out"
}
rate() { awk '/Requests\/sec/ {print $2}' <<< "$1"; }
# decide BASE TOKEN -> "p50 p99" in ms (bucket upper bounds) of the decisions made by
# auto-assigned job creations for $secs seconds, read from the server's histogram.
decide() {
  local body='{"site_id": 5, "kind": "repair", "severity": "serious", "required_skills": ["hvac"]}'
  curl -sf -X POST -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    --data "$body" "$1/api/v1/jobs" > /dev/null  # the index loaded: the decisions below are warm
  BODY="$body" wrk -t1 -c4 -d"${secs}s" -H "Authorization: Bearer $2" -s bench/post_job.lua \
    "$1/api/v1/jobs" > /dev/null
  curl -sf -H "Authorization: Bearer $2" "$1/metrics" | awk '
    /^fieldserve_dispatch_decision_seconds_bucket\{le="[0-9.e-]+"\}/ {
      match($0, /le="[^"]+"/); le[n] = substr($0, RSTART + 4, RLENGTH - 5); at[n++] = $2 }
    /^fieldserve_dispatch_decision_seconds_count / { count = $2 }
    END {
      # the first decision was the cold one; it falls in the widest bucket it reached
      for (q = 0; q < 2; q++) {
        want = (q == 0 ? 0.5 : 0.99) * count
        for (i = 0; i < n && at[i] < want; i++) {}
        printf "%s%s", (q ? " " : ""), (i < n ? le[i] * 1000 : "over")
      }
      printf " %d\n", count }'
}
applied() { sed -nE 's/^PUSH answered=[0-9]+ applied=([0-9]+).*/\1/p' <<< "$1"; }
push() {  # base devices connections -> wrk output
  DEVICES="$2" OPS=10 wrk -t1 -c"$3" -d"${secs}s" --timeout 10s --latency \
    -s bench/sync_push.lua "$1/api/v1/sync/push"
}

# SQLite, one instance.
start_on "$work/bench.db" "$work/port-lite"
base=$started
lite_devices=$(devices "$work/bench.db" "$base" "$admin" 64)
lite_out=$(push "$base" "$lite_devices" 64)
read -r lite_p50 lite_p99 lite_n <<< "$(decide "$base" "$admin")"
stop_all
lite_rps=$(rate "$lite_out")

# PostgreSQL: two instances; the push runs on one, then on both at once.
start_on "$url" "$work/port-a"
a=$started
start_on "$url" "$work/port-b"
b=$started
pg_devices=$(devices "$url" "$a" "$pg_admin" 64)
IFS=, read -ra list <<< "$pg_devices"
half_a=$(IFS=,; echo "${list[*]:0:32}")
half_b=$(IFS=,; echo "${list[*]:32:32}")
sleep 1  # a new second: the op ids start from the run's start time
one_out=$(push "$a" "$pg_devices" 64)
one_rps=$(rate "$one_out")
sleep 1
push "$a" "$half_a" 32 > "$work/two-a.txt" &
wa=$!
push "$b" "$half_b" 32 > "$work/two-b.txt" &
wb=$!
wait "$wa" "$wb"
two_rps=$(awk '/Requests\/sec/ {s += $2} END {print s}' "$work/two-a.txt" "$work/two-b.txt")
two_applied=$(( $(applied "$(cat "$work/two-a.txt")") + $(applied "$(cat "$work/two-b.txt")") ))
pg_applied=$(( $(applied "$one_out") + two_applied ))
stored=$(psql "$url" -qAtX -c "SELECT COUNT(*) FROM job_notes WHERE op_id IS NOT NULL")
distinct=$(psql "$url" -qAtX -c "SELECT COUNT(DISTINCT op_id) FROM job_notes")

# Reads: GET /api/v1/jobs/{id} on one instance, then on both at once.
job=$(echo "${list[0]}" | cut -d: -f2)
read_one=$(rate "$(wrk -t2 -c32 -d"${secs}s" -H "Authorization: Bearer $pg_admin" \
  "$a/api/v1/jobs/$job")")
wrk -t1 -c16 -d"${secs}s" -H "Authorization: Bearer $pg_admin" "$a/api/v1/jobs/$job" \
  > "$work/read-a.txt" &
wa=$!
wrk -t1 -c16 -d"${secs}s" -H "Authorization: Bearer $pg_admin" "$b/api/v1/jobs/$job" \
  > "$work/read-b.txt" &
wb=$!
wait "$wa" "$wb"
read_two=$(awk '/Requests\/sec/ {s += $2} END {print s}' "$work/read-a.txt" "$work/read-b.txt")
read -r pg_p50 pg_p99 pg_n <<< "$(decide "$a" "$pg_admin")"
stop_all

printf '| wrk on loopback, %ss per run | requests/s | ratio |\n|---|---:|---:|\n' "$secs"
awk -v l="$lite_rps" -v o="$one_rps" -v t="$two_rps" -v r1="$read_one" -v r2="$read_two" 'BEGIN {
  printf "| push 10 ops, SQLite (synchronous=FULL), one instance, -c64 | %.0f | 1.000 |\n", l
  printf "| push 10 ops, PostgreSQL (fsync, synchronous_commit), one instance, -c64 | %.0f | %.3f of SQLite |\n", o, o / l
  printf "| push 10 ops, PostgreSQL, two instances, -c32 each | %.0f | %.3f of SQLite |\n", t, t / l
  printf "| GET /api/v1/jobs/{id}, PostgreSQL, one instance, -c32 | %.0f | 1.000 |\n", r1
  printf "| GET /api/v1/jobs/{id}, PostgreSQL, two instances, -c16 each | %.0f | %.2f of one |\n", r2, r2 / r1 }'
echo
printf '| dispatch decision, index warm (%s s of auto-assigned POST /jobs, -c4) | decisions | p50 ms | p99 ms |\n|---|---:|---:|---:|\n' "$secs"
printf '| SQLite | %s | ≤ %s | ≤ %s |\n| PostgreSQL | %s | ≤ %s | ≤ %s |\n' \
  "$lite_n" "$lite_p50" "$lite_p99" "$pg_n" "$pg_p50" "$pg_p99"
echo
echo "PostgreSQL pushes: ops answered applied $pg_applied; notes stored $stored, distinct $distinct;"
echo "lost: $(( pg_applied > distinct ? pg_applied - distinct : 0 )); stored twice: $((stored - distinct))"
