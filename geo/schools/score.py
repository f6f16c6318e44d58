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

from geo._errors import TensionmapError
from geo.schools._catchment import ScoredRecords, catchments, expected_weight, risk_adjustment

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
    """Say a school's phase in our words, from GIAS's phase of education and type group.

    Parameters
    ----------
    phase : pandas.Series
        GIAS ``PhaseOfEducation (name)``, e.g. ``Primary``, ``16 plus``.
    type_group : pandas.Series
        GIAS ``EstablishmentTypeGroup (name)``, e.g. ``Special schools``, ``Colleges``.

    Returns
    -------
    pandas.Series
        One of :data:`PHASES` per school (``other`` when neither says).

    Examples
    --------
    >>> phase_of(
    ...     pd.Series(["Primary", "Secondary", "Not applicable", "16 plus"]),
    ...     pd.Series(["Academies", "Academies", "Special schools", "Colleges"]),
    ... ).tolist()
    ['primary', 'secondary', 'special', 'fe']
    """
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
    """The schools among the store's places, in the columns a score reads.

    Parameters
    ----------
    places : pandas.DataFrame
        Stored places (:data:`geo.store.places`): ``kind``, ``source_id`` (the URN),
        ``name``, ``subtype`` (GIAS phase), ``attributes`` (JSON with ``type_group`` and
        ``pupils``), ``easting``, ``northing``, ``lsoa_code`` and ``csp_code``.

    Returns
    -------
    pandas.DataFrame
        One row per school: ``urn``, ``school_name``, ``phase`` (see :func:`phase_of`),
        ``pupils`` (NaN if unknown), ``easting``, ``northing``, ``lsoa_code``, ``csp_code``.

    Examples
    --------
    >>> places = pd.DataFrame({
    ...     "kind": ["school", "nte"], "source_id": ["117000", ""],
    ...     "name": ["Abbey Primary", "The Bell"], "subtype": ["Primary", "pub"],
    ...     "attributes": ['{"type_group": "Academies", "pupils": "420"}', None],
    ...     "easting": [514800.0, 514900.0], "northing": [207200.0, 207300.0],
    ...     "lsoa_code": ["E01023727"] * 2, "csp_code": ["E07000240"] * 2})
    >>> schools_from_places(places)[["urn", "school_name", "phase", "pupils"]]
          urn    school_name    phase  pupils
    0  117000  Abbey Primary  primary     420
    """
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
    """Every school's exposure score and its components, made by :func:`score_schools`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per school: its columns, then ``radius_m``, ``records_in_catchment``,
        ``weighted_records`` (W), ``expected_weight`` (E), ``school_setting_weight``,
        ``lsoa_high_risk``, ``high_risk_area``, ``high_risk_ratio``, ``high_risk_weight``
        (H), ``risk_factor`` (R), ``trend`` (T), ``strand_mix`` and ``score``.
    covers : list of numpy.ndarray
        Per school, the rows of the records in its catchment (what a plan covers).
    n_records : int
        How many records were scored on.

    Examples
    --------
    >>> schools = pd.DataFrame({"urn": ["1"], "phase": ["primary"], "csp_code": ["C"],
    ...                         "easting": [0.0], "northing": [0.0]})
    >>> records = pd.DataFrame({"easting": [100.0], "northing": [0.0], "settings": [""],
    ...                         "strands": ["race"], "recorded_at": ["2024-01-05"]})
    >>> scores = score_schools(schools, records)
    >>> scores.covers, scores.n_records
    ([array([0])], 1)
    """

    table: pd.DataFrame
    covers: list[np.ndarray]
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
    """Exposure score D × R × √T and its components for every school.

    See the module docstring for the score: D the kernel-weighted records per km² of
    catchment, R the risk adjustment from nearby high-risk residential areas, T the
    recent trend.

    Parameters
    ----------
    schools : pandas.DataFrame
        ``phase``, ``easting``, ``northing`` and any columns to carry (``urn``,
        ``school_name``, ``csp_code`` …), as :func:`schools_from_places` gives.
    records : pandas.DataFrame
        ``easting``, ``northing``, ``recorded_at``, ``settings`` and ``strands`` (or
        published points, see :func:`geo.schools.high_risk.published_points`).
    high_risk : pandas.DataFrame, optional
        High-risk residential areas (``easting``, ``northing``, ``relative_risk``,
        ``lsoa_name``) from :func:`geo.schools.high_risk.high_risk_residential`; without
        them R is 1.
    residents : tuple of numpy.ndarray, optional
        Points (n × 2) and their residents, for the expected weight E (0 without).
    radius_m : float, optional
        One catchment radius for every school, instead of :data:`RADIUS_BY_PHASE`.
    end : datetime.date, optional
        The period's last day, for the trend (the latest record by default).

    Returns
    -------
    SchoolScores
        The scores, their components, and each school's records.

    Raises
    ------
    TensionmapError
        If there are no schools.

    Examples
    --------
    Two records near a primary school (one at a school), one near a secondary:

    >>> schools = pd.DataFrame({
    ...     "urn": ["1", "2"], "phase": ["primary", "secondary"], "csp_code": ["C", "C"],
    ...     "easting": [0.0, 5000.0], "northing": [0.0, 0.0]})
    >>> records = pd.DataFrame({
    ...     "easting": [100.0, 200.0, 4000.0], "northing": [0.0, 0.0, 0.0],
    ...     "recorded_at": ["2024-01-05", "2024-02-01", "2024-03-01"],
    ...     "settings": ["school", "street", "residential"],
    ...     "strands": ["race", "race;religion", "disability"]})
    >>> table = score_schools(schools, records, end=date(2024, 3, 31)).table
    >>> table[["urn", "radius_m", "records_in_catchment", "weighted_records", "score"]]
      urn  radius_m  records_in_catchment  weighted_records  score
    0   1    1500.0                     2              2.95   1.25
    1   2    3000.0                     1              0.79   0.08
    >>> table.loc[0, "strand_mix"]
    'race 2, religion 1'
    """
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
    centres = schools[["easting", "northing"]].to_numpy(float)
    covers, weighted, school_w, trend, mix, count = catchments(
        centres, radius, ScoredRecords.of(records, end)
    )
    factor, hot, area, ratio = risk_adjustment(centres, radius, high_risk, MAX_RISK)
    w_arr = np.array(weighted)
    expected = expected_weight(centres, radius, residents, len(records))
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


def rank_within_csp(table: pd.DataFrame) -> pd.Series:
    """Rank each school within its CSP, 1 for the highest score.

    Parameters
    ----------
    table : pandas.DataFrame
        ``csp_code`` and ``score`` (e.g. :attr:`SchoolScores.table`).

    Returns
    -------
    pandas.Series
        The rank, aligned to ``table``; ties go to the school listed first.

    Examples
    --------
    >>> table = pd.DataFrame({"csp_code": ["A", "A", "B"], "score": [1.0, 3.0, 2.0]})
    >>> rank_within_csp(table).tolist()
    [2, 1, 1]
    """
    return table.groupby("csp_code")["score"].rank(ascending=False, method="first").astype(int)
