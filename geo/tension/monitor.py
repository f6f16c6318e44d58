"""The daily tension monitor: alerts kept in the workspace store between runs, and the
user's list of trigger events.

``tensionmap tension --as-of DAY`` carries on from the last day analysed: every day since
then is analysed in turn (at most ``catch_up_days``; after a longer gap, or on the first
run, the monitor warms up over the ``warm_up_days`` before ``DAY`` so that an episode
already under way is raised on the day it began to show). Asking for a day already
analysed shows the alerts that were open on it, from the store, without recomputing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from geo import store
from geo._errors import TensionmapError
from geo.config import Workspace
from geo.geography.areas import Geography
from geo.hotspots.aggregate import Filters
from geo.tension.lifecycle import Alert, replay
from geo.tension.rules import AlertRules
from geo.tension.tables import from_json, to_json
from geo.tension.triggers import TriggerEvent
from geo.vocab import MONITORED_STRANDS

SCOPES = ("national", "local")


@dataclass(frozen=True)
class MonitorRun:
    as_of: date
    analysed: tuple[date, date] | None  # the days analysed now (None: read from the store)
    alerts: list[Alert]  # open on ``as_of``


def add_trigger(ws: Workspace, event: TriggerEvent) -> bool:
    """Record a trigger event; ``False`` if the same day and name are already listed."""
    if event.scope not in SCOPES:
        raise TensionmapError(f"scope must be one of {', '.join(SCOPES)}; got {event.scope!r}.")
    if event.scope == "local" and not event.area:
        raise TensionmapError("a local trigger event needs --area (a CSP or district).")
    engine = store.connect(ws.database_url)
    try:
        with store.transaction(engine) as conn:
            t = store.trigger_events
            exists = conn.execute(
                sa.select(t.c.id).where(
                    (t.c.happened_on == event.day.isoformat()) & (t.c.name == event.name)
                )
            ).first()
            if exists is not None:
                return False
            conn.execute(
                t.insert().values(
                    happened_on=event.day.isoformat(),
                    name=event.name,
                    scope=event.scope,
                    area=event.area,
                    recorded_at=store.now(),
                )
            )
            return True
    finally:
        engine.dispose()


def import_triggers(ws: Workspace, path: Path) -> int:
    """Add the events of a CSV with columns ``date``, ``name`` and optional ``scope`` and
    ``area``; all or none (a bad row names its line and value)."""
    events = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"date", "name"} - set(reader.fieldnames or [])
        if missing:
            raise TensionmapError(f"{path}: missing column(s) {', '.join(sorted(missing))}.")
        for line, row in enumerate(reader, start=2):
            try:
                day = date.fromisoformat((row["date"] or "").strip())
            except ValueError:
                raise TensionmapError(
                    f"{path}, line {line}, column date: {row['date']!r} is not a date (YYYY-MM-DD)."
                ) from None
            scope = (row.get("scope") or "national").strip().lower()
            if scope not in SCOPES:
                raise TensionmapError(
                    f"{path}, line {line}, column scope: {scope!r} is not one of "
                    f"{', '.join(SCOPES)}."
                )
            name = (row["name"] or "").strip()
            if not name:
                raise TensionmapError(f"{path}, line {line}, column name: the name is empty.")
            events.append(TriggerEvent(day, name, scope, (row.get("area") or "").strip() or None))
    return sum(add_trigger(ws, e) for e in events)


def read_triggers(ws: Workspace) -> list[TriggerEvent]:
    engine = store.connect(ws.database_url)
    try:
        table = store.read_table(engine, store.trigger_events)
    finally:
        engine.dispose()
    return [
        TriggerEvent(
            date.fromisoformat(str(r["happened_on"])),
            str(r["name"]),
            str(r["scope"]),
            str(r["area"]) if r["area"] else None,
        )
        for r in table.sort_values("happened_on").to_dict("records")
    ]


def _load(engine: sa.Engine) -> tuple[list[Alert], date | None, int]:
    with engine.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(store.tension_runs.c.as_of))).scalar()
        rows = conn.execute(sa.select(store.tension_alerts.c.state)).scalars().all()
    alerts = [from_json(r) for r in rows]
    next_id = 1 + max((int(a.alert_id[1:]) for a in alerts), default=0)
    return alerts, date.fromisoformat(last) if last else None, next_id


def stored_alerts(ws: Workspace) -> list[Alert]:
    """Every alert the daily monitor has raised."""
    engine = store.connect(ws.database_url)
    try:
        return _load(engine)[0]
    finally:
        engine.dispose()


def rules_on(ws: Workspace, day: date) -> AlertRules:
    """The rules the monitor used for ``day`` (its latest run up to then); the defaults
    for a store whose runs predate stored rules.

    Parameters
    ----------
    ws
        The workspace whose monitor ran.
    day
        The day analysed.

    Returns
    -------
    AlertRules
        The rules stored with that run.

    Examples
    --------
    >>> rules_on(Workspace.open("ws"), date(2019, 7, 1)).medium_days  # doctest: +SKIP
    365.0
    """
    runs = store.tension_runs
    engine = store.connect(ws.database_url)
    try:
        with engine.connect() as conn:
            text = conn.execute(
                sa.select(runs.c.rules)
                .where(runs.c.as_of <= day.isoformat())
                .order_by(runs.c.as_of.desc())
                .limit(1)
            ).scalar()
    finally:
        engine.dispose()
    return AlertRules.from_json(text)


def open_on(alerts: list[Alert], day: date) -> list[Alert]:
    """The alerts open on ``day``, each as it stood that day (its latest change up to then)."""
    return [
        state_on(a, day)
        for a in alerts
        if a.raised_on <= day and (a.closed_on is None or a.closed_on > day)
    ]


def state_on(alert: Alert, day: date) -> Alert:
    changes = [c for c in alert.history if c.day <= day]
    if not changes:
        return alert
    last = changes[-1]
    return replace(
        alert,
        updated_on=last.day,
        signal=last.signal,
        level=last.level,
        last_seen=last.day,
        closed_on=None,
        history=tuple(changes),
    )


def run_monitor(
    ws: Workspace,
    records: pd.DataFrame,
    geo: Geography,
    as_of: date,
    *,
    rules: AlertRules,
    seed: int = 0,
    warm_up_days: int = 7,
    catch_up_days: int = 60,
    progress: Callable[[date], None] | None = None,
) -> MonitorRun:
    """Analyse the days up to ``as_of`` not analysed yet and keep the alerts in the store
    (one transaction: an interrupted run leaves the store as it was)."""
    engine = store.connect(ws.database_url)
    try:
        alerts, last, next_id = _load(engine)
        if last is not None and as_of <= last:
            return MonitorRun(as_of, None, open_on(alerts, as_of))
        if last is None or (as_of - last).days > catch_up_days:
            first = as_of - timedelta(days=warm_up_days - 1)
            carried = []
        else:
            first = last + timedelta(days=1)
            carried = [a for a in alerts if a.closed_on is None]
        touched, next_id = replay(
            records,
            geo,
            first,
            as_of,
            rules=rules,
            seed=seed,
            open_alerts=carried,
            next_id=next_id,
            progress=progress,
        )
        with store.transaction(engine) as conn:
            t = store.tension_alerts
            for alert in touched:
                conn.execute(t.delete().where(t.c.alert_id == alert.alert_id))
                conn.execute(
                    t.insert().values(
                        alert_id=alert.alert_id,
                        level=alert.level,
                        strand=alert.signal.strand,
                        raised_on=alert.raised_on.isoformat(),
                        updated_on=alert.updated_on.isoformat(),
                        last_seen=alert.last_seen.isoformat(),
                        closed_on=alert.closed_on.isoformat() if alert.closed_on else None,
                        state=to_json(alert),
                    )
                )
            conn.execute(
                store.tension_runs.insert().values(
                    as_of=as_of.isoformat(),
                    run_at=store.now(),
                    open_alerts=sum(a.closed_on is None for a in touched),
                    rules=rules.to_json(),
                )
            )
        return MonitorRun(as_of, (first, as_of), open_on(touched, as_of))
    finally:
        engine.dispose()


def alerts_on(
    ws: Workspace,
    records: pd.DataFrame,
    geo: Geography,
    as_of: date,
    *,
    filters: Filters,
    rules: AlertRules,
    seed: int = 0,
    strands: tuple[str, ...] = (*MONITORED_STRANDS, "all"),
    progress: Callable[[date], None] | None = None,
) -> MonitorRun:
    """The alerts open on a day: the daily monitor's, or a one-off look at chosen records.

    Without filters this is :func:`run_monitor` over the whole store: the days not
    analysed yet are analysed and their alerts kept (a day analysed before is read back
    from the store). With any filter it is a one-off run that keeps nothing: the week to
    ``as_of`` is analysed afresh over the chosen records, so a filtered look never
    changes the monitor's alerts.

    Parameters
    ----------
    ws : Workspace
        The workspace whose store keeps the monitor's alerts.
    records : pandas.DataFrame
        The records passing ``filters`` (all of them when there are none).
    geo : Geography
        The study area the filters imply (see :meth:`geo.hotspots.study.Study.restricted`).
    as_of : datetime.date
        The day asked about.
    filters : Filters
        The analyst's filters; ``Filters()`` for the whole store.
    rules : AlertRules
        Scan and grading rules.
    seed : int, default 0
        Seed of the permutation tests.
    strands : tuple of str, optional
        Strands scanned by a filtered run (the monitor scans every strand and ``all``).
    progress : callable, optional
        Called with each day once it is analysed.

    Returns
    -------
    MonitorRun
        The alerts open on ``as_of``; ``analysed`` is ``None`` when they were read from
        the store.

    Examples
    --------
    >>> from geo.hotspots.study import read_study
    >>> ws = Workspace.open("tensionmap-demo", create=False)  # doctest: +SKIP
    >>> study = read_study(ws)  # doctest: +SKIP
    >>> run = alerts_on(ws, study.incidents, study.geo, date(2016, 6, 30),
    ...                 filters=Filters(), rules=AlertRules())  # doctest: +SKIP
    >>> [a.level for a in run.alerts]  # doctest: +SKIP
    """
    if filters == Filters():  # the daily monitor: carries on from the store
        return run_monitor(ws, records, geo, as_of, rules=rules, seed=seed, progress=progress)
    first = as_of - timedelta(days=6)  # a filtered look: a week's warm-up, nothing kept
    everything, _ = replay(
        records, geo, first, as_of, rules=rules, seed=seed, strands=strands, progress=progress
    )
    return MonitorRun(as_of, (first, as_of), open_on(everything, as_of))
