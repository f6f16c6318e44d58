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
    """The hotspot table and how it was made (made by :func:`hotspots`).

    Attributes
    ----------
    table
        GeoDataFrame in EPSG:27700, one row per unit: :data:`HOTSPOT_COLUMNS`
        (``gi_p_sim`` too with permutations) and the geometry.
    settings
        How it was made: ``records``, ``unit``, ``units``, ``weights``,
        ``islands_joined``, ``permutations``, ``lisa_permutations``, ``seed``,
        ``gi_fdr_on`` and ``lisa_fdr_on``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> table = gpd.GeoDataFrame({"area_code": ["L00"], "count": [7]},
    ...                          geometry=[shapely.box(0, 0, 500, 500)], crs="EPSG:27700")
    >>> HotspotResult(table, {"unit": "lsoa"}).to_frame()
      area_code  count
    0       L00      7
    """

    table: gpd.GeoDataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The table without its geometry."""
        return pd.DataFrame(self.table.drop(columns="geometry"))


def restrict(
    geo: Geography, population: np.ndarray, filters: Filters
) -> tuple[Geography, np.ndarray]:
    """The study area a force or CSP filter implies: its LSOAs only.

    The rest of the map then does not enter the expected counts as empty, cold areas.

    Parameters
    ----------
    geo
        The boundary set.
    population
        Residents per LSOA, aligned to ``geo.lsoas``.
    filters
        The filters; only ``force`` and ``csp`` restrict the area.

    Returns
    -------
    tuple
        The boundary set of the chosen LSOAs (and the wards they lie in) and their
        residents; ``geo`` and ``population`` themselves when nothing is left out.

    Raises
    ------
    TensionmapError
        When the filter matches no LSOA.

    Examples
    --------
    Ten of twenty-five lattice squares in one force, the rest in another:

    >>> import shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1",
    ...      "district_name": "Watford", "csp_code": "C1", "csp_name": "Watford",
    ...      "force": ["Hertfordshire"] * 10 + ["Cambridgeshire"] * 15},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> herts, population = restrict(geo, np.full(25, 1500.0), Filters(force="hertfordshire"))
    >>> len(herts.lsoas), float(population.sum())
    (10, 15000.0)
    """
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
    """The units, counts and expected counts of one run over the filtered records.

    Parameters
    ----------
    incidents
        Canonical records with ``easting`` and ``northing`` and the unit's code column.
    geo
        The boundary set.
    population
        Residents per LSOA, aligned to ``geo.lsoas``.
    unit
        The unit of analysis (see :func:`geo.hotspots.aggregate.build_units`).
    filters
        Which records to count; a force or CSP filter also restricts the area.

    Returns
    -------
    tuple
        The units, records per unit, records expected from residents and the number of
        records counted.

    Raises
    ------
    TensionmapError
        When the filters leave fewer than three units or no record.

    Examples
    --------
    >>> import shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1",
    ...      "district_name": "Watford", "csp_code": "C1", "csp_name": "Watford",
    ...      "force": "Hertfordshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> where = np.r_[np.repeat([0, 1, 5, 6], 6), np.arange(25)]
    >>> records = pd.DataFrame({"lsoa_code": np.array(codes)[where],
    ...                         "easting": geo.inner_points[where, 0],
    ...                         "northing": geo.inner_points[where, 1],
    ...                         "recorded_at": "2019-05-01T21:30"})
    >>> units, counts, expected, n = prepare(records, geo, np.full(25, 1500.0), unit="lsoa",
    ...                                      filters=Filters())
    >>> len(units), counts[:3].tolist(), expected[:3].round(2).tolist(), n
    (25, [7.0, 7.0, 1.0], [1.96, 1.96, 1.96], 49)
    """
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
    """Gi*, excess-risk Gi* with EB ratios, and Local Moran per unit.

    Parameters
    ----------
    incidents
        Canonical records (``easting``, ``northing``, the unit's code column and those
        the filters read).
    geo
        The boundary set.
    population
        Residents per LSOA, aligned to ``geo.lsoas``.
    unit
        The unit of analysis (see :func:`geo.hotspots.aggregate.build_units`).
    weights
        The neighbours (see :func:`geo.hotspots.weights.build_weights`).
    filters
        Which records to count; a force or CSP filter also restricts the area.
    permutations
        Conditional permutations for Gi* (0: analytical only); Local Moran gets at least 99.
    seed
        Seed for the permutations (identical output for the same seed).

    Returns
    -------
    HotspotResult
        The hotspot table and the settings of the run.

    Raises
    ------
    TensionmapError
        When the filters leave fewer than three units or no record, or for an unknown
        unit or weights.

    Examples
    --------
    A 5 × 5 lattice of 500 m "LSOAs" with a record in each and six more in each square
    of one corner:

    >>> import shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1",
    ...      "district_name": "Watford", "csp_code": "C1", "csp_name": "Watford",
    ...      "force": "Hertfordshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> where = np.r_[np.repeat([0, 1, 5, 6], 6), np.arange(25)]
    >>> records = pd.DataFrame({"lsoa_code": np.array(codes)[where],
    ...                         "easting": geo.inner_points[where, 0],
    ...                         "northing": geo.inner_points[where, 1],
    ...                         "recorded_at": "2019-05-01T21:30"})
    >>> result = hotspots(records, geo, np.full(25, 1500.0), permutations=99)
    >>> result.to_frame().loc[:2, ["area_code", "count", "hotspot_class", "lisa_class"]]
      area_code  count    hotspot_class lisa_class
    0       L00      7           hot_99         HH
    1       L01      7           hot_99         HH
    2       L02      1  not_significant         ns
    >>> result.settings["lisa_fdr_on"]
    'normal approximation of the permutations'
    """
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
    """Kulldorff's Poisson spatial scan over the units.

    Parameters
    ----------
    incidents
        Canonical records (``easting``, ``northing``, the unit's code column and those
        the filters read).
    geo
        The boundary set.
    population
        Residents per LSOA, aligned to ``geo.lsoas``.
    unit
        The unit of analysis (see :func:`geo.hotspots.aggregate.build_units`).
    filters
        Which records to count; a force or CSP filter also restricts the area.
    max_radius_m
        The largest window radius (none by default).
    max_population_share
        The largest window's share of the residents.
    replications
        Monte Carlo replications.
    seed
        Seed for the replications.

    Returns
    -------
    ScanResult
        The clusters, most likely first, with their units' codes.

    Raises
    ------
    TensionmapError
        When the filters leave fewer than three units or no record.

    Examples
    --------
    >>> import shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1",
    ...      "district_name": "Watford", "csp_code": "C1", "csp_name": "Watford",
    ...      "force": "Hertfordshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> where = np.r_[np.repeat([0, 1, 5, 6], 6), np.arange(25)]
    >>> records = pd.DataFrame({"lsoa_code": np.array(codes)[where],
    ...                         "easting": geo.inner_points[where, 0],
    ...                         "northing": geo.inner_points[where, 1],
    ...                         "recorded_at": "2019-05-01T21:30"})
    >>> result = scan(records, geo, np.full(25, 1500.0), max_population_share=0.2,
    ...               replications=99)
    >>> result.clusters[["area_codes", "observed", "expected", "p_value"]]
            area_codes  observed  expected  p_value
    0  L00;L01;L05;L06        28      7.84     0.01
    """
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
