"""Met-scale benchmarks (issue #15): each figure beside today's two-force demo, same run.

The Metropolitan Police is the largest force (4,829 LSOAs, about 20,000 hate crimes a
year). This script builds, under ``--work``:

- ``met``: ``tensionmap init --force "Metropolitan Police"`` (residents: the postcode proxy) and
  two years of records (``--per-year``, default 20,000) ingested;
- ``two-ingest``: a fresh default (Hertfordshire + Cambridgeshire) workspace, into which
  the two-force demo's records of the same two years are ingested;
- ``two-force``: a copy of the prebuilt demo workspace (``--demo-base``, never written);
- ``national``: ``init --england-and-wales`` with 150,000 synthetic records
  (``--national-records``).

and prints, Met (or national) beside two-force:

1. ingest of two years, in a fresh process (imports apart), target <= 5 s;
2. every hotspot method with 999 permutations/replications, target <= 3 s each;
3. one as-of tension analysis, all strands, target <= 10 s, and a replay of
   ``--replay-days`` days extrapolated to 365 (target <= 30 min on 2 cores); for the Met
   (unless ``--full-met-tension``) the analysis is timed at 9 and 29 replications and
   extrapolated to 999, and a replay day costs one analysis;
4. the national view: every hotspot method, target <= 10 s each;
5. dashboard filter changes on the force, p95 target <= 500 ms.

    .venv/bin/python benchmarks/bench_met.py --work /tmp/bench-met [--only ingest,hotspots]

Records come from ``geo.demo.generator.generate(force=...)`` when it can draw the force,
else from a synthetic stand-in (see ``_force_data.py``); the script says which.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _force_data import force_records, synthetic, template, tensionmap
from _force_timings import MAX_SCAN_GIB, dashboard_p95, hotspot_times, tension_times

from geo.config import Workspace
from geo.geography.areas import load_geography

SECTIONS = ("ingest", "hotspots", "tension", "national", "dashboard")
FIRST, LAST = date(2018, 1, 1), date(2019, 12, 31)
MET = "Metropolitan Police"

INGEST = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from geo.config import Workspace
from geo.ingest.incidents import ingest_incidents
t1 = time.perf_counter()
summary = ingest_incidents(Workspace.open(sys.argv[2], create=False), Path(sys.argv[1]))
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "ingest": t2 - t1, "stages": summary.seconds,
                  "rows": summary.rows, "counts": summary.counts,
                  "locations": summary.locations}))
"""


