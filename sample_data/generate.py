#!/usr/bin/env python3
"""Deterministic sample data for fieldserve.

Writes sla_policy.json, centers.json, customers.json, sites.json, equipment.json,
technicians.json and jobs.json into this script's folder, or into the folder given as
the first argument. Standard library only. One fixed seed: two runs give byte-identical files.

    python3 sample_data/generate.py [OUT_DIR]

The data describes the after-sales network of an equipment maker: three service centers,
400 customer sites around them, the units sold to those sites, 60 technicians and two weeks
of job history ending at NOW (2026-11-23T00:00:00Z), following the SLA rules of docs/sla.md.
"""
import json
import math
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover - Python without zoneinfo
    ZoneInfo = None

SEED = 20261123
UTC = timezone.utc
WINDOW_START = datetime(2026, 11, 9, tzinfo=UTC)  # first reported_at (a Monday)
NOW = datetime(2026, 11, 23, tzinfo=UTC)          # end of history; no event lies after it
RECENT = timedelta(hours=12)                      # jobs reported this close to NOW may be open
SALES_START = date(2023, 11, 9)                   # equipment sold in the 3 years before the window
SALES_END = date(2026, 10, 9)                     # ...late enough that every unit is installed by then

N_CUSTOMERS = 400
N_JOBS = 700
TECHS_PER_CENTER = 20
KM_PER_DEG_LAT = 111.32
CIRCUITY = 1.3          # road km per geodesic km, the dispatcher's default travel model (docs/decisions.md)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SKILLS = ["hvac", "electrical", "refrigeration", "generator", "ups", "controls"]
BASE_SKILLS = ["hvac", "electrical", "refrigeration", "generator", "ups"]  # all but controls

# ---------------------------------------------------------------------------------------------
# SLA policy (docs/sla.md), written out verbatim.
# ---------------------------------------------------------------------------------------------


def policy_tier(response, calendar, radius, targets):
    limits = [10, 30, 60, None]
    return {
        "response_minutes": response,
        "calendar": calendar,
        "dispatch_radius_km": radius,
        "bands": [{"max_km": km, "arrival_minutes": a, "restore_minutes": r}
                  for km, (a, r) in zip(limits, targets)],
    }


SLA_POLICY = {"tiers": {
    "critical": policy_tier(5, "24x7", 60, [(45, 240), (90, 300), (150, 360), (240, 480)]),
    "serious": policy_tier(15, "24x7", 80, [(90, 480), (150, 600), (240, 720), (360, 960)]),
    "general": policy_tier(30, "business_hours", 100,
                           [(240, 1440), (360, 1440), (480, 1920), (1440, 2880)]),
    "minor": policy_tier(60, "business_hours", 150,
                         [(480, 4320), (1440, 4320), (2880, 5760), (4320, 7200)]),
}}
SEVERITIES = ["critical", "serious", "general", "minor"]


def band_for(distance_km, severity):
    """The policy band of a site distance; a boundary distance belongs to the lower band."""
    for band in SLA_POLICY["tiers"][severity]["bands"]:
        if band["max_km"] is None or distance_km <= band["max_km"]:
            return band
    raise AssertionError("policy has no open-ended band")


# ---------------------------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------------------------


def geodesic_km(lat1, lon1, lat2, lon2):
    """WGS84 ellipsoid distance (Vincenty's inverse formula), the measure the server bands by.

    Used to check that every site sits well inside the distance band it was drawn for."""
    a, f = 6378137.0, 1 / 298.257223563
    b = a * (1 - f)
    big_l = math.radians(lon2 - lon1)
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    lam = big_l
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha ** 2
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm ** 2)))
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (a * a - b * b) / (b * b)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = big_b * sin_sigma * (cos_2sm + big_b / 4 * (
        cos_sigma * (-1 + 2 * cos_2sm ** 2)
        - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma ** 2) * (-3 + 4 * cos_2sm ** 2)))
    return b * big_a * (sigma - delta_sigma) / 1000.0


def km_between(p, q):
    return geodesic_km(p["lat"], p["lon"], q["lat"], q["lon"])


def offset_point(origin, bearing_deg, distance_km):
    """A simple spherical offset: good to well under 1 % at these distances (checked later)."""
    bearing = math.radians(bearing_deg)
    dlat = distance_km * math.cos(bearing) / KM_PER_DEG_LAT
    dlon = distance_km * math.sin(bearing) / (KM_PER_DEG_LAT * math.cos(math.radians(origin["lat"])))
    return {"lat": round(origin["lat"] + dlat, 6), "lon": round(origin["lon"] + dlon, 6)}


def draw_bearing(rng, center, distance_km):
    """Uniform bearing within the center's land sector for that distance.

    Chicago has Lake Michigan to its east and Shanghai the Yangtze estuary, the East China Sea
    and Hangzhou Bay to its north, east and south; a uniform bearing over the full circle would
    put customer sites in the water."""
    for max_km, lo, hi in center["land_sectors"]:
        if distance_km <= max_km:
            return lo + rng.random() * (hi - lo)
    raise AssertionError("no land sector")


# Sites are drawn per distance band so that every SLA band appears. The ranges keep ~2 % away
# from the band limits so the simple offset above can never move a site across a limit.
SITE_BANDS = [  # (share, min_km, max_km)
    (0.45, 0.3, 9.8),
    (0.30, 10.2, 29.4),
    (0.17, 30.6, 58.8),
    (0.08, 61.2, 118.0),
]

# ---------------------------------------------------------------------------------------------
# Service centers and their regions
# ---------------------------------------------------------------------------------------------

