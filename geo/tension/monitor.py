"""The daily tension monitor: alerts kept in the workspace store between runs.

The user's list of trigger events is kept in the store too
(:mod:`geo.tension.trigger_list`).

``tensionmap tension --as-of DAY`` carries on from the last day analysed: every day since
then is analysed in turn (at most ``catch_up_days``; after a longer gap, or on the first
run, the monitor warms up over the ``warm_up_days`` before ``DAY`` so that an episode
already under way is raised on the day it began to show). Asking for a day already
analysed shows the alerts that were open on it, from the store, without recomputing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from geo import store
from geo.config import Workspace
from geo.geography.areas import Geography
from geo.hotspots.aggregate import Filters
from geo.tension.lifecycle import Alert, replay
from geo.tension.rules import AlertRules
from geo.tension.tables import from_json, to_json
from geo.vocab import MONITORED_STRANDS


@dataclass(frozen=True)
class MonitorRun:
    """The alerts open on a day, and the days a run analysed for them.

    Attributes
    ----------
    as_of
        The day asked about.
    analysed
        The first and last day analysed now; ``None`` when read back from the store.
    alerts
        The alerts open on ``as_of``, each as it stood that day.

    Examples
    --------
    >>> MonitorRun(date(2019, 6, 30), None, []).analysed is None
    True
    """

    as_of: date
    analysed: tuple[date, date] | None
    alerts: list[Alert]


def _load(engine: sa.Engine) -> tuple[list[Alert], date | None, int]:
    with engine.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(store.tension_runs.c.as_of))).scalar()
        rows = conn.execute(sa.select(store.tension_alerts.c.state)).scalars().all()
    alerts = [from_json(r) for r in rows]
    next_id = 1 + max((int(a.alert_id[1:]) for a in alerts), default=0)
    return alerts, date.fromisoformat(last) if last else None, next_id


def stored_alerts(ws: Workspace) -> list[Alert]:
    """Every alert the daily monitor has raised, in its latest state.

    Parameters
    ----------
    ws
        The workspace whose store keeps the monitor's alerts.

    Returns
    -------
    list of Alert
        Open and closed alerts, each with its history.

    Examples
    --------
    >>> stored_alerts(Workspace.open("tensionmap-demo"))[0].alert_id  # doctest: +SKIP
    'T00001'
    """
    engine = store.connect(ws.database_url)
    try:
        return _load(engine)[0]
    finally:
        engine.dispose()


def rules_on(ws: Workspace, day: date) -> AlertRules:
    """The rules the monitor used for ``day`` (its latest run up to then).

    The defaults for a store whose runs predate stored rules.

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
    """The alerts open on ``day``, each as it stood that day (its latest change up to then).

    Parameters
    ----------
    alerts
        Alerts with their histories (:func:`stored_alerts`).
    day
        The day asked about.

    Returns
    -------
    list of Alert
        Those raised on or before ``day`` and not closed by then, as :func:`state_on` gives.

    Examples
    --------
    >>> from geo.tension.lifecycle import Change
    >>> from geo.tension.signals import Signal
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> history = (Change(date(2019, 6, 28), "raised", "medium", signal),
    ...            Change(date(2019, 6, 30), "escalated", "high", signal))
    >>> alert = Alert("T00001", date(2019, 6, 28), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30), date(2019, 7, 3), history)
    >>> [(a.alert_id, a.level) for a in open_on([alert], date(2019, 6, 29))]
    [('T00001', 'medium')]
    >>> open_on([alert], date(2019, 7, 3))  # closed that day
    []
    """
    return [
        state_on(a, day)
        for a in alerts
        if a.raised_on <= day and (a.closed_on is None or a.closed_on > day)
    ]


def state_on(alert: Alert, day: date) -> Alert:
    """The alert as it stood on ``day``: its latest change up to then, still open.

    Parameters
    ----------
    alert
        An alert with its history.
    day
        The day asked about.

    Returns
    -------
    Alert
        The alert with the level, signal and history of that day; the alert itself if
        no change of its history is that old.

    Examples
    --------
    >>> from geo.tension.lifecycle import Change
    >>> from geo.tension.signals import Signal
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> history = (Change(date(2019, 6, 28), "raised", "medium", signal),
    ...            Change(date(2019, 6, 30), "escalated", "high", signal))
    >>> alert = Alert("T00001", date(2019, 6, 28), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30), None, history)
    >>> then = state_on(alert, date(2019, 6, 29))
    >>> then.level, then.updated_on, len(then.history)
    ('medium', datetime.date(2019, 6, 28), 1)
    """
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
    """Analyse the days up to ``as_of`` not analysed yet and keep the alerts in the store.

    One transaction: an interrupted run leaves the store as it was. A day analysed
    before is read back from the store, without recomputing.

    Parameters
    ----------
    ws
        The workspace whose store keeps the monitor's alerts and runs.
    records
        The records (see :func:`geo.tension.signals.daily_signals` for the columns).
    geo
        The boundary set.
    as_of
        The day asked about.
    rules
        The scan's settings and the grading (stored with the run).
    seed
        Seed for the Monte Carlo replications.
    warm_up_days
        Days analysed up to ``as_of`` on a first run or after a long gap.
    catch_up_days
        The longest gap since the last day analysed that is filled day by day.
    progress
        Called with each day once it is analysed.

    Returns
    -------
    MonitorRun
        The alerts open on ``as_of`` and the days analysed now.

    Examples
    --------
    Two mornings of the monitor on the lattice of :func:`geo.tension.lifecycle.replay`:

    >>> import tempfile
    >>> import geopandas as gpd, numpy as np, shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1", "csp_code": "C1",
    ...      "district_name": "Watford", "csp_name": "Watford", "force": "Hertfordshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2018-01-01") + pd.to_timedelta(
    ...     np.r_[rng.integers(0, 546, 400), [543, 544, 545] * 4], unit="D")
    >>> records = pd.DataFrame({
    ...     "reference": [f"R{i}" for i in range(412)], "recorded_at": days.astype(str),
    ...     "lsoa_code": np.array(codes)[np.r_[rng.integers(0, 25, 400), [12] * 12]],
    ...     "strands": "race", "victim_id": [f"V{i}" for i in range(412)]})
    >>> rules = AlertRules(replications=99, medium_days=50, high_days=50)  # quick
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(folder)
    ...     first = run_monitor(ws, records, geo, date(2019, 6, 29), rules=rules, warm_up_days=2)
    ...     second = run_monitor(ws, records, geo, date(2019, 6, 30), rules=rules)
    ...     kept = [(a.alert_id, a.level) for a in stored_alerts(ws)]
    >>> [d.isoformat() for d in first.analysed], [(a.alert_id, a.level) for a in first.alerts]
    (['2019-06-28', '2019-06-29'], [('T00001', 'medium')])
    >>> [d.isoformat() for d in second.analysed], kept
    (['2019-06-30', '2019-06-30'], [('T00001', 'high')])
    """
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