class Table:
    """The figures, printed as they come and as one Markdown table at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, figure: str, big: str, two: str, target: str) -> None:
        self.rows.append((figure, big, two, target))
        print(f"  {figure}: {big} | two-force {two} | target {target}", flush=True)

    def markdown(self) -> str:
        head = "| figure | Met / national | two-force demo | target |\n|---|---|---|---|"
        return "\n".join([head, *(f"| {' | '.join(r)} |" for r in self.rows)])


def _ingest(csv: Path, ws: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", INGEST, str(csv), str(ws)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _stages(run: dict) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in run["stages"].items())


def build_area(
    root: Path, init: list[str], demo, *, per_year: int, name: str, seed: int
) -> tuple[Path, Path, str]:
    """A workspace for an area (residents: the product's postcode proxy) and its records
    written (not ingested): the workspace, the records CSV and how they were made."""
    tensionmap("init", "--workspace", str(root), *init)
    geo = load_geography(Workspace.open(root, create=False).geography_dir)
    if init[0] == "--force":
        made = force_records(
            init[1], geo, demo, first=FIRST, last=LAST, per_year=per_year, seed=seed
        )
        frame, how = made.frame, made.how
    else:
        frame = synthetic(geo, demo, first=FIRST, last=LAST, per_year=per_year, seed=seed)
        how = "synthetic stand-in"
    csv = root.parent / f"{name}-records.csv"
    frame.to_csv(csv, index=False)
    return root, csv, f"{how}, {len(frame):,} records over {len(geo.lsoas):,} LSOAs"


def section_ingest(work: Path, demo, args, table: Table) -> Path:
    met, csv, how = build_area(
        work / "met", ["--force", MET], demo, per_year=args.per_year, name="met", seed=0
    )
    print(f"Met records: {how}", flush=True)
    two = work / "two-ingest"
    Workspace.open(two)  # a default workspace (no [area]), as the demo's
    days = demo["recorded_at"].str.slice(0, 10)
    two_csv = work / "two-records.csv"
    demo[(days >= str(FIRST)) & (days <= str(LAST))].to_csv(two_csv, index=False)
    m, t = _ingest(csv, met), _ingest(two_csv, two)
    print(f"  Met ingest stages: {_stages(m)}; locations {m['locations']}")
    print(f"  two-force ingest stages: {_stages(t)}; locations {t['locations']}")
    table.add(
        f"ingest of 2 years ({m['rows']:,} vs {t['rows']:,} records), fresh process",
        f"{m['ingest']:.1f} s (+{m['imports']:.1f} s imports)",
        f"{t['ingest']:.1f} s (+{t['imports']:.1f} s imports)",
        "<= 5 s",
    )
    return met


def _ensure_met(work: Path, demo, args) -> Path:
    met = work / "met"
    if not (met / "tensionmap.sqlite").exists():
        met, csv, how = build_area(
            met, ["--force", MET], demo, per_year=args.per_year, name="met", seed=0
        )
        print(f"Met records (untimed ingest): {how}", flush=True)
        _ingest(csv, met)
    return met


def _ensure_two(work: Path, demo_base: Path) -> Path:
    two = work / "two-force"
    if not two.exists():
        shutil.copytree(demo_base, two)  # never write into the prebuilt demo
    return two


def _seconds(method: float, shared: float) -> str:
    """A method's time, with the units and neighbours it needs when it needs them."""
    if method != method:  # NaN: not run
        return f"not run (its units x units matrices exceed {MAX_SCAN_GIB:.0f} GiB)"
    if not shared:
        return f"{method:.2f} s"
    return f"{method + shared:.2f} s ({method:.2f} + {shared:.2f} units/weights)"


def _hotspot_rows(big: dict, two: dict, label: str, target: str, table: Table) -> None:
    for method, value in big.items():
        if not method.startswith("_"):
            table.add(f"{label}: {method}", _seconds(*value), _seconds(*two[method]), target)


def section_hotspots(work: Path, demo, args, table: Table, two_times: dict) -> dict:
    met = _ensure_met(work, demo, args)
    two = _ensure_two(work, Path(args.demo_base))
    if not two_times:
        two_times.update(hotspot_times(two, args.permutations))
    big = hotspot_times(met, args.permutations)
    print(f"  Met: {big['_what']}; two-force: {two_times['_what']}")
    _hotspot_rows(big, two_times, "Met hotspots", "<= 3 s", table)
    return two_times


def section_tension(work: Path, demo, args, table: Table) -> None:
    met = _ensure_met(work, demo, args)
    two = _ensure_two(work, Path(args.demo_base))
    small = tension_times(two, args.replay_days, full=True)
    big = tension_times(met, args.replay_days, full=args.full_met_tension)
    print(f"  Met ({big['how']}): {big['what']}\n  two-force: {small['what']}")
    table.add(
        f"one as-of tension analysis, all strands (6 scans); Met {big['how']}",
        f"{big['one']:.0f} s",
        f"{small['one']:.1f} s",
        "<= 10 s",
    )
    table.add(
        f"365-day replay, one process (two-force: {args.replay_days} days measured)",
        f"{big['per_day'] * 365 / 3600:.1f} h ({big['how']})",
        f"{small['per_day'] * 365 / 60:.0f} min ({small['per_day']:.1f} s/day)",
        "<= 30 min on 2 cores",
    )


def section_national(work: Path, demo, args, table: Table, two_times: dict) -> None:
    root, csv, how = build_area(
        work / "national", ["--england-and-wales"], demo,
        per_year=args.national_records // 2, name="national", seed=1,
    )  # fmt: skip
    print(f"national records: {how}", flush=True)
    run = _ingest(csv, root)
    print(f"  national ingest: {run['ingest']:.1f} s; stages {_stages(run)}")
    two = _ensure_two(work, Path(args.demo_base))
    if not two_times:
        two_times.update(hotspot_times(two, args.permutations))
    big = hotspot_times(root, args.permutations)
    print(f"  national: {big['_what']}")
    _hotspot_rows(big, two_times, "national hotspots", "<= 10 s", table)


def section_dashboard(work: Path, demo, args, table: Table) -> None:
    met = _ensure_met(work, demo, args)
    two = _ensure_two(work, Path(args.demo_base))
    big = dashboard_p95(met, MET, users=args.users, seconds=args.seconds, settle=args.settle)
    small = dashboard_p95(
        two, "Cambridgeshire", users=args.users, seconds=args.seconds, settle=args.settle
    )
    print(f"  Met: {big['line']}\n  two-force: {small['line']}")
    table.add(
        f"dashboard filter change p95 ({args.users} users, {args.seconds:.0f} s)",
        f"{big['p95'] * 1000:.0f} ms (median {big['median'] * 1000:.0f})",
        f"{small['p95'] * 1000:.0f} ms (median {small['median'] * 1000:.0f})",
        "<= 500 ms",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", help="folder for the workspaces (default: a temporary one)")
    parser.add_argument("--demo-base", default="/tmp/demo-base", help="the prebuilt demo")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--per-year", type=int, default=20_000)
    parser.add_argument("--national-records", type=int, default=150_000)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--replay-days", type=int, default=3)
    parser.add_argument(
        "--full-met-tension",
        action="store_true",
        help="run the Met's analysis and replay with the product's rules (slow) instead of "
        "extrapolating from 9 and 29 replications",
    )
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--settle", type=float, default=30)
    args = parser.parse_args()
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        sys.exit(f"--only: unknown section(s) {unknown}; choose from {SECTIONS}")
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-met-"))
    work.mkdir(parents=True, exist_ok=True)
    demo = template(Path(args.demo_base) / "demo" / "incidents.csv")
    table, two_times = Table(), {}
    started = time.perf_counter()
    for name in only:
        print(f"== {name}", flush=True)
        t = time.perf_counter()
        if name == "ingest":
            section_ingest(work, demo, args, table)
        elif name == "hotspots":
            section_hotspots(work, demo, args, table, two_times)
        elif name == "tension":
            section_tension(work, demo, args, table)
        elif name == "national":
            section_national(work, demo, args, table, two_times)
        else:
            section_dashboard(work, demo, args, table)
        print(f"   ({name} took {time.perf_counter() - t:.0f} s)", flush=True)
    print(f"\nall in {time.perf_counter() - started:.0f} s; workspaces in {work}\n")
    print(table.markdown())


if __name__ == "__main__":
    main()
