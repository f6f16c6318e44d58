"""The workshop plan: K schools that together cover the most records, and its tracking.

**Workshop plan**: K schools that together cover the most records (a record inside
several catchments counts once), with at least ``per_csp_min`` schools in every CSP: a
maximal covering location problem solved as an integer programme with PuLP/CBC. The
greedy alternative (best-scoring school of each CSP, then the highest scores) is
computed alongside and the coverage of both is reported.

The workspace functions take ``publication``: with it, the records are replaced by
published LSOA counts (see :mod:`geo.disclosure`) of each 12-month closed period, each
count placed at its LSOA's inner point and dated the period's last day, so that scores,
ranks, the plan and the high-risk areas depend only on published counts (what the
prevention role sees).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pulp
import sqlalchemy as sa

from geo import store
from geo._errors import TensionmapError, one_of
from geo.config import Workspace
from geo.disclosure import Publication
from geo.geography.areas import load_geography
from geo.hotspots.aggregate import Filters
from geo.schools.high_risk import plan_inputs, published_points, school_inputs
from geo.schools.score import PHASES, SchoolScores, rank_within_csp, score_schools


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
    """Score, rank and plan (see :mod:`geo.schools.score`); from published LSOA counts of
    closed periods when ``publication`` is given. ``today`` (default: ``end``, else the
    real date) decides which workshops are recent."""
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
    """Per CSP, the 12-month workshop indicator and the best-ranked schools not yet
    visited, ranked on the last two years of records (on the published counts of the
    last two 12-month closed periods when ``publication`` is given)."""
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


def coverage(covers: list[np.ndarray], chosen: np.ndarray) -> int:
    """Distinct records inside the catchments of the chosen schools."""
    if not len(chosen):
        return 0
    return int(np.unique(np.concatenate([covers[i] for i in chosen] + [np.array([], int)])).size)


def greedy_plan(table: pd.DataFrame, budget: int, per_csp_min: int) -> np.ndarray:
    """Best-scoring ``per_csp_min`` schools of every CSP, then the highest scores."""
    order = table.sort_values("score", ascending=False)
    first = order.groupby("csp_code").head(per_csp_min).index.to_numpy()
    rest = order.index.to_numpy()[~order.index.isin(first)]
    return np.concatenate([first, rest[: budget - len(first)]])


@dataclass(frozen=True)
class WorkshopPlan:
    table: pd.DataFrame  # the CLI rows (selected and not)
    covered_optimised: int
    covered_greedy: int
    total_records: int
    solver_status: str
    notes: list[str] = field(default_factory=list)


def plan_workshops(
    scores: SchoolScores,
    *,
    budget: int,
    per_csp_min: int = 1,
    eligible: np.ndarray | None = None,
    time_limit_s: float = 20.0,
) -> WorkshopPlan:
    """Choose ``budget`` schools covering the most records with ≥ ``per_csp_min`` per CSP.

    Raises
    ------
    TensionmapError
        When the budget cannot give every CSP its minimum.
    """
    table = scores.table.reset_index(drop=True)
    ok = np.ones(len(table), dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    csps = sorted(table["csp_code"].dropna().unique())
    need = per_csp_min * len(csps)
    if budget < need:
        raise TensionmapError(
            f"a budget of {budget} cannot give each of the {len(csps)} CSPs {per_csp_min} "
            f"school(s); at least {need} are needed."
        )
    short = [c for c in csps if (ok & (table["csp_code"] == c).to_numpy()).sum() < per_csp_min]
    if short:
        raise TensionmapError(f"CSP(s) {short} have fewer than {per_csp_min} eligible schools.")
    candidates = [int(j) for j in np.flatnonzero(ok)]
    # demand: each covered record once; records nobody covers play no part
    demand = np.unique(np.concatenate([scores.covers[i] for i in candidates] + [np.array([], int)]))
    position = {int(r): k for k, r in enumerate(demand)}
    problem = pulp.LpProblem("workshop_plan", pulp.LpMaximize)
    x = {j: problem.add_variable(f"x{j}", cat="Binary") for j in candidates}
    y = [problem.add_variable(f"y{k}", lowBound=0, upBound=1) for k in range(len(demand))]
    problem += pulp.lpSum(y)
    covering: list[list[int]] = [[] for _ in demand]
    for j in candidates:
        for r in scores.covers[j]:
            covering[position[int(r)]].append(j)
    for k, schools_k in enumerate(covering):
        problem += y[k] <= pulp.lpSum(x[j] for j in schools_k)
    problem += pulp.lpSum(x.values()) == budget
    for c in csps:
        members = [j for j in candidates if table.at[j, "csp_code"] == c]
        problem += pulp.lpSum(x[j] for j in members) >= per_csp_min
    with warnings.catch_warnings():
        # PuLP 3.3 marks its bundled CBC as deprecated in favour of the `pulp[cbc]` extra;
        # the bundled solver is still the one every install has
        warnings.simplefilter("ignore", DeprecationWarning)
        problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s))
    status = pulp.LpStatus[problem.status]
    chosen = np.array([j for j in candidates if (x[j].value() or 0) > 0.5], dtype=int)
    greedy = greedy_plan(table[ok], budget, per_csp_min)
    covered_opt = coverage(scores.covers, chosen)
    covered_greedy = coverage(scores.covers, greedy)
    notes = []
    if covered_greedy > covered_opt:  # a time-limited solve can stop short: never do worse
        chosen, covered_opt = greedy, covered_greedy
        notes.append("the solver stopped early; the greedy plan covered more and is used")
    out = table.assign(
        rank_in_csp=rank_within_csp(table), selected=False, covered_records=0, reason=""
    )
    out.loc[chosen, "selected"] = True
    rows = out.to_dict("records")
    for j in chosen:
        others = np.concatenate([scores.covers[i] for i in chosen if i != j] + [np.array([], int)])
        only_here = np.setdiff1d(scores.covers[j], others).size
        row = rows[j]
        out.at[j, "covered_records"] = int(scores.covers[j].size)
        out.at[j, "reason"] = (
            f"{scores.covers[j].size} records within {float(row['radius_m']):.0f} m "
            f"({only_here} reached by no other chosen school); rank {int(row['rank_in_csp'])} "
            "in its CSP"
            # published plans have no strands per LSOA: say nothing rather than "none"
            + (f"; strands: {row['strand_mix']}" if row["strand_mix"] else "")
            + (
                f"; near {row['high_risk_area']}, where residents report at least "
                f"{float(row['high_risk_ratio']):.1f} times the hate their numbers explain"
                if bool(row["lsoa_high_risk"])
                else ""
            )
        )
    not_chosen = ~out["selected"]
    out.loc[not_chosen, "covered_records"] = out.loc[not_chosen, "records_in_catchment"]
    out.loc[not_chosen & ~ok, "reason"] = "excluded (filter or recent workshop)"
    return WorkshopPlan(out, covered_opt, covered_greedy, scores.n_records, status, notes)


def workshop_status(
    schools: pd.DataFrame,
    workshops: pd.DataFrame,
    ranked: pd.DataFrame,
    *,
    today: date,
    csp_names: pd.Series,
) -> pd.DataFrame:
    """Per CSP: whether a school had a workshop in the last 12 months, the last one, and
    the three best-ranked schools not yet visited."""
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
