"""Kulldorff's spatial scan statistic, Poisson model, high-rate clusters (as SaTScan).

Windows are circles centred on each unit's inner point, growing to take in the nearest
units until they hold ``max_population_share`` of the residents or reach
``max_radius_m``. For a window with c records where e are expected (C in all):

    LLR = c ln(c/e) + (C − c) ln((C − c)/(C − e))   if c > e, else 0.

Significance is by Monte Carlo: ``replications`` data sets drawn under the null (the
same C records spread over units in proportion to expected), the p-value being the rank
of the observed maximum LLR among the replicates' maxima. Secondary clusters are the
next-best windows that share no unit with a better one, judged against the same null
distribution of maxima (conservative, as SaTScan does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import xlogy

#: Window sums computed per vectorised block (bounds memory at about 100 MB).
_BLOCK = 12_000_000


@dataclass(frozen=True)
class ScanResult:
    """The clusters of a spatial scan (made by :func:`spatial_scan`).

    Attributes
    ----------
    clusters
        One row per cluster, most likely first: ``cluster_id``, ``centre_easting``,
        ``centre_northing``, ``radius_m``, ``area_codes`` (``;``-separated), ``n_areas``,
        ``observed``, ``expected``, ``relative_risk``, ``llr`` and ``p_value``.
    replications
        Monte Carlo replications run.
    max_llr_null
        The largest LLR of each replicate (the null distribution the p-values rank in).

    Examples
    --------
    >>> x, y = np.array([0.0, 500.0, 1000.0]), np.zeros(3)
    >>> result = spatial_scan(np.array([9.0, 1.0, 2.0]), np.ones(3), x, y,
    ...                       max_population_share=0.4, replications=9)
    >>> result.replications, result.max_llr_null.shape, len(result.to_frame())
    (9, (9,), 1)
    """

    clusters: pd.DataFrame
    replications: int
    max_llr_null: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`clusters`."""
        return self.clusters.copy()


