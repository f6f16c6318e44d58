"""What lies within each school's catchment: the sums behind the exposure score.

The score itself, and what W, E, R and T mean, is in :mod:`geo.schools.score`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class ScoredRecords:
    """The record columns a score reads, as arrays."""

    xy: np.ndarray
    in_school: np.ndarray
    recent: np.ndarray  # in the last 12 months of the period
    before: np.ndarray  # in the 12 months before those
    strands: np.ndarray

    @classmethod
    def of(cls, records: pd.DataFrame, end: date | None) -> ScoredRecords:
        """The arrays of ``records``, with the trend's two years ending ``end``."""
        in_school = (
            records["settings"].fillna("").str.contains("school").to_numpy()
            if len(records)
            else np.array([])
        )
        when = (
            pd.to_datetime(records["recorded_at"])
            if len(records)
            else pd.Series(dtype="datetime64[ns]")
        )
        last = pd.Timestamp(end) if end else (when.max() if len(when) else pd.Timestamp.now())
        recent = (when > last - pd.Timedelta(days=365)).to_numpy()
        before = (
            (when > last - pd.Timedelta(days=730)) & (when <= last - pd.Timedelta(days=365))
        ).to_numpy()
        strands = records["strands"].fillna("").to_numpy() if len(records) else np.array([])
        xy = records[["easting", "northing"]].to_numpy(float)
        return cls(xy, in_school, recent, before, strands)


def catchments(
    centres: np.ndarray, radius: np.ndarray, recs: ScoredRecords
) -> tuple[list[np.ndarray], list[float], list[float], list[float], list[str], list[int]]:
    """Per school: its records, W, the school-setting part of W, T, strand mix and count."""
    tree = cKDTree(recs.xy) if len(recs.xy) else None
    covers, weighted, school_w, trend, mix, count = [], [], [], [], [], []
    for i in range(len(centres)):
        members = np.asarray(
            tree.query_ball_point(centres[i], radius[i]) if tree else [], dtype=int
        )
        covers.append(members)
        d2 = ((recs.xy[members] - centres[i]) ** 2).sum(axis=1)
        w = (1 - d2 / radius[i] ** 2) ** 2
        school_part = float(w[recs.in_school[members]].sum()) if members.size else 0.0
        weighted.append(float(w.sum()) + school_part)
        school_w.append(school_part)
        count.append(int(members.size))
        r, b = int(recs.recent[members].sum()), int(recs.before[members].sum())
        trend.append(float(np.clip(r / b, 0.5, 2.0)) if b >= 3 else 1.0)
        words = (
            pd.Series(";".join(recs.strands[members]).split(";"))
            if members.size
            else pd.Series(dtype=str)
        )
        words = words[words != ""]
        mix.append(", ".join(f"{s} {n}" for s, n in words.value_counts().head(3).items()))
    return covers, weighted, school_w, trend, mix, count


def risk_adjustment(
    centres: np.ndarray, radius: np.ndarray, high_risk: pd.DataFrame | None, max_risk: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """R per school (see :mod:`geo.schools.score`), with the H, name and RR of its area."""
    n = len(centres)
    factor, weight, ratio = np.ones(n), np.zeros(n), np.full(n, np.nan)
    area = np.full(n, "", dtype=object)
    if high_risk is None or high_risk.empty:
        return factor, weight, area, ratio
    points = high_risk[["easting", "northing"]].to_numpy(float)
    rr = np.minimum(high_risk["relative_risk"].to_numpy(float), max_risk)
    names = high_risk["lsoa_name"].to_numpy()
    tree = cKDTree(points)
    for i in range(n):
        near = np.asarray(tree.query_ball_point(centres[i], radius[i]), dtype=int)
        if not near.size:
            continue
        d2 = ((points[near] - centres[i]) ** 2).sum(axis=1)
        h = (1 - d2 / radius[i] ** 2) ** 2
        gain = 1 + h * (rr[near] - 1)
        best = int(np.argmax(gain))
        factor[i], weight[i] = gain[best], h[best]
        ratio[i], area[i] = rr[near[best]], names[near[best]]
    return factor, weight, area, ratio


def expected_weight(
    centres: np.ndarray, radius: np.ndarray, residents: tuple[np.ndarray, np.ndarray] | None, n: int
) -> np.ndarray:
    """Kernel-weighted records expected if every resident had the same risk.

    Residents (points with counts, e.g. LSOA inner points) are weighted like records.
    """
    if residents is None or n == 0:
        return np.zeros(len(centres))
    points, people = residents
    share = people / people.sum() * n
    tree = cKDTree(points)
    out = np.zeros(len(centres))
    for i, (c, r) in enumerate(zip(centres, radius, strict=True)):
        near = np.asarray(tree.query_ball_point(c, r), dtype=int)
        d2 = ((points[near] - c) ** 2).sum(axis=1)
        out[i] = float((share[near] * (1 - d2 / r**2) ** 2).sum())
    return out
