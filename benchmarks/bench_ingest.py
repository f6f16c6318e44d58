"""Ingest benchmark: 1,000,000 canonical rows over both forces into a fresh workspace.

A third of the rows are located by latitude/longitude, a third by easting/northing and a
third by postcode (real ONSPD postcodes of the 16 districts). Prints the whole-ingest
time, the geocoding rate and the peak memory of the ingesting process.

    .venv/bin/python benchmarks/bench_ingest.py [--rows 1000000]

Targets on the 2-core reference machine: ingest <= 30 s, geocoding >= 200,000 rows/s,
peak memory <= 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.geography.areas import district_table, load_geography
from geo.geography.geocoder import postcode_table, to_wgs84

INGEST = """
import json, resource, sys, time
from pathlib import Path
from geo.config import Workspace
from geo.geography.areas import load_geography
from geo.ingest.incidents import ingest_incidents

path, ws = Path(sys.argv[1]), Path(sys.argv[2])
geography = load_geography(None)
t = time.perf_counter()
summary = ingest_incidents(Workspace.open(ws), path, geography=geography)
total = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
print(json.dumps({"total": total, "stages": summary.seconds, "counts": summary.counts,
                  "rows": summary.rows, "peak_gib": peak}))
"""

GEOCODE = """
import json, sys, time
from pathlib import Path
from geo.geography.geocoder import geocode
from geo.geography.areas import load_geography
from geo.reading import read_csv_file

geography = load_geography(None)
frame = read_csv_file(Path(sys.argv[1])).frame
cols = frame[["latitude", "longitude", "easting", "northing", "postcode"]]
geocode(cols.head(1000), geography)  # loads the postcode tables the rows need
best = float("inf")
for _ in range(2):
    t = time.perf_counter()
    geocode(cols, geography)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"seconds": best}))
"""


def _child(code: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def make_rows(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    geo = load_geography(None)
    inner = geo.lsoas.geometry.representative_point()
    pick = rng.integers(0, len(inner), n)
    east = inner.x.to_numpy()[pick] + rng.normal(0, 60, n)
    north = inner.y.to_numpy()[pick] + rng.normal(0, 60, n)
    lon, lat = to_wgs84(east, north)
    postcodes = postcode_table({"AL", "CB", "EN", "HP", "LU", "PE", "SG", "WD", "CM", "HA"})
    local = postcodes[postcodes["district_code"].isin(district_table()["district_code"])]
    form = np.arange(n) % 3
    frame = pd.DataFrame(
        {
            "reference": [f"B{i:07d}" for i in range(n)],
            "recorded_at": pd.to_datetime(
                rng.integers(1_420_070_400, 1_577_836_800, n), unit="s"
            ).strftime("%Y-%m-%dT%H:%M"),
            "record_type": np.where(rng.random(n) < 0.3, "incident", "crime"),
            "offence": "Racially or religiously aggravated intentional harassment",
            "strands": rng.choice(["race", "religion", "sexual_orientation", "race;religion"], n),
            "latitude": np.where(form == 0, np.round(lat, 6).astype(str), ""),
            "longitude": np.where(form == 0, np.round(lon, 6).astype(str), ""),
            "easting": np.where(form == 1, np.round(east).astype(int).astype(str), ""),
            "northing": np.where(form == 1, np.round(north).astype(int).astype(str), ""),
            "postcode": np.where(form == 2, rng.choice(local.index.to_numpy(), n), ""),
            "location_type": rng.choice(["Street", "Bus", "Dwelling", "Pub", "Online"], n),
            "online": np.where(rng.random(n) < 0.05, "yes", "no"),
            "description": "",
            "victim_id": [f"V{v}" for v in rng.integers(0, n // 2, n)],
        }
    )
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        t = time.perf_counter()
        make_rows(args.rows).to_csv(path, index=False)
        print(
            f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) "
            f"in {time.perf_counter() - t:.1f} s"
        )
        figures = _child(INGEST, str(path), str(Path(tmp) / "ws"))
        geocoding = _child(GEOCODE, str(path))
    rows = figures["rows"]
    print(f"counts: {figures['counts']}")
    print(f"whole ingest: {figures['total']:.1f} s  ({rows / figures['total']:,.0f} rows/s)")
    print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in figures["stages"].items()))
    print(
        f"geocoding alone (best of 2, postcode tables loaded): {geocoding['seconds']:.2f} s  "
        f"({rows / geocoding['seconds']:,.0f} rows/s)"
    )
    print(f"peak memory of the ingesting process: {figures['peak_gib']:.2f} GiB")


if __name__ == "__main__":
    main()
