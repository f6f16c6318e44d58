"""Baselines of "normal": expected weekly counts for an area and strand.

In the spirit of the Farrington-flexible algorithm used in public-health surveillance.
For the week being judged, a quasi-Poisson GLM (statsmodels) is fitted to the previous
``years`` of weekly counts (that week excluded): log μ = a + b·t + two harmonic pairs
for seasonality. Past outbreaks are down-weighted so they do not inflate normal: weeks
whose Anscombe residual exceeds 1 get weight r⁻² and the model is refitted. The upper
bound uses Farrington's 2/3-power transformation:

    U = μ̂ · (1 + (2/3) · z_α · √τ / μ̂)^(3/2),   τ = φ μ̂ + μ̂² Var(η̂)

and the exceedance score is (y − μ̂) / (U − μ̂): above 1 the week is unusual.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats


@dataclass(frozen=True)
class Baseline:
    """One week judged against normal (made by :func:`farrington`).

    Attributes
    ----------
    week
        The week (its first day, or the last of seven days for :func:`last_seven_days`).
    observed
        Records that week.
    expected
        Records the model expects (μ̂).
    upper
        Farrington's upper bound U.
    dispersion
        The quasi-Poisson dispersion φ (at least 1).

    Examples
    --------
    >>> week = Baseline(pd.Timestamp("2019-06-03"), observed=12.0, expected=4.0, upper=10.0,
    ...                 dispersion=1.2)
    >>> round(week.exceedance, 2)  # above 1: an unusual week
    1.33
    """

    week: pd.Timestamp
    observed: float
    expected: float
    upper: float
    dispersion: float

    @property
    def exceedance(self) -> float:
        """(observed − expected) / (upper − expected); above 1 the week is unusual."""
        gap = self.upper - self.expected
        return float((self.observed - self.expected) / gap) if gap > 0 else 0.0


def weekly_counts(when: pd.Series, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Records per week (weeks starting on Monday), zero weeks included.

    Parameters
    ----------
    when
        When each record was recorded (anything ``pandas.to_datetime`` reads).
    start, end
        The first and last day to cover; their weeks are included whole.

    Returns
    -------
    pandas.Series
        Float counts indexed by the Monday of each week.

    Examples
    --------
    >>> when = pd.Series(["2019-06-03T10:00", "2019-06-09T23:00", "2019-06-18T08:30"])
    >>> weekly_counts(when, start=pd.Timestamp("2019-06-03"), end=pd.Timestamp("2019-06-23"))
    2019-06-03    2.0
    2019-06-10    0.0
    2019-06-17    1.0
    Name: count, dtype: float64
    """
    weeks = pd.to_datetime(when).dt.to_period("W-SUN").dt.start_time
    index = pd.period_range(start, end, freq="W-SUN").start_time
    return weeks.value_counts().reindex(index, fill_value=0).sort_index().astype(float)


def _design(t: np.ndarray) -> np.ndarray:
    angle = 2 * np.pi * t / 52.18
    return np.column_stack(
        [np.ones_like(t), t, np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle)]
    )


