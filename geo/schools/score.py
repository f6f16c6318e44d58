"""Which schools should get a hate crime awareness workshop, in each CSP, and why.

**Exposure score** of a school, from the records around it in the period:

    score = D × R × √T

- D: exposure. W, the kernel-weighted records within the school's catchment (quartic
  weight (1 − d²/r²)², so a record at the gate counts 1 and one at the edge almost 0;
  records tagged ``school`` count double), per km² of effective catchment (π r² / 3), so
  schools with different catchment radii compare fairly. E, the same weighting of the
  records expected from where people live, is reported beside it (``expected_weight``):
  W − E is the excess a head teacher can be shown. (Scoring on W − E instead ranked
  schools near planted residential hotspots lower on the demo: busy centres with few
  residents dominate an excess.)
- R: risk adjustment, from the high-risk residential LSOAs around the school: those
  whose residential records are more than their residents explain at their CSP's own
  rate (where pupils live with hate around them; see
  :func:`geo.schools.high_risk.high_risk_residential`). Each has a relative risk ``RR``, the
  95 % lower confidence limit of observed / expected (so "at least RR times", and small
  numbers do not give huge ratios), capped at ``MAX_RISK``. R = max over those areas of
  1 + H (RR − 1), where H is the quartic weight of the area's distance (1 at the gate,
  0 at the catchment's edge). A school beside an area where residents report at least
  six times the hate their numbers explain scores up to six times its exposure.
- T: recent trend, records in the catchment in the last 12 months of the period over the
  12 before (clamped to 0.5–2; 1 without enough data).

Catchment radius by phase: primary 1.5 km, secondary, all-through and FE 3 km, special
and other 2 km, nursery 1 km (``--radius-m`` sets one radius for all). Every component
is returned, with the strand mix, so a choice can be explained.

Records only in adult night-life settings (``nte``, ``taxi``) do not count towards a
school (see :func:`geo.schools.high_risk.adult_only`): workshops are for pupils.

``records`` may also be published points (see :func:`geo.schools.high_risk.published_points`):
LSOA counts placed at inner points, without settings or strands, for the prevention role.

The workshop plan built on these scores is in :mod:`geo.schools.plan`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo._errors import TensionmapError

RADIUS_BY_PHASE = {
    "primary": 1500.0,
    "secondary": 3000.0,
    "all_through": 3000.0,
    "fe": 3000.0,
    "special": 2000.0,
    "nursery": 1000.0,
    "other": 2000.0,
}
PHASES = tuple(RADIUS_BY_PHASE)
#: Cap on a high-risk area's relative risk in the score's risk adjustment R.
MAX_RISK = 10.0


def phase_of(phase: pd.Series, type_group: pd.Series) -> pd.Series:
    """GIAS ``PhaseOfEducation`` (+ type group) in our words."""
    p = phase.fillna("").str.lower()
    g = type_group.fillna("").str.lower()
    out = pd.Series("other", index=phase.index, dtype=object)
    out[p.str.contains("primary")] = "primary"
    out[p.str.contains("secondary")] = "secondary"
    out[p.str.contains("all-through|all through")] = "all_through"
    out[p.str.contains("16 plus") | g.str.contains("colleges|further education")] = "fe"
    out[p.str.contains("nursery")] = "nursery"
    out[(out == "other") & g.str.contains("special")] = "special"
    return out


def schools_from_places(places: pd.DataFrame) -> pd.DataFrame:
    """The store's school places as ``urn``, ``school_name``, ``phase``, ``pupils``,
    ``easting``, ``northing``, ``lsoa_code``, ``csp_code``."""
    schools = places[places["kind"] == "school"].reset_index(drop=True)
    attrs = schools["attributes"].fillna("{}").map(json.loads)
    type_group = attrs.map(lambda a: a.get("type_group", ""))
    return pd.DataFrame(
        {
            "urn": schools["source_id"].astype(str),
            "school_name": schools["name"],
            "phase": phase_of(schools["subtype"], type_group),
            "pupils": pd.to_numeric(attrs.map(lambda a: a.get("pupils", "")), errors="coerce"),
            "easting": schools["easting"].astype(float),
            "northing": schools["northing"].astype(float),
            "lsoa_code": schools["lsoa_code"],
            "csp_code": schools["csp_code"],
        }
    )


@dataclass(frozen=True)
class SchoolScores:
    """One row per school with the score and its components."""

    table: pd.DataFrame
    covers: list[np.ndarray]  # per school: indices of the records in its catchment
    n_records: int


def score_schools(
    schools: pd.DataFrame,
    records: pd.DataFrame,
    *,
    high_risk: pd.DataFrame | None = None,
    residents: tuple[np.ndarray, np.ndarray] | None = None,
    radius_m: float | None = None,
    end: date | None = None,
) -> SchoolScores:
    """Exposure score and its components for every school (see the module docstring)."""
    if schools.empty:
        raise TensionmapError(
            "no schools in the workspace: ingest GIAS with "
            "`tensionmap ingest places --kind schools`."
        )
    radius = (
        np.full(len(schools), float(radius_m))
        if radius_m
        else schools["phase"].map(RADIUS_BY_PHASE).fillna(2000.0).to_numpy(float)
    )
    xy = records[["easting", "northing"]].to_numpy(float)
    tree = cKDTree(xy) if len(xy) else None
    centres = schools[["easting", "northing"]].to_numpy(float)
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
    covers, weighted, school_w, trend, mix, count = [], [], [], [], [], []
    for i in range(len(schools)):
        members = np.asarray(
            tree.query_ball_point(centres[i], radius[i]) if tree else [], dtype=int
        )
        covers.append(members)
        d2 = ((xy[members] - centres[i]) ** 2).sum(axis=1)
        w = (1 - d2 / radius[i] ** 2) ** 2
        school_part = float(w[in_school[members]].sum()) if members.size else 0.0
        weighted.append(float(w.sum()) + school_part)
        school_w.append(school_part)
        count.append(int(members.size))
        r, b = int(recent[members].sum()), int(before[members].sum())
        trend.append(float(np.clip(r / b, 0.5, 2.0)) if b >= 3 else 1.0)
        words = (
            pd.Series(";".join(strands[members]).split(";"))
            if members.size
            else pd.Series(dtype=str)
        )
        words = words[words != ""]
        mix.append(", ".join(f"{s} {n}" for s, n in words.value_counts().head(3).items()))
    factor, hot, area, ratio = _risk_adjustment(centres, radius, high_risk)
    w_arr = np.array(weighted)
    expected = _expected_weight(centres, radius, residents, len(records))
    # per km² of catchment, so a primary's 1.5 km and a secondary's 3 km compare fairly
    # (the quartic kernel's integral over the disc is π r² / 3)
    intensity = w_arr / (np.pi * radius**2 / 3 / 1e6)
    score = intensity * factor * np.sqrt(np.array(trend))
    table = schools.assign(
        radius_m=radius,
        records_in_catchment=count,
        weighted_records=np.round(w_arr, 2),
        expected_weight=np.round(expected, 2),
        school_setting_weight=np.round(school_w, 2),
        lsoa_high_risk=hot >= (1 - 0.5**2) ** 2,  # within half the catchment radius
        high_risk_area=area,
        high_risk_ratio=np.round(ratio, 2),
        high_risk_weight=np.round(hot, 3),
        risk_factor=np.round(factor, 2),
        trend=np.round(trend, 2),
        strand_mix=mix,
        score=np.round(score, 2),
    )
    return SchoolScores(table, covers, len(records))


def _risk_adjustment(
    centres: np.ndarray, radius: np.ndarray, high_risk: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """R per school (see the module docstring), with the H, name and RR of the area that
    gives it."""
    n = len(centres)
    factor, weight, ratio = np.ones(n), np.zeros(n), np.full(n, np.nan)
    area = np.full(n, "", dtype=object)
    if high_risk is None or high_risk.empty:
        return factor, weight, area, ratio
    points = high_risk[["easting", "northing"]].to_numpy(float)
    rr = np.minimum(high_risk["relative_risk"].to_numpy(float), MAX_RISK)
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


def _expected_weight(
    centres: np.ndarray, radius: np.ndarray, residents: tuple[np.ndarray, np.ndarray] | None, n: int
) -> np.ndarray:
    """Kernel-weighted records expected if every resident had the same risk: residents
    (points with counts, e.g. LSOA inner points) weighted like records."""
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


def rank_within_csp(table: pd.DataFrame) -> pd.Series:
    """1 = highest score in its CSP."""
    return table.groupby("csp_code")["score"].rank(ascending=False, method="first").astype(int)
