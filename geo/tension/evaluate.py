"""How the alerts would have performed: planted episodes found (and how soon), and false
alarms on a scenario without episodes. Used by the tests and ``benchmarks/eval_tension.py``.

An episode counts as detected on the first day, from its onset, that a signal of level
``medium`` or above has the episode's strand and covers its centre (the centre's LSOA is
one of the signal's areas, or the centre lies inside the signal's circle).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from geo.geography.areas import Geography
from geo.tension.lifecycle import Alert, replay
from geo.tension.rules import LEVELS, AlertRules
from geo.tension.signals import Signal, daily_signals


def covers(signal: Signal, episode: dict[str, Any], centre_lsoa: str) -> bool:
    centre = episode["centre"]
    distance = np.hypot(signal.centre[0] - centre["easting"], signal.centre[1] - centre["northing"])
    return centre_lsoa in signal.lsoas or distance <= signal.radius_m


def detection_delay(
    records: pd.DataFrame,
    geo: Geography,
    episode: dict[str, Any],
    *,
    rules: AlertRules,
    max_delay: int = 7,
    seed: int = 0,
) -> int | None:
    """Days from onset to the first matching ``medium``+ signal (``None``: not within
    ``max_delay`` days)."""
    centre = episode["centre"]
    found = geo.locate(np.array([centre["easting"]]), np.array([centre["northing"]]))
    index = int(found.lsoa_index[0])
    centre_lsoa = str(geo.lsoas["lsoa_code"].iloc[index]) if index >= 0 else ""
    onset = date.fromisoformat(episode["onset"])
    for delay in range(max_delay + 1):
        signals = daily_signals(
            records,
            geo,
            onset + timedelta(days=delay),
            rules=rules,
            seed=seed,
            strands=(episode["strand"],),
        )
        if any(
            LEVELS.index(s.level) >= LEVELS.index("medium") and covers(s, episode, centre_lsoa)
            for s in signals
        ):
            return delay
    return None


def serious(alerts: list[Alert]) -> list[Alert]:
    """Alerts that reached ``medium`` or ``high`` at any point."""
    return [a for a in alerts if LEVELS.index(a.level) >= LEVELS.index("medium")]


def regraded(alert: Alert, rules: AlertRules) -> str | None:
    """The highest level ``alert`` would have reached under ``rules``: each day's signal in
    its history graded again. Exact for rules that keep ``low_days`` and ``all_share``
    (those decide which signals exist, and so which alerts)."""
    levels = [
        rules.level(1 / c.signal.p_value, c.signal.observed, c.signal.evidence)
        for c in alert.history
        if c.change != "closed"
    ]
    known = [level for level in levels if level is not None]
    return max(known, key=LEVELS.index) if known else None


def false_alarms(
    records: pd.DataFrame, geo: Geography, first: date, last: date, *, rules: AlertRules
) -> list[Alert]:
    """Every alert a replay over [first, last] raises (on a scenario with no episodes each
    one is a false alarm)."""
    return replay(records, geo, first, last, rules=rules)[0]
