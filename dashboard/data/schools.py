"""The Schools page's data (prevention teams, analysts, tactical leads): the workshop plan,
the 12-month indicator and the high-risk residential areas; from published counts of
closed periods for the prevention role."""

from __future__ import annotations

from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd

from dashboard.data.access import require
from dashboard.data.hotspots import cached_hotspots
from dashboard.data.source import (
    cached,
    data_version,
    geography,
    published_or_exact,
    reference_day,
    workspace,
)
from geo.disclosure import Publication
from geo.schools import high_risk_areas
from geo.schools.plan import WorkshopPlan, school_plan, school_status
from geo.vocab import HOT_CLASSES


@cached(maxsize=16)
def _plan(
    version: int, budget: int, phase: str, published: Publication | None, day: date | None
) -> WorkshopPlan:
    return school_plan(
        workspace(),
        budget=budget,
        phases=(phase,) if phase else (),
        publication=published,
        today=day,
    )


def school_plan_table(budget: int, phase: str = "") -> tuple[pd.DataFrame, dict[str, Any]]:
    """Schools ranked in their CSP with the plan for ``budget`` (no record details); for
    the prevention role scored and planned from published counts of closed periods."""
    require("schools")
    published = published_or_exact()
    day = reference_day() if published else None  # which workshops are recent
    plan = _plan(data_version(), budget, phase, published, day)
    summary = {
        "covered_optimised": plan.covered_optimised,
        "covered_greedy": plan.covered_greedy,
        "total_records": plan.total_records,
    }
    return plan.table, summary


@cached(maxsize=8)
def _status(version: int, day: date, published: Publication | None) -> pd.DataFrame:
    return school_status(workspace(), today=day, publication=published)


def school_status_table(today: date | None = None) -> pd.DataFrame:
    """The 12-month indicator per CSP (ranks from published counts for prevention)."""
    require("schools")
    return _status(data_version(), today or reference_day(), published_or_exact()).copy()


@cached(maxsize=4)
def _published_high_risk(version: int, published: Publication) -> gpd.GeoDataFrame:
    hot = set(high_risk_areas(workspace(), publication=published)["lsoa_code"])
    lsoas = geography().lsoas
    table = lsoas.loc[lsoas["lsoa_code"].isin(hot), ["lsoa_name", "geometry"]]
    table = table.rename(columns={"lsoa_name": "area_name"}).reset_index(drop=True)
    table["geometry"] = table.geometry.simplify(20)
    return table.to_crs(4326)


def school_hotspot_layer() -> gpd.GeoDataFrame:
    """High-risk residential LSOAs (the schools score's H), outlines only (WGS84); for
    the prevention role from published counts of closed periods."""
    require("schools")
    published = published_or_exact()
    if published is not None:
        return _published_high_risk(data_version(), published)
    table = cached_hotspots(data_version(), "", "residential", "", "", "", "lsoa")
    return table.loc[table["risk_class"].isin(HOT_CLASSES), ["area_name", "geometry"]]