# Each region lists towns (name, lat, lon, city, state/province, phone area code, postcodes);
# a site takes the address of the town nearest to its drawn location.
SHANGHAI_TOWNS = [
    ("Huangpu District", 31.2317, 121.4846, "Shanghai", "", "21", ["200001", "200002", "200011"]),
    ("Jing'an District", 31.2286, 121.4480, "Shanghai", "", "21", ["200040", "200041", "200072"]),
    ("Xuhui District", 31.1885, 121.4365, "Shanghai", "", "21", ["200030", "200031", "200233"]),
    ("Changning District", 31.2204, 121.4247, "Shanghai", "", "21", ["200050", "200051", "200335"]),
    ("Putuo District", 31.2497, 121.3970, "Shanghai", "", "21", ["200333", "200062", "200063"]),
    ("Hongkou District", 31.2646, 121.5050, "Shanghai", "", "21", ["200080", "200081", "200086"]),
    ("Yangpu District", 31.2595, 121.5260, "Shanghai", "", "21", ["200082", "200090", "200433"]),
    ("Pudong New Area", 31.2215, 121.5447, "Shanghai", "", "21", ["200120", "200127", "201203"]),
    ("Minhang District", 31.1129, 121.3817, "Shanghai", "", "21", ["201100", "201101", "201108"]),
    ("Baoshan District", 31.4050, 121.4890, "Shanghai", "", "21", ["201900", "200940", "201901"]),
    ("Jiading District", 31.3747, 121.2655, "Shanghai", "", "21", ["201800", "201805", "201821"]),
    ("Songjiang District", 31.0322, 121.2277, "Shanghai", "", "21", ["201600", "201612", "201613"]),
    ("Qingpu District", 31.1497, 121.1241, "Shanghai", "", "21", ["201700", "201702", "201706"]),
    ("Fengxian District", 30.9180, 121.4740, "Shanghai", "", "21", ["201400", "201401", "201413"]),
    ("Jinshan District", 30.7417, 121.3420, "Shanghai", "", "21", ["201500", "201506", "201508"]),
    ("Suzhou", 31.2989, 120.5853, "Suzhou", "Jiangsu", "512", ["215000", "215021", "215123"]),
    ("Wujiang", 31.1603, 120.6452, "Suzhou", "Jiangsu", "512", ["215200", "215211"]),
    ("Kunshan", 31.3856, 120.9807, "Kunshan", "Jiangsu", "512", ["215300", "215301", "215316"]),
    ("Taicang", 31.4594, 121.1300, "Taicang", "Jiangsu", "512", ["215400", "215413"]),
    ("Changshu", 31.6540, 120.7524, "Changshu", "Jiangsu", "512", ["215500", "215513"]),
    ("Wuxi", 31.4912, 120.3119, "Wuxi", "Jiangsu", "510", ["214000", "214028", "214142"]),
    ("Nantong", 31.9802, 120.8943, "Nantong", "Jiangsu", "513", ["226000", "226009"]),
    ("Jiashan", 30.8306, 120.9256, "Jiaxing", "Zhejiang", "573", ["314100", "314113"]),
    ("Jiaxing", 30.7469, 120.7555, "Jiaxing", "Zhejiang", "573", ["314000", "314001", "314033"]),
    ("Pinghu", 30.6758, 121.0152, "Pinghu", "Zhejiang", "573", ["314200", "314213"]),
    ("Haining", 30.5097, 120.6809, "Haining", "Zhejiang", "573", ["314400", "314415"]),
]
FRANKFURT_TOWNS = [
    ("Frankfurt am Main", 50.1109, 8.6821, "", "", "69", (60311, 60599)),
    ("Offenbach am Main", 50.0956, 8.7761, "", "", "69", (63065, 63075)),
    ("Eschborn", 50.1437, 8.5700, "", "", "6196", (65760, 65760)),
    ("Bad Homburg vor der Höhe", 50.2268, 8.6182, "", "", "6172", (61348, 61352)),
    ("Oberursel (Taunus)", 50.2024, 8.5772, "", "", "6171", (61440, 61440)),
    ("Neu-Isenburg", 50.0530, 8.6970, "", "", "6102", (63263, 63263)),
    ("Hanau", 50.1264, 8.9283, "", "", "6181", (63450, 63457)),
    ("Rüsselsheim am Main", 49.9892, 8.4228, "", "", "6142", (65428, 65428)),
    ("Darmstadt", 49.8728, 8.6512, "", "", "6151", (64283, 64297)),
    ("Wiesbaden", 50.0782, 8.2398, "", "", "611", (65183, 65207)),
    ("Mainz", 49.9929, 8.2473, "", "", "6131", (55116, 55131)),
    ("Friedberg (Hessen)", 50.3352, 8.7550, "", "", "6031", (61169, 61169)),
    ("Aschaffenburg", 49.9807, 9.1356, "", "", "6021", (63739, 63743)),
    ("Gießen", 50.5841, 8.6784, "", "", "641", (35390, 35398)),
    ("Wetzlar", 50.5558, 8.5045, "", "", "6441", (35576, 35586)),
    ("Marburg", 50.8021, 8.7667, "", "", "6421", (35037, 35043)),
    ("Limburg an der Lahn", 50.3836, 8.0503, "", "", "6431", (65549, 65556)),
    ("Bad Kreuznach", 49.8450, 7.8670, "", "", "671", (55543, 55545)),
    ("Bensheim", 49.6810, 8.6171, "", "", "6251", (64625, 64625)),
    ("Worms", 49.6341, 8.3507, "", "", "6241", (67547, 67551)),
    ("Mannheim", 49.4875, 8.4660, "", "", "621", (68159, 68309)),
    ("Heidelberg", 49.3988, 8.6724, "", "", "6221", (69115, 69126)),
    ("Fulda", 50.5558, 9.6808, "", "", "661", (36037, 36043)),
    ("Gelnhausen", 50.2026, 9.1874, "", "", "6051", (63571, 63571)),
    ("Dieburg", 49.8986, 8.8403, "", "", "6071", (64807, 64807)),
]
CHICAGO_TOWNS = [
    ("Chicago", 41.8781, -87.6298, "", "IL", "312", (60601, 60661)),
    ("Chicago", 41.9484, -87.7047, "", "IL", "773", (60618, 60647)),
    ("Cicero", 41.8456, -87.7539, "", "IL", "708", (60804, 60804)),
    ("Evanston", 42.0451, -87.6877, "", "IL", "847", (60201, 60208)),
    ("Skokie", 42.0324, -87.7416, "", "IL", "847", (60076, 60077)),
    ("Des Plaines", 42.0334, -87.8834, "", "IL", "847", (60016, 60018)),
    ("Elk Grove Village", 42.0039, -87.9703, "", "IL", "847", (60007, 60009)),
    ("Arlington Heights", 42.0884, -87.9806, "", "IL", "847", (60004, 60005)),
    ("Schaumburg", 42.0334, -88.0834, "", "IL", "847", (60173, 60196)),
    ("Oak Brook", 41.8328, -87.9290, "", "IL", "630", (60523, 60523)),
    ("Naperville", 41.7508, -88.1535, "", "IL", "630", (60540, 60565)),
    ("Aurora", 41.7606, -88.3201, "", "IL", "630", (60502, 60506)),
    ("Bolingbrook", 41.6986, -88.0684, "", "IL", "630", (60440, 60440)),
    ("Orland Park", 41.6303, -87.8539, "", "IL", "708", (60462, 60467)),
    ("Joliet", 41.5250, -88.0817, "", "IL", "815", (60431, 60436)),
    ("Hammond", 41.5834, -87.5000, "", "IN", "219", (46320, 46327)),
    ("Gary", 41.5934, -87.3464, "", "IN", "219", (46402, 46409)),
    ("Valparaiso", 41.4731, -87.0611, "", "IN", "219", (46383, 46385)),
    ("Kankakee", 41.1200, -87.8612, "", "IL", "815", (60901, 60901)),
    ("Elgin", 42.0354, -88.2826, "", "IL", "847", (60120, 60124)),
    ("Crystal Lake", 42.2411, -88.3162, "", "IL", "815", (60012, 60014)),
    ("Waukegan", 42.3636, -87.8448, "", "IL", "847", (60085, 60087)),
    ("Kenosha", 42.5847, -87.8212, "", "WI", "262", (53140, 53144)),
    ("DeKalb", 41.9295, -88.7504, "", "IL", "815", (60115, 60115)),
    ("Rockford", 42.2711, -89.0940, "", "IL", "815", (61101, 61114)),
    ("Morris", 41.3573, -88.4212, "", "IL", "815", (60450, 60450)),
]

CENTERS = [
    {"id": 1, "key": "shanghai", "name": "Shanghai Service Center",
     "location": {"lat": 31.2304, "lon": 121.4737}, "time_zone": "Asia/Shanghai",
     # Saturday mornings are a normal working half-day for Chinese industrial customers.
     "business_hours": {d: ["08:30", "17:30"] for d in WEEKDAYS[:5]} | {"sat": ["09:00", "13:00"]},
     "utc_offset_h": 8,
     "land_sectors": [(20, 0, 360), (35, 90, 360), (1e9, 215, 320)],
     "towns": SHANGHAI_TOWNS},
    {"id": 2, "key": "frankfurt", "name": "Frankfurt Service Center",
     "location": {"lat": 50.1109, "lon": 8.6821}, "time_zone": "Europe/Berlin",
     "business_hours": {d: ["07:30", "17:00"] for d in WEEKDAYS[:5]},
     "utc_offset_h": 1,
     "land_sectors": [(1e9, 0, 360)],
     "towns": FRANKFURT_TOWNS},
    {"id": 3, "key": "chicago", "name": "Chicago Service Center",
     "location": {"lat": 41.8781, "lon": -87.6298}, "time_zone": "America/Chicago",
     "business_hours": {d: ["08:00", "18:00"] for d in WEEKDAYS[:5]},
     "utc_offset_h": -6,
     "land_sectors": [(1e9, 160, 340)],
     "towns": CHICAGO_TOWNS},
]
CENTER_BY_ID = {c["id"]: c for c in CENTERS}


def center_zone(center):
    """The center's IANA zone; without a tz database, its fixed offset for the window.

    The window (9-23 Nov 2026) has no daylight-saving change in any of the three zones, so
    both give the same local times; the check in verify() holds either way."""
    if ZoneInfo is not None:
        try:
            return ZoneInfo(center["time_zone"])
        except Exception:  # noqa: BLE001 - missing tz database: fall back below
            pass
    return timezone(timedelta(hours=center["utc_offset_h"]))


def hhmm(text):
    h, m = text.split(":")
    return int(h) * 60 + int(m)


# ---------------------------------------------------------------------------------------------
# Time and SLA calendars
# ---------------------------------------------------------------------------------------------


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_instant(day, minutes, zone):
    """UTC instant of `minutes` after local midnight of `day` in `zone` (minutes may be 1440)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    return (midnight + timedelta(minutes=minutes)).astimezone(UTC)


def business_windows(center, start):
    """Yield the center's opening windows (open, close) in UTC, from the local day of `start`."""
    zone = center_zone(center)
    day = start.astimezone(zone).date()
    while True:
        span = center["business_hours"].get(WEEKDAYS[day.weekday()])
        if span:
            yield local_instant(day, hhmm(span[0]), zone), local_instant(day, hhmm(span[1]), zone)
        day += timedelta(days=1)


def add_clock(start, minutes, center, calendar):
    """The instant at which `minutes` counted minutes have passed since `start`.

    A 24x7 clock counts every minute; a business-hours clock only the center's opening hours,
    so a job reported at night starts counting when the center opens."""
    if calendar == "24x7":
        return start + timedelta(minutes=minutes)
    remaining = minutes
    for opens, closes in business_windows(center, start):
        if closes <= start:
            continue
        begin = max(start, opens)
        available = (closes - begin).total_seconds() / 60
        if remaining <= available:
            return begin + timedelta(minutes=remaining)
        remaining -= available
    raise AssertionError("unreachable")


def clock_between(a, b, center, calendar):
    """Counted minutes in [a, b) on the given calendar; 0 when b <= a."""
    if b <= a:
        return 0.0
    if calendar == "24x7":
        return (b - a).total_seconds() / 60
    total = 0.0
    for opens, closes in business_windows(center, a):
        if opens >= b:
            break
        lo, hi = max(a, opens), min(b, closes)
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
    return total


def on_shift(tech, center, t):
    local = t.astimezone(center_zone(center))
    span = tech["shift"].get(WEEKDAYS[local.weekday()])
    if not span:
        return False
    minute = local.hour * 60 + local.minute
    return hhmm(span[0]) <= minute < hhmm(span[1])


def weighted(rng, options):
    """Pick from [(weight, value), ...]."""
    total = sum(w for w, _ in options)
    x = rng.random() * total
    for w, value in options:
        x -= w
        if x < 0:
            return value
    return options[-1][1]


