"""Risk-adjusted hotspots: where there are more records than the residents would lead us
to expect, with small numbers tamed by Empirical Bayes smoothing.

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
    observed: np.ndarray
    expected: np.ndarray
    smr: np.ndarray
    eb_ratio: np.ndarray
    poisson_p: np.ndarray
    risk_p_fdr: np.ndarray
    risk_class: np.ndarray
    gi: GiStar

    def to_frame(self) -> pd.DataFrame:
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
    """Each unit on its own against Poisson(expected): the upper-tail p, the two-sided
    FDR q and the seven-class ``risk_class``."""
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
    """Excess over expected per unit, Empirical Bayes smoothed ratios and Gi* on the excess."""
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
