"""The workshop plan of a workspace, and the workshops delivered.

**Workshop plan**: K schools that together cover the most records (a record inside
several catchments counts once), with at least ``per_csp_min`` schools in every CSP (see
:mod:`geo.schools.covering`), among the schools a tactical lead may choose: of the
phases asked for, big enough, and without a recent workshop.

The workspace functions take ``publication``: with it, the records are replaced by
published LSOA counts (see :mod:`geo.disclosure`) of each 12-month closed period, each
count placed at its LSOA's inner point and dated the period's last day, so that scores,
ranks, the plan and the high-risk areas depend only on published counts (what the
prevention role sees).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo import store
from geo._errors import TensionmapError, one_of
from geo.config import Workspace
from geo.disclosure import Publication
from geo.geography.areas import load_geography
from geo.hotspots.aggregate import Filters
from geo.schools.covering import WorkshopPlan, plan_workshops
from geo.schools.high_risk import plan_inputs, published_points, school_inputs
from geo.schools.score import PHASES, rank_within_csp, score_schools

__all__ = [
    "WorkshopPlan", "plan_workshops", "record_workshop", "school_plan", "school_status",
    "workshop_status",
]  # fmt: skip


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
    """Score, rank and plan the workshops of a workspace: ``tensionmap schools plan``.

    Schools are scored (see :mod:`geo.schools.score`) and the plan chosen among the
    eligible ones (see :func:`~geo.schools.covering.plan_workshops`); from published LSOA
    counts of closed periods when ``publication`` is given.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.
    start, end : datetime.date, optional
        The period of records (not with ``publication``).
    phases : tuple of str, optional
        Only schools of these phases (of :data:`~geo.schools.PHASES`) may be chosen.
    budget : int, default 20
        How many workshops there are.
    per_csp_min : int, default 1
        Schools every CSP gets at least.
    radius_m : float, optional
        One catchment radius for every school.
    min_pupils : int, default 0
        Only schools with at least this many pupils may be chosen.
    exclude_months : int, default 12
        Schools with a workshop in this many months before ``today`` may not be chosen.
    publication : geo.disclosure.Publication, optional
        Plan on published counts (what the prevention role sees).
    today : datetime.date, optional
        Decides which workshops are recent (``end`` by default, else the real date).

    Returns
    -------
    WorkshopPlan
        The plan, with each CSP's name in ``csp``.

    Raises
    ------
    TensionmapError
        If a phase is unknown, ``publication`` comes with ``start`` or ``end``, or the
        budget cannot be met (see :func:`~geo.schools.covering.plan_workshops`).

    Examples
    --------
    >>> ws = Workspace.open("tensionmap-demo", create=False)  # doctest: +SKIP
    >>> plan = school_plan(ws, budget=10, phases=("primary",))  # doctest: +SKIP
    >>> plan.table.loc[plan.table["selected"], ["school_name", "csp", "reason"]]  # doctest: +SKIP
    """
    for phase in phases:
        if phase not in PHASES:
            raise one_of("phase", PHASES, phase)
    inputs = plan_inputs(ws, start, end, publication)
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
    table = plan.table.assign(csp=plan.table["csp_code"].map(geo.csp_names))
    return WorkshopPlan(
        table,
        plan.covered_optimised,
        plan.covered_greedy,
        plan.total_records,
        plan.solver_status,
        plan.notes,
    )


def record_workshop(ws: Workspace, urn: str, delivered_on: date) -> None:
    """Record that a school had a workshop (once per school and day).

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.
    urn : str
        The school's URN.
    delivered_on : datetime.date
        The day of the workshop.

    Raises
    ------
    TensionmapError
        If the URN is not a school in the workspace.

    Examples
    --------
    >>> record_workshop(Workspace.open("demo"), "117000", date(2024, 3, 5))  # doctest: +SKIP
    """
    _, schools, _ = school_inputs(ws)
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
    """Per CSP, the 12-month workshop indicator and the best-ranked schools not yet visited.

    Schools are ranked on the last two years of records, or on the published counts of
    the last two 12-month closed periods when ``publication`` is given.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.
    today : datetime.date
        The day the indicator is for.
    publication : geo.disclosure.Publication, optional
        Rank on published counts (what the prevention role sees).

    Returns
    -------
    pandas.DataFrame
        As :func:`workshop_status` returns.

    Examples
    --------
    >>> school_status(Workspace.open("demo"), today=date(2024, 4, 1))  # doctest: +SKIP
    """
    incidents, schools, workshops = school_inputs(ws)
    geo = load_geography(ws.geography_dir)
    if publication is None:
        records = Filters(start=today - timedelta(days=730), end=today).apply(incidents)
        last = today
    else:
        periods = publication.yearly_windows()[:2]
        records = published_points(incidents, geo, geo.inner_points, periods, k=publication.k)
        last = periods[0].end
    scores = score_schools(schools, records.reset_index(drop=True), end=last)
    ranked = scores.table.assign(rank_in_csp=rank_within_csp(scores.table))
    return workshop_status(schools, workshops, ranked, today=today, csp_names=geo.csp_names)


def workshop_status(
    schools: pd.DataFrame,
    workshops: pd.DataFrame,
    ranked: pd.DataFrame,
    *,
    today: date,
    csp_names: pd.Series,
) -> pd.DataFrame:
    """Per CSP: whether a school had a workshop in the last 12 months, and who is next.

    Parameters
    ----------
    schools : pandas.DataFrame
        ``urn``, ``csp_code`` and ``school_name``.
    workshops : pandas.DataFrame
        Workshops delivered: ``urn`` and ``delivered_on`` (ISO date).
    ranked : pandas.DataFrame
        Schools with ``urn``, ``csp_code``, ``school_name`` and ``rank_in_csp``.
    today : datetime.date
        The day the indicator is for.
    csp_names : pandas.Series
        CSP name by code (:attr:`Geography.csp_names`).

    Returns
    -------
    pandas.DataFrame
        One row per CSP: ``csp``, ``indicator_met``, ``workshops_last_12_months``,
        ``last_workshop`` and ``priority_schools_remaining`` (the three best-ranked
        schools not yet visited).

    Examples
    --------
    >>> schools = pd.DataFrame({"urn": ["1", "2", "3"], "csp_code": ["A", "A", "B"],
    ...                         "school_name": ["Abbey", "Beech", "Cedar"]})
    >>> ranked = schools.assign(rank_in_csp=[1, 2, 1])
    >>> workshops = pd.DataFrame({"urn": ["1"], "delivered_on": ["2024-02-01"]})
    >>> names = pd.Series({"A": "St Albans", "B": "Watford"})
    >>> status = workshop_status(
    ...     schools, workshops, ranked, today=date(2024, 4, 1), csp_names=names)
    >>> status[["csp", "indicator_met", "last_workshop", "priority_schools_remaining"]]
             csp  indicator_met last_workshop priority_schools_remaining
    0  St Albans           True    2024-02-01                      Beech
    1    Watford          False                                    Cedar
    """
    since = (today - timedelta(days=365)).isoformat()
    visited = workshops.merge(schools[["urn", "csp_code", "school_name"]], on="urn", how="left")
    rows = []
    for csp in sorted(schools["csp_code"].dropna().unique()):
        done = visited[visited["csp_code"] == csp]
        recent = done[done["delivered_on"] >= since]
        remaining = ranked[(ranked["csp_code"] == csp) & ~ranked["urn"].isin(done["urn"])]
        remaining = remaining.sort_values("rank_in_csp").head(3)
        rows.append(
            {
                "csp": csp_names.get(csp, csp),
                "indicator_met": bool(len(recent)),
                "workshops_last_12_months": len(recent),
                "last_workshop": done["delivered_on"].max() if len(done) else "",
                "priority_schools_remaining": "; ".join(remaining["school_name"]),
            }
        )
    return pd.DataFrame(rows)
