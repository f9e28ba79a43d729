#!/usr/bin/env bash
# Report latency on a large history, with wrk on loopback against a release build:
#  - bench/history_gen makes N jobs (default 1,000,000) over 50 centers in ten time zones through
#    the importer's code, and its load time is printed; the database is kept in build/release and
#    reused by the next run (delete it to measure the load again);
#  - GET /reports/sla for the last 30 days by tier (target p99 <= 500 ms);
#  - GET /reports/sla for twelve months by tier x center x week (target <= 2 s);
#  - GET /reports/sla/breaches, a page of 50 in the middle of the list (target <= 50 ms);
#  - GET /reports/technicians for the last 30 days, with complaints and follow-up satisfaction
#    (target <= 500 ms);
#  - GET /reports/parts for twelve months (target <= 500 ms);
#  - GET /complaints?overdue=true and GET /followups?status=due, pages of 50 (target <= 20 ms);
#  - 10,000 complaints written into the file falling due in the same minute, and the time until
#    the running server has escalated them all (target: within 60 s of their due);
#  - /healthz in the same run, the baseline the other rates are compared with.
# Usage: bench/sla_bench.sh [jobs, default 1000000] [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-1000000}"
secs="${2:-15}"
. scripts/deps.sh
install_missing_packages
mkdir -p build/release
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFIELDSERVE_TESTS=OFF \
  -DFIELDSERVE_BENCH=ON > build/release/configure.log
cmake --build build/release --target fieldserve history_gen > build/release/build.log
bin=build/release/server/fieldserve
# Named for the generator version: histories without after-sales records are not reused.
db="build/release/history-$jobs-after-sales.db"

if [ ! -f "$db" ]; then
  echo "== generating $jobs jobs into $db"
  build/release/bench/history_gen --db "$db" --jobs "$jobs" | tee "$db.gen"
  ls -l "$db" | awk '{printf "database size: %.0f MB\n", $5 / 1048576}'
else
  echo "== reusing $db (generated earlier):"
  cat "$db.gen"
fi
# The history ends a day before it was generated; the windows are taken from its own record.
to=$(grep -o 'to=[^ ]*' "$db.gen" | cut -d= -f2)
from_30=$(date -u -d "$to - 30 days" +%Y-%m-%dT%H:%M:%SZ)
from_12=$(date -u -d "$to - 12 months" +%Y-%m-%dT%H:%M:%SZ)

work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
token=$("$bin" token create --db "$db" --role manager --name bench 2>/dev/null)
"$bin" serve --db "$db" --port 0 --port-file "$work/port" --rate 1e9 --burst 1e9 \
  2>> "$work/server.log" &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$work/port")"
auth="Authorization: Bearer $token"

p99() { awk '/^ +99%/ {print $2}' <<< "$1"; }
rate() { awk '/Requests\/sec/ {print $2}' <<< "$1"; }
errors() { grep -E 'Socket errors|Non-2xx' <<< "$1" || true; }
run() {  # label connections url
  local out
  out=$(wrk -t1 -c"$2" -d"${secs}s" --latency -H "$auth" "$3")
  printf '%-44s %8s req/s  p50 %8s  p99 %8s  %s\n' "$1" "$(rate "$out")" \
    "$(awk '/^ +50%/ {print $2}' <<< "$out")" "$(p99 "$out")" "$(errors "$out")"
}

echo "== wrk, ${secs}s per run"
healthz=$(wrk -t2 -c32 -d"${secs}s" "$base/healthz")
printf '%-44s %8s req/s\n' "/healthz (baseline)" "$(rate "$healthz")"
run "reports/sla 30 days by tier" 2 \
  "$base/api/v1/reports/sla?from=$from_30&to=$to&group_by=tier"
run "reports/sla 12 months tier,center,week" 1 \
  "$base/api/v1/reports/sla?from=$from_12&to=$to&group_by=tier,center,week"
# A page from the middle of the 30-day breach list: follow the cursor ten pages in.
cursor=""
for _ in $(seq 10); do
  cursor=$(curl -sf -H "$auth" "$base/api/v1/reports/sla/breaches?from=$from_30&to=$to&limit=50${cursor:+&cursor=$cursor}" \
    | grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4)
done
run "reports/sla/breaches page 11 (50 items)" 2 \
  "$base/api/v1/reports/sla/breaches?from=$from_30&to=$to&limit=50&cursor=$cursor"
run "reports/technicians 30 days" 1 "$base/api/v1/reports/technicians?from=$from_30&to=$to"
run "reports/parts 12 months" 1 "$base/api/v1/reports/parts?from=$from_12&to=$to"
echo "rows: $(sqlite3 "$db" 'SELECT COUNT(*) FROM complaints') complaints," \
  "$(sqlite3 "$db" "SELECT COUNT(*) FROM follow_ups WHERE status = 'due'") follow-ups due"
run "complaints?overdue=true page (50)" 2 "$base/api/v1/complaints?overdue=true&limit=50"
run "complaints?status=open page (50)" 2 "$base/api/v1/complaints?status=open&limit=50"
run "followups?status=due page (50)" 2 "$base/api/v1/followups?status=due&limit=50"

# Escalation: 10,000 open complaints whose due falls in the same minute, 30 s from now, written
# into the file behind the server's back; the server's monitor must escalate them all.
due=$(( $(date +%s) + 30 ))
sqlite3 -cmd ".timeout 10000" "$db" "
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
  INSERT INTO complaints (customer_id, channel, severity, text, received_at, due, status,
                          created_by, created_at)
  SELECT 100 + (i % 40), 'phone', 'normal', 'escalation bench', $due - 86400, $due + (i % 60),
         'open', 'bench', $due - 86400 FROM n;"
last=$(( due + 59 ))
for _ in $(seq 1200); do
  left=$(sqlite3 -cmd ".timeout 10000" "$db" "SELECT COUNT(*) FROM complaints WHERE text = 'escalation bench'
                        AND escalated_at IS NULL")
  [ "$left" = 0 ] && break
  sleep 0.1
done
done_at=$(date +%s)
echo "escalation: 10000 complaints due from $due to $last, all escalated by $done_at" \
  "($(( done_at - last )) s after the last due; $left left)"

