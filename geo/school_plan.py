"""The workspace side of school targeting: load records and schools, score, plan, track."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy import stats

from geo import store
from geo._errors import TensionmapError, one_of
from geo.config import Workspace
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
) -> WorkshopPlan:
    for phase in phases:
        if phase not in PHASES:
            raise one_of("phase", PHASES, phase)
    incidents, schools, workshops = _inputs(ws)
    records = Filters(start=start, end=end).apply(incidents).reset_index(drop=True)
    records = records[~adult_only(records["settings"])].reset_index(drop=True)
    geo = load_geography(ws.geography_dir)
    population, _ = lsoa_population(geo, geography_dir=ws.geography_dir)
    point = geo.lsoas.geometry.representative_point()
    inner = np.column_stack([point.x, point.y])
    residential = Filters(settings=("residential",)).apply(records)
    high_risk = high_risk_residential(residential, geo, population, inner)
    residents = (inner, population)
    scores = score_schools(
        schools, records, high_risk=high_risk, residents=residents, radius_m=radius_m, end=end
    )
    eligible = np.ones(len(schools), dtype=bool)
    if phases:
        eligible &= schools["phase"].isin(phases).to_numpy()
    if min_pupils:
        eligible &= (schools["pupils"].fillna(0) >= min_pupils).to_numpy()
    if exclude_months and len(workshops):
        since = ((end or date.today()) - timedelta(days=30 * exclude_months)).isoformat()
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


def school_status(ws: Workspace, *, today: date) -> pd.DataFrame:
    incidents, schools, workshops = _inputs(ws)
    records = Filters(start=today - timedelta(days=730), end=today).apply(incidents)
    scores = score_schools(schools, records.reset_index(drop=True), end=today)
    ranked = scores.table.assign(rank_in_csp=rank_within_csp(scores.table))
    geo = load_geography(ws.geography_dir)
    names = geo.lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    return workshop_status(schools, workshops, ranked, today=today, csp_names=names)
