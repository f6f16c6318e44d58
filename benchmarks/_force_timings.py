"""What bench_met.py times on a workspace: hotspot methods, tension, dashboard latency."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from bench_dashboard import User, _free_port, payload

from geo.config import Workspace
from geo.demo.run import demo_password
from geo.hotspots.aggregate import Filters
from geo.hotspots.analysis import prepare
from geo.hotspots.clusters import point_clusters
from geo.hotspots.excess import excess_risk
from geo.hotspots.gistar import gi_star
from geo.hotspots.kde import kernel_density
from geo.hotspots.local_moran import local_moran
from geo.hotspots.optimized import optimized_hotspots
from geo.hotspots.scan import spatial_scan
from geo.hotspots.study import read_study
from geo.hotspots.weights import build_weights
from geo.tension import AlertRules, daily_signals, replay
from geo.tension.emerging import emerging_table
from geo.users import add_user

#: The spatial scan holds a few units x units matrices (distances, their order, sums);
#: larger areas are not run (34,753 LSOAs would need about 36 GiB).
MAX_SCAN_GIB = 6.0


def _scan_gib(units: int) -> float:
    """Memory of the scan's four units x units float64/int64 matrices, GiB."""
    return 4 * 8 * units**2 / 2**30


def _timed(run: Callable[[], Any]) -> float:
    t = time.perf_counter()
    run()
    return time.perf_counter() - t


def hotspot_times(root: Path, permutations: int, *, force: str | None = None) -> dict[str, Any]:
    """Seconds per hotspot method on a workspace's records: ``{method: (method s, shared
    s)}`` where shared is the units and neighbours the method needs (built once here),
    and ``_what`` describing the run."""
    ws = Workspace.open(root, create=False)
    t = time.perf_counter()
    study = read_study(ws)
    if force:
        study = study.restricted(Filters(force=force))
    read = time.perf_counter() - t
    t = time.perf_counter()
    units, counts, expected, n = prepare(
        study.incidents, study.geo, study.population, unit="lsoa", filters=Filters()
    )
    prep = time.perf_counter() - t
    t = time.perf_counter()
    matrix = build_weights(units.frame, "queen").graph.sparse
    weights = time.perf_counter() - t
    pop = units.frame["population"].to_numpy(float)
    inner = units.frame.geometry.representative_point()
    records = study.incidents
    east, north = records["easting"].to_numpy(float), records["northing"].to_numpy(float)
    p = permutations

    def scan_seconds(replications: int) -> float:
        if _scan_gib(len(units)) > MAX_SCAN_GIB:
            return float("nan")
        x, y = inner.x.to_numpy(), inner.y.to_numpy()
        return _timed(
            lambda: spatial_scan(
                counts, expected, x, y, population=pop, replications=replications, seed=0
            )
        )

    out: dict[str, Any] = {
        "_what": f"{n:,} records, {len(units):,} LSOAs; read {read:.1f} s, units {prep:.2f} s, "
        f"queen weights {weights:.2f} s; the scan's units x units matrices "
        f"~{_scan_gib(len(units)):.1f} GiB",
        f"Gi* ({p} permutations)": (
            _timed(lambda: gi_star(counts, matrix, permutations=p, seed=0)),
            prep + weights,
        ),
        f"excess risk, EB + Poisson + excess Gi* ({p})": (
            _timed(
                lambda: excess_risk(
                    counts, expected, matrix, population=pop, permutations=p, seed=0
                )
            ),
            prep + weights,
        ),
        f"Local Moran ({p} permutations)": (
            _timed(lambda: local_moran(counts, matrix, permutations=p, seed=0)),
            prep + weights,
        ),
        f"spatial scan ({p} replications)": (scan_seconds(p), prep),
        "optimized hot spots (area outline included)": (
            _timed(lambda: optimized_hotspots(east, north, study.geo.forces.union_all())),
            0.0,
        ),
        "kernel density": (_timed(lambda: kernel_density(east, north)), 0.0),
        "DBSCAN repeat locations": (_timed(lambda: point_clusters(records)), 0.0),
        "emerging hot spots (monthly cube)": (
            _timed(lambda: emerging_table(records, study.geo, study.population)),
            0.0,
        ),
    }
    return out


def _analysis(records: pd.DataFrame, geo: Any, as_of: Any, rules: AlertRules) -> float:
    return _timed(lambda: daily_signals(records, geo, as_of, rules=rules))


