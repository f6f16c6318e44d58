"""Which K schools together cover the most records: the workshop plan's optimisation.

A maximal covering location problem: K schools that together cover the most records (a
record inside several catchments counts once), with at least ``per_csp_min`` schools in
every CSP, solved as an integer programme with PuLP/CBC. The greedy alternative
(best-scoring school of each CSP, then the highest scores) is computed alongside, the
coverage of both is reported, and the better plan is kept.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from geo._errors import TensionmapError
from geo.schools.score import SchoolScores, rank_within_csp


def coverage(covers: list[np.ndarray], chosen: np.ndarray) -> int:
    """Count the distinct records inside the catchments of the chosen schools.

    Parameters
    ----------
    covers : list of numpy.ndarray
        Per school, the records in its catchment (:attr:`SchoolScores.covers`).
    chosen : numpy.ndarray
        The chosen schools' positions in ``covers``.

    Returns
    -------
    int
        Records covered, each counted once however many chosen schools reach it.

    Examples
    --------
    >>> covers = [np.array([0, 1, 2]), np.array([1, 2]), np.array([3])]
    >>> coverage(covers, np.array([0, 1])), coverage(covers, np.array([0, 2]))
    (3, 4)
    """
    if not len(chosen):
        return 0
    return int(np.unique(np.concatenate([covers[i] for i in chosen] + [np.array([], int)])).size)


def greedy_plan(table: pd.DataFrame, budget: int, per_csp_min: int) -> np.ndarray:
    """Choose schools greedily: the best ``per_csp_min`` of every CSP, then the highest scores.

    Parameters
    ----------
    table : pandas.DataFrame
        ``csp_code`` and ``score`` per school.
    budget : int
        How many schools to choose.
    per_csp_min : int
        How many schools every CSP gets first.

    Returns
    -------
    numpy.ndarray
        The chosen schools' index labels in ``table``.

    Examples
    --------
    >>> table = pd.DataFrame({"csp_code": ["A", "A", "B"], "score": [3.0, 2.5, 1.0]})
    >>> greedy_plan(table, budget=2, per_csp_min=1)
    array([0, 2])
    """
    order = table.sort_values("score", ascending=False)
    first = order.groupby("csp_code").head(per_csp_min).index.to_numpy()
    rest = order.index.to_numpy()[~order.index.isin(first)]
    return np.concatenate([first, rest[: budget - len(first)]])


@dataclass(frozen=True)
class WorkshopPlan:
    """A workshop plan: the schools chosen, why, and what they cover.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per school, chosen or not (the CLI's rows): the score columns with
        ``rank_in_csp``, ``selected``, ``covered_records`` and ``reason``.
    covered_optimised : int
        Records covered by the plan kept.
    covered_greedy : int
        Records the greedy plan (see :func:`greedy_plan`) would cover.
    total_records : int
        Records scored on.
    solver_status : str
        PuLP's status of the integer programme (``Optimal`` …).
    notes : list of str
        What the reader should know (e.g. the greedy plan was kept).

    Examples
    --------
    >>> plan = WorkshopPlan(pd.DataFrame(), 40, 37, 120, "Optimal")
    >>> f"{plan.covered_optimised / plan.total_records:.0%} of records covered"
    '33% of records covered'
    """

    table: pd.DataFrame
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
    """Choose ``budget`` schools covering the most records, at least ``per_csp_min`` per CSP.

    An integer programme (PuLP/CBC) maximises the records covered, each counted once;
    if a time-limited solve does worse than :func:`greedy_plan`, the greedy plan is kept.

    Parameters
    ----------
    scores : SchoolScores
        The schools' scores and catchments (see :func:`geo.schools.score_schools`).
    budget : int
        How many workshops there are.
    per_csp_min : int, default 1
        Schools every CSP gets at least.
    eligible : numpy.ndarray, optional
        Which schools may be chosen (boolean per school; all by default).
    time_limit_s : float, default 20.0
        The solver's time limit.

    Returns
    -------
    WorkshopPlan
        The plan, with the reason each school was chosen.

    Raises
    ------
    TensionmapError
        When the budget cannot give every CSP its minimum, or a CSP has too few eligible
        schools.

    Examples
    --------
    Abbey and Beech share two records; Cedar, in another CSP, has its own:

    >>> table = pd.DataFrame({
    ...     "school_name": ["Abbey", "Beech", "Cedar"], "csp_code": ["A", "A", "B"],
    ...     "score": [3.0, 2.5, 1.0], "radius_m": [1500.0] * 3,
    ...     "records_in_catchment": [3, 2, 1], "strand_mix": ["race 3", "race 2", ""],
    ...     "lsoa_high_risk": [False] * 3, "high_risk_area": [""] * 3,
    ...     "high_risk_ratio": [np.nan] * 3})
    >>> covers = [np.array([0, 1, 2]), np.array([1, 2]), np.array([3])]
    >>> plan = plan_workshops(SchoolScores(table, covers, 4), budget=2)
    >>> plan.table.loc[plan.table["selected"], "school_name"].tolist()
    ['Abbey', 'Cedar']
    >>> plan.covered_optimised, plan.solver_status
    (4, 'Optimal')
    >>> for part in plan.table.loc[0, "reason"].split("; "):
    ...     print(part)
    3 records within 1500 m (3 reached by no other chosen school)
    rank 1 in its CSP
    strands: race 3
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