# ---------------------------------------------------------------------------------------------
# People and company names
# ---------------------------------------------------------------------------------------------

NAMES = {
    "shanghai": {
        "first": ["Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Yan", "Tao", "Ming", "Hui", "Qiang",
                  "Xiaoling", "Haoran", "Yuting", "Zihan", "Jianguo", "Lihua", "Xin", "Peng", "Rui",
                  "Yong", "Na", "Bo", "Chao", "Dan", "Kai", "Lin", "Ping", "Shu", "Yifan"],
        "last": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
                 "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Shen"],
        "family_first": True,  # Chinese names are written surname first
    },
    "frankfurt": {
        "first": ["Lukas", "Anna", "Jonas", "Laura", "Felix", "Julia", "Maximilian", "Sophie",
                  "Tobias", "Katharina", "Stefan", "Sabine", "Michael", "Andrea", "Thomas", "Claudia",
                  "Jürgen", "Petra", "Matthias", "Jörg", "Björn", "Sören", "Leonie", "Niklas",
                  "Ayşe", "Mehmet", "Elena", "Daniel"],
        "last": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
                 "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
                 "Schröder", "Neumann", "Schwarz", "Zimmermann", "Krüger", "Hartmann", "Lange",
                 "Werner", "Köhler", "Yılmaz", "Kaya", "Nowak"],
        "family_first": False,
    },
    "chicago": {
        "first": ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
                  "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
                  "Thomas", "Sarah", "Daniel", "Karen", "Kevin", "Maria", "Carlos", "Ana", "Tyrone",
                  "Aisha", "Brian", "Megan"],
        "last": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
                 "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas",
                 "Taylor", "Moore", "Jackson", "Kowalski", "Nowak", "O'Brien", "Murphy", "Kim",
                 "Patel", "Nguyen", "Washington"],
        "family_first": False,
    },
}

COMPANY_WORDS = {
    "shanghai": {
        "brand": ["Huaxin", "Jinlong", "Hengtai", "Ruifeng", "Xinda", "Dongfang", "Zhongke", "Tianhe",
                  "Baosheng", "Yongfeng", "Kaida", "Shenghua", "Minghui", "Haitong", "Longsheng",
                  "Guangyu", "Jiahe", "Fuyuan", "Anda", "Weixing", "Hongda", "Jinqiao"],
        "industry": ["Cold Chain Logistics", "Pharmaceutical", "Data Technology", "Precision Machinery",
                     "Food Processing", "Semiconductor Materials", "New Materials",
                     "Hospital Management", "Property Management", "Printing & Packaging", "Textile",
                     "Electronics", "Auto Parts", "Hotel Management", "Biotechnology",
                     "Plastic Products", "Medical Devices", "Commercial Real Estate"],
        "legal": ["Co., Ltd."],
    },
    "frankfurt": {
        "brand": ["Rhein-Main", "Taunus", "Mainufer", "Wetterau", "Odenwald", "Spessart", "Kronberg",
                  "Nidda", "Bergstraße", "Vogelsberg", "Lahntal", "Main-Kinzig", "Müller", "Schneider",
                  "Becker", "Hoffmann", "Wagner", "Krüger", "Schäfer", "Weiß", "Köhler", "Brandt"],
        "industry": ["Kältetechnik", "Logistik", "Rechenzentrum", "Lebensmittel", "Pharma",
                     "Kunststofftechnik", "Druckerei", "Metallbau", "Immobilien", "Hotelbetriebe",
                     "Feinmechanik", "Brauerei", "Laborservice", "Klinikservice", "Verpackung",
                     "Datentechnik", "Galvanik", "Präzisionsteile"],
        "legal": ["GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG"],
    },
    "chicago": {
        "brand": ["Lakeshore", "Prairie", "Midwest", "Great Lakes", "Northshore", "Fox River",
                  "Calumet", "Riverside", "Heartland", "Pioneer", "Lincoln", "Summit", "Cornerstone",
                  "Keystone", "Bluestem", "Ironbridge", "Harbor", "Union", "Wabash", "Kinzie"],
        "industry": ["Cold Storage", "Data Center", "Foods", "Medical Center", "Logistics", "Plastics",
                     "Printing", "Properties", "Pharmaceuticals", "Hospitality Group", "Manufacturing",
                     "Labs", "Distribution", "Brewing", "Metal Works", "Packaging", "Senior Living"],
        "legal": ["Inc.", "Inc.", "LLC", "LLC", "Corp.", "Co."],
    },
}

ASCII_FOLD = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
              "ş": "s", "ı": "i", "'": "", "&": "and"}


def ascii_slug(text, sep="-"):
    """Lower-case ASCII for e-mail addresses and domains (mailboxes rarely carry umlauts)."""
    folded = "".join(ASCII_FOLD.get(ch, ch) for ch in text).lower()
    out, last_sep = [], True
    for ch in folded:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            last_sep = False
        elif not last_sep:
            out.append(sep)
            last_sep = True
    return "".join(out).strip(sep)


def person_name(rng, region):
    pool = NAMES[region]
    first, last = rng.choice(pool["first"]), rng.choice(pool["last"])
    display = f"{last} {first}" if pool["family_first"] else f"{first} {last}"
    return display, first, last


def digits(rng, n):
    return "".join(str(rng.randrange(10)) for _ in range(n))


def phone_number(rng, region, town):
    area = town[5]
    if region == "shanghai":
        if rng.random() < 0.5:  # many contacts give a mobile number
            return f"+86 1{rng.choice('3589')}{digits(rng, 1)} {digits(rng, 4)} {digits(rng, 4)}"
        return f"+86 {area} {digits(rng, 4)} {digits(rng, 4)}"
    if region == "frankfurt":
        if rng.random() < 0.3:
            return f"+49 1{rng.choice(['51', '60', '70', '76'])} {digits(rng, 8)}"
        return f"+49 {area} {digits(rng, max(5, 10 - len(area)))}"
    # North American 555-01XX numbers are reserved for fiction.
    return f"+1 {area}-555-01{digits(rng, 2)}"


# ---------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------

STREETS = {
    "shanghai_city": ["Zhangjiang Road", "Huaihai Middle Road", "Yan'an West Road", "Caobao Road",
                      "Hongcao Road", "Jinke Road", "Chenhui Road", "Yishan Road", "Siping Road",
                      "Zhongshan North Road", "Jiangchang Road", "Guoshoujing Road", "Tianlin Road"],
    "shanghai_town": ["Renmin Road", "Jiefang Road", "Zhongshan Road", "Jianshe Road", "Changjiang Road",
                      "Xinghu Street", "Chuangye Road", "Keji Road", "Gongye Avenue", "Xingye Road",
                      "Qingnian Road", "Dongfang Road", "Huancheng Road", "Binhe Road", "Kaifa Road"],
    "frankfurt_city": ["Hanauer Landstraße", "Mainzer Landstraße", "Eschersheimer Landstraße",
                       "Borsigallee", "Lyoner Straße", "Theodor-Heuss-Allee", "Gutleutstraße",
                       "Orber Straße", "Carl-Benz-Straße"],
    "frankfurt_town": ["Industriestraße", "Gutenbergstraße", "Hauptstraße", "Robert-Bosch-Straße",
                       "Siemensstraße", "Carl-Zeiss-Straße", "Im Gewerbegebiet", "Am Hafen",
                       "Otto-Hahn-Straße", "Max-Planck-Straße", "Daimlerstraße", "Rudolf-Diesel-Straße",
                       "Lilienthalstraße", "Frankfurter Straße", "Röntgenstraße", "Mühlweg",
                       "Kurt-Schumacher-Straße", "Dieselstraße"],
    "chicago_city": ["W Lake St", "N Elston Ave", "S Halsted St", "W Fullerton Ave", "N Milwaukee Ave",
                     "W Roosevelt Rd", "S Western Ave", "W Pershing Rd", "N Clybourn Ave",
                     "W Grand Ave", "S Ashland Ave", "W Fulton Market"],
    "chicago_town": ["Commerce Dr", "Industrial Dr", "Technology Dr", "Executive Dr", "Enterprise Dr",
                     "Main St", "Lake St", "Oak St", "Washington St", "Center Dr", "Park Blvd",
                     "Golf Rd", "Higgins Rd", "Ogden Ave", "Route 59", "Corporate Woods Pkwy"],
}


def nearest_town(center, location):
    return min(center["towns"],
               key=lambda t: (t[1] - location["lat"]) ** 2
               + ((t[2] - location["lon"]) * math.cos(math.radians(t[1]))) ** 2)


def street_address(rng, center, town):
    name, _lat, _lon, city, state, _area, postcodes = town
    key = center["key"]
    if key == "shanghai":
        if city == "Shanghai":
            street = rng.choice(STREETS["shanghai_city"] + STREETS["shanghai_town"])
            return f"No. {rng.randint(1, 2999)} {street}, {name}, Shanghai {rng.choice(postcodes)}"
        street = rng.choice(STREETS["shanghai_town"])
        place = name if name == city else f"{name}, {city}"
        return f"No. {rng.randint(1, 999)} {street}, {place}, {state} {rng.choice(postcodes)}"
    if key == "frankfurt":
        streets = STREETS["frankfurt_town"]
        if name == "Frankfurt am Main":
            streets = streets + STREETS["frankfurt_city"]
        number = str(rng.randint(1, 180)) + (rng.choice("abc") if rng.random() < 0.1 else "")
        return f"{rng.choice(streets)} {number}, {rng.randint(*postcodes):05d} {name}"
    streets = STREETS["chicago_city"] if name == "Chicago" else STREETS["chicago_town"]
    return f"{rng.randint(100, 9899)} {rng.choice(streets)}, {name}, {state} {rng.randint(*postcodes):05d}"