def tension_times(root: Path, replay_days: int, *, full: bool) -> dict[str, Any]:
    """One as-of analysis (every strand and all strands) and the cost of a replay day.

    ``full``: the product's rules (999 replications, sequential) and a replay of
    ``replay_days`` days. Otherwise (an area where one analysis takes too long to run
    here) the analysis is timed with 9 and 29 replications, not sequential, and
    extrapolated linearly to 999 (an upper bound: the sequential stop only shortens
    unremarkable days), and a replay day is taken to cost one analysis.
    """
    study = read_study(Workspace.open(root, create=False))
    records, geo = study.incidents, study.geo
    as_of = pd.Timestamp(records["recorded_at"].max()).date()
    what = f"{len(records):,} records, {len(geo.lsoas):,} LSOAs, as of {as_of}"
    if full:
        rules = AlertRules()
        one = _analysis(records, geo, as_of, rules)
        t = time.perf_counter()
        replay(records, geo, as_of - timedelta(days=replay_days - 1), as_of, rules=rules)
        per_day = (time.perf_counter() - t) / replay_days
        return {"one": one, "per_day": per_day, "what": what, "how": "measured"}
    low, high = (
        _analysis(records, geo, as_of, AlertRules(replications=r, sequential=False))
        for r in (9, 29)
    )
    per_replication = (high - low) / 20
    one = low + per_replication * (999 - 9)
    what += f"; 9 replications {low:.1f} s, 29 replications {high:.1f} s"
    return {"one": one, "per_day": one, "what": what, "how": "extrapolated"}


def _serve(root: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "geo", "serve", "--workspace", str(root),
         "--port", str(port), "--threads", "16"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(480):
        try:
            urllib.request.urlopen(f"{base}/login").read()
            break
        except OSError:
            time.sleep(0.5)
    return server, base


def dashboard_p95(
    root: Path, force: str, *, users: int, seconds: float, settle: float
) -> dict[str, Any]:
    """Users changing the hotspot, trends and partner filters on one force's CSPs (and
    the whole area), as bench_dashboard.py does; latency figures."""
    ws = Workspace.open(root, create=False)
    add_user(ws, "analyst", "analyst", demo_password("analyst"))
    study = read_study(ws)
    lsoas = study.geo.lsoas
    csps = ["", *sorted(lsoas.loc[lsoas["force"] == force, "csp_code"].unique())]
    strands = ["", "race", "religion", "sexual_orientation", "disability", "transgender"]
    server, base = _serve(root)
    try:
        deps = {d["output"]: d for d in _deps(User(base, "analyst"))}
        hot = next(d for o, d in deps.items() if "hot-layers.children" in o)
        trends = next(d for o, d in deps.items() if "trends-chart.figure" in o)
        partner = next(d for o, d in deps.items() if "partner-frame.src" in o)

        def values(dep: dict) -> dict:
            if dep is hot:
                return {
                    ("hot-method", "value"): random.choice(
                        ["risk_class", "excess_class", "hotspot_class", "lisa_class"]
                    ),
                    ("hot-strand", "value"): random.choice(strands),
                    ("hot-setting", "value"): "",
                    ("hot-csp", "value"): random.choice(csps),
                    ("hot-from", "start_date"): "",
                    ("hot-from", "end_date"): "",
                    ("hot-unit", "value"): "lsoa",
                }
            if dep is trends:
                return {
                    ("trends-period", "value"): random.choice(["year", "quarter", "month"]),
                    ("trends-csp", "value"): random.choice(csps),
                }
            return {
                ("partner-setting", "value"): random.choice(["public_transport", "nte", "taxi"])
            }

        first = User(base, "analyst")
        cold = _timed(lambda: first.callback(payload(hot, values(hot))))
        time.sleep(settle)
        latencies, errors = _load(base, [hot, trends, partner], values, users, seconds)
    finally:
        server.terminate()
        server.wait()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    median = statistics.median(latencies)
    line = (
        f"{len(csps) - 1} CSPs; first hotspot callback {cold:.2f} s; {users} users for "
        f"{seconds:.0f} s: {len(latencies)} filter changes, {errors} errors; median "
        f"{median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    return {"p95": p95, "median": median, "line": line}


def _deps(user: User) -> list[dict]:
    import json

    return json.loads(user.get("/_dash-dependencies"))


def _load(
    base: str, deps: list[dict], values: Callable[[dict], dict], users: int, seconds: float
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def user_loop(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        me = User(base, "analyst")
        while time.perf_counter() < stop:
            dep = rng.choice(deps)
            try:
                took = me.callback(payload(dep, values(dep)))
            except OSError:
                with lock:
                    errors += 1
                continue
            with lock:
                latencies.append(took)
            time.sleep(rng.uniform(0.5, 2.0))  # a person reading the answer

    threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors
