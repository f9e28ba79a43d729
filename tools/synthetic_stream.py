#!/usr/bin/env python3
"""Writes a seeded synthetic week of field-service requests, with a known structure, as the
three replay CSVs of `fieldserve replay`.

    python3 tools/synthetic_stream.py OUT_DIR --scenario NAME --fleet short|balanced|ample \
        [--seed S]

The operator is the after-sales service of a utility-equipment maker. The model:
- region: 80 km (west-east) x 60 km (south-north), south-west corner at 50.70 N 9.50 E;
  positions below are (x, y) km from that corner; zone Europe/Berlin everywhere;
- three service centers: W (20, 30), C (45, 25), E (68, 38);
- six towns, demand hotspots with a gaussian spread: A (15, 35) weight 25 % sigma 3 km,
  B (40, 22) 25 % 4 km, C (50, 45) 12 % 2.5 km, D (70, 40) 15 % 3 km, E (30, 8) 10 % 2.5 km,
  F (72, 12) 13 % 2.5 km; a share of calls instead comes from a uniform rural background
  over the whole region (15 %);
- the week: Monday 2026-03-02 00:00 local to the next Monday, written in UTC;
- arrivals: Poisson, the rate constant within each local hour; 23 calls/h at the weekday peak
  (08-18) times the hourly profile of WEEKDAY / WEEKEND below (quiet nights and weekends),
  about 2,000 calls a week;
- severity: critical 10 %, serious 20 %, general 45 %, minor 25 %;
- kind by severity: critical is always a repair, serious 90 % repair; inspections and
  maintenance come mostly from general and minor calls (KIND_MIX below);
- skills: electrical 45 %, mechanical 35 %, hvac 20 %; 10 % of calls need a second skill;
- true service minutes: lognormal, median repair 75, installation 150, maintenance 45,
  inspection 30, times 0.8 (electrical), 1.0 (mechanical) or 1.2 (hvac) for the first skill and
  1.25 more when two skills are needed; sigma 0.5; rounded and clamped to 10-480.

Scenarios (the seed changes the individual calls and technicians, never this structure):
- steady: the model above;
- bursts: the very calls of steady (same seed) plus three storms, each an extra 25 calls/h for
  2-4 hours in one town, 45 % critical, 45 % serious, 10 % general (STORMS: Tue 14:00 3 h
  town B, Thu 06:00 2 h town D, Sat 20:00 4 h town A);
- heavy_day: steady with Wednesday 08:00-18:00 at 3x the rate;
- sparse_night: an on-call service: 3 calls/h by day (08-18) and 4 calls/h at night and over
  the whole weekend, about 600 a week, 55 % critical, 30 % serious, 10 % general, 5 % minor,
  70 % from the rural background.

Fleet: technicians on shift all day, each starting at their center. The size is the offered
load (true service minutes + 20 min travel per call) over the week's minutes, divided by the
target utilisation: short 0.85, balanced 0.55, ample 0.30, rounded (at least one per center);
the chosen size is printed on stderr. They are spread over the centers in proportion to the
calls nearest each; the first at each center has all three skills (so every skill, and every
pair, is covered at every center), the others a first skill drawn like the demand and 0-2
more (one skill 60 %, two 30 %, three 10 %).
"""
import argparse
import csv
import datetime
import math
import os
import random
import sys
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Berlin")
LOCAL_START = datetime.datetime(2026, 3, 2, tzinfo=ZONE)  # Monday 00:00
WEEK_START = LOCAL_START.astimezone(datetime.timezone.utc)
WEEK_MINUTES = 7 * 24 * 60
ORIGIN = (50.70, 9.50)  # lat, lon of the region's south-west corner
WIDTH_KM, HEIGHT_KM = 80.0, 60.0

CENTERS = {"W": (20, 30), "C": (45, 25), "E": (68, 38)}
TOWNS = {  # name: (x, y, weight, sigma km)
    "A": (15, 35, 0.25, 3.0), "B": (40, 22, 0.25, 4.0), "C": (50, 45, 0.12, 2.5),
    "D": (70, 40, 0.15, 3.0), "E": (30, 8, 0.10, 2.5), "F": (72, 12, 0.13, 2.5),
}

