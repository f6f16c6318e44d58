"""Emerging hot spot analysis: hot spots that are new, intensifying, persistent or fading.

A space-time cube (unit × week or month), Gi* in every time step, a Mann–Kendall trend
of each unit's z-scores, and ArcGIS Pro's pattern categories.

Categories (hot; the cold ones mirror them with cold spots):

| pattern | definition |
|---|---|
| new | hot in the final step only, never before |
| consecutive | a run of ≥ 2 hot steps up to the final one, never hot before, < 90 % hot |
| intensifying | hot in ≥ 90 % of steps including the final, z rising (Mann–Kendall, p < 0.05) |
| persistent | hot in ≥ 90 % of steps including the final, no significant trend |
| diminishing | hot in ≥ 90 % of steps including the final, z falling |
| sporadic | hot in the final step, hot in < 90 % of steps, never cold |
| oscillating | hot in the final step, cold in some earlier step, hot in < 90 % of steps |
| historical | not hot in the final step, hot in ≥ 90 % of the others |

"Hot" means ``hot_95`` or ``hot_99`` in that step (Gi* with FDR). Simplification against
ArcGIS: each step's Gi* uses spatial neighbours within the step only (no neighbours in
the previous step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

from geo.geography.areas import Geography
from geo.hotspots.gistar import gi_star
from geo.vocab import COLD_CLASSES, HOT_CLASSES


@dataclass(frozen=True)
class MannKendall:
    """A Mann–Kendall trend test (made by :func:`mann_kendall`).

    Attributes
    ----------
    s
        The statistic S: pairs rising in time less pairs falling.
    z
        S standardised (positive for a rising trend).
    p
        Two-sided p-value of ``z``.

    Examples
    --------
    >>> trend = mann_kendall(np.array([1.0, 2, 2, 3, 5, 4, 6]))
    >>> trend.s, round(trend.z, 2), round(trend.p, 4)
    (18.0, 2.73, 0.0062)
    """

    s: float
    z: float
    p: float


def mann_kendall(values: np.ndarray) -> MannKendall:
    """Mann–Kendall trend test of a series against time.

    No continuity correction, ties in the values corrected: equal to Kendall's tau-b
    test against time in its asymptotic form.

    Parameters
    ----------
    values
        The series, oldest first.

    Returns
    -------
    MannKendall
        S, z and the two-sided p; no trend (z 0, p 1) for fewer than three values or a
        constant series.

    Examples
    --------
    >>> mann_kendall(np.array([1.0, 2, 2, 3, 5, 4, 6])).z > 1.96  # rising
    True
    >>> mann_kendall(np.array([3.0, 3.0, 3.0]))
    MannKendall(s=0.0, z=0.0, p=1.0)
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 3:
        return MannKendall(0.0, 0.0, 1.0)
    diff = np.sign(x[None, :] - x[:, None])
    s = float(np.triu(diff, k=1).sum())
    _, ties = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - (ties * (ties - 1) * (2 * ties + 5)).sum()) / 18.0
    if var <= 0:
        return MannKendall(s, 0.0, 1.0)
    z = s / np.sqrt(var)
    return MannKendall(s, float(z), float(2 * stats.norm.sf(abs(z))))


