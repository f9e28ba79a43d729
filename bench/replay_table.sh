#!/usr/bin/env bash
# The what-if replay, sla strategy against the nearest-idle baseline, over a fixed set of streams;
# prints one markdown table row per stream (columns and floors in bench/replay_table.py):
#  - with --sf CALLS.csv (San Francisco fire calls, one row per responding unit, as downloaded
#    from DataSF; not in the repository), that week converted by tools/sf_fire_to_replay.py with
#    a fleet of 10, 12, 16, 24 and 40 units, to see where a shrinking fleet starts to hurt;
#  - the conversion kept in sample_data/replay_sf_fire_2016w1 (43 units);
#  - every scenario x fleet of tools/synthetic_stream.py (default seed), whose structure is known.
# Streams are generated into a temporary folder removed on exit. Nothing is built: the binary is
# $FIELDSERVE_BIN, default build/release/server/fieldserve. Generator notes go to stderr.
# --seed S generates the synthetic streams with seed S instead of the generator's default: the
# same structure with other calls and technicians, to see how much of a figure is the draw.
# --keep DIR keeps each replay's JSON and its request-by-request CSV (--requests-out) in DIR, named
# after the row (a relative DIR or CALLS.csv is taken from the repository root); bench/replay_diff.py
# compares a row's two CSV files.
# Usage: bench/replay_table.sh [--sf CALLS.csv] [--seed S] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FIELDSERVE_BIN:-build/release/server/fieldserve}"
sf=""
seed=()
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sf) sf="${2:?--sf needs a CSV file}"; shift 2 ;;
    --seed) seed=(--seed "${2:?--seed needs a number}"); shift 2 ;;
    --keep) keep="${2:?--keep needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (usage: bench/replay_table.sh [--sf CALLS.csv] [--seed S]" \
         "[--keep DIR])" >&2
       exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "no fieldserve binary at $bin (set FIELDSERVE_BIN)" >&2; exit 1; }
[ -z "$sf" ] || [ -f "$sf" ] || { echo "no such file: $sf" >&2; exit 1; }
[ -z "$keep" ] || mkdir -p "$keep"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
labels=() folders=()
add() { labels+=("$1"); folders+=("$2"); }

if [ -n "$sf" ]; then
  for units in 10 12 16 24 40; do
    python3 tools/sf_fire_to_replay.py "$sf" "$work/sf-$units" --units "$units"
    add "sf 2016w1 (--units $units)" "$work/sf-$units"
  done
fi
add "sf 2016w1 (sample_data, 43 units)" sample_data/replay_sf_fire_2016w1
for scenario in steady bursts heavy_day sparse_night; do
  for fleet in short balanced ample; do
    python3 tools/synthetic_stream.py "$work/$scenario-$fleet" --scenario "$scenario" \
      --fleet "$fleet" "${seed[@]}"
    add "$scenario / $fleet" "$work/$scenario-$fleet"
  done
done

# A failed replay leaves no JSON; its row says so and the script exits non-zero at the end.
status=0
: > "$work/manifest.tsv"
for i in "${!labels[@]}"; do
  seconds=""
  for strategy in sla nearest; do
    out="$work/run-$i-$strategy.json"
    per_request=()
    # The row's label as a file name: "sparse_night / ample" -> sparse_night-ample.
    name=$(echo "${labels[$i]}" | tr -c 'A-Za-z0-9_\n' '-' | tr -s '-' | sed 's/-$//')
    [ -z "$keep" ] || per_request=(--requests-out "$keep/$name-$strategy.csv")
    start=$(date +%s%N)
    if ! "$bin" replay "${folders[$i]}" --strategy "$strategy" --out "$out" "${per_request[@]}" \
      2> "$work/err"; then
      echo "replay of ${labels[$i]} ($strategy) failed: $(cat "$work/err")" >&2
      rm -f "$out"
      status=1
    fi
    end=$(date +%s%N)
    [ -z "$keep" ] || [ ! -f "$out" ] || cp "$out" "$keep/$name-$strategy.json"
    if [ "$strategy" = sla ]; then
      seconds=$(awk -v ns=$((end - start)) 'BEGIN {print ns / 1e9}')
    fi
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "${labels[$i]}" "${folders[$i]}" "$work/run-$i-sla.json" \
    "$work/run-$i-nearest.json" "$seconds" >> "$work/manifest.tsv"
done
python3 bench/replay_table.py "$work/manifest.tsv"
exit "$status"
