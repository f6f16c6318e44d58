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
    """One state change of an alert, with the signal as it stood then."""

    day: date
    change: str  # raised, updated, escalated, closed
    level: str
    signal: Signal


@dataclass(frozen=True)
class Alert:
    """An alert in its latest state, with every earlier state in ``history``."""

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
    >>> open_now, closed, n = update_alerts([], signals, day, AlertRules(), 1)  # doctest: +SKIP
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
    """Run the daily analysis for every day in [first, last], each day seeing only records
    up to that day, carrying on from ``open_alerts``. Returns every alert that was open at
    some point (their ``history`` holds each state change) and the next free id."""
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