def classify(hot: np.ndarray, cold: np.ndarray, trend: MannKendall, *, alpha: float = 0.05) -> str:
    """The pattern of one unit from its hot/cold flags per step (oldest first).

    Parameters
    ----------
    hot, cold
        Boolean flags per time step: hot (``hot_95``/``hot_99``) or cold in that step.
    trend
        The Mann–Kendall trend of the unit's z-scores.
    alpha
        Level below which the trend makes a pattern intensifying or diminishing.

    Returns
    -------
    str
        ``new_hot``, ``consecutive_hot``, ``intensifying_hot``, ``persistent_hot``,
        ``diminishing_hot``, ``sporadic_hot``, ``oscillating_hot``, ``historical_hot``,
        the same ``_cold``, or ``no_pattern``.

    Examples
    --------
    >>> no_trend = MannKendall(0.0, 0.0, 1.0)
    >>> classify(np.array([False, False, False, True]), np.zeros(4, bool), no_trend)
    'new_hot'
    >>> classify(np.ones(10, bool), np.zeros(10, bool), MannKendall(30.0, 3.2, 0.001))
    'intensifying_hot'
    >>> classify(np.array([False, True, False, True]), np.array([True, False, False, False]),
    ...          no_trend)
    'oscillating_hot'
    """
    for flags, other, kind in ((hot, cold, "hot"), (cold, hot, "cold")):
        n = len(flags)
        share = flags.mean()
        final = bool(flags[-1])
        if final and share >= 0.9:
            if trend.p < alpha:
                rising = trend.z > 0 if kind == "hot" else trend.z < 0
                return f"intensifying_{kind}" if rising else f"diminishing_{kind}"
            return f"persistent_{kind}"
        if final and flags[:-1].sum() == 0:
            return f"new_{kind}"
        if final:
            run = n - int(np.flatnonzero(~flags)[-1]) - 1 if (~flags).any() else n
            if run >= 2 and flags[: n - run].sum() == 0 and share < 0.9:
                return f"consecutive_{kind}"
            if other[:-1].any():
                return f"oscillating_{kind}"
            return f"sporadic_{kind}"
        if not final and n > 1 and flags[:-1].mean() >= 0.9:
            return f"historical_{kind}"
    return "no_pattern"


def space_time_cube(
    unit_codes: np.ndarray, records_unit: pd.Series, records_time: pd.Series, bin_: str
) -> tuple[np.ndarray, pd.PeriodIndex]:
    """Counts per unit (rows, aligned to ``unit_codes``) and period (columns).

    Parameters
    ----------
    unit_codes
        The units' codes (the cube's rows).
    records_unit
        The unit code of each record; records of other units are not counted.
    records_time
        When each record was recorded (datetimes).
    bin_
        ``week`` or ``month``.

    Returns
    -------
    tuple
        The cube (units × periods, float counts) and its periods, from the first
        record's to the last record's.

    Examples
    --------
    >>> cube, periods = space_time_cube(
    ...     np.array(["L00", "L01", "L02"]), pd.Series(["L00", "L00", "L02", "L09"]),
    ...     pd.Series(pd.to_datetime(["2019-01-03", "2019-02-10", "2019-03-30", "2019-03-01"])),
    ...     "month")
    >>> cube
    array([[1., 1., 0.],
           [0., 0., 0.],
           [0., 0., 1.]])
    >>> periods.astype(str).tolist()
    ['2019-01', '2019-02', '2019-03']
    """
    freq = {"week": "W", "month": "M"}[bin_]
    periods = records_time.dt.to_period(freq)
    bins = pd.period_range(periods.min(), periods.max(), freq=freq)
    row = pd.Series(np.arange(len(unit_codes)), index=unit_codes).reindex(records_unit.to_numpy())
    ok = row.notna().to_numpy()
    col = np.asarray(periods.array.asi8)[ok] - bins[0].ordinal  # steps since the first bin
    cube = np.zeros((len(unit_codes), len(bins)))
    np.add.at(cube, (row.to_numpy()[ok].astype(int), col.astype(int)), 1.0)
    return cube, bins