def farrington(
    counts: pd.Series,
    week: pd.Timestamp,
    *,
    years: int = 3,
    alpha: float = 0.01,
    reweight: bool = True,
) -> Baseline | None:
    """The baseline for ``week`` from the weeks before it (``None`` with too little history).

    Parameters
    ----------
    counts
        Records per week (:func:`weekly_counts`), ``week`` among them.
    week
        The week judged; the model is fitted to the weeks before it.
    years
        Years of history used (at most 52 × ``years`` weeks).
    alpha
        One-sided level of the upper bound.
    reweight
        Down-weight past outbreaks (weeks with an Anscombe residual above 1) and refit.

    Returns
    -------
    Baseline or None
        The week's observed and expected counts and upper bound; ``None`` with fewer than
        26 weeks or 5 records of history, or a series the model cannot fit.

    Raises
    ------
    ValueError
        When ``week`` is not in the series.

    Examples
    --------
    Three years of 600 records at random days:

    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2017-01-02") + pd.to_timedelta(rng.integers(0, 1092, 600), unit="D")
    >>> counts = weekly_counts(pd.Series(days), start=pd.Timestamp("2017-01-02"),
    ...                        end=pd.Timestamp("2019-12-29"))
    >>> week = farrington(counts, pd.Timestamp("2019-06-03"))
    >>> week.observed, round(week.expected, 2), round(week.upper, 2)
    (5.0, 3.2, 8.34)
    >>> farrington(counts, pd.Timestamp("2017-03-06")) is None  # ten weeks of history
    True
    """
    position = counts.index.get_indexer(pd.DatetimeIndex([pd.Timestamp(week)]))[0]
    if position < 0:
        raise ValueError(f"{week} is not a week of the series")
    first = max(0, position - 52 * years)
    history = counts.iloc[first:position].to_numpy(float)
    if len(history) < 26 or history.sum() < 5:
        return None
    t = np.arange(first, position, dtype=float) - position
    x = _design(t)
    weights = np.ones(len(history))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfect-fit and convergence chatter on sparse series
        for _ in range(2 if reweight else 1):
            try:
                fit = sm.GLM(history, x, family=sm.families.Poisson(), var_weights=weights).fit(
                    scale="X2"
                )
            except (ValueError, np.linalg.LinAlgError):
                return None  # a degenerate series (e.g. records only in its last weeks)
            mu = fit.fittedvalues
            phi = max(1.0, float(fit.scale))
            with np.errstate(divide="ignore", invalid="ignore"):
                anscombe = (
                    1.5 * (history ** (2 / 3) - mu ** (2 / 3)) / (np.sqrt(phi) * mu ** (1 / 6))
                )
            # a week the model expects ~nothing of gives an infinite residual: weight 0
            weights = np.where(np.isfinite(anscombe) & (anscombe > 1), anscombe**-2.0, 1.0)
            weights = np.where(np.isinf(anscombe), 0.0, weights)
        x_now = _design(np.array([0.0]))
        eta = float((x_now @ fit.params)[0])
        var_eta = float((x_now @ fit.cov_params() @ x_now.T)[0, 0])
    expected = float(np.exp(eta))
    tau = phi * expected + expected**2 * var_eta
    z = stats.norm.ppf(1 - alpha)
    upper = expected * (1 + (2 / 3) * z * np.sqrt(tau) / expected) ** 1.5
    return Baseline(pd.Timestamp(week), float(counts.iloc[position]), expected, float(upper), phi)


def last_seven_days(
    when: pd.Series,
    as_of: pd.Timestamp,
    *,
    years: int = 3,
    data_start: pd.Timestamp | None = None,
) -> Baseline | None:
    """The baseline for the seven days ending ``as_of``, against the seven-day blocks before.

    The blocks are aligned on ``as_of``, so a daily analysis needs no calendar weeks.
    Blocks before ``data_start`` (the first day records exist for) are not zeros but
    unknown, and are left out.

    Parameters
    ----------
    when
        When each record was recorded (records after ``as_of`` are not counted).
    as_of
        The last of the seven days judged.
    years
        Years of history used.
    data_start
        The first day records exist for; blocks starting earlier are left out.

    Returns
    -------
    Baseline or None
        The seven days against normal (``week`` is ``as_of``); ``None`` with too little
        history, or when the seven days themselves start before ``data_start``.

    Examples
    --------
    Three years of 600 records at random days, and eight more on one day:

    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2017-01-02") + pd.to_timedelta(rng.integers(0, 1092, 600), unit="D")
    >>> when = pd.Series([*days, *[pd.Timestamp("2019-12-28")] * 8])
    >>> week = last_seven_days(when, pd.Timestamp("2019-12-29"))
    >>> week.observed, round(week.expected, 2), round(week.exceedance, 2)
    (14.0, 3.96, 1.79)
    """
    as_of = pd.Timestamp(as_of).normalize()
    ends = pd.date_range(end=as_of, periods=52 * years + 1, freq="7D")
    if data_start is not None:
        ends = ends[ends - pd.Timedelta(days=6) >= pd.Timestamp(data_start).normalize()]
        if as_of not in ends:
            return None
    days = np.sort(pd.to_datetime(when).dt.normalize().to_numpy())
    upto = np.searchsorted(days, (ends + pd.Timedelta(days=1)).to_numpy())
    since = np.searchsorted(days, (ends - pd.Timedelta(days=6)).to_numpy())
    counts = pd.Series((upto - since).astype(float), index=ends)
    return farrington(counts, as_of, years=years)


