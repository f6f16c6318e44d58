"""One hotspot run over a workspace's records: the table the CLI writes and the dashboard maps.

Each unit gets its count and expected count, Gi* on counts (``hotspot_class``: where
records concentrate), Gi* on the excess over expected (``excess_class``: where risk per
resident is high, the default answer to "where is hate unusually concentrated?"),
Empirical Bayes smoothed ratios, and Local Moran's I (``lisa_class``: clusters and
outliers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import TensionmapError
from geo.geography.areas import Geography
from geo.hotspots.aggregate import Filters, Units, build_units, count_by_unit, expected_counts
from geo.hotspots.excess import excess_risk
from geo.hotspots.gistar import gi_star
from geo.hotspots.local_moran import local_moran
from geo.hotspots.scan import ScanResult, spatial_scan
from geo.hotspots.weights import build_weights

#: Columns of the hotspot table, in order (the CLI contract).
# fmt: off
HOTSPOT_COLUMNS = [
    "area_code", "area_name", "district", "csp", "count", "expected", "gi_z", "gi_p",
    "gi_p_fdr", "hotspot_class", "excess_z", "excess_class", "lisa_i", "lisa_p", "lisa_class",
    "risk_class", "risk_p_fdr", "excess", "smr", "eb_ratio", "poisson_p", "excess_p_fdr",
    "lisa_p_fdr", "population",
]
# fmt: on


@dataclass(frozen=True)
class HotspotResult:
    """The table (GeoDataFrame in EPSG:27700) and how it was made."""

    table: gpd.GeoDataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.table.drop(columns="geometry"))


def restrict(
    geo: Geography, population: np.ndarray, filters: Filters
) -> tuple[Geography, np.ndarray]:
    """The study area a force or CSP filter implies: its LSOAs only, so that the rest of
    the map does not enter the expected counts as empty, cold areas."""
    keep = np.ones(len(geo.lsoas), dtype=bool)
    if filters.force:
        keep &= (geo.lsoas["force"].str.lower() == filters.force.lower()).to_numpy()
    if filters.csp:
        keep &= geo.lsoas["csp_code"].isin(filters.csp).to_numpy()
    if keep.all():
        return geo, population
    if not keep.any():
        raise TensionmapError("the force/CSP filter matches no area of the boundary set.")
    lsoas = geo.lsoas[keep].reset_index(drop=True)
    wards = None
    if geo.wards is not None and "ward_code" in lsoas:
        wards = geo.wards[geo.wards["ward_code"].isin(lsoas["ward_code"])].reset_index(drop=True)
    return Geography(lsoas, wards, None, geo.source), population[keep]


def prepare(
    incidents: pd.DataFrame, geo: Geography, population: np.ndarray, *, unit: str, filters: Filters
) -> tuple[Units, np.ndarray, np.ndarray, int]:
    geo, population = restrict(geo, population, filters)
    chosen = filters.apply(incidents)
    points = (chosen["easting"].to_numpy(float), chosen["northing"].to_numpy(float))
    units = build_units(geo, unit, population, points=points)
    if len(units) < 3:
        raise TensionmapError(
            f"unit {unit!r} gives only {len(units)} areas here; hotspot statistics need more "
            "(use lsoa, ward, hex:RES or grid:METRES)."
        )
    if len(chosen) == 0:
        raise TensionmapError("no records match the filters; nothing to analyse.")
    counts = count_by_unit(units, chosen, geo)
    expected = expected_counts(units.frame["population"].to_numpy(float), counts.sum())
    return units, counts, expected, len(chosen)


def hotspots(
    incidents: pd.DataFrame,
    geo: Geography,
    population: np.ndarray,
    *,
    unit: str = "lsoa",
    weights: str = "queen",
    filters: Filters | None = None,
    permutations: int = 999,
    seed: int = 0,
) -> HotspotResult:
    """Gi*, excess-risk Gi* with EB ratios, and Local Moran per unit."""
    units, counts, expected, n = prepare(
        incidents, geo, population, unit=unit, filters=filters or Filters()
    )
    neighbours = build_weights(units.frame, weights)
    matrix = neighbours.graph.sparse
    gi = gi_star(counts, matrix, permutations=permutations, seed=seed)
    ex = excess_risk(
        counts,
        expected,
        matrix,
        population=units.frame["population"].to_numpy(float),
        permutations=0,
        seed=seed,
    )
    # Local Moran has no analytical inference here: it always gets some permutations
    lisa = local_moran(counts, matrix, permutations=max(permutations, 99), seed=seed)
    table = units.frame.assign(count=counts.astype(int), expected=np.round(expected, 3))
    table = pd.concat(
        [table.reset_index(drop=True), gi.to_frame(), ex.to_frame(), lisa.to_frame()], axis=1
    )
    table = gpd.GeoDataFrame(
        table[[*HOTSPOT_COLUMNS, "gi_p_sim", "geometry"]]
        if "gi_p_sim" in table
        else table[[*HOTSPOT_COLUMNS, "geometry"]],
        geometry="geometry",
        crs=units.frame.crs,
    )
    settings = {
        "records": n,
        "unit": unit,
        "units": len(units),
        "weights": weights,
        "islands_joined": neighbours.islands_joined,
        "permutations": permutations,
        "lisa_permutations": max(permutations, 99),
        "seed": seed,
        "gi_fdr_on": gi.fdr_applied_to,
        "lisa_fdr_on": lisa.fdr_applied_to,
    }
    return HotspotResult(table, settings)


def scan(
    incidents: pd.DataFrame,
    geo: Geography,
    population: np.ndarray,
    *,
    unit: str = "lsoa",
    filters: Filters | None = None,
    max_radius_m: float | None = None,
    max_population_share: float = 0.1,
    replications: int = 999,
    seed: int = 0,
) -> ScanResult:
    """Kulldorff's Poisson spatial scan over the units."""
    units, counts, expected, _ = prepare(
        incidents, geo, population, unit=unit, filters=filters or Filters()
    )
    inner = units.frame.geometry.representative_point()
    return spatial_scan(
        counts,
        expected,
        inner.x.to_numpy(),
        inner.y.to_numpy(),
        population=units.frame["population"].to_numpy(float),
        codes=units.frame["area_code"].to_numpy(),
        max_population_share=max_population_share,
        max_radius_m=max_radius_m,
        replications=replications,
        seed=seed,
    )