PEAK_PER_HOUR = 23.0
WEEKDAY = [0.2] * 6 + [0.6] * 2 + [1.0] * 10 + [0.5] * 4 + [0.25] * 2  # by local hour
WEEKEND = [0.15] * 8 + [0.35] * 12 + [0.15] * 4
STORM_PER_HOUR = 25.0
STORMS = [(1, 14, 3, "B"), (3, 6, 2, "D"), (5, 20, 4, "A")]  # weekday, local hour, hours, town
HEAVY_DAY, HEAVY_FACTOR = 2, 3.0  # Wednesday's business hours
SPARSE_DAY_PER_HOUR, SPARSE_NIGHT_PER_HOUR = 3.0, 4.0

SEVERITIES = ["critical", "serious", "general", "minor"]
MIX = {"normal": [10, 20, 45, 25], "storm": [45, 45, 10, 0], "on_call": [55, 30, 10, 5]}
KINDS = ["repair", "installation", "maintenance", "inspection"]
KIND_MIX = {
    "critical": [100, 0, 0, 0], "serious": [90, 0, 10, 0],
    "general": [50, 20, 20, 10], "minor": [20, 15, 35, 30],
}
SKILLS = {"electrical": 0.45, "mechanical": 0.35, "hvac": 0.20}  # share of demand
SKILL_FACTOR = {"electrical": 0.8, "mechanical": 1.0, "hvac": 1.2}
SECOND_SKILL_SHARE = 0.10
MEDIAN_MINUTES = {"repair": 75, "installation": 150, "maintenance": 45, "inspection": 30}
SIGMA = 0.5
TRAVEL_ESTIMATE_MINUTES = 20
UTILISATION = {"short": 0.85, "balanced": 0.55, "ample": 0.30}
SCENARIOS = ["steady", "bursts", "heavy_day", "sparse_night"]


def to_lat_lon(x, y):
    lat = ORIGIN[0] + y / 111.2
    lon = ORIGIN[1] + x / (111.2 * math.cos(math.radians(lat)))
    return f"{lat:.6f}", f"{lon:.6f}"


def hourly_rate(scenario, weekday, hour):
    if scenario == "sparse_night":
        day = weekday < 5 and 8 <= hour < 18
        return SPARSE_DAY_PER_HOUR if day else SPARSE_NIGHT_PER_HOUR
    rate = PEAK_PER_HOUR * (WEEKDAY if weekday < 5 else WEEKEND)[hour]
    if scenario == "heavy_day" and weekday == HEAVY_DAY and 8 <= hour < 18:
        rate *= HEAVY_FACTOR
    return rate


def poisson_hour(rng, start, per_hour):
    """Arrival times (whole seconds) of a Poisson process over the hour from `start`."""
    times, at = [], rng.expovariate(per_hour / 3600.0)
    while at < 3600.0:
        times.append(start + datetime.timedelta(seconds=int(at)))
        at += rng.expovariate(per_hour / 3600.0)
    return times


def arrivals(rng, scenario):
    """Every call of the week, unsorted. Storms are drawn after the base stream, so the base
    calls of `bursts` are exactly those of `steady` with the same seed."""
    base = "on_call" if scenario == "sparse_night" else "normal"
    calls = []
    for h in range(7 * 24):
        start = WEEK_START + datetime.timedelta(hours=h)
        local = start.astimezone(ZONE)
        rate = hourly_rate(scenario, local.weekday(), local.hour)
        calls += [make_request(rng, t, base, scenario) for t in poisson_hour(rng, start, rate)]
    if scenario == "bursts":
        for weekday, hour, hours, town in STORMS:
            first = LOCAL_START + datetime.timedelta(days=weekday, hours=hour)
            for h in range(hours):
                start = (first + datetime.timedelta(hours=h)).astimezone(datetime.timezone.utc)
                calls += [make_request(rng, t, town, scenario)
                          for t in poisson_hour(rng, start, STORM_PER_HOUR)]
    return calls


def town_point(rng, town):
    x0, y0, _, sigma = TOWNS[town]
    while True:  # redraw rather than clamp, so no calls pile up on the region's edge
        x, y = rng.gauss(x0, sigma), rng.gauss(y0, sigma)
        if 0 <= x <= WIDTH_KM and 0 <= y <= HEIGHT_KM:
            return x, y


def place(rng, origin, rural_share):
    if origin in TOWNS:
        return town_point(rng, origin)
    if rng.random() < rural_share:
        return rng.uniform(0, WIDTH_KM), rng.uniform(0, HEIGHT_KM)
    town = rng.choices(list(TOWNS), weights=[t[2] for t in TOWNS.values()])[0]
    return town_point(rng, town)


