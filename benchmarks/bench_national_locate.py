"""What locating out-of-area records nationally costs: time and memory, side by side with
the workspace-area lookup, in one run.

    .venv/bin/python benchmarks/bench_national_locate.py [--points 10000] [--seed 1]

Ingest locates every record against the workspace's area (the default: Hertfordshire and
Cambridgeshire, 1,177 LSOAs); the records outside it are then located against all 34,753
LSOAs of England and Wales (geo.geography.national_locate), built once per process and
only when some record is out of the area. Points are the inner points of LSOAs drawn at
random (of the area, and of England and Wales), jittered by up to 100 m.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _points(inner: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    pick = inner[rng.integers(0, len(inner), n)]
    jitter = rng.uniform(-100, 100, size=(n, 2))
    return pick[:, 0] + jitter[:, 0], pick[:, 1] + jitter[:, 1]


def _timed(label: str, fn, *args, **kwargs):
    rss = _rss_mb()
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    seconds = time.perf_counter() - t
    print(f"  {label:<44} {seconds:8.3f} s   +{_rss_mb() - rss:7.1f} MB RSS")
    return out


def main() -> None:
    """Time and measure the area and national lookups of the same number of points."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.points
    # imports first, so that their memory is not counted against either lookup
    from geo.geography.areas import load_geography
    from geo.geography.national_locate import national_geography, with_national_areas

    print(f"process start: {_rss_mb():.0f} MB RSS; {n:,} points")
    print("workspace area (Hertfordshire + Cambridgeshire, default boundaries):")
    area = _timed("load_geography()", load_geography)
    ax, ay = _points(area.inner_points, n, rng)
    _timed(f"locate {n:,} points (first: builds the index)", area.locate, ax, ay)
    found = _timed(f"locate {n:,} points (again)", area.locate, ax, ay)
    print(f"  located {found.located.mean():.2%}")

    print("England and Wales (34,753 LSOAs, built once per process when needed):")
    national = _timed("national_geography()", national_geography)
    nx, ny = _points(national.inner_points, n, rng)
    _timed(f"locate {n:,} points (first: builds the index)", national.locate, nx, ny)
    found = _timed(f"locate {n:,} points (again)", national.locate, nx, ny, snap_m=1_000)
    print(f"  located {found.located.mean():.2%}")
    frame = pd.DataFrame(
        {"easting": nx, "northing": ny, "location_status": "out_of_area", "snapped_m": np.nan}
    )
    out = _timed(f"with_national_areas: {n:,} out-of-area rows", with_national_areas, frame)
    print(f"  rows with a force: {out['force'].notna().mean():.2%}")
    print(f"process end: {_rss_mb():.0f} MB RSS")


if __name__ == "__main__":
    main()
