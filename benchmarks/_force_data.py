"""Generated records and workspaces for the force-scale benchmarks (bench_met.py).

Records for any area: ``geo.demo.generator.generate`` with a force name when the
installed tensionmap can draw that force (``demo --force``, issue #15); otherwise a
synthetic stand-in built here. The stand-in resamples the two-force demo's records (their
offences, strands, location types and description texts, so that validation and
settings tagging cost what they cost on the demo) and gives them new references, days
and points: LSOAs drawn with lognormal weights (hot spots), points jittered round each
LSOA's inner point, and a few planted bursts (a dozen records within 400 m over four
days) for the tension scan to find.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from geo.geography.areas import Geography

CANONICAL = [
    "reference", "recorded_at", "record_type", "offence", "strands", "latitude", "longitude",
    "easting", "northing", "location_type", "online", "description", "victim_id",
]  # fmt: skip


@dataclass(frozen=True)
class Records:
    """Generated records and how they were made."""

    frame: pd.DataFrame
    how: str


def template(demo_csv: Path) -> pd.DataFrame:
    """The two-force demo's records, as text (read only)."""
    return pd.read_csv(demo_csv, dtype=str, keep_default_na=False)


def synthetic(
    geo: Geography,
    demo: pd.DataFrame,
    *,
    first: date,
    last: date,
    per_year: int,
    seed: int = 0,
    prefix: str = "SY",
    bursts_per_year: int = 12,
) -> pd.DataFrame:
    """``per_year`` records a year over ``geo``'s LSOAs from ``first`` to ``last``."""
    rng = np.random.default_rng(seed)
    days = (last - first).days + 1
    n = round(per_year * days / 365.25)
    weight = rng.lognormal(0.0, 1.0, len(geo.lsoas))
    weight /= weight.sum()
    where = rng.choice(len(geo.lsoas), n, p=weight)
    inner = geo.inner_points  # computed on each access
    points = inner[where] + rng.normal(0.0, 60.0, (n, 2))
    day = rng.integers(0, days, n)
    # planted bursts: 12 records within 400 m of an LSOA over 4 days
    n_bursts = max(1, int(bursts_per_year * days / 365.25))
    size = min(12, n // max(n_bursts, 1))
    centres = rng.choice(len(geo.lsoas), n_bursts, p=weight)
    starts = rng.integers(0, max(days - 4, 1), n_bursts)
    for b in range(n_bursts):
        rows = np.arange(b * size, (b + 1) * size)
        points[rows] = inner[centres[b]] + rng.normal(0.0, 200.0, (size, 2))
        day[rows] = starts[b] + rng.integers(0, 4, size)
    stamp = pd.Timestamp(first) + pd.to_timedelta(day, unit="D")
    stamp += pd.to_timedelta(rng.integers(0, 24 * 60, n), unit="min")
    out = demo.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    out = out.reindex(columns=CANONICAL, fill_value="")
    out["reference"] = [f"{prefix}-{i:07d}" for i in range(n)]
    out["recorded_at"] = stamp.strftime("%Y-%m-%dT%H:%M")
    out["latitude"] = ""
    out["longitude"] = ""
    out["easting"] = np.round(points[:, 0]).astype(int).astype(str)
    out["northing"] = np.round(points[:, 1]).astype(int).astype(str)
    # about one record in eight is a repeat victim's
    victims = rng.integers(0, int(n * 0.88) + 1, n)
    out["victim_id"] = [f"{prefix}V{v:07d}" for v in victims]
    return out.sort_values("recorded_at", kind="stable").reset_index(drop=True)


def force_records(
    force: str,
    geo: Geography,
    demo: pd.DataFrame,
    *,
    first: date,
    last: date,
    per_year: int,
    seed: int = 0,
) -> Records:
    """The demo generator's records for ``force`` if it can draw one, else :func:`synthetic`."""
    try:
        from geo.demo.generator import generate

        scenario = generate(
            geo, seed=seed, force=force, start=first, end=last, records_per_year=per_year
        )
        frame = scenario.incidents.reindex(columns=CANONICAL, fill_value="")
        return Records(frame, f"geo.demo.generator.generate(force={force!r})")
    except (ValueError, TypeError, KeyError) as exc:  # the seed forces only: no demo --force
        why = str(exc).splitlines()[0][:80]
        frame = synthetic(geo, demo, first=first, last=last, per_year=per_year, seed=seed)
        return Records(frame, f"synthetic stand-in (demo generator: {why})")


def tensionmap(*args: str, cwd: Path | None = None) -> float:
    """Run ``tensionmap ARGS`` in a fresh process; its wall-clock seconds."""
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "geo", *args],
        check=True,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t
