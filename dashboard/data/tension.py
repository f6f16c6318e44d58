"""The Tension monitor's data (tactical leads only): the days analysed, the alerts open on
a day, and an alert's evidence with its timeline against the baseline the alert used."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.data.access import require
from dashboard.data.source import cached, engine, geography, incidents, workspace
from geo import store
from geo.geography import to_wgs84
from geo.report import alert_timeline
from geo.tension import LEVELS, Alert, AlertRules, TriggerEvent, alert_rows, linked_events
from geo.tension.monitor import open_on, rules_on, state_on, stored_alerts
from geo.tension.trigger_list import read_triggers


@cached(maxsize=4)
def _stored_alerts(version: int) -> tuple[list[Alert], list[TriggerEvent]]:
    return (stored_alerts(workspace()), read_triggers(workspace()))


@cached(maxsize=64)
def _rules(version: int, day: date) -> AlertRules:
    return rules_on(workspace(), day)


def _tension_version() -> int:
    """Changes whenever the monitor runs: the number of runs stored."""
    with engine().connect() as conn:
        runs = conn.execute(sa.select(sa.func.count()).select_from(store.tension_runs)).scalar()
    return int(runs or 0)


def monitor_days() -> list[str]:
    """The days the daily monitor has analysed."""
    require("tension")
    table = store.read_table(engine(), store.tension_runs)
    return sorted(table["as_of"].astype(str)) if len(table) else []


def open_alerts(day: str) -> pd.DataFrame:
    """Alerts open on ``day``, most serious and most recent first."""
    require("tension")
    version, when = _tension_version(), date.fromisoformat(day)
    alerts, events = _stored_alerts(version)
    rows = alert_rows(open_on(alerts, when), geography(), events, _rules(version, when))
    if rows.empty:
        return rows
    rows["rank"] = rows["level"].map(LEVELS.index)
    rows = rows.sort_values(["rank", "updated_on"], ascending=False).drop(columns="rank")
    return rows.reset_index(drop=True)


def alert_evidence(alert_id: str, day: str) -> dict[str, Any]:
    """What the tactical lead sees on clicking an alert: the daily records in its areas
    for eight weeks against the usual range the alert was graded against (its signal as
    it stood on ``day``), and the evidence with record references."""
    require("tension")
    version, when = _tension_version(), date.fromisoformat(day)
    alerts, events = _stored_alerts(version)
    found = next((a for a in alerts if a.alert_id == alert_id), None)
    if found is None:
        raise KeyError(alert_id)
    alert = state_on(found, when)
    s = alert.signal
    line = alert_timeline(s, incidents(), when)
    linked = linked_events(alert, events, _rules(version, when), geography())
    return {
        "alert_id": alert.alert_id,
        "level": alert.level,
        "strand": s.strand,
        "days": [d.isoformat() for d in line.days],
        "records": list(line.records),
        "expected": round(line.expected, 3),
        "upper": line.upper,
        "evidence": {
            "victims": s.evidence.victims,
            "repeat_victims": s.evidence.repeat_victims,
            "violent": s.evidence.violent,
            "strands": s.evidence.strands,
            "settings": s.evidence.settings,
            "offences": s.evidence.offences,
            "baseline_exceedance": s.evidence.baseline_exceedance,
        },
        "trigger_events": [f"{e.day} {e.name} ({e.scope})" for e in linked],
        "history": [f"{c.day} {c.change} ({c.level})" for c in alert.history],
        "references": list(s.references),
        "bounds": _bounds(s.centre, s.radius_m),
    }


def _bounds(centre: tuple[float, float], radius: float) -> list[list[float]]:
    r = max(radius, 500.0)
    x, y = np.array([centre[0] - r, centre[0] + r]), np.array([centre[1] - r, centre[1] + r])
    lon, lat = to_wgs84(x, y)
    return [[float(lat[0]), float(lon[0])], [float(lat[1]), float(lon[1])]]
