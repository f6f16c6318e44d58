"""High-risk residential areas, and the inputs every school calculation reads.

High-risk residential areas are where pupils live with more hate around them than their
neighbourhood's residents explain. With ``publication``, the records are replaced by published LSOA
counts (see :mod:`geo.disclosure`) of each 12-month closed period, each count placed at
its LSOA's inner point and dated the period's last day, so that scores, ranks, the plan
and the high-risk areas depend only on published counts (what the prevention role sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from geo import store
from geo._errors import TensionmapError
from geo.config import Workspace
from geo.disclosure import ClosedPeriod, Publication, published_lsoa_counts
from geo.geography.areas import Geography, load_geography
from geo.geography.population import lsoa_population
from geo.hotspots.aggregate import Filters, expected_within
from geo.hotspots.excess import risk_classes
from geo.schools.score import schools_from_places
from geo.vocab import HOT_CLASSES

#: Settings of adults' night life: records only in these do not count towards a school.
ADULT_SETTINGS = frozenset({"nte", "taxi"})


def adult_only(settings: pd.Series) -> pd.Series:
    """Find the records whose every setting is an adult one (pubs, clubs, taxis at night).

    Such records do not count towards a school: workshops are for pupils.

    Parameters
    ----------
    settings : pandas.Series
        Each record's ``;``-separated settings.

    Returns
    -------
    pandas.Series
        True where the record has settings and all are in :data:`ADULT_SETTINGS`.

    Examples
    --------
    >>> adult_only(pd.Series(["nte", "taxi;nte", "nte;school", "", None])).tolist()
    [True, True, False, False, False]
    """
    words = settings.fillna("").str.split(";").map(lambda s: {w for w in s if w})
    return words.map(lambda s: bool(s) and s <= ADULT_SETTINGS)


def school_inputs(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read what every school calculation starts from, in one connection.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.

    Returns
    -------
    incidents : pandas.DataFrame
        The current records.
    schools : pandas.DataFrame
        The schools (see :func:`geo.schools.score.schools_from_places`).
    workshops : pandas.DataFrame
        The workshops delivered (``urn``, ``delivered_on``).

    Examples
    --------
    >>> incidents, schools, workshops = school_inputs(Workspace.open("demo"))  # doctest: +SKIP
    """
    incidents, places, workshops = ws.read_tables(store.places, store.workshops)
    schools = places[places["kind"] == "school"]
    return incidents, schools_from_places(schools.reset_index(drop=True)), workshops


def high_risk_residential(
    residential: pd.DataFrame, geo: Geography, population: np.ndarray, inner: np.ndarray
) -> pd.DataFrame:
    """Find the LSOAs with more residential records than their residents explain.

    Where pupils live with hate around them. Poisson test per LSOA against the CSP's own
    rate, FDR over all, hot at 95 % or 99 % (:data:`~geo.vocab.HOT_CLASSES`). Against the
    CSP's rate, not the force's, so that a whole CSP with more hate per resident (a
    city, say) is not hot everywhere and an LSOA that departs from its own community's
    normal stands out.

    Parameters
    ----------
    residential : pandas.DataFrame
        The residential records, with ``lsoa_code``.
    geo : Geography
        The boundary set.
    population : numpy.ndarray
        Residents per LSOA, aligned to ``geo.lsoas``.
    inner : numpy.ndarray
        Each LSOA's inner point (n × 2), e.g. :attr:`Geography.inner_points`.

    Returns
    -------
    pandas.DataFrame
        One row per high-risk LSOA: ``lsoa_code``, ``lsoa_name``, ``easting``,
        ``northing`` (its inner point), ``observed``, ``expected`` and ``relative_risk``:
        the 95 % lower confidence limit of observed / expected (exact, from the gamma
        quantile), "at least this many times".

    Examples
    --------
    Thirty residential records in one LSOA of a CSP where 1,500 people live in each:

    >>> from geo.geography import load_geography
    >>> geo = load_geography()
    >>> residential = pd.DataFrame({"lsoa_code": ["E01023727"] * 30})
    >>> population = np.full(len(geo.lsoas), 1500.0)
    >>> high = high_risk_residential(residential, geo, population, geo.inner_points)
    >>> high[["lsoa_name", "observed", "expected", "relative_risk"]]
            lsoa_name  observed  expected  relative_risk
    0  St Albans 012B        30      0.34           58.7
    """
    counts = (
        residential["lsoa_code"].value_counts().reindex(geo.lsoas["lsoa_code"]).fillna(0)
    ).to_numpy(float)
    expected = expected_within(population, counts, geo.lsoas["csp_code"].to_numpy())
    _, _, risk = risk_classes(counts, expected)
    hot = np.isin(risk, HOT_CLASSES) & (expected > 0)
    lower = stats.gamma.ppf(0.025, counts[hot]) / expected[hot]
    return pd.DataFrame(
        {
            "lsoa_code": geo.lsoas["lsoa_code"].to_numpy()[hot],
            "lsoa_name": geo.lsoas["lsoa_name"].to_numpy()[hot],
            "easting": inner[hot, 0],
            "northing": inner[hot, 1],
            "observed": counts[hot].astype(int),
            "expected": np.round(expected[hot], 2),
            "relative_risk": np.round(lower, 2),
        }
    )


