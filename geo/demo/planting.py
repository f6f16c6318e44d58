"""Planted truth: persistent excess-risk hotspots, local tension episodes, repeat victims.

Every planted record is an existing record of the same force, period, CSP and strand
that is *moved* (in space, or in space and time), so the calibrated totals and shares
hold exactly; the truth lists which records were moved and where to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo.demo.builder import REPEAT_SHARE, ScenarioBuilder
from geo.geography.geocoder import to_wgs84
from geo.report import repeat_victims

HOTSPOTS_PER_FORCE = 3
HOTSPOT_MULTIPLIER = 5.0
EPISODES_PER_FORCE = 3
EPISODE_RADIUS_M = 600.0
#: The fewest records an episode is planted with (rarer strands in smaller forces).
MIN_EPISODE = 10
REPEAT_WINDOW_DAYS = 120
MOVABLE = ("residential", "street", "retail", "nte", "public_transport", "taxi")
#: The strands of a force's episodes, in turn.
EPISODE_STRANDS = ("race", "religion", "sexual_orientation")


def _free(records: pd.DataFrame) -> np.ndarray:
    if "planted" not in records:
        records["planted"] = ""
    return records["planted"].to_numpy() == ""


def plant_hotspots(b: ScenarioBuilder, records: pd.DataFrame) -> list[dict[str, Any]]:
    """Raise a few LSOAs to ``HOTSPOT_MULTIPLIER`` × their expected residential rate.

    Residential records of the same CSP are moved into each chosen LSOA.

    Parameters
    ----------
    b : geo.demo.builder.ScenarioBuilder
        The scenario's builder (its random generator, geography and places).
    records : pandas.DataFrame
        The scenario's records; the moved ones get new ``x``, ``y`` and ``planted``.

    Returns
    -------
    list of dict
        The truth of each hotspot: its LSOA, CSP, force, expected residential records,
        records moved in and the rows moved.

    Examples
    --------
    >>> truth = plant_hotspots(builder, records)  # doctest: +SKIP
    >>> truth[0]["multiplier"]  # doctest: +SKIP
    5.0
    """
    free = _free(records)
    lsoas = b.geo.lsoas
    weights = b.places.residential_weight
    truth = []
    for force in sorted(records["force"].unique()):
        in_force = np.flatnonzero(lsoas["force"].to_numpy() == force)
        # mid-ranked LSOAs: a hotspot that population alone would not explain
        order = in_force[np.argsort(weights[in_force])]
        mid = order[len(order) // 4 : 3 * len(order) // 4]
        for lsoa in b.rng.choice(mid, HOTSPOTS_PER_FORCE, replace=False):
            csp = lsoas["csp_code"].iloc[lsoa]
            pool = np.flatnonzero(
                free
                & (records["csp_code"].to_numpy() == csp)
                & (records["setting"].to_numpy() == "residential")
            )
            csp_weight = weights[lsoas["csp_code"].to_numpy() == csp].sum()
            expected = len(pool) * weights[lsoa] / csp_weight
            k = min(len(pool), max(15, round((HOTSPOT_MULTIPLIER - 1) * expected)))
            rows = b.rng.choice(pool, k, replace=False)
            x, y = b.points_in_lsoas(np.full(k, lsoa))
            records.loc[rows, "x"], records.loc[rows, "y"] = x, y
            records.loc[rows, "planted"] = f"hotspot:{lsoas['lsoa_code'].iloc[lsoa]}"
            free[rows] = False
            truth.append(
                {
                    "lsoa_code": str(lsoas["lsoa_code"].iloc[lsoa]),
                    "lsoa_name": str(lsoas["lsoa_name"].iloc[lsoa]),
                    "csp_code": str(csp),
                    "force": force,
                    "expected_residential_records": round(float(expected), 1),
                    "moved_in": int(k),
                    "multiplier": HOTSPOT_MULTIPLIER,
                    "rows": rows.tolist(),
                }
            )
    return truth


def _period_end(label: str, day: pd.Timestamp) -> pd.Timestamp:
    if "/" in label:  # financial year
        return pd.Timestamp(day.year + (1 if day.month >= 4 else 0), 3, 31)
    return pd.Timestamp(day.year, 12, 31)


def plant_episodes(b: ScenarioBuilder, records: pd.DataFrame) -> list[dict[str, Any]]:
    """Plant short local bursts of one strand in each force.

    ``count`` records within a radius, flaring on the day of onset and settling over a
    few weeks; each is moved from the same CSP and period, so the totals hold.

    Parameters
    ----------
    b : geo.demo.builder.ScenarioBuilder
        The scenario's builder (its random generator, places and scale).
    records : pandas.DataFrame
        The scenario's records; the moved ones get new ``x``, ``y``, ``day`` and
        ``planted``.

    Returns
    -------
    list of dict
        The truth of each episode: force, CSP, strand, centre, radius, onset, end, count
        and the rows moved.

    Examples
    --------
    >>> truth = plant_episodes(builder, records)  # doctest: +SKIP
    >>> truth[0]["strand"], truth[0]["count"]  # doctest: +SKIP
    ('race', 21)
    """
    free = _free(records)
    truth = []
    first_day = records["day"].min() + pd.Timedelta(days=365)  # leave a year of normal first
    last_day = records["day"].max() - pd.Timedelta(days=30)
    for force in sorted(records["force"].unique()):
        for e in range(EPISODES_PER_FORCE):
            strand = EPISODE_STRANDS[e % len(EPISODE_STRANDS)]
            count = max(6, round(b.rng.integers(12, 21) * max(1.0, float(np.sqrt(b.scale)))))
            in_force = (
                free
                & (records["force"].to_numpy() == force)
                & (records["day"] >= first_day).to_numpy()
                & (records["day"] <= last_day).to_numpy()
            )
            found = _episode_place(b, records, free, in_force, strand, e, count)
            if found is None:
                continue
            truth.append(_move_episode(b, records, free, found, force, e, strand))
    return truth


def _episode_place(
    b: ScenarioBuilder,
    records: pd.DataFrame,
    free: np.ndarray,
    in_force: np.ndarray,
    strand: str,
    e: int,
    count: int,
) -> dict[str, Any] | None:
    """Where and when episode ``e`` flares, and the records it may move.

    ``None`` when no CSP and period has enough of them.
    """
    candidates = np.flatnonzero(
        in_force
        & records["strands"].str.contains(strand).to_numpy()
        & np.isin(records["setting"].to_numpy(), MOVABLE)
    )
    # the CSP and period with most such records, so even a rarer strand can burst
    groups = pd.Series(candidates).groupby(
        [records["csp_code"].to_numpy()[candidates], records["period"].to_numpy()[candidates]]
    )
    sizes = groups.size()
    if len(sizes) and sizes.max() < count:  # a rarer strand: a smaller burst
        count = max(MIN_EPISODE, int(sizes.max()))
    sizes = sizes[sizes >= count]
    if sizes.empty:
        return None
    wanted = count
    for _attempt in range(20):  # another CSP, period or place when one is too quiet
        csp, period = sizes.index[int(b.rng.choice(len(sizes), p=(sizes / sizes.sum()).to_numpy()))]
        same = groups.get_group((csp, period)).to_numpy()
        seed_row = b.rng.choice(same)
        duration = int(b.rng.integers(14, 29))
        seed_day = pd.Timestamp(records["day"].to_numpy()[seed_row])
        onset = min(seed_day, _period_end(str(period), seed_day) - pd.Timedelta(days=duration))
        stations = b.places.by_kind["rail_station"]
        stations = stations[stations["csp_code"] == csp]
        if e % 3 != 2 and not stations.empty:
            centre = stations.iloc[int(b.rng.integers(0, len(stations)))]
            cx, cy, place = float(centre["x"]), float(centre["y"]), str(centre["name"])
        else:
            cx = float(records["x"].to_numpy()[seed_row])
            cy = float(records["y"].to_numpy()[seed_row])
            place = "residential area"
        # well above the busiest spell this place ever had for this strand
        count = max(wanted, 4 * _busiest(records, free, strand, cx, cy, duration) + 4)
        if len(same) >= count:
            return {"csp": csp, "same": same, "onset": onset, "duration": duration,
                    "centre": (cx, cy), "place": place, "count": count}  # fmt: skip
    return None


def _move_episode(
    b: ScenarioBuilder,
    records: pd.DataFrame,
    free: np.ndarray,
    found: dict[str, Any],
    force: str,
    e: int,
    strand: str,
) -> dict[str, Any]:
    """Move the episode's records around its centre and into its days; its truth."""
    count, duration, onset = found["count"], found["duration"], found["onset"]
    (cx, cy), end = found["centre"], found["onset"] + pd.Timedelta(days=found["duration"] - 1)
    rows = b.rng.choice(found["same"], count, replace=False)
    radius = EPISODE_RADIUS_M * np.sqrt(b.rng.random(count))
    angle = b.rng.uniform(0, 2 * np.pi, count)
    records.loc[rows, "x"] = cx + radius * np.cos(angle)
    records.loc[rows, "y"] = cy + radius * np.sin(angle)
    records.loc[rows, "day"] = onset + pd.to_timedelta(
        _episode_days(b.rng, count, duration), unit="D"
    )
    records.loc[rows, "planted"] = f"episode:{str(force)[:4].lower()}-{e + 1}"
    free[rows] = False
    lon, lat = to_wgs84(np.array([cx]), np.array([cy]))
    return {
        "id": f"{str(force)[:4].lower()}-{e + 1}",
        "force": force,
        "csp_code": str(found["csp"]),
        "strand": strand,
        "centre": {
            "easting": round(cx),
            "northing": round(cy),
            "latitude": round(float(lat[0]), 6),
            "longitude": round(float(lon[0]), 6),
            "near": found["place"],
        },
        "radius_m": EPISODE_RADIUS_M,
        "onset": f"{onset:%Y-%m-%d}",
        "end": f"{end:%Y-%m-%d}",
        "count": int(count),
        "rows": rows.tolist(),
    }


