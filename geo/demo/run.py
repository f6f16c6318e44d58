"""``tensionmap demo``: build a complete demo workspace end to end, then serve the dashboard.

Steps: import the sharper ONS boundaries, ingest the real places (both shipped in the
package, see :mod:`geo.demo.shipped`), generate the calibrated scenario on the
workspace's geography, ingest it, and write outputs (GeoPackage and CSV for QGIS and
Excel). Nothing outside the package is read. Later analyses add their steps
here; the command must always run end to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    workspace: Workspace, *, seed: int = 0, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Build the demo workspace end to end, and say what was built.

    Parameters
    ----------
    workspace
        The workspace to build in (its store, geography and ``outputs/``).
    seed
        Seed of the scenario (the same seed gives the same records and truth).
    say
        Where progress lines go (each step with its time).

    Returns
    -------
    dict
        What was built (for the summary and the tests): ``workspace``, ``open_data``
        (the package folder of shipped open data), ``places``, ``ingest`` counts,
        ``analyses`` and ``tension`` summaries, step ``timings`` and the ``outputs`` written.

    Examples
    --------
    >>> built = build_demo(Workspace.open("tensionmap-demo"), seed=0)  # doctest: +SKIP
    >>> built["tension"]["medium_or_high"] > 0  # doctest: +SKIP
    True
    """
    from geo.demo.generator import generate
    from geo.export import INCIDENT_EXPORT_COLUMNS, write_table
    from geo.geography.areas import load_geography
    from geo.geography.boundary_import import import_boundary_file
    from geo.ingest.incidents import ingest_incidents
    from geo.ingest.places import ingest_places

    data = demo_data_dir()
    steps = _Steps(say)
    built: dict[str, Any] = {"workspace": str(workspace.root), "open_data": str(data)}
    say(f"building the demo workspace in {workspace.root}")
    with unpacked(*BOUNDARY_FILES.values(), *PLACE_FILES.values()) as folder:
        with steps.step("import ONS 20 m boundaries (LSOA, ward, district)"):
            for level, name in BOUNDARY_FILES.items():
                import_boundary_file(workspace, folder / name, level)
        with steps.step("ingest places (GIAS schools, NaPTAN stops, pubs and bars)"):
            built["places"] = {
                kind: ingest_places(workspace, folder / name, kind=kind).counts
                for kind, name in PLACE_FILES.items()
            }
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
        frame = workspace.read_incidents()[INCIDENT_EXPORT_COLUMNS]
        for suffix in (".csv", ".gpkg"):
            write_table(frame, workspace.outputs_dir / f"incidents{suffix}")
    with steps.step("hotspots, spatial scan, density, partner heat maps and clusters"):
        built["analyses"] = _run_analyses(workspace, geography, data)
    a = built["analyses"]
    say(
        f"  {a['hotspot_lsoas']} LSOAs with significant excess clustering, "
        f"{a['residential_risk_lsoas']} with high residential risk, "
        f"{a['significant_scan_clusters']} significant scan clusters, "
        f"{a['repeat_locations']} repeat locations"
    )
    with steps.step("trigger events, and the daily tension monitor over the latest episode"):
        built["tension"] = _run_tension(workspace, geography, scenario.truth)
    t = built["tension"]
    say(
        f"  {t['alerts']} tension alert(s) from {t['from']} to {t['to']}, "
        f"{t['medium_or_high']} of them medium or high"
    )
    with steps.step("dashboard users, one per role"):
        from geo.users import ROLES, add_user

        for role in ROLES:
            add_user(workspace, role, role, demo_password(role))
    say("  sign in as " + ", ".join(f"{r} / {demo_password(r)}" for r in ROLES))
    built["timings"] = steps.timings
    built["outputs"] = sorted(p.name for p in workspace.outputs_dir.iterdir())
    say(f"outputs in {workspace.outputs_dir}: {', '.join(built['outputs'])}")
    return built


