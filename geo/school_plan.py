"""The workspace side of school targeting: load records and schools, score, plan, track.

Every function takes ``publication``: with it, the records are replaced by published LSOA
counts (see :mod:`geo.disclosure`) of each 12-month closed period, each count placed at
its LSOA's inner point and dated the period's last day, so that scores, ranks, the plan
and the high-risk areas depend only on published counts (what the prevention role sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy import stats

from geo import store
from geo._errors import TensionmapError, one_of
from geo.config import Workspace
from geo.disclosure import ClosedPeriod, Publication, published_lsoa_counts
from geo.geography import Geography, load_geography
from geo.hotspots.aggregate import Filters, expected_within
from geo.hotspots.excess import risk_classes
from geo.population import lsoa_population
from geo.schools import (
    HOT,
    PHASES,
    WorkshopPlan,
    plan_workshops,
    rank_within_csp,
    schools_from_places,
    score_schools,
    workshop_status,
)

#: Settings of adults' night life: records only in these do not count towards a school.
ADULT_SETTINGS = frozenset({"nte", "taxi"})


def adult_only(settings: pd.Series) -> pd.Series:
    """Records whose every setting is an adult one (pubs, clubs, taxis at night)."""
    words = settings.fillna("").str.split(";").map(lambda s: {w for w in s if w})
    return words.map(lambda s: bool(s) and s <= ADULT_SETTINGS)


def _inputs(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    engine = store.connect(ws.database_url)
    try:
        incidents = store.read_incidents(engine)
        places = store.read_table(engine, store.places, store.places.c.kind == "school")
        workshops = store.read_table(engine, store.workshops)
    finally:
        engine.dispose()
    return incidents, schools_from_places(places), workshops


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
    hot = np.isin(risk, HOT) & (expected > 0)
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
class _PlanInputs:
    records: pd.DataFrame
    high_risk: pd.DataFrame
    schools: pd.DataFrame
    workshops: pd.DataFrame
    geo: Geography
    residents: tuple[np.ndarray, np.ndarray]
    end: date | None


def _plan_inputs(
    ws: Workspace, start: date | None, end: date | None, publication: Publication | None
) -> _PlanInputs:
    if publication is not None and (start or end):
        raise TensionmapError(
            f"a published plan covers the closed periods of its publication; "
            f"start {start!r} and end {end!r} cannot be given with it."
        )
    incidents, schools, workshops = _inputs(ws)
    records = Filters(start=start, end=end).apply(incidents).reset_index(drop=True)
    records = records[~adult_only(records["settings"])].reset_index(drop=True)
    geo = load_geography(ws.geography_dir)
    population, _ = lsoa_population(geo, geography_dir=ws.geography_dir)
    point = geo.lsoas.geometry.representative_point()
    inner = np.column_stack([point.x, point.y])
    residential = Filters(settings=("residential",)).apply(records)
    if publication is not None:
        periods = publication.yearly_windows()
        residential = published_points(residential, geo, inner, periods, k=publication.k)
        records = published_points(records, geo, inner, periods, k=publication.k)
        end = periods[0].end
    high_risk = high_risk_residential(residential, geo, population, inner)
    return _PlanInputs(records, high_risk, schools, workshops, geo, (inner, population), end)


def high_risk_areas(
    ws: Workspace,
    *,
    start: date | None = None,
    end: date | None = None,
    publication: Publication | None = None,
) -> pd.DataFrame:
    """The high-risk residential LSOAs behind the score's R (see
    :func:`high_risk_residential`), from published counts when ``publication`` is given."""
    return _plan_inputs(ws, start, end, publication).high_risk


def school_plan(
    ws: Workspace,
    *,
    start: date | None = None,
    end: date | None = None,
    phases: tuple[str, ...] = (),
    budget: int = 20,
    per_csp_min: int = 1,
    radius_m: float | None = None,
    min_pupils: int = 0,
    exclude_months: int = 12,
    publication: Publication | None = None,
    today: date | None = None,
) -> WorkshopPlan:
    """Score, rank and plan (see :mod:`geo.schools`); from published LSOA counts of
    closed periods when ``publication`` is given. ``today`` (default: ``end``, else the
    real date) decides which workshops are recent."""
    for phase in phases:
        if phase not in PHASES:
            raise one_of("phase", PHASES, phase)
    inputs = _plan_inputs(ws, start, end, publication)
    schools, workshops, geo = inputs.schools, inputs.workshops, inputs.geo
    scores = score_schools(
        schools,
        inputs.records,
        high_risk=inputs.high_risk,
        residents=inputs.residents,
        radius_m=radius_m,
        end=inputs.end,
    )
    eligible = np.ones(len(schools), dtype=bool)
    if phases:
        eligible &= schools["phase"].isin(phases).to_numpy()
    if min_pupils:
        eligible &= (schools["pupils"].fillna(0) >= min_pupils).to_numpy()
    if exclude_months and len(workshops):
        reference = today or end or date.today()
        since = (reference - timedelta(days=30 * exclude_months)).isoformat()
        recent = set(workshops.loc[workshops["delivered_on"] >= since, "urn"])
        eligible &= ~schools["urn"].isin(recent).to_numpy()
    plan = plan_workshops(scores, budget=budget, per_csp_min=per_csp_min, eligible=eligible)
    names = geo.lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    table = plan.table.assign(csp=plan.table["csp_code"].map(names))
    return WorkshopPlan(
        table,
        plan.covered_optimised,
        plan.covered_greedy,
        plan.total_records,
        plan.solver_status,
        plan.notes,
    )


def record_workshop(ws: Workspace, urn: str, delivered_on: date) -> None:
    _, schools, _ = _inputs(ws)
    if urn not in set(schools["urn"]):
        raise TensionmapError(f"URN {urn!r} is not a school in this workspace.")
    engine = store.connect(ws.database_url)
    try:
        with store.transaction(engine) as conn:
            exists = conn.execute(
                sa.select(store.workshops.c.id).where(
                    (store.workshops.c.urn == urn)
                    & (store.workshops.c.delivered_on == delivered_on.isoformat())
                )
            ).first()
            if exists is None:
                conn.execute(
                    store.workshops.insert().values(
                        urn=urn, delivered_on=delivered_on.isoformat(), recorded_at=store.now()
                    )
                )
    finally:
        engine.dispose()


def school_status(
    ws: Workspace, *, today: date, publication: Publication | None = None
) -> pd.DataFrame:
    """Per CSP, the 12-month workshop indicator and the best-ranked schools not yet
    visited, ranked on the last two years of records (on the published counts of the
    last two 12-month closed periods when ``publication`` is given)."""
    incidents, schools, workshops = _inputs(ws)
    geo = load_geography(ws.geography_dir)
    if publication is None:
        records = Filters(start=today - timedelta(days=730), end=today).apply(incidents)
        last = today
    else:
        periods = publication.yearly_windows()[:2]
        point = geo.lsoas.geometry.representative_point()
        inner = np.column_stack([point.x, point.y])
        records = published_points(incidents, geo, inner, periods, k=publication.k)
        last = periods[0].end
    scores = score_schools(schools, records.reset_index(drop=True), end=last)
    ranked = scores.table.assign(rank_in_csp=rank_within_csp(scores.table))
    names = geo.lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    return workshop_status(schools, workshops, ranked, today=today, csp_names=names)
