"""Schools: which schools should get a hate crime awareness workshop, in each CSP, and why.

:mod:`~geo.schools.score` (the exposure score of a school), :mod:`~geo.schools.high_risk`
(high-risk residential areas and the inputs every school calculation reads),
:mod:`~geo.schools.covering` (the schools that cover the most records for a budget) and
:mod:`~geo.schools.plan` (a workspace's workshop plan, and workshops delivered).
"""

from geo.schools.covering import WorkshopPlan, coverage, greedy_plan, plan_workshops
from geo.schools.high_risk import adult_only, high_risk_areas, high_risk_residential
from geo.schools.plan import record_workshop, school_plan, school_status, workshop_status
from geo.schools.score import PHASES, RADIUS_BY_PHASE, SchoolScores, score_schools

__all__ = [
    "PHASES", "RADIUS_BY_PHASE", "SchoolScores", "WorkshopPlan", "adult_only", "coverage",
    "greedy_plan", "high_risk_areas", "high_risk_residential", "plan_workshops",
    "record_workshop", "school_plan", "school_status", "score_schools", "workshop_status",
]  # fmt: skip
