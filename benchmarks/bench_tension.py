"""Tension benchmark: one --as-of analysis for one force over two years of demo data
(999 replications, every strand and all strands), and a short replay.

    .venv/bin/python benchmarks/bench_tension.py [--replay-days 365] [--force hertfordshire]

Targets (issue): one analysis <= 5 s; a 365-day replay <= 5 minutes.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from _open_data import open_data_dir

from geo.demo.generator import generate
from geo.geography.areas import load_geography
from geo.geography.geocoder import geocode
from geo.tension import AlertRules, daily_signals, replay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replay-days", type=int, default=365)
    parser.add_argument(
        "--force", choices=("cambridgeshire", "hertfordshire"), default="cambridgeshire"
    )
    args = parser.parse_args()
    geo = load_geography(None)
    scenario = generate(
        geo,
        seed=0,
        force=args.force,
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        open_data=open_data_dir(),
    )
    records = scenario.incidents.copy()
    cols = records[["latitude", "longitude", "easting", "northing"]].assign(postcode="")
    records["lsoa_code"] = geocode(cols, geo).frame["lsoa_code"]
    as_of = date(2019, 12, 31)
    for sequential in (False, True):
        t = time.perf_counter()
        signals = daily_signals(records, geo, as_of, rules=AlertRules(sequential=sequential))
        one = time.perf_counter() - t
        how = "sequential, up to 999 replications" if sequential else "all 999 replications"
        print(
            f"one analysis ({args.force}, 2 years, {len(records):,} records, 6 scans, "
            f"{how}): {one:.2f} s, {len(signals)} signal(s)"
        )
    t = time.perf_counter()
    replay(records, geo, as_of - timedelta(days=args.replay_days - 1), as_of, rules=AlertRules())
    seconds = time.perf_counter() - t
    print(
        f"replay of {args.replay_days} days: {seconds:.1f} s "
        f"(~{seconds / args.replay_days * 365 / 60:.0f} min for a year)"
    )


if __name__ == "__main__":
    main()