def _episode_days(rng: np.random.Generator, count: int, duration: int) -> np.ndarray:
    """Days since onset of an episode's records.

    The first on the day of onset, the rest decaying from there (exponential, a mean of a
    quarter of the episode), as tension after a local trigger flares and then settles.
    """
    later = np.minimum(rng.exponential(duration / 4, count - 1).astype(int), duration - 1)
    return np.concatenate([[0], later])


def _busiest(
    records: pd.DataFrame, free: np.ndarray, strand: str, cx: float, cy: float, length: int
) -> int:
    """Most background records of ``strand`` within the episode radius in any ``length`` days."""
    near = (
        free
        & records["strands"].str.contains(strand).to_numpy()
        & (np.hypot(records["x"].to_numpy() - cx, records["y"].to_numpy() - cy) <= EPISODE_RADIUS_M)
    )
    days = np.sort(records["day"].to_numpy()[near])
    if not days.size:
        return 0
    ends = np.searchsorted(days, days + np.timedelta64(length, "D"))
    return int((ends - np.arange(len(days))).max())


def plant_repeats(b: ScenarioBuilder, records: pd.DataFrame) -> dict[str, Any]:
    """Give a share of records the victim of an earlier nearby record.

    The earlier record is of the same CSP, within ``REPEAT_WINDOW_DAYS``; a residential
    or street record whose earlier record was in the same setting is placed close to it
    (the same home, the same street).

    Parameters
    ----------
    b : geo.demo.builder.ScenarioBuilder
        The scenario's builder (its random generator).
    records : pandas.DataFrame
        The scenario's records; every one gets a ``victim_id``, repeats new ``x``, ``y``.

    Returns
    -------
    dict
        The truth: the share of victims repeated within a year (:func:`repeat_share`).

    Examples
    --------
    >>> plant_repeats(builder, records)  # doctest: +SKIP
    {'share_of_victims_repeated_within_a_year': 0.251}
    """
    n = len(records)
    victim = np.array([f"DV{i:07d}" for i in range(n)], dtype=object)
    free = _free(records)
    day = records["day"].to_numpy()
    setting = records["setting"].to_numpy()
    x, y = (
        records["x"].to_numpy(dtype=float, copy=True),
        records["y"].to_numpy(dtype=float, copy=True),
    )
    for csp in records["csp_code"].unique():
        rows = np.flatnonzero(records["csp_code"].to_numpy() == csp)
        rows = rows[np.argsort(day[rows], kind="stable")]
        days = day[rows]
        lo = np.searchsorted(days, days - np.timedelta64(REPEAT_WINDOW_DAYS, "D"))
        pos = np.arange(len(rows))
        eligible = (pos > lo) & free[rows] & (records["setting"].to_numpy()[rows] != "online")
        chosen = np.flatnonzero(eligible & (b.rng.random(len(rows)) < REPEAT_SHARE))
        for p in chosen:  # in date order, so chains of three or more form naturally
            earlier = rows[int(b.rng.integers(lo[p], p))]
            here = rows[p]
            victim[here] = victim[earlier]
            # at home again, or on the same street; a repeat at home is not moved to
            # where the victim was first targeted if that was a station or a bar
            if setting[here] in ("residential", "street") and setting[here] == setting[earlier]:
                x[here] = x[earlier] + b.rng.normal(0, 50)
                y[here] = y[earlier] + b.rng.normal(0, 50)
    records["victim_id"] = victim
    records["x"], records["y"] = x, y
    return {"share_of_victims_repeated_within_a_year": repeat_share(records)}


def repeat_share(records: pd.DataFrame) -> float:
    """Share of victims with more than one record in the same calendar year.

    Averaged over years, weighted by victims: the repeat-victim rate of
    :func:`geo.report.repeat_victims`, all years together.

    Parameters
    ----------
    records : pandas.DataFrame
        The scenario's records, with ``day`` and ``victim_id``.

    Returns
    -------
    float
        The share, three decimals.

    Examples
    --------
    >>> records = pd.DataFrame({"day": pd.to_datetime(["2019-01-01", "2019-02-01",
    ...                                                "2019-03-01", "2020-01-01"]),
    ...                         "victim_id": ["a", "a", "b", "a"]})
    >>> repeat_share(records)
    0.333
    """
    rates = repeat_victims(records, victim="victim_id", when="day")
    return round(float(rates.overall), 3)
