"""The same commands on two checkouts in one run: does a change make anything slower?

Each round runs every workload once with the baseline checkout and once with this one,
in alternating order, each in a fresh process on its own copy of a demo workspace, so
that machine noise falls on both alike. Medians and the ratio are printed.

    git worktree add /tmp/before <rev>          # the baseline checkout
    .venv/bin/tensionmap demo --no-serve --workspace /tmp/demo   # once
    .venv/bin/python benchmarks/bench_revisions.py --baseline /tmp/before \\
        --workspace /tmp/demo [--rounds 5]

The workloads go through the ``tensionmap`` command line, whose interface both checkouts
share: import and start-up, an export of every record, Gi* hot spots, the space-time
scan and tension monitor for one morning, the partner heat map and the school status.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

WORKLOADS: dict[str, list[str]] = {
    "start-up (--help)": ["--help"],
    "status": ["status"],
    "export incidents": ["export", "incidents", "--out", "{tmp}/incidents.csv"],
    "hotspots gistar": ["hotspots", "--out", "{tmp}/hotspots.gpkg"],
    "tension (one morning)": ["tension", "--as-of", "2019-10-20", "--out", "{tmp}/t.csv"],
    "heatmap nte": ["heatmap", "--setting", "nte", "--out", "{tmp}/nte.geojson"],
    "schools status": ["schools", "status", "--today", "2019-12-31"],
}


def run(checkout: Path, workspace: Path, args: list[str]) -> float:
    """Seconds one command takes with ``checkout`` first on the import path."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(workspace, ws)
        command = [a.format(tmp=tmp) for a in args]
        if command[0] != "--help":
            command += ["--workspace", str(ws)]
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "geo", *command], env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: tensionmap {' '.join(args)} failed:\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the older checkout")
    parser.add_argument("--workspace", type=Path, required=True, help="a demo workspace")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    checkouts = {"baseline": args.baseline.resolve(), "this": HERE}
    times: dict[tuple[str, str], list[float]] = {}
    for r in range(args.rounds):
        order = list(checkouts) if r % 2 == 0 else list(reversed(checkouts))
        for name, workload in WORKLOADS.items():
            for which in order:
                seconds = run(checkouts[which], args.workspace, workload)
                times.setdefault((name, which), []).append(seconds)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{'workload':<24} {'baseline s':>11} {'this s':>8} {'this/base':>10}")
    for name in WORKLOADS:
        base = statistics.median(times[(name, "baseline")])
        this = statistics.median(times[(name, "this")])
        print(f"{name:<24} {base:>11.2f} {this:>8.2f} {this / base:>10.2f}")
    print(f"(medians of {args.rounds} rounds, alternating order, fresh process each)")


if __name__ == "__main__":
    main()
