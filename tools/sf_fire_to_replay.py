#!/usr/bin/env python3
"""Converts San Francisco Fire Department calls for service (one row per responding unit) into
the three replay CSVs of `fieldserve replay`.

    python3 tools/sf_fire_to_replay.py CALLS.csv OUT_DIR [--units N] [--seed S]

Mapping, chosen before looking at any replay result:
- one request per call (Call Number), reported at Received DtTm (America/Los_Angeles → UTC);
- severity: priority 3 (emergency) and Call Type Group "Potentially Life-Threatening" → critical,
  other priority 3 → serious, priority 2 → general, anything else → minor;
- required skill: the Unit Type of the first unit dispatched (ENGINE, MEDIC, TRUCK, ...),
  lower-cased;
- service minutes: from On Scene to Available of that first unit, clamped to 5–240, 30 when
  either time is missing;
- the fleet: N units (default 40) drawn with a fixed seed from the units that answered, in
  proportion to how often each unit type was needed; each starts at the centroid of the calls it
  answered (a stand-in for its station), skills = its unit type;
- one service center: the centroid of all calls, zone America/Los_Angeles.
"""
import argparse
import csv
import datetime
import os
import random
import sys
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("America/Los_Angeles")


def parse_time(text):
    if not text:
        return None
    local = datetime.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=LOCAL)
    return local.astimezone(datetime.timezone.utc)


def parse_location(text):
    try:
        lat, lon = text.strip("()").split(",")
        return float(lat), float(lon)
    except ValueError:
        return None


def severity(row):
    priority = row["Final Priority"] or row["Priority"]
    if priority == "3" and row["Call Type Group"] == "Potentially Life-Threatening":
        return "critical"
    if priority == "3":
        return "serious"
    if priority == "2":
        return "general"
    return "minor"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("calls")
    parser.add_argument("out_dir")
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    first_unit = {}
    unit_calls = defaultdict(list)
    unit_type = {}
    with open(args.calls, newline="") as f:
        for row in csv.DictReader(f):
            where = parse_location(row["Location"])
            received = parse_time(row["Received DtTm"])
            if not where or not received:
                continue
            unit_calls[row["Unit ID"]].append(where)
            unit_type[row["Unit ID"]] = row["Unit Type"].lower().replace(" ", "_")
            seq = int(row["Unit sequence in call dispatch"] or 99)
            known = first_unit.get(row["Call Number"])
            if known is None or seq < known[0]:
                first_unit[row["Call Number"]] = (seq, row, where, received)

    requests = []
    for call, (_, row, where, received) in sorted(first_unit.items()):
        on_scene, available = parse_time(row["On Scene DtTm"]), parse_time(row["Available DtTm"])
        service = 30
        if on_scene and available and available > on_scene:
            service = min(240, max(5, round((available - on_scene).total_seconds() / 60)))
        requests.append({
            "id": call,
            "reported_at": received.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lat": f"{where[0]:.6f}", "lon": f"{where[1]:.6f}",
            "severity": severity(row),
            "kind": "repair",
            "required_skills": unit_type[row["Unit ID"]],
            "service_minutes": service,
        })
    requests.sort(key=lambda r: (r["reported_at"], r["id"]))

    # A reduced fleet, in proportion to the unit types the calls needed; at least one per type.
    needed = Counter(r["required_skills"] for r in requests)
    rng = random.Random(args.seed)
    by_type = defaultdict(list)
    for unit in sorted(unit_calls):
        by_type[unit_type[unit]].append(unit)
    fleet = []
    total = sum(needed.values())
    for kind, count in needed.most_common():
        share = max(1, round(args.units * count / total))
        pool = by_type[kind]
        fleet += rng.sample(pool, min(share, len(pool)))

    os.makedirs(args.out_dir, exist_ok=True)
    all_points = [(float(r["lat"]), float(r["lon"])) for r in requests]
    center = (sum(p[0] for p in all_points) / len(all_points), sum(p[1] for p in all_points) / len(all_points))
    with open(os.path.join(args.out_dir, "centers.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "lat", "lon", "time_zone"])
        w.writerow(["SF", "San Francisco", f"{center[0]:.6f}", f"{center[1]:.6f}", "America/Los_Angeles"])
    with open(os.path.join(args.out_dir, "technicians.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "lat", "lon", "skills", "center_id"])
        for unit in fleet:
            points = unit_calls[unit]
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
            w.writerow([unit, unit, f"{lat:.6f}", f"{lon:.6f}", unit_type[unit], "SF"])
    fields = ["id", "reported_at", "lat", "lon", "severity", "kind", "required_skills", "service_minutes"]
    with open(os.path.join(args.out_dir, "requests.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(requests)
    print(f"{len(requests)} requests, {len(fleet)} units, types {dict(needed)}", file=sys.stderr)


if __name__ == "__main__":
    main()
