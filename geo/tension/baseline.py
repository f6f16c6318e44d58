"""Baselines of "normal": expected weekly counts for an area and strand, in the spirit of
the Farrington-flexible algorithm used in public-health surveillance.

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
    week: pd.Timestamp
    observed: float
    expected: float
    upper: float
    dispersion: float

    @property
    def exceedance(self) -> float:
        gap = self.upper - self.expected
        return float((self.observed - self.expected) / gap) if gap > 0 else 0.0


def weekly_counts(when: pd.Series, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Records per week (weeks starting on Monday), zero weeks included."""
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
    """The baseline for ``week`` from the weeks before it (``None`` with too little history)."""
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
    """The baseline for the seven days ending ``as_of``, judged against the seven-day
    blocks before it (aligned on ``as_of``, so a daily analysis needs no calendar weeks).
    Blocks before ``data_start`` (the first day records exist for) are not zeros but
    unknown, and are left out."""
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
    """The last seven days against normal for each force and CSP, per strand and for all
    strands (``strand`` ``all``): the force-wide view that a national rise shows in."""
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
