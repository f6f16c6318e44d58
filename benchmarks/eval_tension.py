"""How the tension alerts perform on the demo, over several seeds (the issue's acceptance).

    .venv/bin/python benchmarks/eval_tension.py [--seeds 10] [--null-seeds 10] [--workers 2]
        [--rule NAME=VALUE]... [--keep DIR] [--first-null-seed N]
    .venv/bin/python benchmarks/eval_tension.py --regrade DIR

Detection: for every planted episode (both forces, 2018-2019, episodes in 2019), the days
from onset to the first signal of level medium or above with the episode's strand that
covers its centre (space-time scan), and to the first day its CSP's weekly baseline for
that strand is exceeded (baseline); "either" is the earlier of the two.
False alarms: the same scenario without episodes, a daily replay of 2019 per force; every
alert that reaches medium or above is a false alarm. ``--keep DIR`` saves each force-year's
alert histories; ``--regrade DIR`` then counts the false alarms under each of
``CANDIDATES`` without scanning again. ``--rule`` changes an ``AlertRules`` field for
detection. The baseline's false alarms are the
weeks (every 7th day) in which some CSP or force series of some strand exceeds its upper
bound.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FIRST, LAST = date(2019, 1, 1), date(2019, 12, 31)


def _scenario(seed: int, force: str, episodes: bool):
    from _open_data import open_data_dir

    from geo.demo.generator import generate
    from geo.geography.areas import load_geography
    from geo.geography.geocoder import geocode

    geo = load_geography(None)
    scenario = generate(
        geo,
        seed=seed,
        force=force,
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        open_data=open_data_dir(),
        episodes=episodes,
    )
    records = scenario.incidents.copy()
    located = geocode(
        records[["latitude", "longitude", "easting", "northing"]].assign(postcode=""), geo
    ).frame
    records["lsoa_code"] = located["lsoa_code"]
    return geo, records, scenario.truth


def _baseline_delay(records, geo, episode, max_delay: int = 7) -> int | None:
    from geo.tension.baseline import last_seven_days

    in_csp = records["lsoa_code"].isin(
        geo.lsoas.loc[geo.lsoas["csp_code"] == episode["csp_code"], "lsoa_code"]
    )
    chosen = records[in_csp & records["strands"].str.contains(episode["strand"])]
    when = pd.to_datetime(chosen["recorded_at"])
    start = pd.to_datetime(records["recorded_at"]).min()
    onset = pd.Timestamp(episode["onset"])
    for delay in range(max_delay + 1):
        day = onset + pd.Timedelta(days=delay)
        base = last_seven_days(when[when < day + pd.Timedelta(days=1)], day, data_start=start)
        if base is not None and base.exceedance > 1:
            return delay
    return None


def detection(job: tuple[int, dict[str, Any]]) -> list[dict[str, Any]]:
    from geo.tension import AlertRules
    from geo.tension.evaluate import detection_delay

    seed, change = job

    geo, records, truth = _scenario(seed, "both", True)
    rows = []
    for episode in truth["episodes"]:
        force = geo.lsoas.loc[geo.lsoas["force"] == episode["force"], "lsoa_code"]
        mine = records[records["lsoa_code"].isin(force)]
        scan = detection_delay(mine, geo, episode, rules=AlertRules(**change))
        base = _baseline_delay(mine, geo, episode)
        either = min((d for d in (scan, base) if d is not None), default=None)
        rows.append(
            {
                "seed": seed,
                "episode": episode["id"],
                "strand": episode["strand"],
                "records": episode["count"],
                "scan": scan,
                "baseline": base,
                "either": either,
            }
        )
    return rows


def null_alarms(job: tuple[int, str, str | None]) -> dict[str, Any]:
    from geo.tension import STRANDS, AlertRules, to_json
    from geo.tension.baseline import area_baselines
    from geo.tension.evaluate import false_alarms, serious

    seed, force, keep = job
    geo, records, _ = _scenario(seed, force, False)
    t = time.perf_counter()
    alerts = false_alarms(records, geo, FIRST, LAST, rules=AlertRules())
    seconds = time.perf_counter() - t
    if keep:  # every alert's history, to re-grade under other rules (--regrade)
        path = Path(keep) / f"{force}-{seed}.jsonl"
        path.write_text("".join(to_json(a) + "\n" for a in alerts))
    weeks = 0
    day = FIRST + timedelta(days=6)
    while day <= LAST:
        table = area_baselines(records, geo, pd.Timestamp(day), (*STRANDS, "all"))
        weeks += bool(len(table) and (table["exceedance"] > 1).any())
        day += timedelta(days=7)
    return {
        "seed": seed,
        "force": force,
        "medium_or_high": len(serious(alerts)),
        "low_only": len(alerts) - len(serious(alerts)),
        "baseline_weeks": weeks,
        "replay_seconds": seconds,
    }


#: Stricter rules to weigh against the defaults, from kept null histories.
CANDIDATES = {
    "default": {},
    "medium_days=100": {"medium_days": 100.0},
    "min_victims=4": {"min_victims": 4},
    "medium_days=200": {"medium_days": 200.0},
    "medium_days=365": {"medium_days": 365.0},
    "medium_days=200, min_victims=4": {"medium_days": 200.0, "min_victims": 4},
    "medium_days=500": {"medium_days": 500.0},
}


def _rules(pairs: list[str]) -> dict[str, Any]:
    from dataclasses import fields

    from geo.tension import AlertRules

    kinds = {f.name: type(getattr(AlertRules(), f.name)) for f in fields(AlertRules)}
    change = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in kinds:
            raise SystemExit(f"--rule {pair}: AlertRules has no field {name!r}")
        change[name] = kinds[name](value)
    return change


def regrade(folder: Path) -> None:
    """Medium-or-above false alarms per force-year under each of ``CANDIDATES``."""
    from geo.tension import LEVELS, AlertRules, from_json
    from geo.tension.evaluate import regraded

    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        force, seed = path.stem.rsplit("-", 1)
        alerts = [from_json(line) for line in path.read_text().splitlines() if line]
        for name, change in CANDIDATES.items():
            rules = AlertRules(**change)
            levels = [regraded(a, rules) for a in alerts]
            serious = sum(lv is not None and LEVELS.index(lv) >= 1 for lv in levels)
            rows.append({"rules": name, "force": force, "seed": int(seed), "serious": serious})
    table = pd.DataFrame(rows)
    print(table.pivot_table("serious", ["force", "seed"], "rules").to_string())
    summary = table.groupby("rules")["serious"].agg(["mean", "max", "count"])
    summary["years_over_4"] = table.assign(over=table["serious"] > 4).groupby("rules")["over"].sum()
    print(summary.to_string())


def _delays(values: list[int | None]) -> str:
    found = [v for v in values if v is not None]
    if not found:
        return f"0/{len(values)} found"
    return (
        f"{len(found)}/{len(values)} found ({100 * len(found) / len(values):.0f} %), "
        f"median delay {statistics.median(found):g} days, max {max(found)}, "
        f"within 7 days {sum(v <= 7 for v in found)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--null-seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first-null-seed", type=int, default=0)
    parser.add_argument(
        "--rule", action="append", default=[], help="an AlertRules field for detection: NAME=VALUE"
    )
    parser.add_argument("--keep", help="directory for each null force-year's alert histories")
    parser.add_argument(
        "--regrade", help="directory of kept histories: false alarms under other rules, no scans"
    )
    args = parser.parse_args()
    if args.regrade:
        regrade(Path(args.regrade))
        return
    with ProcessPoolExecutor(args.workers) as pool:
        change = _rules(args.rule)
        jobs = [(seed, change) for seed in range(args.seeds)]
        found = [row for rows in pool.map(detection, jobs) for row in rows]
        table = pd.DataFrame(found)
        if len(table):
            print(table.to_string(index=False))
        for method in ("scan", "baseline", "either") if len(table) else ():
            values = [None if pd.isna(v) else int(v) for v in table[method]]
            print(f"detection, {method}: {_delays(values)}")
        if not args.null_seeds:
            return
        seeds = range(args.first_null_seed, args.first_null_seed + args.null_seeds)
        jobs = [(s, f, args.keep) for s in seeds for f in ("cambridgeshire", "hertfordshire")]
        done = []
        for future in as_completed([pool.submit(null_alarms, job) for job in jobs]):
            done.append(future.result())
            print(done[-1], flush=True)  # as they finish: a long run can be read part-way
        nulls = pd.DataFrame(done).sort_values(["force", "seed"])
    print(nulls.to_string(index=False))
    per_force = nulls.groupby("force")[["medium_or_high", "low_only", "baseline_weeks"]]
    print("false alarms per force-year (mean, max):")
    print(per_force.agg(["mean", "max"]).to_string())
    print(f"replay of a year, one force: median {np.median(nulls['replay_seconds']):.0f} s")


if __name__ == "__main__":
    main()
