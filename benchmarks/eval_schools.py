"""How school targeting ranks the schools near the demo's planted hotspots, over seeds.

    .venv/bin/python benchmarks/eval_schools.py [--seeds 5] [--budget 40]

For every planted residential hotspot (6 per seed, both forces): the distance to its
nearest school, and the CSP rank (as a share of the CSP's schools; 0.10 is the top
decile) of the best-ranked school within 1 km, within 1.5 km and of the nearest school.
Then the coverage of the optimised plan against greedy top-K.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd


def one_seed(seed: int, budget: int) -> tuple[list[dict], dict]:
    from _open_data import open_data_dir

    from geo.config import Workspace
    from geo.demo.generator import generate
    from geo.demo.shipped import CENSUS_FILE
    from geo.geography.areas import load_geography
    from geo.geography.boundary_import import import_population
    from geo.ingest.incidents import ingest_incidents
    from geo.ingest.places import ingest_places
    from geo.schools.plan import school_plan

    geo = load_geography(None)
    data = open_data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = Workspace.open(root)
        import_population(ws, data / CENSUS_FILE)  # as the demo does
        ingest_places(ws, data / "schools_gias_herts_cambs.csv", kind="schools", geography=geo)
        scenario = generate(geo, seed=seed, open_data=data)
        scenario.write(root / "demo")
        ingest_incidents(ws, root / "demo" / "incidents.csv", geography=geo)
        plan = school_plan(ws, budget=budget)
    table = plan.table
    size = table.groupby("csp_code").size()
    share = table["rank_in_csp"] / table["csp_code"].map(size)
    rows = []
    for spot in scenario.truth["hotspots"]:
        lsoa = geo.lsoas[geo.lsoas["lsoa_code"] == spot["lsoa_code"]]
        centre = lsoa.geometry.representative_point().iloc[0]
        distance = np.hypot(table["easting"] - centre.x, table["northing"] - centre.y)
        row = {"seed": seed, "lsoa": spot["lsoa_code"], "nearest_m": round(distance.min())}
        for label, within in (("1km", 1000), ("1.5km", 1500)):
            near = share[distance < within]
            row[f"best_{label}"] = round(near.min(), 3) if len(near) else None
        row["nearest"] = round(share[distance.idxmin()], 3)
        rows.append(row)
    coverage = {
        "seed": seed,
        "optimised": plan.covered_optimised,
        "greedy": plan.covered_greedy,
        "records": plan.total_records,
    }
    return rows, coverage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=40)
    args = parser.parse_args()
    spots, cover = [], []
    for seed in range(args.seeds):
        rows, coverage = one_seed(seed, args.budget)
        spots += rows
        cover.append(coverage)
        print(pd.DataFrame(rows).to_string(index=False), flush=True)
    table = pd.DataFrame(spots)
    for column in ("best_1km", "best_1.5km", "nearest"):
        known = table[column].dropna()
        print(
            f"{column}: {int((known <= 0.10).sum())}/{len(known)} in the CSP's top decile "
            f"(median share {known.median():.3f})"
        )
    print(pd.DataFrame(cover).to_string(index=False))


if __name__ == "__main__":
    main()