def emerging_hotspots(cube: np.ndarray, neighbours: sparse.spmatrix) -> pd.DataFrame:
    """Pattern, trend z and p, and hot/cold step counts per unit.

    Parameters
    ----------
    cube
        Counts per unit and time step (:func:`space_time_cube`).
    neighbours
        Binary n × n neighbour matrix of the units (Gi* in every step).

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``pattern``, ``trend_z``, ``trend_p``, ``hot_steps``,
        ``cold_steps`` and ``final_step_z``.

    Examples
    --------
    Eight months on a 5 × 5 lattice; one corner flares in the last three:

    >>> from libpysal.weights import lat2W
    >>> rng = np.random.default_rng(0)
    >>> cube = rng.poisson(2.0, (25, 8)).astype(float)
    >>> cube[[0, 1, 5, 6], -3:] += 12
    >>> table = emerging_hotspots(cube, lat2W(5, 5).sparse)
    >>> table["pattern"].value_counts().to_dict()
    {'no_pattern': 21, 'consecutive_hot': 4}
    >>> table.loc[:1, ["pattern", "hot_steps", "final_step_z"]]
               pattern  hot_steps  final_step_z
    0  consecutive_hot          3        3.2165
    1  consecutive_hot          3        3.2898
    """
    n_units, n_steps = cube.shape
    z = np.zeros((n_units, n_steps))
    hot = np.zeros((n_units, n_steps), dtype=bool)
    cold = np.zeros((n_units, n_steps), dtype=bool)
    for t in range(n_steps):
        result = gi_star(cube[:, t], neighbours)
        z[:, t] = result.z
        hot[:, t] = np.isin(result.hotspot_class, HOT_CLASSES)
        cold[:, t] = np.isin(result.hotspot_class, COLD_CLASSES)
    rows = []
    for i in range(n_units):
        trend = mann_kendall(z[i])
        rows.append(
            {
                "pattern": classify(hot[i], cold[i], trend),
                "trend_z": round(trend.z, 4),
                "trend_p": round(trend.p, 6),
                "hot_steps": int(hot[i].sum()),
                "cold_steps": int(cold[i].sum()),
                "final_step_z": round(float(z[i, -1]), 4),
            }
        )
    return pd.DataFrame(rows)


def emerging_table(
    records: pd.DataFrame,
    geo: Geography,
    population: np.ndarray,
    *,
    unit: str = "lsoa",
    weights: str = "queen",
    bin_: str = "month",
) -> tuple[pd.DataFrame, pd.PeriodIndex]:
    """Emerging hot spot patterns per unit of a study area, over a space-time cube.

    Parameters
    ----------
    records : pandas.DataFrame
        The records analysed (``recorded_at`` and the unit's code column, or ``easting``
        and ``northing`` for hexagons and grid cells).
    geo : Geography
        The study area's boundary set.
    population : numpy.ndarray
        Residents per LSOA of ``geo``.
    unit : str, default "lsoa"
        ``lsoa``, ``ward``, ``district``, ``csp``, ``hex:RES`` or ``grid:METRES``.
    weights : str, default "queen"
        Neighbours: ``queen``, ``rook``, ``knn:K`` or ``distance:METRES``.
    bin_ : {"month", "week"}
        The time step.

    Returns
    -------
    table : geopandas.GeoDataFrame
        Per unit: ``area_code``, ``area_name``, ``district``, ``csp``, ``geometry`` and
        the columns of :func:`emerging_hotspots`.
    bins : pandas.PeriodIndex
        The time steps, from the first record's to the last's.

    Examples
    --------
    >>> from geo.geography.areas import load_geography
    >>> geo = load_geography()
    >>> rng = np.random.default_rng(0)
    >>> rows = rng.integers(0, len(geo.lsoas), 400)
    >>> days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 181, 400), "D")
    >>> easting, northing = geo.inner_points[rows].T
    >>> records = pd.DataFrame({"recorded_at": days.strftime("%Y-%m-%d"),
    ...                         "district_code": geo.lsoas["district_code"].to_numpy()[rows],
    ...                         "easting": easting, "northing": northing})
    >>> table, bins = emerging_table(records, geo, np.ones(len(geo.lsoas)), unit="district")
    >>> len(table), len(bins), str(bins[0])
    (16, 6, '2019-01')
    """
    from geo.hotspots.aggregate import build_units, unit_keys
    from geo.hotspots.weights import build_weights

    points = (records["easting"].to_numpy(float), records["northing"].to_numpy(float))
    units = build_units(geo, unit, population, points=points)
    cube, bins = space_time_cube(
        units.frame["area_code"].to_numpy(),
        unit_keys(units, records),
        pd.to_datetime(records["recorded_at"]),
        bin_,
    )
    table = emerging_hotspots(cube, build_weights(units.frame, weights).graph.sparse)
    columns = ["area_code", "area_name", "district", "csp", "geometry"]
    return pd.concat([units.frame[columns], table], axis=1), bins
