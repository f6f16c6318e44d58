"""School plan benchmark: every school of both forces, K = 40, on the demo scenario.

    .venv/bin/python benchmarks/bench_schools.py

Target: scoring + the optimised plan <= 10 s on the 2-core reference machine.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from _open_data import open_data_dir

from geo.config import Workspace
from geo.demo.generator import generate
from geo.geography.areas import load_geography
from geo.geography.population import lsoa_population
from geo.ingest.incidents import ingest_incidents
from geo.ingest.places import ingest_places
from geo.schools import adult_only, plan_workshops
from geo.schools.score import schools_from_places, score_schools
from geo.store import connect, places, read_incidents, read_table


def main() -> None:
    geo = load_geography(None)
    data = open_data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        ingest_places(ws, data / "schools_gias_herts_cambs.csv", kind="schools", geography=geo)
        scenario = generate(geo, seed=0, open_data=data)
        scenario.write(Path(tmp) / "demo")
        ingest_incidents(ws, Path(tmp) / "demo" / "incidents.csv", geography=geo)
        engine = connect(ws.database_url)
        records = read_incidents(engine)
        schools = schools_from_places(read_table(engine, places))
        engine.dispose()
    records = records[~adult_only(records["settings"])].reset_index(drop=True)  # as the CLI
    population, _ = lsoa_population(geo, open_data=data)
    inner = geo.lsoas.geometry.representative_point()
    t = time.perf_counter()
    scores = score_schools(
        schools, records, residents=(np.column_stack([inner.x, inner.y]), population)
    )
    t_score = time.perf_counter() - t
    t = time.perf_counter()
    plan = plan_workshops(scores, budget=40)
    t_plan = time.perf_counter() - t
    print(
        f"{len(schools)} schools, {len(records):,} records: scoring {t_score:.1f} s, "
        f"optimised plan (K=40, >=1 per CSP) {t_plan:.1f} s ({plan.solver_status})"
    )
    print(
        f"coverage: optimised {plan.covered_optimised:,} records, greedy top-40 by score "
        f"{plan.covered_greedy:,} ({plan.covered_optimised / plan.covered_greedy - 1:+.0%})"
    )


if __name__ == "__main__":
    main()
