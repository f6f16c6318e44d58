"""The cylinders of the space-time scan: counted, scored and replicated under the null.

What the scan computes, and why, is in :mod:`geo.tension.stscan`; these are its steps:
the cases counted into circles × windows (:func:`count_cylinders`), the Monte Carlo null
distribution of the largest LLR (:func:`monte_carlo`) and the clusters that share no
location with a better one (:func:`disjoint_cylinders`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def _llr(c: np.ndarray, mu: np.ndarray, total: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = c * np.log(c / mu)
        outside = np.where(total - c > 0, (total - c) * np.log((total - c) / (total - mu)), 0.0)
    return np.where((c > mu) & (mu > 0), inside + outside, 0.0)


@dataclass(frozen=True)
class Cylinders:
    """The cases of the study period and the cylinders they are counted in.

    ``loc`` and ``day`` give each case its location and day (0 is the study start);
    ``order``, ``dist`` and ``valid`` are the circles (locations nearest first, within the
    radius and the case share); ``mu`` is every cylinder's expectation (centres × size ×
    windows, a window being 1 … ``max_days`` days back from the analysis date).
    """

    loc: np.ndarray
    day: np.ndarray
    n_loc: int
    n_days: int
    max_days: int
    total: float
    order: np.ndarray
    dist: np.ndarray
    valid: np.ndarray
    mu: np.ndarray

    @property
    def windows(self) -> np.ndarray:
        """Window lengths in days, 1 … ``max_days``."""
        return np.arange(1, self.max_days + 1)

    def observed(self, case_days: np.ndarray) -> np.ndarray:
        """Cases in every cylinder (centres × size × windows) with the cases on these days."""
        recent = np.zeros((self.n_loc, self.max_days))
        for w_i, w in enumerate(self.windows):
            inside = case_days >= self.n_days - w
            recent[:, w_i] = np.bincount(self.loc[inside], minlength=self.n_loc)
        return np.cumsum(recent[self.order], axis=1)

    def scores(self, c: np.ndarray, min_cases: int) -> np.ndarray:
        """LLR of every cylinder holding ``c`` cases (0 if not allowed or under ``min_cases``)."""
        llr = _llr(c, self.mu, self.total)
        llr[~self.valid] = 0.0
        llr[c < min_cases] = 0.0
        return llr


def _circles(
    distances: np.ndarray, c_z: np.ndarray, max_radius: float, max_case_share: float, total: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Circles nearest-first, within the radius and the case share: order, dist, cum_cz, valid."""
    order = np.argsort(distances, axis=1, kind="stable")
    dist = np.take_along_axis(distances, order, axis=1)
    cum_cz = np.cumsum(c_z[order], axis=1)
    allowed = (dist <= max_radius) & (cum_cz <= max_case_share * total)
    allowed[:, 0] = True
    size = allowed.sum(axis=1)  # nested circles: the allowed ones are a prefix
    k_max = int(size.max())
    valid = np.arange(k_max)[None, :] < size[:, None]
    return order[:, :k_max], dist[:, :k_max], cum_cz[:, :k_max], valid


def count_cylinders(
    locations: np.ndarray,
    days: pd.DatetimeIndex | pd.Series | np.ndarray,
    distances: np.ndarray,
    n_loc: int,
    analysis_date: pd.Timestamp,
    study_start: pd.Timestamp,
    max_radius: float,
    max_case_share: float,
    max_days: int,
) -> Cylinders:
    """Cases by location and day over the study period, their circles and expectations.

    ``analysis_date`` and ``study_start`` are already normalised to days.
    """
    day_index = ((pd.DatetimeIndex(days).normalize() - study_start).days).to_numpy()
    n_days = int((analysis_date - study_start).days) + 1
    keep = (day_index >= 0) & (day_index < n_days)
    loc, day_index = np.asarray(locations)[keep], day_index[keep]
    total = float(len(loc))
    counts = np.zeros((n_loc, n_days))
    np.add.at(counts, (loc, day_index), 1.0)
    c_z = counts.sum(axis=1)
    c_d = counts.sum(axis=0)
    order, dist, cum_cz, valid = _circles(distances, c_z, max_radius, max_case_share, total)
    windows = np.arange(1, max_days + 1)
    d_window = np.array([c_d[n_days - w :].sum() for w in windows])  # cases in the window
    mu = cum_cz[:, :, None] * d_window[None, None, :] / total  # (centres, k, windows)
    return Cylinders(loc, day_index, n_loc, n_days, max_days, total, order, dist, valid, mu)


