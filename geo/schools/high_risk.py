"""High-risk residential areas: where pupils live with more hate around them than their
neighbourhood's residents explain, and the inputs every school calculation reads.

With ``publication``, the records are replaced by published LSOA
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
    """Records whose every setting is an adult one (pubs, clubs, taxis at night)."""
    words = settings.fillna("").str.split(";").map(lambda s: {w for w in s if w})
    return words.map(lambda s: bool(s) and s <= ADULT_SETTINGS)


def school_inputs(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    incidents, places, workshops = ws.read_tables(store.places, store.workshops)
    schools = places[places["kind"] == "school"]
    return incidents, schools_from_places(schools.reset_index(drop=True)), workshops


def high_risk_residential(
    residential: pd.DataFrame, geo: Geography, population: np.ndarray, inner: np.ndarray
) -> pd.DataFrame:
    """LSOAs with more residential records than their residents explain at their CSP's own
    rate: where pupils live with hate around them. Poisson test per LSOA, FDR over all,
    hot at 95 % or 99 %. Against the CSP's rate, not the force's, so that a whole CSP with
    more hate per resident (a city, say) is not hot everywhere and an LSOA that departs
    from its own community's normal stands out.

    ``inner`` holds each LSOA's inner point (n × 2). Returns ``lsoa_code``,
    ``lsoa_name``, ``easting``, ``northing`` (that point),
    ``observed``, ``expected`` and ``relative_risk``: the 95 % lower confidence limit of
    observed / expected (exact, from the gamma quantile), "at least this many times"."""
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
    """Records as the prevention role may see them: for each closed period and LSOA, as
    many points as the LSOA's published count, at its inner point, dated the period's
    last day (``lsoa_code``, ``csp_code``, ``easting``, ``northing``, ``recorded_at``,
    and empty ``settings`` and ``strands``: those are not published per LSOA)."""
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
    """The high-risk residential LSOAs behind the score's R (see
    :func:`high_risk_residential`), from published counts when ``publication`` is given."""
    return plan_inputs(ws, start, end, publication).high_risk
