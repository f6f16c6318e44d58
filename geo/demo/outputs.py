"""The demo's analyses: every analysis that exists, run on the demo records.

Hot spots, the spatial scan, density surfaces, partner heat maps and repeat locations
(:func:`run_analyses`), and the national trigger events with the daily tension monitor
over the latest planted episode (:func:`run_tension`), written to the workspace's
``outputs/``. They read the workspace's own geography and residents, whichever force
the demo was built for.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from geo.config import Workspace
from geo.geography.areas import Geography
from geo.geography.population import lsoa_population

#: National events the demo's calibration raises hate crime after (see calibration.py).
DEMO_TRIGGERS = (
    ("2016-06-24", "EU referendum result"),
    ("2017-03-22", "Westminster Bridge attack"),
    ("2017-05-22", "Manchester Arena attack"),
    ("2017-06-03", "London Bridge attack"),
    ("2017-06-19", "Finsbury Park mosque attack"),
)


def run_analyses(
    workspace: Workspace, geography: Geography, census: Path | None = None
) -> dict[str, Any]:
    """Every hot-spot and settings analysis on the workspace's records, into ``outputs/``.

    Parameters
    ----------
    workspace : Workspace
        The demo workspace (its records, residents and ``outputs/``).
    geography : Geography
        Its boundary set.
    census : pathlib.Path, optional
        A folder holding :data:`~geo.demo.shipped.CENSUS_FILE` (gzip-compressed) to
        import first: the seed demo's shipped Census residents. ``None`` uses the
        residents the workspace has (see :func:`~geo.geography.population.lsoa_population`).

    Returns
    -------
    dict
        ``hotspot_lsoas`` (significant excess clustering), ``residential_risk_lsoas``,
        ``significant_scan_clusters`` and ``repeat_locations`` (counts).

    Examples
    --------
    >>> found = run_analyses(Workspace.open("tensionmap-demo"), geography)  # doctest: +SKIP
    >>> found["hotspot_lsoas"] > 0  # doctest: +SKIP
    True
    """
    from geo.demo.shipped import CENSUS_FILE, unpacked
    from geo.export import write_csv, write_frame
    from geo.geography.boundary_import import import_population
    from geo.hotspots.aggregate import Filters
    from geo.hotspots.analysis import hotspots, scan
    from geo.hotspots.clusters import point_clusters
    from geo.settings import partner_heatmap, write_html
    from geo.vocab import HOT_CLASSES, PARTNER_SETTINGS

    if census is not None:
        with unpacked(CENSUS_FILE, folder=census) as folder:  # Census 2021 residents, shipped
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
    _density_surfaces(incidents, out)
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


def _density_surfaces(incidents: pd.DataFrame, out: Path) -> None:
    """The analyst's kernel density surface per partner setting.

    Not disclosure-controlled: partners get ``partner_*.html``.
    """
    from geo.export import write_frame
    from geo.hotspots.aggregate import Filters
    from geo.hotspots.kde import kernel_density
    from geo.vocab import PARTNER_SETTINGS

    for setting in PARTNER_SETTINGS:
        chosen = Filters(settings=(setting,)).apply(incidents)
        surface = kernel_density(
            chosen["easting"].to_numpy(float), chosen["northing"].to_numpy(float), bandwidth_m=500
        )
        write_frame(surface.to_frame(), out / f"density_{setting}.geojson", layer="density")


def monitor_window(truth: dict[str, Any]) -> tuple[date, date]:
    """The days the demo runs the tension monitor over.

    Parameters
    ----------
    truth : dict
        The scenario's truth (its ``episodes`` and ``to``).

    Returns
    -------
    tuple of datetime.date
        From three days before the latest planted episode's onset to ten days into it;
        with no episode planted (a range of a year or less), the last fortnight.

    Examples
    --------
    >>> monitor_window({"episodes": [{"onset": "2019-05-10"}], "to": "2019-12-31"})
    (datetime.date(2019, 5, 7), datetime.date(2019, 5, 20))
    >>> monitor_window({"episodes": [], "to": "2019-12-31"})
    (datetime.date(2019, 12, 18), datetime.date(2019, 12, 31))
    """
    if truth["episodes"]:
        onset = max(date.fromisoformat(e["onset"]) for e in truth["episodes"])
        return onset - timedelta(days=3), onset + timedelta(days=10)
    last = date.fromisoformat(truth["to"])
    return last - timedelta(days=13), last


def run_tension(
    workspace: Workspace, geography: Geography, truth: dict[str, Any]
) -> dict[str, Any]:
    """List the national trigger events and run the daily monitor over the latest episode.

    Parameters
    ----------
    workspace : Workspace
        The demo workspace (its records; the alerts are kept in its store and written
        to ``outputs/tension_alerts.csv``).
    geography : Geography
        Its boundary set.
    truth : dict
        The scenario's truth: the monitor runs over :func:`monitor_window`, one morning
        at a time, as the tension page shows it.

    Returns
    -------
    dict
        ``from`` and ``to`` (the days run), ``alerts`` and ``medium_or_high`` (counts).

    Examples
    --------
    >>> run_tension(Workspace.open("tensionmap-demo"), geography, truth)  # doctest: +SKIP
    {'from': datetime.date(2019, 5, 7), 'to': datetime.date(2019, 5, 20), 'alerts': 4, ...}
    """
    from geo.export import write_csv
    from geo.tension import AlertRules, TriggerEvent, alert_rows
    from geo.tension.evaluate import serious
    from geo.tension.monitor import run_monitor, stored_alerts
    from geo.tension.trigger_list import add_trigger, read_triggers

    for when, name in DEMO_TRIGGERS:
        add_trigger(workspace, TriggerEvent(date.fromisoformat(when), name))
    first, last = monitor_window(truth)
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
