"""Risk-adjusted hotspots: more records than the residents would lead us to expect.

Small numbers are tamed by Empirical Bayes smoothing.

- ``smr``: observed / expected (standardised ratio; unstable where expected is small);
- ``eb_ratio``: the global Empirical Bayes (Marshall 1991, esda's ``Empirical_Bayes``)
  smoothed rate divided by the area-wide rate: small units are pulled towards 1;
- ``poisson_p``: P(X ≥ observed) for X ~ Poisson(expected), one-sided;
- ``risk_class``: each unit on its own: Poisson tests of observed against expected
  (upper tail for hot, lower tail for cold), Benjamini–Hochberg FDR over all units, in
  the seven classes. This is the answer to "which areas have unusually high risk per
  resident?" and finds single-area hotspots that neighbourhood statistics smooth away;
- ``excess_z`` / ``excess_class``: Gi* on the excess (observed − expected), i.e. where
  excess clusters with excess around it, classed with FDR like ``hotspot_class``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from esda.smoothing import Empirical_Bayes
from scipy import sparse, stats

from geo.hotspots._inference import fdr, hotspot_class
from geo.hotspots.gistar import GiStar, gi_star


@dataclass(frozen=True)
class Excess:
    """Excess over expected per unit, aligned to the input (made by :func:`excess_risk`).

    Attributes
    ----------
    observed, expected
        Records per unit, and those the residents would lead us to expect.
    smr
        observed / expected (NaN where nothing is expected).
    eb_ratio
        Empirical Bayes smoothed rate over the area-wide rate (1 everywhere without records).
    poisson_p
        P(X ≥ observed) for X ~ Poisson(expected).
    risk_p_fdr
        Two-sided Poisson p-values, Benjamini–Hochberg adjusted.
    risk_class
        Each unit on its own, in the seven hotspot classes.
    gi
        Gi* on the excess (observed − expected).

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> observed = np.full(25, 2.0)
    >>> observed[0] = 12  # one unit with six times what its residents explain
    >>> result = excess_risk(observed, np.full(25, 2.4), lat2W(5, 5).sparse,
    ...                      population=np.full(25, 1500.0))
    >>> result.to_frame().loc[:1, ["excess", "smr", "risk_class"]].round(2)
       excess   smr       risk_class
    0     9.6  5.00           hot_99
    1    -0.4  0.83  not_significant
    """

    observed: np.ndarray
    expected: np.ndarray
    smr: np.ndarray
    eb_ratio: np.ndarray
    poisson_p: np.ndarray
    risk_p_fdr: np.ndarray
    risk_class: np.ndarray
    gi: GiStar

    def to_frame(self) -> pd.DataFrame:
        """The hotspot table's excess columns, then Gi* on the excess (``excess_z`` …)."""
        frame = pd.DataFrame(
            {
                "excess": self.observed - self.expected,
                "smr": self.smr,
                "eb_ratio": self.eb_ratio,
                "poisson_p": self.poisson_p,
                "risk_p_fdr": self.risk_p_fdr,
                "risk_class": self.risk_class,
            }
        )
        return pd.concat([frame, self.gi.to_frame(prefix="excess")], axis=1)


def risk_classes(
    observed: np.ndarray, expected: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unit on its own against Poisson(expected), in the seven hotspot classes.

    Parameters
    ----------
    observed
        Records per unit.
    expected
        Records expected per unit (from residents).

    Returns
    -------
    tuple of numpy.ndarray
        The upper-tail p P(X ≥ observed), the two-sided p adjusted by Benjamini–Hochberg
        FDR over all units, and ``risk_class`` (``hot_99`` … ``cold_99``).

    Examples
    --------
    >>> p, q, risk = risk_classes(np.array([0, 2, 12]), np.array([2.0, 2.0, 2.0]))
    >>> p.round(3).tolist(), risk.tolist()
    ([1.0, 0.594, 0.0], ['not_significant', 'not_significant', 'hot_99'])
    """
    o = np.asarray(observed, dtype=float)
    mean = np.maximum(np.asarray(expected, dtype=float), 1e-12)
    poisson_p = stats.poisson.sf(o - 1, mean)  # P(X >= o)
    lower_p = stats.poisson.cdf(o, mean)  # P(X <= o)
    high = poisson_p <= lower_p
    q = fdr(np.minimum(1.0, 2 * np.minimum(poisson_p, lower_p)))  # two-sided, then FDR
    return poisson_p, q, hotspot_class(np.where(high, 1.0, -1.0), q)


def excess_risk(
    observed: np.ndarray,
    expected: np.ndarray,
    neighbours: sparse.spmatrix,
    *,
    population: np.ndarray,
    permutations: int = 0,
    seed: int | None = 0,
) -> Excess:
    """Excess over expected per unit, Empirical Bayes smoothed ratios and Gi* on the excess.

    Parameters
    ----------
    observed
        Records per unit.
    expected
        Records expected per unit (:func:`geo.hotspots.aggregate.expected_counts`).
    neighbours
        Binary n × n neighbour matrix for Gi* on the excess.
    population
        Residents per unit (for the Empirical Bayes rates).
    permutations
        Conditional permutations for Gi* (0: analytical inference only).
    seed
        Seed for the permutations.

    Returns
    -------
    Excess
        SMR, EB ratio, Poisson p and FDR, ``risk_class`` and Gi* on the excess per unit.

    See Also
    --------
    esda.smoothing.Empirical_Bayes : the smoothed rates.

    Examples
    --------
    One unit of a 5 × 5 lattice with six times its expected count:

    >>> from libpysal.weights import lat2W
    >>> observed = np.full(25, 2.0)
    >>> observed[0] = 12
    >>> result = excess_risk(observed, np.full(25, 2.4), lat2W(5, 5).sparse,
    ...                      population=np.full(25, 1500.0))
    >>> result.risk_class[:2].tolist(), result.eb_ratio[:2].round(2).tolist()
    (['hot_99', 'not_significant'], [2.5, 0.94])
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        smr = np.where(e > 0, o / e, np.nan)
    overall = o.sum() / population.sum() if population.sum() else 0.0
    if overall > 0:
        eb_rate = np.asarray(Empirical_Bayes(o, population.astype(float)).r).ravel()
        eb_ratio = eb_rate / overall
    else:
        eb_ratio = np.ones(len(o))
    poisson_p, q, risk_class = risk_classes(o, e)
    gi = gi_star(o - e, neighbours, permutations=permutations, seed=seed)
    return Excess(o, e, smr, eb_ratio, poisson_p, q, risk_class, gi)
