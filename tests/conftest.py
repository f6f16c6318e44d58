"""Shared fixtures. Open data is read from ../shared/data (or $TENSIONMAP_OPEN_DATA);
tests that need it fail loudly when it is missing rather than skipping silently."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from geo.config import Workspace
from geo.geography.areas import Geography, load_geography


def open_data_dir() -> Path | None:
    """The shared open-data folder, if present: ``$TENSIONMAP_OPEN_DATA`` if set, else
    ``shared/data`` beside the checkout or beside the current folder. Only tests (and
    benchmarks) read it; the product ships what it needs (geo/demo/data, geo/_national)."""
    env = os.environ.get("TENSIONMAP_OPEN_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent.parent
    candidates += [here.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), None)


@pytest.fixture(scope="session")
def open_data() -> Path:
    path = open_data_dir()
    assert path is not None, "open data not found: set TENSIONMAP_OPEN_DATA or keep ../shared/data"
    return path


@pytest.fixture(scope="session")
def default_geography() -> Geography:
    return load_geography(None)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    """Write ``rows`` (dicts; the union of keys is the header) as CSV."""
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


# Real places used as known points (GIAS, NaPTAN and ONSPD values).
WATFORD_JUNCTION = {"latitude": "51.663529", "longitude": "-0.396541"}  # Watford Junction station
ST_ALBANS_EN = {"easting": "514700", "northing": "207200"}  # St Albans city centre
CAMBRIDGE_POSTCODE = {"postcode": "cb2 1tn"}  # Cambridge city centre


def incident(reference: str, /, **fields: str) -> dict[str, str]:
    """A valid canonical row located at Watford Junction, with ``fields`` overriding."""
    row = {
        "reference": reference,
        "recorded_at": "2024-05-01T21:30",
        "record_type": "crime",
        "offence": "Racially or religiously aggravated intentional harassment",
        "strands": "race",
        "latitude": WATFORD_JUNCTION["latitude"],
        "longitude": WATFORD_JUNCTION["longitude"],
        "easting": "",
        "northing": "",
        "postcode": "",
        "location_type": "Railway station",
        "online": "no",
        "description": "verbal abuse on the platform",
        "victim_id": f"V-{reference}",
    }
    row.update(fields)
    return row


def demo_workspace(root: Path, geo, open_data, *, seed: int, **kwargs) -> tuple[Workspace, dict]:
    """A workspace holding an ingested demo scenario, and the scenario's truth."""
    from geo.demo.generator import generate
    from geo.ingest.incidents import ingest_incidents

    scenario = generate(geo, seed=seed, open_data=open_data, **kwargs)
    ws = Workspace.open(root)
    scenario.write(root / "demo")
    ingest_incidents(ws, root / "demo" / "incidents.csv", geography=geo)
    return ws, scenario.truth


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory) -> tuple[Path, str]:
    """The full demo workspace, built once per test session as `make demo` builds it,
    and what the build printed."""
    import contextlib
    import io
    import os

    from geo.cli import main

    reuse = os.environ.get("TENSIONMAP_TEST_DEMO")  # a demo built earlier, when iterating
    if reuse:
        return Path(reuse), (Path(reuse) / "build.log").read_text()
    root = tmp_path_factory.mktemp("demo") / "demo"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["demo", "--workspace", str(root), "--no-serve"]) == 0
    return root, printed.getvalue()


@pytest.fixture(scope="session")
def dashboard_app(demo_built):
    """The dashboard on the demo workspace (one Dash app per test session)."""
    from dashboard.app import create_app

    return create_app(Workspace.open(demo_built[0]))
