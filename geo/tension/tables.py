"""Alerts as tables (the CLI's and the dashboard's columns) and as JSON (for the store).

The tables carry a plain-words explanation of each alert; the JSON keeps its whole state.
"""

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
    """The CLI contract's columns, one row per alert in its latest state.

    The references of an alert's records are for the tactical role only and are not
    among the columns.

    Parameters
    ----------
    alerts
        The alerts.
    geo
        The boundary set (CSP and district names of the alerts' areas).
    events
        Trigger events, named in the row of each alert raised after one.
    rules
        The rules of the run (``trigger_window_days``); the defaults when not given.

    Returns
    -------
    pandas.DataFrame
        ``alert_id``, ``raised_on``, ``updated_on``, ``level``, ``strand``, ``csp``,
        ``district``, ``area_codes``, the circle and window, ``observed``, ``expected``,
        ``p_value``, ``recurrence_interval_days``, ``methods``, the evidence,
        ``trigger_events``, ``explanation`` and ``closed_on``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geo.tension.triggers import TriggerEvent
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": ["L12"], "csp_code": ["E07000103"], "csp_name": ["Watford"],
    ...      "district_code": ["E07000103"], "district_name": ["Watford"]},
    ...     geometry=[shapely.box(1000, 1000, 1500, 1500)]))
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"),
    ...                 Evidence(victims=13))
    >>> alert = Alert("T00001", date(2019, 6, 30), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30))
    >>> rows = alert_rows([alert], geo, [TriggerEvent(date(2019, 6, 21), "Attack abroad")])
    >>> rows[["alert_id", "level", "csp", "observed", "recurrence_interval_days"]]
      alert_id level      csp  observed  recurrence_interval_days
    0   T00001  high  Watford        13                       500
    >>> print(rows.loc[0, "explanation"])
    13 race records against 1.2 expected, from 13 victims, within 0 m in Watford since
    2019-06-28, a cluster that arises by chance about once in 500 days; it follows Attack
    abroad (national, 2019-06-21) by 9 days.
    """
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
    """One row per state change (raised, updated, escalated, closed), in date order.

    Parameters
    ----------
    alerts
        The alerts (each with its ``history``).
    geo
        The boundary set (CSP and district names of the alerts' areas).
    events
        Trigger events, named in the rows of each alert raised after one.
    rules
        The rules of the run (``trigger_window_days``); the defaults when not given.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`alert_rows` and ``change``, each row the alert as it stood
        after that change (``updated_on`` is the day of the change); empty without changes.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": ["L12"], "csp_code": ["E07000103"], "csp_name": ["Watford"],
    ...      "district_code": ["E07000103"], "district_name": ["Watford"]},
    ...     geometry=[shapely.box(1000, 1000, 1500, 1500)]))
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> history = (Change(date(2019, 6, 29), "raised", "medium", signal),
    ...            Change(date(2019, 6, 30), "escalated", "high", signal))
    >>> alert = Alert("T00001", date(2019, 6, 29), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30), history=history)
    >>> change_rows([alert], geo)[["alert_id", "updated_on", "change", "level"]]
      alert_id  updated_on     change   level
    0   T00001  2019-06-29     raised  medium
    1   T00001  2019-06-30  escalated    high
    """
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
    """An alert's whole state as JSON (for the store).

    Parameters
    ----------
    alert
        The alert, with its signal, evidence and history.

    Returns
    -------
    str
        JSON text; days as ISO dates, areas as sorted lists.

    Raises
    ------
    TypeError
        When the alert holds a value JSON cannot store.

    Examples
    --------
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> alert = Alert("T00001", date(2019, 6, 30), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30))
    >>> to_json(alert)[:60]
    '{"alert_id": "T00001", "raised_on": "2019-06-30", "updated_o'
    """
    return json.dumps(asdict(alert), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def from_json(text: str) -> Alert:
    """An alert stored by :func:`to_json`.

    Parameters
    ----------
    text
        The JSON text.

    Returns
    -------
    Alert
        The alert, equal to the one stored.

    Examples
    --------
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> alert = Alert("T00001", date(2019, 6, 30), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30), history=(Change(date(2019, 6, 30), "raised", "high",
    ...                                                  signal),))
    >>> from_json(to_json(alert)) == alert
    True
    """
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
