"""Alerts as tables (the CLI's and the dashboard's columns, with a plain-words
explanation) and as JSON (their whole state, for the store)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

import pandas as pd

from geo.geography.areas import Geography
from geo.tension.lifecycle import Alert, Change
from geo.tension.rules import AlertRules
from geo.tension.signals import Evidence, Signal
from geo.tension.triggers import TriggerEvent, linked_events


def _row(
    alert: Alert, signal: Signal, level: str, names: pd.DataFrame, events: list[TriggerEvent]
) -> dict[str, Any]:
    s, e = signal, signal.evidence
    csp = names["csp_name"].reindex(sorted(s.lsoas)).mode()
    district = names["district_name"].reindex(sorted(s.lsoas)).mode()
    where = district.iloc[0] if len(district) else "the area"
    trigger = "".join(
        f"; it follows {t.name} ({t.scope}, {t.day}) by {(alert.raised_on - t.day).days} days"
        for t in events
    )
    violence = f", {e.violent} of them violent" if e.violent else ""
    what = (
        "records of all strands" if s.strand == "all" else f"{s.strand.replace('_', ' ')} records"
    )
    expected = f"{s.expected:.1f}" if s.expected >= 1 else f"{s.expected:.2f}"
    peak = next((c.day for c in alert.history if c.level == level), None)
    since = f"; {level} since {peak}" if level != s.level and peak else ""
    return {
        "alert_id": alert.alert_id,
        "raised_on": alert.raised_on,
        "updated_on": alert.updated_on,
        "level": level,
        "strand": s.strand,
        "csp": csp.iloc[0] if len(csp) else "",
        "district": district.iloc[0] if len(district) else "",
        "area_codes": ";".join(sorted(s.lsoas)),
        "centre_easting": round(s.centre[0]),
        "centre_northing": round(s.centre[1]),
        "radius_m": round(s.radius_m),
        "start": s.start,
        "end": s.end,
        "observed": s.observed,
        "expected": round(s.expected, 2),
        "p_value": s.p_value,
        "recurrence_interval_days": round(1 / s.p_value),
        "methods": s.methods,
        "victims": e.victims,
        "repeat_victims": e.repeat_victims,
        "violent": e.violent,
        "strands_seen": ";".join(f"{k}:{v}" for k, v in e.strands.items()),
        "settings_seen": ";".join(f"{k}:{v}" for k, v in e.settings.items()),
        "baseline_exceedance": e.baseline_exceedance,
        "trigger_events": ";".join(f"{t.day} {t.name}" for t in events),
        "explanation": (
            f"{s.observed} {what} against {expected} expected, from {e.victims} victims"
            f"{violence}, within {s.radius_m:.0f} m in {where} since {s.start}, a cluster "
            f"that arises by chance about once in {1 / s.p_value:.0f} days{since}{trigger}."
        ),
        "closed_on": alert.closed_on,
    }


def alert_rows(
    alerts: list[Alert],
    geo: Geography,
    events: list[TriggerEvent] | None = None,
    rules: AlertRules | None = None,
) -> pd.DataFrame:
    """The CLI contract's columns, one row per alert in its latest state (the references
    of its records are for the tactical role only and are not among them)."""
    names = geo.lsoas.set_index("lsoa_code")
    rules = rules or AlertRules()
    return pd.DataFrame(
        [
            _row(a, a.signal, a.level, names, linked_events(a, events or [], rules, geo))
            for a in alerts
        ]
    )


def change_rows(
    alerts: list[Alert],
    geo: Geography,
    events: list[TriggerEvent] | None = None,
    rules: AlertRules | None = None,
) -> pd.DataFrame:
    """One row per state change (raised, updated, escalated, closed), in date order."""
    names = geo.lsoas.set_index("lsoa_code")
    rules = rules or AlertRules()
    rows = []
    for a in alerts:
        linked = linked_events(a, events or [], rules, geo)
        for c in a.history:
            row = _row(a, c.signal, c.level, names, linked)
            row["updated_on"], row["change"] = c.day, c.change
            rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["updated_on", "alert_id"], kind="stable").reset_index(drop=True)


def to_json(alert: Alert) -> str:
    """An alert's whole state (for the store)."""
    return json.dumps(asdict(alert), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def from_json(text: str) -> Alert:
    """An alert stored by :func:`to_json`."""
    raw = json.loads(text)

    def signal(d: dict[str, Any]) -> Signal:
        return Signal(
            d["strand"],
            frozenset(d["lsoas"]),
            (float(d["centre"][0]), float(d["centre"][1])),
            d["radius_m"],
            date.fromisoformat(d["start"]),
            date.fromisoformat(d["end"]),
            d["observed"],
            d["expected"],
            d["p_value"],
            d["level"],
            tuple(d["references"]),
            Evidence(**d["evidence"]),
        )

    def day(v: str | None) -> date | None:
        return date.fromisoformat(v) if v else None

    return Alert(
        raw["alert_id"],
        date.fromisoformat(raw["raised_on"]),
        date.fromisoformat(raw["updated_on"]),
        signal(raw["signal"]),
        raw["level"],
        date.fromisoformat(raw["last_seen"]),
        day(raw["closed_on"]),
        tuple(
            Change(date.fromisoformat(c["day"]), c["change"], c["level"], signal(c["signal"]))
            for c in raw["history"]
        ),
    )
