#!/usr/bin/env python3
"""Compares two request-by-request files of `fieldserve replay --requests-out` on the same stream
(usually --strategy sla and --strategy nearest) and prints the breached targets of each by tier,
then every request one of them breached and the other did not, with who went and when.

    python3 bench/replay_diff.py SLA.csv NEAREST.csv [--limit N]

This is how the misses of the replay table in docs/benchmarks.md were read.
"""
import argparse
import collections
import csv
import sys

WEIGHTS = {"critical": 8, "serious": 4, "general": 2, "minor": 1}


def load(path):
    with open(path, newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def targets(row):
    return set(filter(None, row["breached"].split(";")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--limit", type=int, default=50, help="requests listed each way")
    args = parser.parse_args()
    a, b = load(args.first), load(args.second)
    if a.keys() != b.keys():
        sys.exit("the two files are not of the same stream (their request ids differ)")

    for name, rows in ((args.first, a), (args.second, b)):
        counts = collections.Counter()
        weighted = 0
        for row in rows.values():
            for t in targets(row):
                counts[(row["severity"], t)] += 1
                weighted += WEIGHTS[row["severity"]]
        listed = ", ".join(f"{sev} {t} {n}" for (sev, t), n in sorted(counts.items()))
        print(f"{name}: weighted breaches {weighted}: {listed or 'none'}")

    def show(only, label):
        print(f"\nbreached in {label} only:")
        for rid in only[: args.limit]:
            ra, rb = a[rid], b[rid]
            print(f"  {rid} {ra['severity']:<8} reported {ra['reported_at']}: "
                  f"{ra['technician'] or '-'} {ra['arrival_minutes'] or '-'} min "
                  f"[{ra['breached'] or 'met'}] vs {rb['technician'] or '-'} "
                  f"{rb['arrival_minutes'] or '-'} min [{rb['breached'] or 'met'}]")
        if len(only) > args.limit:
            print(f"  ... and {len(only) - args.limit} more")

    order = list(a.keys())
    show([r for r in order if targets(a[r]) - targets(b[r])], args.first)
    show([r for r in order if targets(b[r]) - targets(a[r])], args.second)


if __name__ == "__main__":
    main()
