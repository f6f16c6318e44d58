"""``tensionmap demo``: build a complete demo workspace end to end, then serve the dashboard.

The seed demo (Hertfordshire and Cambridgeshire, calibrated to their published figures):
import the sharper ONS boundaries, ingest the real places (both shipped in the package,
see :mod:`geo.demo.shipped`), generate the scenario on the workspace's geography, ingest
it, and write outputs (GeoPackage and CSV for QGIS and Excel). Nothing outside the
package is read.

Any other force (``tensionmap demo --force NAME``, in a workspace whose area holds it):
the same steps on the workspace's own geography, residents and imported places, with
volumes at the national rate (:mod:`geo.demo.force`); nothing is imported. Later
analyses add their steps in :mod:`geo.demo.outputs`; the command must always run end
to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from geo.config import Workspace
from geo.demo.shipped import demo_data_dir, unpacked

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
    workspace: Workspace,
    *,
    seed: int = 0,
    force: str | None = None,
    records_per_year: int | None = None,
    start: date | None = None,
    end: date | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Build the demo workspace end to end, and say what was built.

    Parameters
    ----------
    workspace
        The workspace to build in (its store, geography and ``outputs/``). For a force
        other than Hertfordshire and Cambridgeshire its area must hold the force
        (``tensionmap init --force NAME``, which ``tensionmap demo --force`` does).
    seed
        Seed of the scenario (the same seed gives the same records and truth).
    force
        ``None`` for the seed demo (Hertfordshire and Cambridgeshire), or any police
        force of England and Wales (see :func:`geo.demo.force.scenario_force`).
    records_per_year
        For a force other than the seed forces: records a year instead of the national
        rate.
    start, end
        The scenario's first and last day (default: the generator's, 2014 to 2019).
    say
        Where progress lines go (each step with its time).

    Returns
    -------
    dict
        What was built (for the summary and the tests): ``workspace``, ``force``,
        ``open_data`` (the package folder of shipped open data, seed demo only),
        ``places``, ``ingest`` counts, ``analyses`` and ``tension`` summaries, step
        ``timings`` and the ``outputs`` written.

    Raises
    ------
    TensionmapError
        For an unknown force, or one the workspace's area does not hold.

    Examples
    --------
    >>> built = build_demo(Workspace.open("tensionmap-demo"), seed=0)  # doctest: +SKIP
    >>> built["tension"]["medium_or_high"] > 0  # doctest: +SKIP
    True
    """
    from geo.demo.force import scenario_force
    from geo.demo.generator import FORCES, check_arguments
    from geo.demo.outputs import run_analyses, run_tension
    from geo.export import INCIDENT_EXPORT_COLUMNS, write_table
    from geo.geography.areas import load_geography
    from geo.ingest.incidents import ingest_incidents

    which = scenario_force(force)
    check_arguments(which, start, end, records_per_year)  # before anything is imported
    data = demo_data_dir() if which in FORCES else None
    steps = _Steps(say)
    built: dict[str, Any] = {"workspace": str(workspace.root), "force": which}
    built["open_data"] = str(data) if data is not None else None
    say(f"building the demo workspace in {workspace.root}")
    if data is not None:
        built["places"] = _import_shipped(workspace, steps)
    geography = load_geography(workspace.geography_dir)
    scenario_dir = workspace.root / "demo"
    scenario = _generate(workspace, geography, steps, which, data, seed=seed,
                         records_per_year=records_per_year, start=start, end=end)  # fmt: skip
    scenario.write(scenario_dir)
    built.setdefault("places", {})  # another force: the places the workspace already had
    for note in scenario.notes:
        say(f"  note: {note}")
    with steps.step("ingest the scenario"):
        summary = ingest_incidents(
            workspace, scenario_dir / "incidents.csv", source="demo", geography=geography
        )
    say(f"  {summary.line()}")
    built["ingest"] = summary.counts
    with steps.step("write outputs"):
        frame = workspace.read_incidents()[INCIDENT_EXPORT_COLUMNS]
        for suffix in (".csv", ".gpkg"):
            write_table(frame, workspace.outputs_dir / f"incidents{suffix}")
    with steps.step("hotspots, spatial scan, density, partner heat maps and clusters"):
        built["analyses"] = run_analyses(workspace, geography, data)
    a = built["analyses"]
    say(
        f"  {a['hotspot_lsoas']} LSOAs with significant excess clustering, "
        f"{a['residential_risk_lsoas']} with high residential risk, "
        f"{a['significant_scan_clusters']} significant scan clusters, "
        f"{a['repeat_locations']} repeat locations"
    )
    with steps.step("trigger events, and the daily tension monitor over the latest episode"):
        built["tension"] = run_tension(workspace, geography, scenario.truth)
    t = built["tension"]
    say(
        f"  {t['alerts']} tension alert(s) from {t['from']} to {t['to']}, "
        f"{t['medium_or_high']} of them medium or high"
    )
    _add_users(workspace, steps, say)
    built["timings"] = steps.timings
    built["outputs"] = sorted(p.name for p in workspace.outputs_dir.iterdir())
    say(f"outputs in {workspace.outputs_dir}: {', '.join(built['outputs'])}")
    return built


def _import_shipped(workspace: Workspace, steps: _Steps) -> dict[str, Any]:
    """The seed demo's shipped ONS boundaries and real places, into the workspace."""
    from geo.geography.boundary_import import import_boundary_file
    from geo.ingest.places import ingest_places

    with unpacked(*BOUNDARY_FILES.values(), *PLACE_FILES.values()) as folder:
        with steps.step("import ONS 20 m boundaries (LSOA, ward, district)"):
            for level, name in BOUNDARY_FILES.items():
                import_boundary_file(workspace, folder / name, level)
        with steps.step("ingest places (GIAS schools, NaPTAN stops, pubs and bars)"):
            return {
                kind: ingest_places(workspace, folder / name, kind=kind).counts
                for kind, name in PLACE_FILES.items()
            }


