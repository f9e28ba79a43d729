#!/usr/bin/env bash
# HTTP throughput on loopback with wrk against a release build and the sample data:
# /healthz is the baseline; every other endpoint is reported as a ratio to it, measured in the
# same run on the same machine. Usage: bench/http_bench.sh [seconds per endpoint, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
. bench/common.sh
start_server
token=$admin

rate() {  # url [extra wrk args...] -> requests/s; fails on any non-2xx answer or socket error
  local url=$1; shift
  local out
  out=$(wrk -t2 -c32 -d"${secs}s" "$@" "$url")
  if grep -qE 'Non-2xx|Socket errors' <<< "$out"; then echo "errors at $url: $out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<< "$out"
}

healthz=$(rate "$base/healthz")
auth=(-H "Authorization: Bearer $token")
# Distinct jobs and pages, one after another (bench/distinct.lua): ids 1..700 of the sample
# data, and the 14 pages of 50 after cursors 0, 50, ... 650.
job=$(PATTERN='/api/v1/jobs/%d' COUNT=700 OFFSET=1 rate "$base/api/v1/jobs/1" "${auth[@]}" -s bench/distinct.lua)
list=$(PATTERN='/api/v1/jobs?limit=50&cursor=%d' STEP=50 COUNT=700 \
  rate "$base/api/v1/jobs?limit=50" "${auth[@]}" -s bench/distinct.lua)
center=$(rate "$base/api/v1/centers/1" "${auth[@]}")

# The staff change feed (docs/web.md): a console's idle poll (nothing changed after its cursor),
# and a poll that finds 50 changed jobs (made by hand after the cursor was taken).
cursor_of() { curl -sf "${auth[@]}" "$base/api/v1/feed$1" | grep -o '"cursor":"[^"]*"' | cut -d'"' -f4; }
before=$(cursor_of "")
for _ in $(seq 50); do
  curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"site_id": 5, "kind": "repair",
    "severity": "minor", "auto_assign": false}' "$base/api/v1/jobs" > /dev/null
done
idle=$(rate "$base/api/v1/feed?cursor=$(cursor_of "")" "${auth[@]}")
changed=$(rate "$base/api/v1/feed?cursor=$before&limit=50" "${auth[@]}")

# The same pages with no job renderings kept between requests (--job-cache 0): every job of
# every page read whole and rendered, the cost of a page no request has asked for recently.
kill "$server"; wait "$server" 2>/dev/null || true
start_server --job-cache 0
cold=$(PATTERN='/api/v1/jobs?limit=50&cursor=%d' STEP=50 COUNT=700 \
  rate "$base/api/v1/jobs?limit=50" "${auth[@]}" -s bench/distinct.lua)

# Job creation: a plain insert against the same insert with auto-assignment (a dispatch decision
# in the same transaction), both at site 5 of the sample data; both commit with
# synchronous=FULL, one transaction per request.
insert=$(BODY='{"site_id": 5, "kind": "repair", "severity": "serious", "required_skills": ["hvac"], "auto_assign": false}' \
  rate "$base/api/v1/jobs" "${auth[@]}" -s bench/post_job.lua)
assign=$(BODY='{"site_id": 5, "kind": "repair", "severity": "serious", "required_skills": ["hvac"]}' \
  rate "$base/api/v1/jobs" "${auth[@]}" -s bench/post_job.lua)

printf '| endpoint (wrk -t2 -c32 -d%ss, keep-alive) | requests/s | ratio to /healthz |\n' "$secs"
printf '|---|---:|---:|\n'
for row in "GET /healthz:$healthz" "GET /api/v1/centers/1:$center" "GET /api/v1/jobs/{id}, 700 ids:$job" \
           "GET /api/v1/feed, nothing new (an idle console's poll):$idle" \
           "GET /api/v1/feed, 50 changed jobs:$changed" \
           "GET /api/v1/jobs?limit=50, 14 pages:$list" \
           "GET /api/v1/jobs?limit=50, 14 pages, --job-cache 0:$cold"; do
  name=${row%%:*}; value=${row##*:}
  awk -v n="$name" -v v="$value" -v b="$healthz" 'BEGIN { printf "| %s | %.0f | %.3f |\n", n, v, v / b }'
done
printf '\n| job creation | requests/s | ratio to plain insert |\n|---|---:|---:|\n'
awk -v a="$insert" -v b="$assign" 'BEGIN {
  printf "| POST /api/v1/jobs, auto_assign false | %.0f | 1.000 |\n", a
  printf "| POST /api/v1/jobs, auto-assigned | %.0f | %.3f |\n", b, b / a }'
