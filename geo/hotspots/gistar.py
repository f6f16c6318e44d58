"""Getis-Ord Gi* hot spot analysis (as ArcGIS Pro's Hot Spot Analysis computes it).

Binary weights with the focal unit included (Gi*): the z-score is

    z_i = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

with x̄ and S the mean and population standard deviation of x. For binary weights this
is exactly esda's ``G_Local(star=True, transform="B")`` (tested to 1e-9).

Classes use the analytical p-values with Benjamini–Hochberg FDR by default. The
conditional permutation keeps the focal value fixed, so a single extreme unit among
ordinary neighbours gets a large z but an unremarkable pseudo p: pseudo p-values are
reported (``gi_p_sim``) but never decide the class on their own, so a one-unit hotspot
is not hidden. With 999 permutations the smallest pseudo p is 0.001, which cannot survive
FDR over hundreds of units; FDR is therefore applied to the analytical p.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from geo.hotspots._inference import conditional_lags, fdr, hotspot_class, two_sided_p


@dataclass(frozen=True)
class GiStar:
    """Gi* per unit, aligned to the input values (made by :func:`gi_star`).

    Attributes
    ----------
    z
        Gi* z-scores: positive where high values cluster, negative where low ones do.
    p
        Two-sided analytical p-values of ``z``.
    p_fdr
        Benjamini–Hochberg adjusted ``p`` (``p`` itself when FDR is off).
    p_sim
        Folded pseudo p-values of the conditional permutations, or ``None`` without them.
    hotspot_class
        ``hot_99``, ``hot_95``, ``hot_90``, ``not_significant``, ``cold_90`` … ``cold_99``.
    fdr_applied_to
        ``analytical p-values``, or ``none``.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> counts = np.ones(25)
    >>> counts[[0, 1, 5, 6]] = 10  # a hot corner on a 5 × 5 lattice
    >>> gi_star(counts, lat2W(5, 5).sparse).to_frame().loc[:1, ["gi_z", "hotspot_class"]].round(2)
       gi_z hotspot_class
    0  4.15        hot_99
    1  3.44        hot_99
    """

    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    p_sim: np.ndarray | None
    hotspot_class: np.ndarray
    fdr_applied_to: str = "analytical p-values"

    def to_frame(self, prefix: str = "gi") -> pd.DataFrame:
        """The columns ``{prefix}_z``, ``_p``, ``_p_fdr`` (``_p_sim``) and the class."""
        frame = pd.DataFrame(
            {f"{prefix}_z": self.z, f"{prefix}_p": self.p, f"{prefix}_p_fdr": self.p_fdr}
        )
        if self.p_sim is not None:
            frame[f"{prefix}_p_sim"] = self.p_sim
        frame["hotspot_class" if prefix == "gi" else f"{prefix}_class"] = self.hotspot_class
        return frame


def gi_star(
    values: np.ndarray,
    neighbours: sparse.spmatrix,
    *,
    permutations: int = 0,
    seed: int | None = 0,
    use_fdr: bool = True,
) -> GiStar:
    """Gi* z-scores, p-values, FDR and the seven hotspot classes.

    Parameters
    ----------
    values
        One value per unit (counts, or excess counts).
    neighbours
        Binary n × n neighbour matrix without the diagonal; the focal unit is added here.
    permutations
        0 for analytical inference only; else the number of conditional permutations.
    seed
        Seed for the permutations (identical output for the same seed).
    use_fdr
        Classes from Benjamini–Hochberg adjusted p-values (default) or raw p.

    Returns
    -------
    GiStar
        z, p, FDR-adjusted p, pseudo p (with permutations) and class per unit.

    See Also
    --------
    esda.G_Local : the same statistic (``star=True, transform="B"``).

    Examples
    --------
    Counts on a 5 × 5 lattice (rook neighbours from libpysal) with a hot corner of four
    units:

    >>> from libpysal.weights import lat2W
    >>> counts = np.ones(25)
    >>> counts[[0, 1, 5, 6]] = 10
    >>> gi = gi_star(counts, lat2W(5, 5).sparse)
    >>> gi.z[:3].round(2)
    array([4.15, 3.44, 0.52])
    >>> gi.hotspot_class[[0, 6, 24]]
    array(['hot_99', 'hot_95', 'not_significant'], dtype=object)
    >>> gi_star(counts, lat2W(5, 5).sparse, permutations=99, seed=0).p_sim[:2]
    array([0.02, 0.02])
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    w = sparse.csr_matrix(neighbours, dtype=float)
    w.setdiag(0)
    w.eliminate_zeros()
    w_star = w + sparse.identity(n, format="csr")
    sum_w = np.asarray(w_star.sum(axis=1)).ravel()
    sum_w2 = np.asarray(w_star.multiply(w_star).sum(axis=1)).ravel()
    mean = x.mean()
    s = np.sqrt((x**2).mean() - mean**2)
    lag = w_star @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - mean * sum_w) / (s * np.sqrt((n * sum_w2 - sum_w**2) / (n - 1)))
    z = np.nan_to_num(z)  # constant values: nothing is hot or cold
    p = two_sided_p(z)
    p_fdr = fdr(p) if use_fdr else p
    p_sim = None
    if permutations:
        sims = conditional_lags(
            x, w, lag, scale=np.ones(n), offset=x, permutations=permutations, seed=seed
        )
        p_sim = sims.p_sim
    return GiStar(
        z, p, p_fdr, p_sim, hotspot_class(z, p_fdr), "analytical p-values" if use_fdr else "none"
    )