def _generate(
    workspace: Workspace,
    geography: Any,
    steps: _Steps,
    which: str,
    data: Path | None,
    *,
    seed: int,
    records_per_year: int | None,
    start: date | None,
    end: date | None,
) -> Any:
    """Generate the scenario: the seed forces on shipped data, another on the workspace's."""
    from geo import store
    from geo.demo.generator import generate

    period: dict[str, Any] = {k: v for k, v in (("start", start), ("end", end)) if v}
    if data is not None:
        label = "both forces" if which == "both" else which.capitalize()
        years = f"{(start or date(2014, 1, 1)).year}-{(end or date(2019, 12, 31)).year}"
        with steps.step(f"generate the calibrated scenario ({label}, {years})"):
            return generate(geography, seed=seed, force=which, open_data=data, **period)
    _, places = workspace.read_tables(store.places)
    with steps.step(f"generate the scenario for {which} at the national rate"):
        return generate(
            geography, seed=seed, force=which, records_per_year=records_per_year,
            geography_dir=workspace.geography_dir, places_table=places, say=steps.say, **period,
        )  # fmt: skip


def _add_users(workspace: Workspace, steps: _Steps, say: Callable[[str], None]) -> None:
    """One dashboard user per role, with the demo passwords."""
    from geo.users import ROLES, add_user

    with steps.step("dashboard users, one per role"):
        for role in ROLES:
            add_user(workspace, role, role, demo_password(role))
    say("  sign in as " + ", ".join(f"{r} / {demo_password(r)}" for r in ROLES))


def demo_password(role: str) -> str:
    """The demo workspace's password for the user named after ``role``.

    For synthetic data only: a real workspace's users choose their own with
    ``tensionmap users add``.

    Parameters
    ----------
    role
        One of :data:`geo.users.ROLES`.

    Returns
    -------
    str
        The password, printed by ``tensionmap demo`` for signing in.

    Examples
    --------
    >>> demo_password("analyst")
    'analyst-demo'
    """
    return f"{role}-demo"


def run_demo(
    workspace_dir: str | None,
    *,
    seed: int = 0,
    serve: bool = True,
    port: int = 8050,
    **options: Any,
) -> None:
    """``tensionmap demo``: build the demo workspace, then serve the dashboard on it.

    Parameters
    ----------
    workspace_dir
        The workspace folder (made if needed); ``None`` for ``$TENSIONMAP_WORKSPACE`` or
        ``./tensionmap-data``.
    seed
        Seed of the scenario.
    serve
        Serve the dashboard once built (until Ctrl+C).
    port
        The dashboard's port on 127.0.0.1.
    **options
        Passed to :func:`build_demo` (``force``, ``records_per_year``, ``start``, ``end``).

    Examples
    --------
    >>> run_demo("tensionmap-demo", serve=False)  # doctest: +SKIP
    building the demo workspace in tensionmap-demo
    ...
    """
    workspace = Workspace.open(workspace_dir)
    build_demo(workspace, seed=seed, **options)
    if serve:
        from dashboard.app import serve as serve_dashboard

        print(f"dashboard: http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        serve_dashboard(workspace, port=port)


def generate_to(
    out: Path,
    *,
    force: str | None = None,
    say: Callable[[str], None] | None = None,
    **options: Any,
) -> list[str]:
    """``tensionmap demo generate``: write incidents.csv and truth.json to ``out``.

    The seed forces' scenario is generated on the default boundaries, with the real
    places and residents shipped in the package; any other force's on its own LSOAs
    (the national lookup), with synthetic places, at the national rate.

    Parameters
    ----------
    out
        The folder to write to (made if needed).
    force
        ``None`` or ``both`` for Hertfordshire and Cambridgeshire, or any police force
        of England and Wales (see :func:`geo.demo.force.scenario_force`).
    say
        Where progress lines go while generating (``None``: nowhere).
    **options
        Passed to :func:`geo.demo.generator.generate` (``seed``, ``start``, ``end``,
        ``scale``, ``episodes``, ``records_per_year``).

    Returns
    -------
    list of str
        The lines to print: what was written, then the scenario's notes.

    Raises
    ------
    TensionmapError
        For an unknown force (the message names the closest ones).

    Examples
    --------
    >>> lines = generate_to(Path("demo-out"), seed=1, force="hertfordshire")  # doctest: +SKIP
    >>> lines[0]  # doctest: +SKIP
    'wrote ... records to demo-out/incidents.csv and the truth to demo-out/truth.json'
    """
    from geo.demo.force import scenario_force
    from geo.demo.generator import FORCES, generate
    from geo.geography.areas import load_geography
    from geo.geography.workspace_area import area_setting

    which = scenario_force(force)
    if which in FORCES:
        geography, data = load_geography(None), demo_data_dir()
    else:
        t = time.perf_counter()
        geography, data = load_geography(area=area_setting(forces=[which])), None
        if say is not None:
            say(f"  the geography of {which}: {time.perf_counter() - t:.1f} s")
    scenario = generate(geography, force=which, open_data=data, say=say, **options)
    t = time.perf_counter()
    scenario.write(out)
    if say is not None:
        say(f"  incidents.csv and truth.json written: {time.perf_counter() - t:.1f} s")
    return [
        f"wrote {len(scenario.incidents)} records to {out / 'incidents.csv'} and the truth "
        f"to {out / 'truth.json'}",
        *[f"note: {n}" for n in scenario.notes],
    ]
