"""``tensionmap demo``: build a complete demo workspace end to end, then serve the dashboard.

Steps: import the sharper ONS boundaries when the open data folder has them, ingest the
real places, generate the calibrated scenario on the workspace's geography, ingest it,
and write outputs (GeoPackage and CSV for QGIS and Excel). Later analyses add their steps
here; the command must always run end to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from geo.config import Workspace, open_data_dir

BOUNDARY_FILES = {
    "lsoa": "lsoa_2011_bgc_herts_cambs.geojson",
    "ward": "wards_2013_bgc_herts_cambs.geojson",
    "district": "lad_herts_cambs_dissolved_from_lsoa2011.geojson",
}
PLACE_FILES = {
    "schools": "schools_gias_herts_cambs.csv",
    "transport": "naptan_stops_herts_cambs.csv",
    "nte": "nte_pubs_herts_cambs.csv",
}


class _Steps:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        t = time.perf_counter()
        yield
        seconds = time.perf_counter() - t
        self.timings.append((name, seconds))
        self.say(f"  {name}: {seconds:.1f} s")


def build_demo(
    workspace: Workspace, *, seed: int = 0, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Build the demo workspace; returns what was built (for the summary and tests)."""
    from geo.boundary_import import import_boundary_file
    from geo.demo.generator import generate
    from geo.export import INCIDENT_EXPORT_COLUMNS, write_table
    from geo.geography import load_geography
    from geo.ingest.incidents import ingest_incidents
    from geo.ingest.places import ingest_places
    from geo.store import connect, read_incidents

    data = open_data_dir()
    steps = _Steps(say)
    built: dict[str, Any] = {
        "workspace": str(workspace.root),
        "open_data": str(data) if data else None,
    }
    say(f"building the demo workspace in {workspace.root}")
    if data is not None:
        with steps.step("import ONS 20 m boundaries (LSOA, ward, district)"):
            for level, name in BOUNDARY_FILES.items():
                if (data / "boundaries" / name).exists():
                    import_boundary_file(workspace, data / "boundaries" / name, level)
        with steps.step("ingest places (GIAS schools, NaPTAN stops, pubs and bars)"):
            built["places"] = {
                kind: ingest_places(workspace, data / name, kind=kind).counts
                for kind, name in PLACE_FILES.items()
                if (data / name).exists()
            }
    else:
        say("  open data folder not found: default boundaries and synthetic places")
    geography = load_geography(workspace.geography_dir)
    scenario_dir = workspace.root / "demo"
    with steps.step("generate the calibrated scenario (both forces, 2014-2019)"):
        scenario = generate(geography, seed=seed, open_data=data)
        scenario.write(scenario_dir)
    for note in scenario.notes:
        say(f"  note: {note}")
    with steps.step("ingest the scenario"):
        summary = ingest_incidents(
            workspace, scenario_dir / "incidents.csv", source="demo", geography=geography
        )
    say(f"  {summary.line()}")
    built["ingest"] = summary.counts
    with steps.step("write outputs"):
        engine = connect(workspace.database_url)
        frame = read_incidents(engine)[INCIDENT_EXPORT_COLUMNS]
        engine.dispose()
        for suffix in (".csv", ".gpkg"):
            write_table(frame, workspace.outputs_dir / f"incidents{suffix}")
    built["timings"] = steps.timings
    built["outputs"] = sorted(p.name for p in workspace.outputs_dir.iterdir())
    say(f"outputs in {workspace.outputs_dir}: {', '.join(built['outputs'])}")
    return built


def run_demo(
    workspace_dir: str | None, *, seed: int = 0, serve: bool = True, port: int = 8050
) -> None:
    workspace = Workspace.open(workspace_dir)
    build_demo(workspace, seed=seed)
    if serve:
        from dashboard.app import serve as serve_dashboard

        print(f"dashboard: http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        serve_dashboard(workspace, port=port)


def generate_to(out: Path, **options: Any) -> list[str]:
    """``tensionmap demo generate``: write incidents.csv and truth.json to ``out``."""
    from geo.demo.generator import generate
    from geo.geography import load_geography

    scenario = generate(load_geography(None), open_data=open_data_dir(), **options)
    scenario.write(out)
    return [
        f"wrote {len(scenario.incidents)} records to {out / 'incidents.csv'} and the truth "
        f"to {out / 'truth.json'}",
        *[f"note: {n}" for n in scenario.notes],
    ]