# ---------------------------------------------------------------------------------------------
# 1-2. Policy and centers
# ---------------------------------------------------------------------------------------------


def make_centers():
    return [{"id": c["id"], "name": c["name"], "location": dict(c["location"]),
             "time_zone": c["time_zone"], "business_hours": dict(c["business_hours"])}
            for c in CENTERS]


# ---------------------------------------------------------------------------------------------
# 3-4. Customers and their sites
# ---------------------------------------------------------------------------------------------


def make_sites(rng):
    """One site per customer, about a third per center, spread over the four distance bands.

    Returned with the internal center id and nearest town, which the customer record uses."""
    center_ids = [CENTERS[i % 3]["id"] for i in range(N_CUSTOMERS)]
    rng.shuffle(center_ids)
    # Exact band counts (180/120/68/32), shuffled, so the mix does not drift with the seed.
    bands = [b for b in SITE_BANDS for _ in range(round(b[0] * N_CUSTOMERS))]
    assert len(bands) == N_CUSTOMERS
    rng.shuffle(bands)
    sites = []
    for site_id, (center_id, (_share, lo, hi)) in enumerate(zip(center_ids, bands), start=1):
        center = CENTER_BY_ID[center_id]
        distance = rng.uniform(lo, hi)
        location = offset_point(center["location"], draw_bearing(rng, center, distance), distance)
        town = nearest_town(center, location)
        sites.append({"id": site_id, "customer_id": site_id,
                      "address": street_address(rng, center, town), "location": location,
                      "_center_id": center_id, "_town": town})
    return sites


def company_name(rng, center, town, taken):
    words = COMPANY_WORDS[center["key"]]
    while True:
        brand, industry = rng.choice(words["brand"]), rng.choice(words["industry"])
        legal = rng.choice(words["legal"])
        if center["key"] == "shanghai":
            # Chinese company names open with the registering city.
            name = f"{town[3]} {brand} {industry} {legal}"
        else:
            name = f"{brand} {industry} {legal}"
        if name not in taken:
            taken.add(name)
            domain = ascii_slug(f"{brand} {industry}") + ".example"  # reserved TLD: never real
            return name, domain


