"""How the alerts would have performed: planted episodes found, how soon, and false alarms.

False alarms are counted on a scenario without episodes. Used by the tests and
``benchmarks/eval_tension.py``.

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
    """Whether ``signal`` covers the episode's centre: its LSOA, or inside its circle.

    Parameters
    ----------
    signal
        A day's signal.
    episode
        A planted episode of the demo's truth (``centre`` with ``easting`` and
        ``northing``).
    centre_lsoa
        The code of the LSOA the centre lies in.

    Returns
    -------
    bool
        True when the centre's LSOA is one of the signal's areas, or the centre lies
        within ``radius_m`` of the signal's centre.

    Examples
    --------
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 600.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> near = {"centre": {"easting": 1700, "northing": 1250}}  # 450 m from its centre
    >>> far = {"centre": {"easting": 2000, "northing": 1250}}  # 750 m
    >>> bool(covers(signal, near, "L13")), bool(covers(signal, far, "L13"))
    (True, False)
    """
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
    """Days from onset to the first matching ``medium``+ signal.

    Parameters
    ----------
    records
        The scenario's records.
    geo
        The boundary set.
    episode
        A planted episode of the demo's truth (``strand``, ``onset`` as an ISO date and
        ``centre`` with ``easting`` and ``northing``).
    rules
        The scan's settings and the grading.
    max_delay
        The most days after onset looked at.
    seed
        Seed for the Monte Carlo replications.

    Returns
    -------
    int or None
        The delay in days (0 on the day of onset), or ``None`` when no ``medium`` or
        ``high`` signal of the episode's strand covers its centre within ``max_delay`` days.

    Examples
    --------
    A 5 × 5 lattice of 500 m "LSOAs", 400 records over eighteen months, and an episode of
    twelve more in the middle square from 28 June 2019:

    >>> import geopandas as gpd, shapely
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
    >>> episode = {"strand": "race", "onset": "2019-06-28",
    ...            "centre": {"easting": 1250, "northing": 1250}}
    >>> rules = AlertRules(replications=99, medium_days=50, high_days=50)  # quick
    >>> detection_delay(records, geo, episode, rules=rules)
    0
    """
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
    """Alerts that reached ``medium`` or ``high`` at any point.

    Parameters
    ----------
    alerts
        The alerts (their ``level`` is the highest reached).

    Returns
    -------
    list of Alert
        Those of level ``medium`` or ``high``, in the order given.

    Examples
    --------
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> alerts = [Alert(f"T0000{i}", date(2019, 6, 30), date(2019, 6, 30), signal, level,
    ...                 date(2019, 6, 30)) for i, level in enumerate(["low", "high"], 1)]
    >>> [a.alert_id for a in serious(alerts)]
    ['T00002']
    """
    return [a for a in alerts if LEVELS.index(a.level) >= LEVELS.index("medium")]


def regraded(alert: Alert, rules: AlertRules) -> str | None:
    """The highest level ``alert`` would have reached under ``rules``.

    Each day's signal in its history is graded again. Exact for rules that keep
    ``low_days`` and ``all_share`` (those decide which signals exist, and so which alerts).

    Parameters
    ----------
    alert
        An alert with its history.
    rules
        The rules to grade under.

    Returns
    -------
    str or None
        ``low``, ``medium`` or ``high``; ``None`` if no signal of its history reaches ``low``.

    Examples
    --------
    A cluster that arises by chance once in 200 days is ``high`` at a 100-day threshold,
    ``low`` under the defaults (365 days):

    >>> from geo.tension.lifecycle import Change
    >>> from geo.tension.signals import Evidence
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.005, "high", ("R1", "R2"),
    ...                 Evidence(victims=13))
    >>> alert = Alert("T00001", date(2019, 6, 30), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30), history=(Change(date(2019, 6, 30), "raised", "high",
    ...                                                  signal),))
    >>> regraded(alert, AlertRules(medium_days=100, high_days=100)), regraded(alert, AlertRules())
    ('high', 'low')
    """
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
    """Every alert a replay over [first, last] raises.

    On a scenario with no episodes, each one is a false alarm.

    Parameters
    ----------
    records
        The scenario's records.
    geo
        The boundary set.
    first, last
        The first and last day analysed.
    rules
        The scan's settings and the grading.

    Returns
    -------
    list of Alert
        Every alert raised, in its latest state.

    Examples
    --------
    Four hundred records at random places and days on a 5 × 5 lattice of 500 m "LSOAs":

    >>> import geopandas as gpd, shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1", "csp_code": "C1",
    ...      "district_name": "Watford", "csp_name": "Watford", "force": "Hertfordshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> rng = np.random.default_rng(1)
    >>> records = pd.DataFrame({
    ...     "reference": [f"R{i}" for i in range(400)],
    ...     "recorded_at": (pd.Timestamp("2018-01-01")
    ...                     + pd.to_timedelta(rng.integers(0, 546, 400), unit="D")).astype(str),
    ...     "lsoa_code": rng.choice(codes, 400), "strands": "race"})
    >>> rules = AlertRules(replications=99, medium_days=50, high_days=50)  # quick
    >>> false_alarms(records, geo, date(2019, 6, 30), date(2019, 6, 30), rules=rules)
    []
    """
    return replay(records, geo, first, last, rules=rules)[0]
