#!/usr/bin/env bash
# Sync throughput on loopback with wrk against a release build and the sample data.
#  - pull: a 50-job snapshot for one technician, as a ratio to /healthz in the same run;
#  - push: 10-op batches from 64 concurrent devices with synchronous=FULL and group commit,
#    against the baseline of one commit per op (the same server with --no-group-commit, 1-op
#    pushes), also measured in this run. Afterwards the database is checked: every op answered
#    "applied" is stored exactly once, and no op is stored twice.
# Usage: bench/sync_bench.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
. bench/common.sh
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }
api() {  # method path body
  curl -sf -X "$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    --data "$3" "$base$2"
}
new_job() {  # technician -> job id, assigned by hand (force: the bench ignores capacity)
  local id
  id=$(api POST /api/v1/jobs '{"site_id": 5, "kind": "repair", "severity": "general", "auto_assign": false}' \
    | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  api POST "/api/v1/jobs/$id/assign" "{\"technician_id\": $1, \"force\": true}" > /dev/null
  echo "$id"
}
wrk_rate() {  # wrk output -> requests/s; "errors" on socket errors (the caller stops)
  if grep -qE 'Socket errors' <<< "$1"; then echo "socket errors: $1" >&2; echo errors; return; fi
  awk '/Requests\/sec/ {print $2}' <<< "$1"
}
check() { [ "$1" != errors ] || { echo "stopping: $2 had socket errors" >&2; exit 1; }; }

start_server
# Technician 1 gets a 50-job list; 64 devices (tokens) over technicians 2..61 push notes.
existing=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) FROM jobs WHERE technician_id = 1 AND status IN ('assigned','accepted','en_route','on_site','on_hold','resolved','signed_off')")
for _ in $(seq $((50 - existing))); do new_job 1 > /dev/null; done
tablet=$("$bin" token create --db "$work/bench.db" --role technician --name bench-pull --technician 1 2>/dev/null)
devices=""
for d in $(seq 0 63); do
  tech=$((d % 60 + 1))
  token=$("$bin" token create --db "$work/bench.db" --role technician --name "bench-$d" --technician "$tech" 2>/dev/null)
  devices+="$token:$(new_job "$tech"),"
done
docs=$(curl -sf -H "Authorization: Bearer $tablet" "$base/api/v1/sync/pull?limit=50" | grep -o '"site":{' | wc -l)

healthz=$(wrk_rate "$(wrk -t2 -c32 -d"${secs}s" "$base/healthz")"); check "$healthz" healthz
pull_out=$(wrk -t2 -c32 -d"${secs}s" -H "Authorization: Bearer $tablet" "$base/api/v1/sync/pull?limit=50")
grep -q 'Non-2xx' <<< "$pull_out" && { echo "pull errors: $pull_out" >&2; exit 1; }
pull=$(wrk_rate "$pull_out"); check "$pull" pull

push_run() {  # ops per push -> "requests/s p99 answered applied duplicate non200"
  local out
  out=$(DEVICES="$devices" OPS="$1" wrk -t2 -c64 -d"${secs}s" --timeout 10s --latency \
    -s bench/sync_push.lua "$base/api/v1/sync/push")
  echo "$(wrk_rate "$out") $(awk '$1 == "99%" {print $2}' <<< "$out") $(sed -nE 's/^PUSH answered=([0-9]+) applied=([0-9]+) duplicate=([0-9]+) non200=([0-9]+)/\1 \2 \3 \4/p' <<< "$out")"
}
read -r grouped_rps grouped_p99 grouped_answered grouped_applied grouped_dup grouped_non200 <<< "$(push_run 10)"
check "$grouped_rps" "grouped push"
stop_server
start_server --no-group-commit
sleep 1  # a new second: the Lua script's op ids start from the run's start time
read -r single_rps single_p99 single_answered single_applied single_dup single_non200 <<< "$(push_run 1)"
check "$single_rps" "baseline push"
stop_server

# The device simulator under the same server: 8 tablets record 10 notes per round offline and
# sync after each round, concurrently; then every outbox must be fully answered and every note
# stored once.
start_server
sim_before=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) FROM job_notes WHERE text LIKE 'sim-%'")
IFS=, read -ra device_list <<< "$devices"
sim_pids=()
for d in $(seq 0 7); do
  (
    token=${device_list[$d]%%:*}; job=${device_list[$d]##*:}
    for round in $(seq 20); do
      for k in $(seq 10); do
        "$bin" device record --outbox "$work/tablet-$d.db" --type note --job "$job" \
          --payload "{\"text\": \"sim-$d-$round-$k\"}" > /dev/null
      done
      "$bin" device sync --outbox "$work/tablet-$d.db" --url "$base" --token "$token" > /dev/null || true
    done
  ) &
  sim_pids+=($!)
done
wait "${sim_pids[@]}"
for d in $(seq 0 7); do
  "$bin" device sync --outbox "$work/tablet-$d.db" --url "$base" --token "${device_list[$d]%%:*}" > /dev/null || true
done
sim_pending=0
for d in $(seq 0 7); do
  p=$("$bin" device status --outbox "$work/tablet-$d.db" | sed -nE 's/^  "pending": ([0-9]+),?/\1/p')
  sim_pending=$((sim_pending + p))
done
sim_stored=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) - $sim_before FROM job_notes WHERE text LIKE 'sim-%'")
sim_distinct=$(sqlite3 "$work/bench.db" "SELECT COUNT(DISTINCT text) FROM job_notes WHERE text LIKE 'sim-%'")
stop_server

stored=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) FROM job_notes WHERE text NOT LIKE 'sim-%'")
distinct=$(sqlite3 "$work/bench.db" "SELECT COUNT(DISTINCT text) FROM job_notes WHERE text NOT LIKE 'sim-%'")
ledger=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) FROM sync_ops WHERE status = 'applied' AND type = 'note'")
ledger=$((ledger - sim_distinct))
applied_total=$((grouped_applied + single_applied))

printf '| sync (wrk on loopback, %ss per run) | requests/s | ratio |\n|---|---:|---:|\n' "$secs"
awk -v h="$healthz" -v p="$pull" -v d="$docs" 'BEGIN {
  printf "| GET /healthz | %.0f | 1.000 |\n", h
  printf "| GET /api/v1/sync/pull?limit=50 (snapshot of %d jobs), -c32 | %.0f | %.3f of /healthz |\n", d, p, p / h }'
awk -v g="$grouped_rps" -v s="$single_rps" -v gp="$grouped_p99" -v sp="$single_p99" 'BEGIN {
  printf "| POST /api/v1/sync/push, 1 op, commit per push (baseline), -c64, p99 %s | %.0f (%.0f ops/s) | 1.000 |\n", sp, s, s
  printf "| POST /api/v1/sync/push, 10 ops, group commit, -c64, p99 %s | %.0f (%.0f ops/s) | %.1f× the baseline in ops/s |\n", gp, g, g * 10, g * 10 / s }'
echo
echo "After both push runs: ops answered applied $applied_total (grouped $grouped_applied, baseline $single_applied), answered duplicate on resend $((grouped_dup + single_dup)), non-200 answers $((grouped_non200 + single_non200));"
echo "notes stored $stored, distinct $distinct, ledger rows applied $ledger."
echo "lost (answered applied but not stored): $(( applied_total > distinct ? applied_total - distinct : 0 )); duplicated (stored twice): $((stored - distinct))"
echo "device simulator: 8 tablets x 200 notes recorded offline and synced concurrently: outbox ops unanswered $sim_pending, notes stored $sim_stored, distinct $sim_distinct (expected 1600)"