def area_baselines(
    records: pd.DataFrame,
    geo: Any,
    as_of: pd.Timestamp,
    strands: tuple[str, ...],
    *,
    years: int = 3,
) -> pd.DataFrame:
    """The last seven days against normal for each force and CSP, per strand and for all.

    The force-wide view is the one a national rise shows in.

    Parameters
    ----------
    records
        Records with ``recorded_at``, ``lsoa_code`` and ``strands``.
    geo
        The boundary set (its LSOAs' ``force``, ``csp_code`` and ``csp_name``).
    as_of
        The last of the seven days judged.
    strands
        The strands to judge, ``all`` for every record.
    years
        Years of history used.

    Returns
    -------
    pandas.DataFrame
        One row per area and strand with enough history: ``level`` (``force`` or
        ``csp``), ``area``, ``strand``, ``week_ending``, ``observed``, ``expected``,
        ``upper`` and ``exceedance``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geo.geography.areas import Geography
    >>> lsoas = gpd.GeoDataFrame(
    ...     {"lsoa_code": ["L1", "L2"], "csp_code": ["C1", "C2"],
    ...      "csp_name": ["Watford", "Dacorum"], "force": "Hertfordshire"},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2017-01-02") + pd.to_timedelta(rng.integers(0, 1092, 600), unit="D")
    >>> records = pd.DataFrame({"recorded_at": days.strftime("%Y-%m-%dT%H:%M"),
    ...                         "lsoa_code": rng.choice(["L1", "L2"], 600), "strands": "race"})
    >>> table = area_baselines(records, Geography(lsoas), pd.Timestamp("2019-12-29"), ("all",))
    >>> table[["level", "area", "strand", "observed", "expected"]]
       level           area strand  observed  expected
    0  force  Hertfordshire    all         6      4.02
    1    csp        Watford    all         5      1.48
    2    csp        Dacorum    all         1      2.36
    """
    when = pd.to_datetime(records["recorded_at"])
    data_start = when.min()
    lsoas = geo.lsoas.set_index("lsoa_code")
    rows = []
    for level, code, name in (("force", "force", "force"), ("csp", "csp_code", "csp_name")):
        area = lsoas[code].reindex(records["lsoa_code"]).to_numpy()
        first = lsoas.drop_duplicates(code)
        names = pd.Series(first[name].to_numpy(), index=first[code].to_numpy())
        for value in sorted(names.index):
            here = area == value
            for strand in strands:
                chosen = here & (
                    records["strands"].fillna("").str.contains(strand).to_numpy()
                    if strand != "all"
                    else True
                )
                base = last_seven_days(
                    when[chosen & (when <= as_of + pd.Timedelta(days=1)).to_numpy()],
                    as_of,
                    years=years,
                    data_start=data_start,
                )
                if base is None:
                    continue
                rows.append(
                    {
                        "level": level,
                        "area": str(names[value]),
                        "strand": strand,
                        "week_ending": pd.Timestamp(as_of).date(),
                        "observed": int(base.observed),
                        "expected": round(base.expected, 2),
                        "upper": round(base.upper, 2),
                        "exceedance": round(base.exceedance, 2),
                    }
                )
    return pd.DataFrame(rows)
