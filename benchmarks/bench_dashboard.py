"""Dashboard load test: `tensionmap serve` on the demo workspace (loopback only), 20
simulated users changing filters on one force for 60 s.

    .venv/bin/tensionmap demo --no-serve --workspace tensionmap-data   # once
    .venv/bin/python benchmarks/bench_dashboard.py [--workspace DIR] [--users 20] [--seconds 60]

Targets (issue): p95 callback latency <= 500 ms; first page load <= 2 s. A first page
load is the page, the layout, the callback list and the page's first callbacks, in order,
as a browser asks for them.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from geo.config import Workspace
from geo.demo.run import demo_password
from geo.geography.areas import load_geography


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class User:
    def __init__(self, base: str, role: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.get("/login").decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)  # none before the review
        form = urllib.parse.urlencode(
            {"name": role, "password": demo_password(role), "csrf_token": token[1] if token else ""}
        )
        login = urllib.request.Request(
            f"{base}/login", data=form.encode(), headers={"Origin": base}
        )
        self.opener.open(login).read()

    def get(self, path: str) -> bytes:
        with self.opener.open(f"{self.base}{path}") as response:
            return bytes(response.read())

    def callback(self, payload: dict) -> float:
        request = urllib.request.Request(
            f"{self.base}/_dash-update-component",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        t = time.perf_counter()
        with self.opener.open(request) as response:
            response.read()
        return time.perf_counter() - t


def payload(dep: dict, values: dict) -> dict:
    outputs = [
        {"id": p.split(".")[0], "property": p.split(".")[1]}
        for p in dep["output"].strip(".").split("...")
    ]

    def item(spec: dict) -> dict:
        return {**spec, "value": values.get((spec["id"], spec["property"]))}

    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": [item(s) for s in dep["inputs"]],
        "state": [item(s) for s in dep.get("state", [])],
        "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
    }


def load_test(workspace: str, args: argparse.Namespace, *, code: Path | None = None) -> str:
    """Serve ``workspace`` (with the tensionmap in ``code``, or this one) and run the load
    test; returns the lines to print."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if code is not None:  # an older checkout, side by side with this one
        env["PYTHONPATH"] = str(code)
    server = subprocess.Popen(
        [sys.executable, "-m", "geo", "serve", "--workspace", workspace,
         "--port", str(port), "--threads", "16"],
        stdout=subprocess.DEVNULL,
        cwd=code or Path.cwd(),
        env=env,
    )  # fmt: skip
    lines = []
    try:
        for _ in range(480):
            try:
                urllib.request.urlopen(f"{base}/login").read()
                break
            except OSError:
                time.sleep(0.5)
        analyst = User(base, "analyst")
        deps = json.loads(analyst.get("/_dash-dependencies"))
        by_output = {d["output"]: d for d in deps}
        hot = next(d for o, d in by_output.items() if "hot-layers.children" in o)
        trends = next(d for o, d in by_output.items() if "trends-chart.figure" in o)
        partner = next(d for o, d in by_output.items() if "partner-frame.src" in o)
        geo = load_geography(Workspace.open(workspace).geography_dir)
        cambs = geo.lsoas[geo.lsoas["force"] == "Cambridgeshire"]
        cambs_csps = sorted(cambs["csp_code"].unique())  # one force
        strands = ["", "race", "religion", "sexual_orientation", "disability", "transgender"]

        def hot_values() -> dict:
            return {
                ("hot-method", "value"): random.choice(
                    ["risk_class", "excess_class", "hotspot_class", "lisa_class"]
                ),
                ("hot-strand", "value"): random.choice(strands),
                ("hot-setting", "value"): "",
                ("hot-csp", "value"): random.choice(cambs_csps),
                ("hot-from", "start_date"): "",
                ("hot-from", "end_date"): "",
                ("hot-unit", "value"): "lsoa",
            }

        def trend_values() -> dict:
            return {
                ("trends-period", "value"): random.choice(["year", "quarter", "month"]),
                ("trends-csp", "value"): random.choice(["", *cambs_csps]),
            }

        def partner_values() -> dict:
            return {
                ("partner-setting", "value"): random.choice(["public_transport", "nte", "taxi"])
            }

        # first page load, cold and warm
        loads = []
        for _ in range(3):
            t = time.perf_counter()
            analyst.get("/hotspots")
            analyst.get("/_dash-layout")
            analyst.get("/_dash-dependencies")
            analyst.callback(payload(hot, {**hot_values(), ("hot-csp", "value"): cambs_csps[0],
                                           ("hot-strand", "value"): ""}))  # fmt: skip
            loads.append(time.perf_counter() - t)
        lines.append(
            f"first page load (hotspots): cold {loads[0]:.2f} s, warm {min(loads[1:]):.2f} s"
        )
        time.sleep(args.settle)

        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        stop = time.perf_counter() + args.seconds

        def user_loop(seed: int) -> None:
            nonlocal errors
            random.seed(seed)
            me = User(base, "analyst")
            while time.perf_counter() < stop:
                dep, values = random.choice(
                    [(hot, hot_values), (trends, trend_values), (partner, partner_values)]
                )
                try:
                    seconds = me.callback(payload(dep, values()))
                except OSError:
                    with lock:
                        errors += 1
                    continue
                with lock:
                    latencies.append(seconds)
                time.sleep(random.uniform(0.5, 2.0))  # a person reading the answer

        threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        lines.append(
            f"{args.users} users for {args.seconds:.0f} s: {len(latencies)} filter changes, "
            f"{errors} errors; median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
    finally:
        server.terminate()
        server.wait()
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="tensionmap-data")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--settle",
        type=float,
        default=45,
        help="seconds between the first page load and the load test, while the server "
        "fills its caches in the background (default 45)",
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="an older tensionmap checkout (e.g. `git worktree add /tmp/before REV`): each "
        "round serves a copy of the workspace with it, then with this one",
    )
    parser.add_argument("--rounds", type=int, default=1, help="baseline/current pairs (default 1)")
    args = parser.parse_args()
    if not (Path(args.workspace) / "tensionmap.sqlite").exists():
        sys.exit(f"{args.workspace}: build it first with `tensionmap demo --no-serve`")
    if not args.baseline:
        print(load_test(args.workspace, args))
        return
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(args.rounds):
            for label, code in (("baseline", Path(args.baseline).resolve()), ("current", None)):
                copy = Path(scratch) / f"{label}-{round_}"
                shutil.copytree(args.workspace, copy)  # each server signs in on its own copy
                print(f"--- round {round_ + 1}, {label} ({code or 'this checkout'})")
                print(load_test(str(copy), args, code=code), flush=True)
                shutil.rmtree(copy)


if __name__ == "__main__":
    main()
