"""Local Moran's I (LISA) with conditional permutation inference and FDR.

I_i = (z_i / m2) Σ_j w_ij z_j with z = x − x̄, m2 = Σ z² / (n − 1) and row-standardised
weights, as esda's ``Moran_Local`` (tested to 1e-9). Quadrants: HH (high among high),
LL, HL (a high outlier among low), LH; ``ns`` where not significant.

Which p-values the FDR is applied to: the folded pseudo p-values when there are at least
9,999 permutations; with fewer, the smallest pseudo p (1/(permutations + 1)) cannot
survive FDR over hundreds of units, so the FDR is applied to the normal approximation of
the permutation distribution (``p_z_sim`` in esda). The result says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from geo.hotspots._inference import conditional_lags, fdr, two_sided_p
from geo.vocab import LISA_CLASSES

FDR_ON_PSEUDO_P_FROM = 9_999


@dataclass(frozen=True)
class LocalMoran:
    """Local Moran's I per unit, aligned to the input values (made by :func:`local_moran`).

    Attributes
    ----------
    i
        Local Moran's I: positive where a unit is like its neighbours, negative where
        it is unlike them.
    p_sim
        Folded pseudo p-values of the conditional permutations.
    z_sim
        I standardised by the mean and standard deviation of its permutations.
    p_fdr
        Benjamini–Hochberg adjusted p-values (of ``p_sim`` or of ``z_sim``, see
        ``fdr_applied_to``).
    quadrant
        ``HH``, ``LL``, ``HL`` or ``LH`` (the unit, then its neighbours' average, against
        the mean), significant or not.
    lisa_class
        The quadrant where ``p_fdr`` < alpha, else ``ns``.
    fdr_applied_to
        ``pseudo p-values`` (at least 9,999 permutations) or ``normal approximation of
        the permutations``.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> counts = np.ones(25)
    >>> counts[[0, 1, 5, 6]] = 10  # a high cluster in a corner of a 5 × 5 lattice
    >>> result = local_moran(counts, lat2W(5, 5).sparse, permutations=99, seed=0)
    >>> result.to_frame().loc[:2, ["lisa_i", "lisa_class"]].round(2)
       lisa_i lisa_class
    0    5.04         HH
    1    3.04         HH
    2   -0.20         ns
    """

    i: np.ndarray
    p_sim: np.ndarray
    z_sim: np.ndarray
    p_fdr: np.ndarray
    quadrant: np.ndarray
    lisa_class: np.ndarray
    fdr_applied_to: str

    def to_frame(self) -> pd.DataFrame:
        """The columns ``lisa_i``, ``lisa_p``, ``lisa_z_sim``, ``lisa_p_fdr``, ``lisa_class``."""
        return pd.DataFrame(
            {
                "lisa_i": self.i,
                "lisa_p": self.p_sim,
                "lisa_z_sim": self.z_sim,
                "lisa_p_fdr": self.p_fdr,
                "lisa_class": self.lisa_class,
            }
        )


def local_moran(
    values: np.ndarray,
    neighbours: sparse.spmatrix,
    *,
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> LocalMoran:
    """Local Moran's I per unit with permutation inference, FDR and LISA classes.

    Parameters
    ----------
    values
        One value per unit (counts, say).
    neighbours
        Binary n × n neighbour matrix (the diagonal is ignored); rows are standardised here.
    permutations
        Conditional permutations (at least 9,999 for the FDR to use the pseudo p-values).
    seed
        Seed for the permutations (identical output for the same seed).
    alpha
        FDR level below which a unit gets its quadrant as its class.

    Returns
    -------
    LocalMoran
        I, pseudo p, z of the permutations, FDR-adjusted p, quadrant and class per unit.

    See Also
    --------
    esda.Moran_Local : the same statistic and permutation scheme.

    Examples
    --------
    A high cluster in a corner of a 5 × 5 lattice (rook neighbours from libpysal):

    >>> from libpysal.weights import lat2W
    >>> counts = np.ones(25)
    >>> counts[[0, 1, 5, 6]] = 10
    >>> result = local_moran(counts, lat2W(5, 5).sparse, permutations=99, seed=0)
    >>> result.lisa_class[:4], result.quadrant[:4]
    (array(['HH', 'HH', 'ns', 'ns'], dtype=object), array(['HH', 'HH', 'LH', 'LL'], dtype=object))
    >>> result.fdr_applied_to
    'normal approximation of the permutations'
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    w = sparse.csr_matrix(neighbours, dtype=float)
    w.setdiag(0)
    w.eliminate_zeros()
    row = np.asarray(w.sum(axis=1)).ravel()
    w = sparse.diags(np.where(row > 0, 1 / np.where(row > 0, row, 1), 0)) @ w  # row-standardise
    w = sparse.csr_matrix(w)
    z = x - x.mean()
    m2 = (z**2).sum() / (n - 1)  # esda and GeoDa divide by n - 1
    lag = w @ z
    local_i = z / m2 * lag if m2 > 0 else np.zeros(n)
    sims = conditional_lags(
        z,
        w,
        local_i,
        scale=z / m2 if m2 > 0 else np.zeros(n),
        offset=np.zeros(n),
        permutations=permutations,
        seed=seed,
    )
    z_sim = sims.z(local_i)
    if permutations >= FDR_ON_PSEUDO_P_FROM:
        p_fdr, applied = fdr(sims.p_sim), "pseudo p-values"
    else:
        p_fdr, applied = fdr(two_sided_p(z_sim)), "normal approximation of the permutations"
    *quadrants, not_significant = LISA_CLASSES  # HH, LL, HL, LH; ns
    quadrant = np.select(
        [(z > 0) & (lag > 0), (z < 0) & (lag < 0), (z > 0) & (lag <= 0), (z <= 0) & (lag > 0)],
        quadrants,
        not_significant,
    ).astype(object)
    lisa_class = np.where(p_fdr < alpha, quadrant, not_significant).astype(object)
    return LocalMoran(local_i, sims.p_sim, z_sim, p_fdr, quadrant, lisa_class, applied)
