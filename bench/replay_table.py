#!/usr/bin/env python3
"""Prints the markdown table of bench/replay_table.sh: one row per replayed stream, the sla
strategy against the nearest-idle baseline, and whether sla holds its floors against it.

    python3 bench/replay_table.py MANIFEST.tsv

Each manifest line: label, stream folder, sla JSON, nearest JSON, sla seconds (tab-separated).
A JSON file that is missing (the replay failed) gives a row saying so.

Floors, sla against nearest on the same stream:
- weighted breaches <= half of nearest's when nearest has 20 or more, else <= nearest's;
- critical arrival met % >= nearest's;
- critical p90 arrival minutes <= 0.9 x nearest's;
- total km <= nearest's.
"""
import csv
import json
import os
import sys

HEADER = ["stream", "techs", "requests", "weighted breaches sla / nearest (ratio)",
          "crit met % sla / nearest", "crit p90 min sla / nearest (ratio)",
          "km sla / nearest (ratio)", "util % (sla)", "replay s (sla)", "floors"]


def rows_in(path):
    with open(path, newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def num(value):
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}"


def pair(a, b, with_ratio=True):
    if a is None and b is None:
        return ""
    text = f"{num(a)} / {num(b)}"
    return f"{text} ({ratio(a, b)})" if with_ratio else text


def failed_floors(sla, nearest):
    # A missing value cannot show sla is worse, so only values both runs report are compared.
    failed = []
    wb_s, wb_n = sla["weighted_breaches"], nearest["weighted_breaches"]
    if wb_s > (0.5 * wb_n if wb_n >= 20 else wb_n):
        failed.append("breaches")
    crit_s, crit_n = sla["tiers"]["critical"], nearest["tiers"]["critical"]
    if crit_s["arrival_met_pct"] < crit_n["arrival_met_pct"]:
        failed.append("crit met")
    if crit_s["p90_arrival_minutes"] > 0.9 * crit_n["p90_arrival_minutes"]:
        failed.append("crit p90")
    if sla.get("total_km") is not None and nearest.get("total_km") is not None \
            and sla["total_km"] > nearest["total_km"]:
        failed.append("km")
    return failed


def row(label, folder, sla_path, nearest_path, seconds):
    techs = rows_in(os.path.join(folder, "technicians.csv"))
    sla, nearest = load(sla_path), load(nearest_path)
    if sla is None or nearest is None:
        which = " and ".join(s for s, r in (("sla", sla), ("nearest", nearest)) if r is None)
        requests = rows_in(os.path.join(folder, "requests.csv"))
        return [label, str(techs), str(requests)] + [""] * 6 + [f"replay failed ({which})"]
    crit_s, crit_n = sla["tiers"]["critical"], nearest["tiers"]["critical"]
    failed = failed_floors(sla, nearest)
    return [label, str(techs), str(sla["requests"]),
            pair(sla["weighted_breaches"], nearest["weighted_breaches"]),
            pair(crit_s["arrival_met_pct"], crit_n["arrival_met_pct"], with_ratio=False),
            pair(crit_s["p90_arrival_minutes"], crit_n["p90_arrival_minutes"]),
            pair(sla.get("total_km"), nearest.get("total_km")),
            num(sla.get("utilisation_pct")), f"{float(seconds):.2f}",
            "met" if not failed else "fails: " + ", ".join(failed)]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1].strip())
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    with open(sys.argv[1]) as f:
        for line in f:
            print("| " + " | ".join(row(*line.rstrip("\n").split("\t"))) + " |")


if __name__ == "__main__":
    main()