def make_customers(rng, sites):
    taken = set()
    customers = []
    # Exactly 10 % key accounts, spread at random.
    key_ids = set(rng.sample([s["customer_id"] for s in sites], N_CUSTOMERS // 10))
    for site in sites:
        center = CENTER_BY_ID[site["_center_id"]]
        name, domain = company_name(rng, center, site["_town"], taken)
        contact_name, first, last = person_name(rng, center["key"])
        customers.append({
            "id": site["customer_id"],
            "name": name,
            "account_tier": "key" if site["customer_id"] in key_ids else "standard",
            "contact": {"name": contact_name,
                        "phone": phone_number(rng, center["key"], site["_town"]),
                        "email": f"{ascii_slug(first, '')}.{ascii_slug(last, '')}@{domain}"},
            "notes": "",
        })
    return customers


# ---------------------------------------------------------------------------------------------
# 5. Equipment
# ---------------------------------------------------------------------------------------------

MODELS = [  # (model, serial prefix, family)
    ("HX-200 Chiller", "HX200", "chiller"),
    ("HX-350 Chiller", "HX350", "chiller"),
    ("VRF-45 Outdoor Unit", "VRF45", "vrf"),
    ("UPS-3000", "UPS3000", "ups"),
    ("UPS-6000", "UPS6000", "ups"),
    ("GEN-80 Diesel Generator", "GEN80", "generator"),
    ("AHU-12 Air Handler", "AHU12", "ahu"),
]
MODEL_BY_NAME = {m[0]: m for m in MODELS}
FAMILY_SKILL = {"chiller": "refrigeration", "vrf": "hvac", "ups": "ups", "generator": "generator",
                "ahu": "hvac", "site": "electrical"}


def make_equipment(rng, sites):
    units, serials = [], set()
    sale_days = (SALES_END - SALES_START).days
    for site in sites:
        for _ in range(weighted(rng, [(0.45, 1), (0.35, 2), (0.20, 3)])):
            model, prefix, _family = rng.choice(MODELS)
            sold = SALES_START + timedelta(days=rng.randint(0, sale_days))
            installed = sold + timedelta(days=rng.randint(1, 30))
            while True:
                serial = f"{prefix}-{sold.year}-{rng.randint(1, 999999):06d}"
                if serial not in serials:
                    serials.add(serial)
                    break
            units.append({
                "id": len(units) + 1, "site_id": site["id"], "model": model, "serial": serial,
                "sold_at": f"{sold.isoformat()}T00:00:00Z",
                "installed_at": f"{installed.isoformat()}T00:00:00Z",
                "warranty_months": rng.choice([12, 24, 36]),
            })
    return units


# ---------------------------------------------------------------------------------------------
# 6. Technicians
# ---------------------------------------------------------------------------------------------

# Skill sets fixed per center so that every skill, and every skill paired with controls, is
# always held by someone active; the rest of the roster is drawn at random.
NIGHT_CREW_SKILLS = [  # the four 24-hour technicians cover every skill between them
    ["hvac", "refrigeration", "controls"],
    ["electrical", "generator", "ups"],
    ["hvac", "ups", "controls"],
    ["refrigeration", "generator", "electrical"],
]
DAY_CREW_SKILLS = [
    ["hvac", "controls"], ["refrigeration", "controls"], ["generator", "controls"],
    ["ups", "controls"], ["electrical", "controls"],
    ["hvac"], ["refrigeration"], ["generator", "electrical"], ["ups", "electrical"],
    ["hvac", "refrigeration"],
]
N_RANDOM_DAY = TECHS_PER_CENTER - len(NIGHT_CREW_SKILLS) - len(DAY_CREW_SKILLS)
INACTIVE = {(1, 2), (3, 4)}  # (center id, index among its random day crew): on leave


def sorted_skills(skills):
    return [s for s in SKILLS if s in skills]


def make_technicians(rng):
    techs, names = [], set()
    for center in CENTERS:
        random_sets = [rng.sample(SKILLS, weighted(rng, [(0.3, 1), (0.45, 2), (0.25, 3)]))
                       for _ in range(N_RANDOM_DAY)]
        roster = ([(s, True, False) for s in NIGHT_CREW_SKILLS]
                  + [(s, False, False) for s in DAY_CREW_SKILLS]
                  + [(s, False, (center["id"], i) in INACTIVE) for i, s in enumerate(random_sets)])
        rng.shuffle(roster)  # ids say nothing about the crew a technician belongs to
        for skills, round_the_clock, inactive in roster:
            while True:
                name = person_name(rng, center["key"])[0]
                if name not in names:
                    names.add(name)
                    break
            distance = rng.uniform(0.5, 14.5)
            location = offset_point(center["location"], draw_bearing(rng, center, distance), distance)
            if round_the_clock:
                shift = {d: ["00:00", "24:00"] for d in WEEKDAYS}
            else:
                start = rng.choice(range(7 * 60, 10 * 60 + 1, 30))
                length = rng.choice([480, 510, 540])
                span = [f"{start // 60:02d}:{start % 60:02d}",
                        f"{(start + length) // 60:02d}:{(start + length) % 60:02d}"]
                shift = {d: list(span) for d in WEEKDAYS[:5]}
            techs.append({
                "id": len(techs) + 1, "name": name, "skills": sorted_skills(skills),
                "home_center_id": center["id"], "location": location, "max_open_jobs": 6,
                "active": not inactive, "shift": shift,
            })
    return techs


# ---------------------------------------------------------------------------------------------
# 7. Jobs
# ---------------------------------------------------------------------------------------------

# (text, needs controls) by equipment family and job kind; "site" is work on the building's
# own installation when no unit is named.
DESCRIPTIONS = {
    "chiller": {
        "repair": [("High-pressure trip, compressor will not restart", False),
                   ("Low refrigerant pressure alarm, suspected leak", False),
                   ("Chilled water outlet temperature above setpoint", False),
                   ("Compressor tripping on overload", False),
                   ("Condenser fan motor noisy and overheating", False),
                   ("Oil pressure differential alarm", False),
                   ("Controller reports evaporator sensor fault", True),
                   ("Unit not communicating with the BMS", True)],
        "maintenance": [("Annual chiller service and refrigerant leak check", False),
                        ("Quarterly preventive maintenance", False),
                        ("Condenser coil cleaning and oil analysis", False)],
        "inspection": [("F-gas leak inspection", False),
                       ("Performance check after compressor replacement", False)],
        "installation": [("Install remote monitoring gateway", True),
                         ("Install replacement condenser fan assembly", False)],
    },
    "vrf": {
        "repair": [("Outdoor unit error E4, no cooling on upper floors", False),
                   ("Fan motor seized on outdoor unit", False),
                   ("Poor heating output, refrigerant leak suspected", False),
                   ("Defrost cycle stuck, coil iced up", False),
                   ("Inverter board fault code", False),
                   ("Indoor units lose communication with outdoor unit", True),
                   ("Central controller shows address conflict", True)],
        "maintenance": [("Seasonal service before heating season", False),
                        ("Coil cleaning and filter replacement", False)],
        "inspection": [("Refrigerant leak inspection", False), ("Warranty inspection", False)],
        "installation": [("Install additional indoor units on existing system", True),
                         ("Install central controller upgrade", True)],
    },
    "ups": {
        "repair": [("UPS on bypass after overload event", False),
                   ("Battery test failed, runtime below 5 minutes", False),
                   ("Rectifier fault alarm", False),
                   ("Cooling fan failure alarm", False),
                   ("Output voltage fluctuating under load", False),
                   ("Intermittent transfer to battery with stable mains", False),
                   ("Network card not reporting to monitoring", True)],
        "maintenance": [("Annual UPS service and battery impedance test", False),
                        ("Scheduled capacitor and fan replacement", False)],
        "inspection": [("Battery condition inspection", False), ("Thermal scan of UPS cabinet", False)],
        "installation": [("Install external battery cabinet", False),
                         ("Install network management card", True)],
    },
    "generator": {
        "repair": [("Fails to start on weekly test run", False),
                   ("Low coolant level alarm", False),
                   ("Battery charger fault, starter battery flat", False),
                   ("Oil leak at crankcase breather", False),
                   ("Overspeed shutdown during load test", False),
                   ("Transfer switch does not return to mains", True),
                   ("Fuel level sensor reading incorrect", True)],
        "maintenance": [("Annual generator service with load bank test", False),
                        ("Oil and filter change, 250 h service", False)],
        "inspection": [("Monthly run test and inspection", False),
                       ("Exhaust and fuel system inspection", False)],
        "installation": [("Install automatic transfer switch controller", True),
                         ("Install fuel tank level monitoring", True)],
    },
    "ahu": {
        "repair": [("Supply fan belt slipping, low airflow", False),
                   ("Filter differential pressure alarm", False),
                   ("Frost protection trip", False),
                   ("Bearing noise on extract fan", False),
                   ("Humidifier fault, no steam output", False),
                   ("Heating coil valve actuator not responding", True),
                   ("Supply air temperature unstable", True)],
        "maintenance": [("Filter replacement and belt check", False),
                        ("Quarterly preventive maintenance", False)],
        "inspection": [("Hygiene inspection", False), ("Damper and actuator inspection", False)],
        "installation": [("Install EC fan retrofit", False), ("Install new controls panel", True)],
    },
    "site": {
        "repair": [("Main breaker tripping intermittently", False),
                   ("Voltage dips on plant room distribution board", False),
                   ("Earth leakage alarm on plant room circuit", False),
                   ("Emergency lighting circuit failure", False),
                   ("Building management system offline", True)],
        "maintenance": [("Thermographic survey of switchboards", False),
                        ("Plant room electrical maintenance", False)],
        "inspection": [("Electrical safety inspection", False), ("Earthing and bonding check", False)],
        "installation": [("Install sub-metering on plant room feeders", True),
                         ("Install surge protection on main board", False)],
    },
}

KINDS = [(0.70, "repair"), (0.15, "maintenance"), (0.10, "inspection"), (0.05, "installation")]
SEVERITY_TARGET = {"critical": 0.08, "serious": 0.22, "general": 0.45, "minor": 0.25}
# Planned work (maintenance, inspection, installation) is never critical and rarely serious;
# repairs take the rest so that the overall mix still matches SEVERITY_TARGET.
PLANNED_SEVERITY = {"critical": 0.0, "serious": 0.05, "general": 0.55, "minor": 0.40}
REPAIR_SEVERITY = {s: (SEVERITY_TARGET[s] - 0.30 * PLANNED_SEVERITY[s]) / 0.70 for s in SEVERITIES}

# How often a target is missed on purpose, by severity. Further misses follow from these
# (a restore miss means a late arrival or a long repair) and land the total near 12 %.
P_RESPONSE_LATE = {"critical": 0.06, "serious": 0.07, "general": 0.07, "minor": 0.08}
P_ARRIVAL_LATE = {"critical": 0.11, "serious": 0.10, "general": 0.09, "minor": 0.07}
P_RESTORE_LATE = {"critical": 0.07, "serious": 0.06, "general": 0.06, "minor": 0.05}
P_HOLD = {"repair": 0.12, "maintenance": 0.04, "inspection": 0.03, "installation": 0.10}
P_CANCEL = 0.03
WORK_MINUTES = {  # triangular (low, high, mode) time on site
    "repair": (30, 300, 90), "maintenance": (60, 300, 150),
    "inspection": (30, 150, 60), "installation": (120, 480, 240),
}
ACCEPT_MINUTES = {"critical": (1, 5), "serious": (1, 12), "general": (2, 40), "minor": (5, 90)}
DEPART_MINUTES = {"critical": (1, 6), "serious": (2, 10), "general": (5, 20), "minor": (5, 30)}
TECH_STEPS = ("assigned", "accepted", "en_route", "on_site")


def report_weight(center, t):
    """Relative chance of a request at instant t: mostly working hours on working days."""
    local = t.astimezone(center_zone(center))
    day = {5: 0.45, 6: 0.3}.get(local.weekday(), 1.0)
    hour = local.hour
    daypart = 1.0 if 7 <= hour < 19 else 0.35 if 19 <= hour < 23 else 0.15
    return day * daypart


def draw_requests(rng, sites, customers):
    """(reported_at, site) pairs over the window, sorted; key accounts call somewhat more."""
    weights = [(2.0 if c["account_tier"] == "key" else 1.0, s) for c, s in zip(customers, sites)]
    window_min = int((NOW - WINDOW_START).total_seconds() // 60)
    requests = []
    for _ in range(N_JOBS):
        site = weighted(rng, weights)
        center = CENTER_BY_ID[site["_center_id"]]
        while True:  # rejection sampling against the local daily rhythm
            t = WINDOW_START + timedelta(minutes=rng.randrange(window_min))
            if rng.random() < report_weight(center, t):
                break
        requests.append((t, site["id"]))
    requests.sort()
    return requests


def draw_plan(rng, kind, severity):
    """Every random choice a job's lifecycle needs, drawn up front in a fixed order.

    The timeline is then a pure function of the plan and the technician, so trying several
    candidate technicians does not disturb the random stream."""
    work = rng.triangular(*WORK_MINUTES[kind])
    hold = rng.random() < P_HOLD[kind]
    parts = rng.random() < (0.7 if kind == "repair" else 0.2)
    return {
        "response_late": rng.random() < P_RESPONSE_LATE[severity],
        "response_frac": rng.random(),
        "accept_min": rng.uniform(*ACCEPT_MINUTES[severity]),
        "depart_min": rng.uniform(*DEPART_MINUTES[severity]),
        "speed_kmh": rng.uniform(35, 50),
        "arrival_late": rng.random() < P_ARRIVAL_LATE[severity],
        "arrival_frac": rng.random(),
        "restore_late": rng.random() < P_RESTORE_LATE[severity],
        "restore_frac": rng.random(),
        "overrun": rng.uniform(1.5, 4.0),
        "work_min": work,
        "hold": hold,
        "hold_reason": "waiting_parts" if parts else "waiting_customer",
        "hold_min": rng.triangular(180, 2400, 720) if parts else rng.triangular(45, 720, 180),
        "hold_split": rng.uniform(0.25, 0.7),
        "close_min": rng.uniform(10, 720),
        "close_source": "api" if rng.random() < 0.55 else "dispatcher",
        "cancel": rng.random() < P_CANCEL,
        "cancel_after": weighted(rng, [(0.35, 0), (0.30, 1), (0.20, 2), (0.15, 3)]),
        "cancel_min": rng.uniform(5, 120),
        "fit_frac": rng.uniform(0.55, 0.9),
    }


def lifecycle_offsets(job, plan, tech, site, center):
    """The job's lifecycle as [(status, offset, source, reason)], offsets in counted minutes of
    the tier's calendar since reported_at, so business-hours work happens in business hours."""
    tier = SLA_POLICY["tiers"][job["severity"]]
    band = band_for(site["_distance_km"], job["severity"])
    arrival_t, restore_t = band["arrival_minutes"], band["restore_minutes"]
    response = tier["response_minutes"]

    if plan["response_late"]:
        assigned = response * (1.1 + 1.9 * plan["response_frac"])
    else:
        assigned = max(1.0, response * (0.1 + 0.85 * plan["response_frac"]))
    accepted = assigned + plan["accept_min"]
    travel = km_between(tech["location"], site["location"]) * CIRCUITY / plan["speed_kmh"] * 60

    # Nobody arrives before accepting, getting going and driving there; a met arrival falls
    # anywhere between that and the target (far sites may not make it at all).
    earliest = accepted + plan["depart_min"] + travel
    if plan["arrival_late"]:
        on_site = arrival_t * (1.05 + 0.8 * plan["arrival_frac"])
    else:
        on_site = earliest + plan["arrival_frac"] * max(0.0, 0.95 * arrival_t - earliest)
    work = plan["work_min"]
    if plan["restore_late"]:
        # A missed restore comes from a repair that ran long (up to `overrun` times the usual
        # work) and, past that, from a visit that started too late to finish in time.
        resolved = restore_t * (1.03 + 0.5 * plan["restore_frac"])
        on_site = max(on_site, resolved - work * plan["overrun"])
    on_site = max(on_site, earliest)
    if plan["restore_late"]:
        resolved = max(resolved, on_site + work)
    else:
        # Work is squeezed to meet the target when there is room, never below 20 minutes.
        resolved = max(min(on_site + work, 0.97 * restore_t), on_site + min(work, 20))
    en_route = on_site - travel

    steps = [("assigned", assigned, "dispatcher", None), ("accepted", accepted, "sync", None),
             ("en_route", en_route, "sync", None), ("on_site", on_site, "sync", None)]
    if plan["hold"]:
        # on_hold pauses the restore clock (docs/sla.md), so a hold delays resolution without
        # changing whether restore is met.
        held = on_site + (resolved - on_site) * plan["hold_split"]
        steps += [("on_hold", held, "sync", plan["hold_reason"]),
                  ("resumed", held + plan["hold_min"], "sync", None)]
        resolved += plan["hold_min"]
    steps.append(("resolved", resolved, "sync", None))
    if job["kind"] != "installation":  # an installation waits for the customer's sign-off
        steps.append(("closed", resolved + plan["close_min"], plan["close_source"], None))

    if plan["cancel"]:
        keep = plan["cancel_after"] + 1
        at = steps[keep - 1][1] + plan["cancel_min"]
        at = min(at, steps[keep][1] - 1) if keep < len(steps) else at
        steps = steps[:keep] + [("cancelled", max(at, steps[keep - 1][1] + 1), "dispatcher", None)]
    return steps


def materialize(steps, reported, to_instant):
    """Turn offsets into whole-minute instants, strictly increasing and after reported_at."""
    events, previous = [], reported
    for status, offset, source, reason in steps:
        t = to_instant(offset)
        t = (t + timedelta(seconds=30)).replace(second=0, microsecond=0)
        t = max(t, previous + timedelta(minutes=1))
        events.append({"status": status, "at": t, "source": source, "reason": reason})
        previous = t
    return events


# Gaps that are driving or hands-on work; squeeze() keeps them and shortens the waiting.
WORK_GAPS = {("en_route", "on_site"), ("on_site", "on_hold"), ("resumed", "resolved"),
             ("on_site", "resolved")}


def step_gaps(steps):
    """[(is travel or work, minutes since the previous step)] for each step."""
    gaps, previous_status, previous_offset = [], None, 0.0
    for status, offset, _source, _reason in steps:
        gaps.append(((previous_status, status) in WORK_GAPS, offset - previous_offset))
        previous_status, previous_offset = status, offset
    return gaps


def work_minutes(steps):
    return sum(g for is_work, g in step_gaps(steps) if is_work)


def squeeze(steps, budget):
    """The same lifecycle ending at offset `budget`: waiting (for dispatch, for the visit, on
    hold, for closing) shrinks first; travel and work shrink only if waiting alone is not enough."""
    gaps = step_gaps(steps)
    work = sum(g for is_work, g in gaps if is_work)
    wait = sum(g for is_work, g in gaps if not is_work)
    if work < 0.8 * budget:
        work_scale, wait_scale = 1.0, min(1.0, (budget - work) / wait)
    else:
        work_scale = wait_scale = budget / (work + wait)
    squeezed, offset = [], 0.0
    for (is_work, gap), (status, _old, source, reason) in zip(gaps, steps):
        offset += gap * (work_scale if is_work else wait_scale)
        squeezed.append((status, offset, source, reason))
    return squeezed


def timeline(job, plan, tech, site, center):
    """The job's events as of NOW, or [] if nothing had happened yet. Second value: how the
    lifecycle was fitted ("natural", "compressed", "truncated")."""
    calendar = SLA_POLICY["tiers"][job["severity"]]["calendar"]
    reported = job["_reported"]
    steps = lifecycle_offsets(job, plan, tech, site, center)
    events = materialize(steps, reported, lambda m: add_clock(reported, m, center, calendar))
    if events[-1]["at"] <= NOW:
        return events, "natural"

    if reported < NOW - RECENT:
        # History older than the recent window is complete: squeeze the same lifecycle into the
        # time before NOW, in business hours when they leave room for the travel and work, else
        # around the clock (weekend requests handled by the on-duty crew).
        available = clock_between(reported, NOW, center, calendar)
        if calendar != "24x7" and work_minutes(steps) < 0.8 * available * plan["fit_frac"]:
            steps = squeeze(steps, available * plan["fit_frac"])
            events = materialize(steps, reported, lambda m: add_clock(reported, m, center, calendar))
        else:
            wall = (NOW - reported).total_seconds() / 60
            steps = squeeze(steps, wall * plan["fit_frac"])
            events = materialize(steps, reported, lambda m: reported + timedelta(minutes=m))
        return events, "compressed"

    # Recent: the job is still open at NOW. It stops at the last technician step reached; a
    # hold or a resolution too close to NOW to have been closed yet is not shown half-done.
    events = [e for e in events if e["at"] <= NOW]
    while events and events[-1]["status"] in ("on_hold", "resumed"):
        events.pop()
    if events and events[-1]["status"] == "resolved" and job["kind"] != "installation":
        resolved_at = events[-1]["at"]
        if NOW - resolved_at >= timedelta(minutes=3):
            at = resolved_at + (NOW - resolved_at) * plan["fit_frac"]
            at = max(at.replace(second=0, microsecond=0), resolved_at + timedelta(minutes=1))
            events.append({"status": "closed", "at": at, "source": plan["close_source"],
                           "reason": None})
        else:
            events.pop()
            while events and events[-1]["status"] in ("on_hold", "resumed"):
                events.pop()
    return events, "truncated"


def busy_span(events):
    """[start, end) during which the job counts against max_open_jobs; end None = still open."""
    start = events[0]["at"]
    for e in events:
        if e["status"] in ("resolved", "cancelled"):
            return start, e["at"]
    return start, None


def open_jobs_at(spans, t):
    return sum(1 for s, e in spans if s <= t and (e is None or t < e))


def peak_overlap(spans, start, end):
    """Most existing spans open at once anywhere in [start, end)."""
    points = [start] + [s for s, _ in spans if start < s and (end is None or s < end)]
    return max((open_jobs_at(spans, p) for p in points), default=0)


def pick_description(rng, family, kind):
    text, controls = rng.choice(DESCRIPTIONS[family][kind])
    return text, controls


def make_jobs(rng, sites, customers, equipment, techs):
    """Two weeks of job history, dispatched in reported order against the technicians' load."""
    units_by_site = {}
    for unit in equipment:
        units_by_site.setdefault(unit["site_id"], []).append(unit)
    site_by_id = {s["id"]: s for s in sites}
    spans = {t["id"]: [] for t in techs}
    jobs, fits = [], {}

    requests = draw_requests(rng, sites, customers)
    # Exact kind counts (490/105/70/35), shuffled over the requests.
    kinds = [kind for share, kind in KINDS for _ in range(round(share * N_JOBS))]
    assert len(kinds) == N_JOBS
    rng.shuffle(kinds)
    for job_id, ((reported, site_id), kind) in enumerate(zip(requests, kinds), start=1):
        site = site_by_id[site_id]
        center = CENTER_BY_ID[site["_center_id"]]
        mix = REPAIR_SEVERITY if kind == "repair" else PLANNED_SEVERITY
        severity = weighted(rng, [(mix[s], s) for s in SEVERITIES])
        unit = None if rng.random() < 0.10 else rng.choice(units_by_site[site_id])
        family = MODEL_BY_NAME[unit["model"]][2] if unit else "site"
        description, controls = pick_description(rng, family, kind)
        skills = [FAMILY_SKILL[family]] + (["controls"] if controls else [])
        job = {"id": job_id, "kind": kind, "severity": severity, "site_id": site_id,
               "equipment_id": unit["id"] if unit else None, "required_skills": skills,
               "description": description, "reported_at": iso(reported),
               "technician_id": None, "events": [], "_reported": reported}
        plan = draw_plan(rng, kind, severity)

        # Candidates: active technicians of the site's center with every required skill. Each
        # is tried with the job's own lifecycle; among those who stay within max_open_jobs over
        # the job's whole span, one on shift at assignment wins, then the lowest score of open
        # jobs plus travel (one open job weighs like 8 km). The 24-hour crew scores one job
        # more, so the day crew takes the daytime work and the 24-hour crew the nights.
        options = []
        for tech in techs:
            if (tech["home_center_id"] != center["id"] or not tech["active"]
                    or not all(s in tech["skills"] for s in skills)):
                continue
            events, fit = timeline(job, plan, tech, site, center)
            if not events:
                break  # nothing happened before NOW, whoever it would go to
            start, end = busy_span(events)
            if peak_overlap(spans[tech["id"]], start, end) + 1 > tech["max_open_jobs"]:
                continue
            score = (open_jobs_at(spans[tech["id"]], start)
                     + km_between(tech["location"], site["location"]) / 8
                     + (1 if "sun" in tech["shift"] else 0))
            key = (0 if on_shift(tech, center, start) else 1, score, rng.random())
            options.append((key, tech, events, fit))
        if options:
            _key, tech, events, fit = min(options, key=lambda o: o[0])
            job["technician_id"] = tech["id"]
            job["events"] = events
            spans[tech["id"]].append(busy_span(events))
        else:
            fit = "unassigned"
        fits[fit] = fits.get(fit, 0) + 1
        jobs.append(job)
    return jobs, fits


def job_to_json(job):
    out = {k: v for k, v in job.items() if not k.startswith("_") and k != "events"}
    out["events"] = []
    for e in job["events"]:
        event = {"type": "status", "to": e["status"], "at": iso(e["at"]), "source": e["source"]}
        if e["reason"]:
            event["reason"] = e["reason"]
        out["events"].append(event)
    return out


# ---------------------------------------------------------------------------------------------
# Checks and summary
# ---------------------------------------------------------------------------------------------

NEXT_STATUS = {  # allowed successors in this data set's lifecycles
    None: {"assigned"},
    "assigned": {"accepted", "cancelled"},
    "accepted": {"en_route", "cancelled"},
    "en_route": {"on_site", "cancelled"},
    "on_site": {"on_hold", "resolved", "cancelled"},
    "on_hold": {"resumed"},
    "resumed": {"resolved"},
    "resolved": {"closed"},
}
OPEN_END = set(TECH_STEPS)
DONE_END = {"closed", "cancelled", "resolved"}


def sla_outcomes(job, site, center):
    """(response met, arrival met, restore met) per docs/sla.md; None while not done."""
    tier = SLA_POLICY["tiers"][job["severity"]]
    calendar = tier["calendar"]
    band = band_for(site["_distance_km"], job["severity"])
    reported = job["_reported"]
    at = {}
    paused, held_since = 0.0, None
    for e in job["events"]:
        at.setdefault(e["status"], e["at"])
        if e["status"] == "on_hold":
            held_since = e["at"]
        elif e["status"] == "resumed":
            paused += clock_between(held_since, e["at"], center, calendar)

    def met(status, target, pause=0.0):
        if status not in at:
            return None
        return clock_between(reported, at[status], center, calendar) - pause <= target

    return (met("assigned", tier["response_minutes"]), met("on_site", band["arrival_minutes"]),
            met("resolved", band["restore_minutes"], paused))


def verify(policy, centers, customers, sites, equipment, techs, jobs):
    """Invariants the importer and the SLA rules rely on; any failure stops the script."""
    for name, rows in [("centers", centers), ("customers", customers), ("sites", sites),
                       ("equipment", equipment), ("technicians", techs), ("jobs", jobs)]:
        assert [r["id"] for r in rows] == list(range(1, len(rows) + 1)), f"{name}: ids not 1..n"
    assert policy == SLA_POLICY
    for c in CENTERS:  # no daylight-saving change inside the window
        zone = center_zone(c)
        assert WINDOW_START.astimezone(zone).utcoffset() == NOW.astimezone(zone).utcoffset() \
            == timedelta(hours=c["utc_offset_h"]), c["time_zone"]

    assert len(customers) == N_CUSTOMERS and len({c["name"] for c in customers}) == N_CUSTOMERS
    assert 0.06 <= sum(c["account_tier"] == "key" for c in customers) / N_CUSTOMERS <= 0.14
    for s in sites:
        # The server bands by geodesic distance to the nearest center: check both against the
        # drawn center and band.
        nearest = min(CENTERS, key=lambda c: km_between(s["location"], c["location"]))
        assert nearest["id"] == s["_center_id"]
        assert s["_distance_km"] < 120 and s["customer_id"] == s["id"]
        assert not any(abs(s["_distance_km"] - b) < 0.1 for b in (10, 30, 60)), s["id"]

    site_ids = {s["id"] for s in sites}
    assert {u["site_id"] for u in equipment} == site_ids
    per_site = {}
    for u in equipment:
        per_site[u["site_id"]] = per_site.get(u["site_id"], 0) + 1
        sold = date.fromisoformat(u["sold_at"][:10])
        installed = date.fromisoformat(u["installed_at"][:10])
        assert SALES_START <= sold <= SALES_END and 1 <= (installed - sold).days <= 30
        assert installed < WINDOW_START.date() and u["warranty_months"] in (12, 24, 36)
        assert u["serial"].startswith(MODEL_BY_NAME[u["model"]][1] + "-")
    assert all(1 <= n <= 3 for n in per_site.values())
    assert len({u["serial"] for u in equipment}) == len(equipment)

    assert len(techs) == 3 * TECHS_PER_CENTER and len({t["name"] for t in techs}) == len(techs)
    assert sum(not t["active"] for t in techs) == 2
    for c in CENTERS:
        crew = [t for t in techs if t["home_center_id"] == c["id"]]
        active = [t for t in crew if t["active"]]
        assert len(crew) == TECHS_PER_CENTER
        assert sum(t["shift"].get("sun") == ["00:00", "24:00"] for t in crew) == 4
        for skill in SKILLS:
            assert sum(skill in t["skills"] for t in active) >= 2, (c["name"], skill)
        for skill in BASE_SKILLS:  # every job's skill set has someone able to take it
            assert any(skill in t["skills"] and "controls" in t["skills"] for t in active)
        for t in crew:
            assert 1 <= len(t["skills"]) <= 3 and km_between(t["location"], c["location"]) <= 15
            for span in t["shift"].values():
                assert hhmm(span[0]) < hhmm(span[1]) <= 1440

    tech_by_id = {t["id"]: t for t in techs}
    units = {u["id"]: u for u in equipment}
    spans = {}
    previous_reported = WINDOW_START
    for j in jobs:
        r = j["_reported"]
        assert WINDOW_START <= r < NOW and r >= previous_reported
        previous_reported = r
        if j["equipment_id"] is not None:
            unit = units[j["equipment_id"]]
            assert unit["site_id"] == j["site_id"]
            assert j["required_skills"][0] == FAMILY_SKILL[MODEL_BY_NAME[unit["model"]][2]]
        if j["technician_id"] is None:
            assert j["events"] == [], j["id"]
            continue
        tech = tech_by_id[j["technician_id"]]
        assert tech["active"] and all(s in tech["skills"] for s in j["required_skills"])
        assert tech["home_center_id"] == CENTER_BY_ID[sites[j["site_id"] - 1]["_center_id"]]["id"]
        previous_at, previous_status = r, None
        for e in j["events"]:
            assert previous_at < e["at"] <= NOW, (j["id"], e)  # after reported_at, increasing
            assert e["status"] in NEXT_STATUS[previous_status], (j["id"], previous_status, e)
            assert (e["reason"] is not None) == (e["status"] == "on_hold")
            expected = {"assigned": {"dispatcher"}, "cancelled": {"dispatcher"},
                        "closed": {"api", "dispatcher"}}.get(e["status"], {"sync"})
            assert e["source"] in expected, (j["id"], e)
            previous_at, previous_status = e["at"], e["status"]
        last = j["events"][-1]["status"]
        if j["kind"] == "installation":
            assert "closed" not in [e["status"] for e in j["events"]]
        if r < NOW - RECENT:
            assert last in DONE_END, (j["id"], last)
            assert last != "resolved" or j["kind"] == "installation"
        else:
            assert last in DONE_END | OPEN_END, (j["id"], last)
        spans.setdefault(tech["id"], []).append(busy_span(j["events"]))
    for tech_id, tech_spans in spans.items():  # max_open_jobs is never exceeded
        for start, _end in tech_spans:
            assert open_jobs_at(tech_spans, start) <= tech_by_id[tech_id]["max_open_jobs"]


def summarize(out_dir, files, sites, jobs, fits):
    print(f"wrote {out_dir}")
    for name, rows in files.items():
        size = (out_dir / name).stat().st_size
        count = len(rows) if isinstance(rows, list) else len(rows.get("tiers", rows))
        print(f"  {name:<18} {count:>5} {'tiers' if name == 'sla_policy.json' else 'records'}"
              f" {size:>9} bytes")

    def share(counter, total):
        return ", ".join(f"{k} {v} ({100 * v / total:.1f}%)" for k, v in counter.items())

    def count(values):
        out = {}
        for v in values:
            out[v] = out.get(v, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    bands = count(next(b for b in (10, 30, 60, 120) if s["_distance_km"] <= b) for s in sites)
    print("  sites by band (km):", share(bands, len(sites)))
    print("  sites by center:", count(s["_center_id"] for s in sites))
    print("  key accounts:", sum(c["account_tier"] == "key" for c in files["customers.json"]),
          " units per site:", dict(sorted(count(count(u["site_id"] for u in files["equipment.json"])
                                                .values()).items())))
    techs = files["technicians.json"]
    print("  technicians: active", sum(t["active"] for t in techs),
          " 24-hour", sum("sun" in t["shift"] for t in techs),
          " jobs per technician", min(count(j["technician_id"] for j in jobs if j["technician_id"]).values()),
          "-", max(count(j["technician_id"] for j in jobs if j["technician_id"]).values()))
    n = len(jobs)
    print("  jobs by kind:", share(count(j["kind"] for j in jobs), n))
    print("  jobs by severity:", share(count(j["severity"] for j in jobs), n))
    status = count(j["events"][-1]["status"] if j["events"] else "new" for j in jobs)
    print("  jobs by current status:", share(status, n))
    print("  lifecycle fitting:", fits)
    print("  on_hold jobs:", sum(any(e["status"] == "on_hold" for e in j["events"]) for j in jobs),
          " without equipment:", sum(j["equipment_id"] is None for j in jobs),
          " needing controls:", sum("controls" in j["required_skills"] for j in jobs))
    site_by_id = {s["id"]: s for s in sites}
    for severity in SEVERITIES + ["all"]:
        tally = {"response": [0, 0], "arrival": [0, 0], "restore": [0, 0]}
        any_missed, done = 0, 0
        for j in jobs:
            if severity != "all" and j["severity"] != severity:
                continue
            site = site_by_id[j["site_id"]]
            outcome = sla_outcomes(j, site, CENTER_BY_ID[site["_center_id"]])
            for name, met in zip(tally, outcome):
                if met is not None:
                    tally[name][0] += 1
                    tally[name][1] += not met
            if outcome[2] is not None:
                done += 1
                any_missed += (not outcome[1]) or (not outcome[2])
        parts = [f"{k} missed {v[1]}/{v[0]}" for k, v in tally.items()]
        rate = 100 * any_missed / done if done else 0
        print(f"  SLA {severity:<8} " + ", ".join(parts)
              + f"; arrival or restore missed {rate:.1f}% of resolved")


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# After-sales records (docs/after-sales.md): faults and parts on repairs, exchanges, complaints and
# follow-up results. Drawn from a generator of their own, so the files above stay as they were.
# ---------------------------------------------------------------------------------------------

AFTER_SALES_SEED = SEED + 1
FAULTS = {  # family: (fault code, parts it takes, weight)
    "chiller": [("compressor", ["CMP-4", "REF-R32"], 2), ("refrigerant_leak", ["REF-R32", "VLV-3"], 3),
                ("controller", ["CTL-9"], 2), ("fan", ["FAN-12"], 2)],
    "vrf": [("refrigerant_leak", ["REF-R32", "VLV-3"], 3), ("fan", ["FAN-12"], 3),
            ("controller", ["CTL-9"], 2)],
    "ups": [("controller", ["CTL-9"], 3), ("fan", ["FAN-12"], 2)],
    "generator": [("fuel_filter", ["FLT-200"], 4), ("controller", ["CTL-9"], 2)],
    "ahu": [("fan", ["FAN-12"], 3), ("filter", ["FLT-200"], 4), ("controller", ["CTL-9"], 1)],
}
COMPLAINT_TEXTS = [
    "The engineer arrived later than promised.",
    "The unit failed again two days after the repair.",
    "Nobody called back about the spare part.",
    "The site was left untidy after the visit.",
    "We were billed for a repair that should be under warranty.",
    "The technician could not explain what was replaced.",
]
ANSWER_TEXTS = [
    "Apologised; a senior engineer visits tomorrow morning.",
    "Confirmed the repair is free under warranty; invoice cancelled.",
    "Part ordered with express delivery; the customer has the tracking number.",
    "Explained the work done and sent the service report by e-mail.",
]
FOLLOW_UP_COMMENTS = ["", "", "Very satisfied.", "Quick and polite.", "Took too long.",
                      "Unit works fine now.", "Would like a maintenance contract."]


def add_after_sales(jobs, customers, sites, equipment):
    """Faults and parts on repair jobs; exchanges, complaints and follow-up results."""
    rng = random.Random(AFTER_SALES_SEED)
    unit_by_id = {u["id"]: u for u in equipment}
    site_by_id = {s["id"]: s for s in sites}
    customer_by_id = {c["id"]: c for c in customers}
    for job in jobs:
        if job["kind"] != "repair" or job["equipment_id"] is None:
            continue
        family = MODEL_BY_NAME[unit_by_id[job["equipment_id"]]["model"]][2]
        fault, parts, _w = weighted(rng, [(w, f) for f in FAULTS[family] for w in [f[2]]])
        job["fault"] = fault
        resolved = [e["at"] for e in job["events"] if e["status"] == "resolved"]
        if resolved and rng.random() < 0.75:
            used = parts[: rng.randint(1, len(parts))]
            job["parts"] = [{"part_number": p, "qty": rng.choice([1, 1, 1, 2]),
                             "at": iso(resolved[0])} for p in used]

    # A few units exchanged under warranty before the history starts.
    young = sorted((u for u in equipment
                    if date.fromisoformat(u["sold_at"][:10]) > SALES_END - timedelta(days=200)),
                   key=lambda u: u["id"])
    exchanges = []
    for unit in rng.sample(young, 6):
        sold = datetime.fromisoformat(unit["sold_at"].replace("Z", "+00:00"))
        latest = WINDOW_START - timedelta(days=3)
        at = sold + timedelta(minutes=rng.randint(3 * 24 * 60, int((latest - sold).total_seconds() // 60)))
        exchanges.append({"equipment_id": unit["id"], "at": iso(at),
                          "note": rng.choice(["Compressor failed twice: exchanged.",
                                              "Dead on arrival: exchanged.",
                                              "Repair took over 30 days: exchanged."])})
    exchanges.sort(key=lambda e: (e["at"], e["equipment_id"]))

    # Complaints: about a tenth of the finished jobs' customers, some about no job at all.
    finished = [j for j in jobs if j["technician_id"] and any(e["status"] in ("resolved", "closed")
                                                            for e in j["events"])]
    complaints = []
    for job in rng.sample(finished, 36):
        customer = site_by_id[job["site_id"]]["customer_id"]
        last = max(e["at"] for e in job["events"])
        received = last + timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        if received >= NOW - timedelta(hours=1):
            continue
        complaints.append({"customer_id": customer, "job_id": job["id"],
                           "channel": weighted(rng, [(4, "phone"), (3, "email"), (2, "web"), (1, "visit")]),
                           "severity": "serious" if rng.random() < 0.25 else "normal",
                           "text": rng.choice(COMPLAINT_TEXTS), "received_at": iso(received)})
    for customer in rng.sample(customers, 8):
        received = WINDOW_START + timedelta(minutes=rng.randint(0, int((NOW - WINDOW_START).total_seconds() // 60) - 120))
        complaints.append({"customer_id": customer["id"], "channel": "phone", "severity": "normal",
                           "text": "Asked twice for a maintenance quote and heard nothing.",
                           "received_at": iso(received)})
    complaints.sort(key=lambda c: (c["received_at"], c["customer_id"]))
    for c in complaints:
        received = datetime.fromisoformat(c["received_at"].replace("Z", "+00:00"))
        hours = 4 if customer_by_id[c["customer_id"]]["account_tier"] == "key" else 24
        roll = rng.random()
        if roll < 0.70:  # answered in time
            answered = received + timedelta(minutes=rng.randint(15, hours * 60 - 5))
        elif roll < 0.85:  # answered late
            answered = received + timedelta(minutes=hours * 60 + rng.randint(10, 600))
        else:  # still open
            answered = None
        if answered is not None and answered < NOW:
            c["answer"] = rng.choice(ANSWER_TEXTS)
            c["answered_at"] = iso(answered)

    # Follow-up results for about two thirds of the closed jobs whose call has come due.
    results = []
    for job in jobs:
        closed = [e["at"] for e in job["events"] if e["status"] == "closed"]
        if not closed or rng.random() > 0.65:
            continue
        at = closed[0] + timedelta(minutes=rng.randint(24 * 60, 7 * 24 * 60))
        if at >= NOW:
            continue
        reached = rng.random() < 0.85
        result = {"job_id": job["id"], "reached": reached, "at": iso(at),
                  "comment": rng.choice(FOLLOW_UP_COMMENTS) if reached else "No answer; left a message."}
        if reached:
            result["satisfaction"] = weighted(rng, [(1, 1), (2, 2), (5, 3), (12, 4), (14, 5)])
        results.append(result)
    return exchanges, complaints, results


def write_json(path, data):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


def public(rows):
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]


def main(argv):
    out_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)

    centers = make_centers()
    sites = make_sites(rng)
    for s in sites:
        s["_distance_km"] = km_between(s["location"], CENTER_BY_ID[s["_center_id"]]["location"])
    customers = make_customers(rng, sites)
    equipment = make_equipment(rng, sites)
    techs = make_technicians(rng)
    jobs, fits = make_jobs(rng, sites, customers, equipment, techs)
    verify(SLA_POLICY, centers, customers, sites, equipment, techs, jobs)
    exchanges, complaints, follow_ups = add_after_sales(jobs, customers, sites, equipment)

    files = {
        "sla_policy.json": SLA_POLICY,
        "centers.json": centers,
        "customers.json": customers,
        "sites.json": public(sites),
        "equipment.json": equipment,
        "technicians.json": techs,
        "jobs.json": [job_to_json(j) for j in jobs],
        "exchanges.json": exchanges,
        "complaints.json": complaints,
        "followups.json": follow_ups,
        # The importer shifts every time by whole weeks so that the history ends in the week
        # before the day it is imported (docs/after-sales.md, "Sample data").
        "manifest.json": {"history_ends_at": iso(NOW)},
    }
    for name, data in files.items():
        write_json(out_dir / name, data)
    summarize(out_dir, files, sites, jobs, fits)


if __name__ == "__main__":
    main(sys.argv)