def _llr(c: np.ndarray, e: np.ndarray, total: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(c > 0, c * np.log(c / e), 0.0)
        rest = total - c
        outside = np.where(rest > 0, rest * np.log(rest / (total - e)), 0.0)
    return np.where(c > e, inside + outside, 0.0)


def _llr_high(c: np.ndarray, e: np.ndarray, total: float) -> np.ndarray:
    """LLR for windows already known to have c > e (no masking needed)."""
    return c * np.log(c / e) + xlogy(total - c, (total - c) / (total - e))


@dataclass(frozen=True)
class _Zones:
    """The candidate windows: per centre, its nearest units as nested prefixes.

    ``order`` holds the units nearest first (as many as the largest window takes),
    ``dist`` their distances (for radii), ``valid`` which (centre, size) windows are
    allowed and ``cum_e`` each window's expected count.
    """

    order: np.ndarray
    dist: np.ndarray
    valid: np.ndarray
    cum_e: np.ndarray


def _zones(
    x: np.ndarray,
    y: np.ndarray,
    population: np.ndarray,
    expected: np.ndarray,
    max_share: float,
    max_radius: float | None,
) -> _Zones:
    """Circles on each centre growing to ``max_share`` of the residents or ``max_radius``."""
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    order = np.argsort(d, axis=1, kind="stable")
    dist = np.take_along_axis(d, order, axis=1)
    cum_pop = np.cumsum(population[order], axis=1)
    allowed = cum_pop <= max_share * population.sum()
    allowed[:, 0] = True  # a single unit is always a window
    if max_radius is not None:
        allowed &= dist <= max_radius
        allowed[:, 0] = True
    size = allowed.sum(axis=1)  # windows are nested, so the allowed ones are a prefix
    k = int(size.max())
    order = order[:, :k]
    valid = np.arange(order.shape[1])[None, :] < size[:, None]
    return _Zones(order, dist[:, :k], valid, np.cumsum(expected[order], axis=1))


def _best_llr(zones: _Zones, counts: np.ndarray, total: float) -> np.ndarray:
    """Maximum LLR over all windows for each row of ``counts`` (reps × units)."""
    cum_c = np.cumsum(counts[:, zones.order], axis=2, dtype=np.int32)  # (reps, centres, k)
    # only windows with more than expected can score: take logs of those alone
    high = (cum_c > zones.cum_e[None]) & zones.valid[None]
    rep, centre, k = np.nonzero(high)
    out = np.zeros(len(counts))
    if rep.size:
        values = _llr_high(cum_c[rep, centre, k].astype(float), zones.cum_e[centre, k], total)
        np.maximum.at(out, rep, values)
    return out


def _monte_carlo(
    zones: _Zones, e: np.ndarray, total: float, replications: int, seed: int | None
) -> np.ndarray:
    """The largest LLR of each replicate: ``total`` records spread in proportion to ``e``."""
    rng = np.random.default_rng(seed)
    null_max = np.zeros(replications)
    probs = e / e.sum() if e.sum() > 0 else np.full(len(e), 1 / len(e))
    per_block = max(1, _BLOCK // zones.order.size)
    for start in range(0, replications, per_block):
        reps = min(per_block, replications - start)
        sims = rng.multinomial(int(total), probs, size=reps).astype(np.int32)
        null_max[start : start + reps] = _best_llr(zones, sims, total)
    return null_max


def _disjoint_windows(
    llr: np.ndarray, order: np.ndarray, n_units: int, max_clusters: int
) -> list[tuple[int, int]]:
    """(centre, last rank) of the best windows, best first, sharing no unit with a better one."""
    flat = np.argsort(llr, axis=None)[::-1]
    taken = np.zeros(n_units, dtype=bool)
    picked: list[tuple[int, int]] = []
    for f in flat:
        centre, k = divmod(int(f), order.shape[1])
        if llr[centre, k] <= 0 or len(picked) >= max_clusters:
            break
        members = order[centre, : k + 1]
        if taken[members].any():
            continue
        taken[members] = True
        picked.append((centre, k))
    return picked


def _cluster_table(
    picked: list[tuple[int, int]],
    llr: np.ndarray,
    zones: _Zones,
    c: np.ndarray,
    e: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    codes: np.ndarray,
    null_max: np.ndarray,
) -> pd.DataFrame:
    """One row per picked window, with its Monte Carlo p-value among ``null_max``."""
    total = c.sum()
    rows: list[dict[str, object]] = []
    for centre, k in picked:
        value = llr[centre, k]
        members = zones.order[centre, : k + 1]
        obs, exp = c[members].sum(), e[members].sum()
        rows.append(
            {
                "cluster_id": len(rows) + 1,
                "centre_easting": round(float(x[centre]), 1),
                "centre_northing": round(float(y[centre]), 1),
                "radius_m": round(float(zones.dist[centre, k]), 1),
                "area_codes": ";".join(map(str, codes[members])),
                "n_areas": int(k + 1),
                "observed": int(obs),
                "expected": round(float(exp), 3),
                "relative_risk": round(float((obs / exp) / ((total - obs) / (total - exp))), 3)
                if total > obs
                else float("inf"),
                "llr": float(value),
                "p_value": float((1 + (null_max >= value).sum()) / (len(null_max) + 1)),
            }
        )
    return pd.DataFrame(rows)


def spatial_scan(
    observed: np.ndarray,
    expected: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    *,
    population: np.ndarray | None = None,
    codes: np.ndarray | None = None,
    max_population_share: float = 0.1,
    max_radius_m: float | None = None,
    replications: int = 999,
    seed: int | None = 0,
    max_clusters: int = 10,
) -> ScanResult:
    """Most likely and secondary high-rate clusters.

    Parameters
    ----------
    observed, expected
        Counts per unit; ``expected`` is rescaled to sum to the observed total.
    x, y
        Unit centres in metres (BNG).
    population
        Residents per unit for the window-size limit (default: ``expected``).
    max_population_share, max_radius_m
        Largest window: a share of residents (SaTScan's default is 0.5; 0.1 suits
        neighbourhood-scale hotspots) and optionally a radius.
    replications, seed
        Monte Carlo replications (999 gives p-values down to 0.001) and their seed.
    codes
        Unit codes for ``area_codes`` (default: the units' positions).
    max_clusters
        The most clusters reported.

    Returns
    -------
    ScanResult
        The most likely cluster and the secondary ones, with their Monte Carlo p-values.

    Examples
    --------
    Three units of a 5 × 5 lattice with nearly four times the records elsewhere:

    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500.0),
    ...                                        np.arange(0, 2500, 500.0)))
    >>> observed = np.full(25, 4.0)
    >>> observed[[0, 1, 5]] = 15
    >>> codes = np.array([f"L{i:02d}" for i in range(25)])
    >>> result = spatial_scan(observed, np.ones(25), x, y, codes=codes,
    ...                       max_population_share=0.2, replications=99, seed=0)
    >>> result.clusters[["area_codes", "radius_m", "observed", "relative_risk", "p_value"]]
        area_codes  radius_m  observed  relative_risk  p_value
    0  L00;L01;L05     500.0        45           3.75     0.01
    """
    c = np.asarray(observed, dtype=float)
    total = c.sum()
    e = np.asarray(expected, dtype=float)
    e = e * total / e.sum() if e.sum() > 0 else e
    pop = np.asarray(population if population is not None else e, dtype=float)
    zones = _zones(
        np.asarray(x, float), np.asarray(y, float), pop, e, max_population_share, max_radius_m
    )
    llr = _llr(np.cumsum(c[zones.order], axis=1), zones.cum_e, total)
    llr[~zones.valid] = 0.0
    null_max = _monte_carlo(zones, e, total, replications, seed)
    picked = _disjoint_windows(llr, zones.order, len(c), max_clusters)
    codes = codes if codes is not None else np.arange(len(c)).astype(str)
    table = _cluster_table(picked, llr, zones, c, e, x, y, codes, null_max)
    return ScanResult(table, replications, null_max)