class _Rings:
    """The circles of a scan as an index from locations back to circles.

    For every location, the (centre, size) circles whose outermost member it is, and
    every location's rank around every centre.
    """

    def __init__(self, order: np.ndarray, valid: np.ndarray, n_loc: int) -> None:
        centre, k = np.nonzero(valid)
        outer = order[centre, k]
        by_outer = np.argsort(outer, kind="stable")
        self.centre, self.k = centre[by_outer], k[by_outer]
        self.start = np.searchsorted(outer[by_outer], np.arange(n_loc + 1))
        self.rank = np.full((n_loc, n_loc), np.iinfo(np.int16).max, dtype=np.int16)
        self.rank[centre, outer] = k

    def ending_at(self, locations: np.ndarray) -> np.ndarray:
        """Positions (into ``centre``/``k``) of the circles ending at one of ``locations``.

        A circle ends at the location that is its outermost member; ``locations`` are
        distinct.
        """
        lo, hi = self.start[locations], self.start[locations + 1]
        lengths = hi - lo
        offsets = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
        return offsets + np.arange(lengths.sum())


def _null_maxima(
    perms: list[np.ndarray], cyl: Cylinders, rings: _Rings, min_cases: int
) -> np.ndarray:
    """Maximum LLR of each replicate, exact, from the circles ending at a recent case.

    Only circles whose outermost member holds a case in the last ``max_days`` days are
    looked at. Any other circle with more cases than expected shrinks to one of those
    with the same count in the same window and no larger expectation, hence no smaller
    LLR, so the maximum is exact. A replicate's few recent cases are counted into those
    circles and windows by a running count over the cases sorted by day (integer work
    only: no BLAS threads to contend for the cores).
    """
    windows = np.arange(cyl.max_days)
    out = np.zeros(len(perms))
    for r, days in enumerate(perms):
        back = cyl.n_days - 1 - days
        recent = back < cyl.max_days
        if recent.sum() < min_cases:
            continue
        by_back = np.argsort(back[recent], kind="stable")
        where, back = cyl.loc[recent][by_back], back[recent][by_back]
        circles = rings.ending_at(np.unique(where))
        centre, k = rings.centre[circles], rings.k[circles]
        inside = rings.rank[centre[:, None], where[None, :]] <= k[:, None]
        # cases sorted by days back: a window's count is a running count up to its last case
        running = np.cumsum(inside, axis=1, dtype=np.int32)
        last = np.searchsorted(back, windows, side="right")  # cases in each window
        c = np.where(last > 0, running[:, np.maximum(last - 1, 0)], 0)  # (circles, windows)
        m = cyl.mu[centre, k]
        high = (c > m) & (c >= min_cases)
        if high.any():
            out[r] = _llr(c[high].astype(float), m[high], cyl.total).max()
    return out


def monte_carlo(
    cyl: Cylinders,
    best: float,
    min_cases: int,
    replications: int,
    seed: int | None,
    stop_after: int | None,
) -> tuple[np.ndarray, int, bool]:
    """The replicates' maxima, how many were run and whether a sequential run stopped early.

    Replicates run in blocks of 100; a sequential run (``stop_after``, as in
    :func:`~geo.tension.stscan.space_time_scan`) may stop after any block.
    """
    rng = np.random.default_rng(seed)
    rings = _Rings(cyl.order, cyl.valid, cyl.n_loc)
    maxima: list[np.ndarray] = []
    done = 0
    stopped = False
    while done < replications:
        block = min(100, replications - done)
        perms = [rng.permutation(cyl.day) for _ in range(block)]
        maxima.append(_null_maxima(perms, cyl, rings, min_cases))
        done += block
        if stop_after and sum(int((m >= best).sum()) for m in maxima) >= stop_after:
            stopped = done < replications
            break
    return (np.concatenate(maxima) if maxima else np.zeros(0)), done, stopped


def disjoint_cylinders(
    llr: np.ndarray, order: np.ndarray, n_loc: int, max_clusters: int
) -> list[tuple[int, int, int]]:
    """(centre, size, window) of the best cylinders, sharing no location with a better one.

    Best first; on equal LLR the smaller circle (a location without cases adds nothing).
    """
    taken = np.zeros(n_loc, dtype=bool)
    picked: list[tuple[int, int, int]] = []
    sizes = np.broadcast_to(np.arange(llr.shape[1])[None, :, None], llr.shape).ravel()
    for flat in np.lexsort((sizes, -llr.ravel())):
        centre, k, w_i = (int(i) for i in np.unravel_index(flat, llr.shape))
        if float(llr[centre, k, w_i]) <= 0 or len(picked) >= max_clusters:
            break
        members = order[centre, : k + 1]
        if taken[members].any():
            continue
        taken[members] = True
        picked.append((centre, k, w_i))
    return picked
