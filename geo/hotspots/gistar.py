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
    """Gi* per unit, aligned to the input values."""

    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    p_sim: np.ndarray | None
    hotspot_class: np.ndarray
    fdr_applied_to: str = "analytical p-values"

    def to_frame(self, prefix: str = "gi") -> pd.DataFrame:
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