def _run_analyses(workspace: Workspace, geography: Any, data: Path) -> dict[str, Any]:
    """Every analysis that exists, on the demo records, written to ``outputs/``."""
    from geo.export import write_csv, write_frame
    from geo.geography.boundary_import import import_population
    from geo.geography.population import CENSUS_FILE, lsoa_population
    from geo.hotspots.aggregate import Filters
    from geo.hotspots.analysis import hotspots, scan
    from geo.hotspots.clusters import point_clusters
    from geo.hotspots.kde import kernel_density
    from geo.settings import partner_heatmap, write_html
    from geo.vocab import HOT_CLASSES, PARTNER_SETTINGS

    with unpacked(CENSUS_FILE, folder=data) as folder:  # Census 2021 residents, shipped
        import_population(workspace, folder / CENSUS_FILE)
    population, _ = lsoa_population(geography, geography_dir=workspace.geography_dir)
    incidents = workspace.read_incidents()
    out = workspace.outputs_dir
    table = hotspots(incidents, geography, population).table
    write_frame(table, out / "hotspots_lsoa.gpkg", layer="hotspots")
    residential = hotspots(
        incidents, geography, population, filters=Filters(settings=("residential",))
    )
    write_frame(residential.table, out / "hotspots_residential_lsoa.gpkg", layer="hotspots")
    clusters = scan(incidents, geography, population, max_radius_m=3000, replications=999).clusters
    write_csv(clusters, out / "scan_clusters.csv")
    for setting in PARTNER_SETTINGS:
        chosen = Filters(settings=(setting,)).apply(incidents)
        surface = kernel_density(
            chosen["easting"].to_numpy(float), chosen["northing"].to_numpy(float), bandwidth_m=500
        )
        # analyst's surface (not disclosure-controlled): partners get partner_*.html
        write_frame(surface.to_frame(), out / f"density_{setting}.geojson", layer="density")
    for setting in PARTNER_SETTINGS:
        heat = partner_heatmap(incidents, geography, settings=(setting,))
        write_html(heat, geography, str(out / f"partner_{setting}.html"))
        write_csv(heat.csp_table, out / f"partner_{setting}-csp.csv")
    repeats = point_clusters(incidents, eps_m=10, min_samples=4)
    write_frame(repeats.table, out / "repeat_locations.gpkg", layer="clusters")
    return {
        "hotspot_lsoas": int(table["excess_class"].isin(HOT_CLASSES).sum()),
        "residential_risk_lsoas": int(residential.table["risk_class"].isin(HOT_CLASSES).sum()),
        "significant_scan_clusters": int((clusters["p_value"] < 0.05).sum()),
        "repeat_locations": len(repeats.table),
    }


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


#: National events the demo's calibration raises hate crime after (see calibration.py).
DEMO_TRIGGERS = (
    ("2016-06-24", "EU referendum result"),
    ("2017-03-22", "Westminster Bridge attack"),
    ("2017-05-22", "Manchester Arena attack"),
    ("2017-06-03", "London Bridge attack"),
    ("2017-06-19", "Finsbury Park mosque attack"),
)


def _run_tension(workspace: Workspace, geography: Any, truth: dict[str, Any]) -> dict[str, Any]:
    """List the national trigger events and run the daily monitor over the latest episode.

    The monitor runs from a few days before the latest planted episode to ten days into
    it (what the tension page shows).
    """
    from datetime import date, timedelta

    from geo.export import write_csv
    from geo.tension import AlertRules, TriggerEvent, alert_rows
    from geo.tension.evaluate import serious
    from geo.tension.monitor import run_monitor, stored_alerts
    from geo.tension.trigger_list import add_trigger, read_triggers

    for when, name in DEMO_TRIGGERS:
        add_trigger(workspace, TriggerEvent(date.fromisoformat(when), name))
    onset = max(date.fromisoformat(e["onset"]) for e in truth["episodes"])
    first, last = onset - timedelta(days=3), onset + timedelta(days=10)
    incidents = workspace.read_incidents()
    day = first
    while day <= last:  # one morning at a time, as a force would run it
        run_monitor(workspace, incidents, geography, day, rules=AlertRules())
        day += timedelta(days=1)
    alerts = stored_alerts(workspace)
    rows = alert_rows(alerts, geography, read_triggers(workspace))
    write_csv(rows, workspace.outputs_dir / "tension_alerts.csv")
    return {
        "from": first,
        "to": last,
        "alerts": len(alerts),
        "medium_or_high": len(serious(alerts)),
    }


def run_demo(
    workspace_dir: str | None, *, seed: int = 0, serve: bool = True, port: int = 8050
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

    Examples
    --------
    >>> run_demo("tensionmap-demo", serve=False)  # doctest: +SKIP
    building the demo workspace in tensionmap-demo
    ...
    """
    workspace = Workspace.open(workspace_dir)
    build_demo(workspace, seed=seed)
    if serve:
        from dashboard.app import serve as serve_dashboard

        print(f"dashboard: http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        serve_dashboard(workspace, port=port)


def generate_to(out: Path, **options: Any) -> list[str]:
    """``tensionmap demo generate``: write incidents.csv and truth.json to ``out``.

    The scenario is generated on the default boundaries, with the real places and
    residents shipped in the package.

    Parameters
    ----------
    out
        The folder to write to (made if needed).
    **options
        Passed to :func:`geo.demo.generator.generate` (``seed``, ``force``, ``start``,
        ``end``, ``scale``, ``episodes``).

    Returns
    -------
    list of str
        The lines to print: what was written, then the scenario's notes.

    Examples
    --------
    >>> lines = generate_to(Path("demo-out"), seed=1, force="hertfordshire")  # doctest: +SKIP
    >>> lines[0]  # doctest: +SKIP
    'wrote ... records to demo-out/incidents.csv and the truth to demo-out/truth.json'
    """
    from geo.demo.generator import generate
    from geo.geography.areas import load_geography

    scenario = generate(load_geography(None), open_data=demo_data_dir(), **options)
    scenario.write(out)
    return [
        f"wrote {len(scenario.incidents)} records to {out / 'incidents.csv'} and the truth "
        f"to {out / 'truth.json'}",
        *[f"note: {n}" for n in scenario.notes],
    ]