def make_request(rng, when, origin, scenario):
    mix = MIX["storm"] if origin in TOWNS else MIX[origin]
    severity = rng.choices(SEVERITIES, weights=mix)[0]
    kind = rng.choices(KINDS, weights=KIND_MIX[severity])[0]
    skills = [rng.choices(list(SKILLS), weights=list(SKILLS.values()))[0]]
    if rng.random() < SECOND_SKILL_SHARE:
        skills.append(rng.choice([s for s in SKILLS if s != skills[0]]))
    median = MEDIAN_MINUTES[kind] * SKILL_FACTOR[skills[0]] * (1.25 if len(skills) > 1 else 1.0)
    service = rng.lognormvariate(math.log(median), SIGMA)
    x, y = place(rng, origin, 0.70 if scenario == "sparse_night" else 0.15)
    return {"when": when, "x": x, "y": y, "severity": severity, "kind": kind,
            "skills": [s for s in SKILLS if s in skills],  # a fixed order, for stable output
            "service_minutes": min(480, max(10, round(service)))}


def nearest_center(x, y):
    return min(CENTERS, key=lambda c: math.hypot(CENTERS[c][0] - x, CENTERS[c][1] - y))


def build_fleet(rng, requests, size):
    """Technicians per center in proportion to the calls nearest it (largest remainder)."""
    near = {c: 0 for c in CENTERS}
    for r in requests:
        near[nearest_center(r["x"], r["y"])] += 1
    quota = {c: size * n / len(requests) for c, n in near.items()}
    count = {c: max(1, int(q)) for c, q in quota.items()}
    for c in sorted(CENTERS, key=lambda c: int(quota[c]) - quota[c]):
        if sum(count.values()) >= size:
            break
        count[c] += 1
    fleet = []
    for center, n in count.items():
        for k in range(n):
            if k == 0:
                skills = list(SKILLS)
            else:
                first = rng.choices(list(SKILLS), weights=list(SKILLS.values()))[0]
                extra = rng.choices([0, 1, 2], weights=[60, 30, 10])[0]
                others = rng.sample([s for s in SKILLS if s != first], extra)
                skills = [s for s in SKILLS if s == first or s in others]
            fleet.append({"id": f"{center}{k + 1:02d}", "center": center, "skills": skills})
    return fleet


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--scenario", choices=SCENARIOS, required=True)
    parser.add_argument("--fleet", choices=list(UTILISATION), required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    requests = sorted(arrivals(rng, args.scenario), key=lambda r: r["when"])
    load = sum(r["service_minutes"] + TRAVEL_ESTIMATE_MINUTES for r in requests)
    size = max(len(CENTERS), round(load / (UTILISATION[args.fleet] * WEEK_MINUTES)))
    fleet = build_fleet(rng, requests, size)

    os.makedirs(args.out_dir, exist_ok=True)
    write_csv(os.path.join(args.out_dir, "centers.csv"), ["id", "name", "lat", "lon", "time_zone"],
              [[c, f"Center {c}", *to_lat_lon(*xy), ZONE.key] for c, xy in CENTERS.items()])
    write_csv(os.path.join(args.out_dir, "technicians.csv"),
              ["id", "name", "lat", "lon", "skills", "center_id"],
              [[t["id"], f"Technician {t['id']}", *to_lat_lon(*CENTERS[t["center"]]),
                ";".join(t["skills"]), t["center"]] for t in fleet])
    write_csv(os.path.join(args.out_dir, "requests.csv"),
              ["id", "reported_at", "lat", "lon", "severity", "kind", "required_skills",
               "service_minutes"],
              [[f"R{i + 1:05d}", r["when"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                *to_lat_lon(r["x"], r["y"]), r["severity"], r["kind"], ";".join(r["skills"]),
                r["service_minutes"]]
               for i, r in enumerate(requests)])
    per_tier = {s: sum(r["severity"] == s for r in requests) for s in SEVERITIES}
    utilisation = load / (len(fleet) * WEEK_MINUTES)
    print(f"{args.scenario}/{args.fleet}: {len(requests)} requests {per_tier}, "
          f"{len(fleet)} technicians (utilisation {utilisation:.2f})", file=sys.stderr)


if __name__ == "__main__":
    main()