def published_points(
    records: pd.DataFrame,
    geo: Geography,
    inner: np.ndarray,
    periods: list[ClosedPeriod],
    *,
    k: int,
) -> pd.DataFrame:
    """Turn records into points as the prevention role may see them: published counts.

    For each closed period and LSOA, as many points as the LSOA's published count
    (suppressed below ``k``, rounded; see :func:`geo.disclosure.published_lsoa_counts`),
    at its inner point, dated the period's last day.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``recorded_at`` and ``lsoa_code``.
    geo : Geography
        The boundary set.
    inner : numpy.ndarray
        Each LSOA's inner point (n × 2), e.g. :attr:`Geography.inner_points`.
    periods : list of geo.disclosure.ClosedPeriod
        The closed periods to count.
    k : int
        The smallest count published.

    Returns
    -------
    pandas.DataFrame
        One row per published record: ``lsoa_code``, ``csp_code``, ``easting``,
        ``northing``, ``recorded_at``, and empty ``settings`` and ``strands`` (those are
        not published per LSOA).

    Examples
    --------
    Seven records in one LSOA are published as five; two in another are suppressed:

    >>> from geo.disclosure import ClosedPeriod
    >>> from geo.geography import load_geography
    >>> geo = load_geography()
    >>> records = pd.DataFrame({"lsoa_code": ["E01023727"] * 7 + ["E01032797"] * 2,
    ...                         "recorded_at": ["2023-05-01"] * 9})
    >>> year = ClosedPeriod(date(2023, 1, 1), date(2023, 12, 31), 7)
    >>> points = published_points(records, geo, geo.inner_points, [year], k=5)
    >>> len(points), points["lsoa_code"].unique().tolist(), points.loc[0, "recorded_at"]
    (5, ['E01023727'], '2023-12-31')
    """
    codes = geo.lsoas["lsoa_code"].to_numpy()
    frames = []
    for period in periods:
        counts = published_lsoa_counts(records, codes, period, k=k).records
        at = np.repeat(np.arange(len(codes)), counts)
        frames.append(
            pd.DataFrame(
                {
                    "lsoa_code": codes[at],
                    "csp_code": geo.lsoas["csp_code"].to_numpy()[at],
                    "easting": inner[at, 0],
                    "northing": inner[at, 1],
                    "recorded_at": period.end.isoformat(),
                    "settings": "",
                    "strands": "",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class PlanInputs:
    """What a school score, plan or high-risk map is computed from, made by :func:`plan_inputs`.

    Attributes
    ----------
    records : pandas.DataFrame
        The records scored on (adult-only ones left out), or published points.
    high_risk : pandas.DataFrame
        The high-risk residential areas (see :func:`high_risk_residential`).
    schools : pandas.DataFrame
        The schools (see :func:`geo.schools.score.schools_from_places`).
    workshops : pandas.DataFrame
        The workshops delivered.
    geo : Geography
        The boundary set.
    residents : tuple of numpy.ndarray
        LSOA inner points and their residents, for the expected weight.
    end : datetime.date or None
        The period's last day (the publication's last closed day when published).

    Examples
    --------
    >>> inputs = plan_inputs(Workspace.open("demo"), None, None, None)  # doctest: +SKIP
    >>> len(inputs.schools), len(inputs.high_risk)  # doctest: +SKIP
    """

    records: pd.DataFrame
    high_risk: pd.DataFrame
    schools: pd.DataFrame
    workshops: pd.DataFrame
    geo: Geography
    residents: tuple[np.ndarray, np.ndarray]
    end: date | None


def plan_inputs(
    ws: Workspace, start: date | None, end: date | None, publication: Publication | None
) -> PlanInputs:
    """Read and prepare what every school calculation needs, for a period or a publication.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.
    start, end : datetime.date or None
        The period of records (all records when both are ``None``).
    publication : geo.disclosure.Publication or None
        When given, published counts of its last two 12-month closed periods replace the
        records (what the prevention role sees).

    Returns
    -------
    PlanInputs
        The records, high-risk areas, schools, workshops, geography and residents.

    Raises
    ------
    TensionmapError
        If ``publication`` is given with ``start`` or ``end``.

    Examples
    --------
    >>> inputs = plan_inputs(Workspace.open("demo"), date(2023, 1, 1), None, None)  # doctest: +SKIP
    """
    if publication is not None and (start or end):
        raise TensionmapError(
            f"a published plan covers the closed periods of its publication; "
            f"start {start!r} and end {end!r} cannot be given with it."
        )
    incidents, schools, workshops = school_inputs(ws)
    records = Filters(start=start, end=end).apply(incidents).reset_index(drop=True)
    records = records[~adult_only(records["settings"])].reset_index(drop=True)
    geo = load_geography(ws.geography_dir)
    population, _ = lsoa_population(geo, geography_dir=ws.geography_dir)
    inner = geo.inner_points
    residential = Filters(settings=("residential",)).apply(records)
    if publication is not None:
        periods = publication.yearly_windows()
        residential = published_points(residential, geo, inner, periods, k=publication.k)
        records = published_points(records, geo, inner, periods, k=publication.k)
        end = periods[0].end
    high_risk = high_risk_residential(residential, geo, population, inner)
    return PlanInputs(records, high_risk, schools, workshops, geo, (inner, population), end)


def high_risk_areas(
    ws: Workspace,
    *,
    start: date | None = None,
    end: date | None = None,
    publication: Publication | None = None,
) -> pd.DataFrame:
    """The high-risk residential LSOAs behind the school score's R, for a workspace.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.
    start, end : datetime.date, optional
        The period of records.
    publication : geo.disclosure.Publication, optional
        Use published counts instead of records (not with ``start`` or ``end``).

    Returns
    -------
    pandas.DataFrame
        As :func:`high_risk_residential` returns.

    Examples
    --------
    >>> high_risk_areas(Workspace.open("demo"), start=date(2023, 1, 1))  # doctest: +SKIP
    """
    return plan_inputs(ws, start, end, publication).high_risk
