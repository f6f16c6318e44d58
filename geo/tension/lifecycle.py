"""The life of an alert: raised, updated while its episode goes on, escalated, closed.

An alert keeps its id while the episode goes on: a later day's signal of the same strand
that shares an area with an open alert updates it (counts grow, the level can rise); an
alert with no signal for ``close_after_days`` days closes. Every state change is kept
(``Alert.history``). Alerts are frozen: each update returns new alerts, the caller's
are never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from geo.geography.areas import Geography
from geo.tension.rules import LEVELS, AlertRules
from geo.tension.signals import Signal, daily_signals
from geo.vocab import MONITORED_STRANDS


@dataclass(frozen=True)
class Change:
    """One state change of an alert, with the signal as it stood then.

    Attributes
    ----------
    day
        The day of the change.
    change
        ``raised``, ``updated``, ``escalated`` or ``closed``.
    level
        The alert's level after the change.
    signal
        The alert's signal that day (areas and start merged over the episode).

    Examples
    --------
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> Change(date(2019, 6, 30), "raised", "high", signal).change
    'raised'
    """

    day: date
    change: str
    level: str
    signal: Signal


@dataclass(frozen=True)
class Alert:
    """An alert in its latest state, with every earlier state in ``history``.

    Attributes
    ----------
    alert_id
        ``T00001``, ``T00002`` … in the order raised.
    raised_on, updated_on
        The day it was raised, and the day of its latest change.
    signal
        Its signal in the latest state.
    level
        The highest level it has reached.
    last_seen
        The latest day with a signal matching it.
    closed_on
        The day it closed, or ``None`` while open.
    history
        Every state change, oldest first.

    Examples
    --------
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> raised = Change(date(2019, 6, 30), "raised", "high", signal)
    >>> alert = Alert("T00001", date(2019, 6, 30), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30), history=(raised,))
    >>> alert.closed_on is None, len(alert.history)
    (True, 1)
    """

    alert_id: str
    raised_on: date
    updated_on: date
    signal: Signal
    level: str
    last_seen: date
    closed_on: date | None = None
    history: tuple[Change, ...] = ()


def update_alerts(
    open_alerts: list[Alert], signals: list[Signal], today: date, rules: AlertRules, next_id: int
) -> tuple[list[Alert], list[Alert], int]:
    """Match today's signals to open alerts (same strand, a shared area).

    Parameters
    ----------
    open_alerts
        The alerts open before today (left unchanged).
    signals
        Today's signals (:func:`geo.tension.signals.daily_signals`).
    today
        The day analysed.
    rules
        The rules of the run (``close_after_days``).
    next_id
        The number of the next new alert.

    Returns
    -------
    tuple
        (the alerts still open, in their new state; those closed today; the next id).

    Examples
    --------
    A signal raises an alert; three days without one close it:

    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> open_now, closed, n = update_alerts([], [signal], date(2019, 6, 30), AlertRules(), 1)
    >>> [(a.alert_id, a.level) for a in open_now], closed, n
    ([('T00001', 'high')], [], 2)
    >>> open_now, closed, n = update_alerts(open_now, [], date(2019, 7, 3), AlertRules(), n)
    >>> open_now, [(c.day, c.change) for c in closed[0].history]
    ([], [(datetime.date(2019, 6, 30), 'raised'), (datetime.date(2019, 7, 3), 'closed')])
    """
    current = list(open_alerts)
    for signal in sorted(signals, key=lambda s: -LEVELS.index(s.level)):
        at = next(
            (
                i
                for i, a in enumerate(current)
                if a.signal.strand == signal.strand and a.signal.lsoas & signal.lsoas
            ),
            None,
        )
        if at is None:
            raised = Change(today, "raised", signal.level, signal)
            alert_id = f"T{next_id:05d}"
            current.append(
                Alert(alert_id, today, today, signal, signal.level, today, None, (raised,))
            )
            next_id += 1
            continue
        match = current[at]
        if match.last_seen == today:
            continue
        level = max(match.level, signal.level, key=LEVELS.index)
        merged = replace(
            signal,
            lsoas=signal.lsoas | match.signal.lsoas,
            start=min(signal.start, match.signal.start),
        )
        change = Change(today, "escalated" if level != match.level else "updated", level, merged)
        current[at] = replace(
            match,
            signal=merged,
            level=level,
            updated_on=today,
            last_seen=today,
            history=(*match.history, change),
        )
    still_open, closed = [], []
    for alert in current:
        if (today - alert.last_seen).days >= rules.close_after_days:
            change = Change(today, "closed", alert.level, alert.signal)
            closed.append(replace(alert, closed_on=today, history=(*alert.history, change)))
        else:
            still_open.append(alert)
    return still_open, closed, next_id


def replay(
    records: pd.DataFrame,
    geo: Geography,
    first: date,
    last: date,
    *,
    rules: AlertRules | None = None,
    seed: int = 0,
    strands: tuple[str, ...] = (*MONITORED_STRANDS, "all"),
    open_alerts: list[Alert] | None = None,
    next_id: int = 1,
    progress: Callable[[date], None] | None = None,
) -> tuple[list[Alert], int]:
    """Run the daily analysis for every day in [first, last], carrying on from ``open_alerts``.

    Each day sees only the records up to that day.

    Parameters
    ----------
    records
        The records (see :func:`geo.tension.signals.daily_signals` for the columns).
    geo
        The boundary set.
    first, last
        The first and last day analysed.
    rules
        The scan's settings and the grading (the defaults when not given).
    seed
        Seed for the Monte Carlo replications (the same every day).
    strands
        The strands scanned, ``all`` for every record together.
    open_alerts
        The alerts open before ``first`` (left unchanged).
    next_id
        The number of the next new alert.
    progress
        Called with each day once it is analysed.

    Returns
    -------
    tuple
        Every alert that was open at some point, in its latest state (its ``history``
        holds each state change), and the next free id.

    Examples
    --------
    A 5 × 5 lattice of 500 m "LSOAs", 400 records over eighteen months, and twelve more in
    the middle square in the last three days:

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
    >>> alerts, next_id = replay(records, geo, date(2019, 6, 29), date(2019, 6, 30),
    ...                          rules=rules, strands=("race",))
    >>> [(c.day.isoformat(), c.change, c.level) for c in alerts[0].history], next_id
    ([('2019-06-29', 'raised', 'medium'), ('2019-06-30', 'escalated', 'high')], 2)
    """
    rules = rules or AlertRules()
    still_open = list(open_alerts or [])
    latest = {a.alert_id: a for a in still_open}  # every alert seen, in its latest state
    day = first
    while day <= last:
        signals = daily_signals(records, geo, day, rules=rules, seed=seed, strands=strands)
        still_open, closed, next_id = update_alerts(still_open, signals, day, rules, next_id)
        latest.update((a.alert_id, a) for a in (*still_open, *closed))
        if progress is not None:
            progress(day)
        day += timedelta(days=1)
    return list(latest.values()), next_id
