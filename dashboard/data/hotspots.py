"""The Hotspots page's data (tactical leads and analysts): hotspot figures and classes per
unit for the filters, the kernel density layer and repeat-location clusters, in WGS84."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np

from dashboard.data.access import require
from dashboard.data.source import cached, data_version, geography, incidents, workspace
from geo.geography.population import lsoa_population
from geo.hotspots.aggregate import Filters
from geo.hotspots.analysis import hotspots, restrict
from geo.hotspots.clusters import point_clusters
from geo.hotspots.kde import kernel_density

HOTSPOT_METHODS = {
    "risk_class": "Excess risk per resident (Poisson, FDR)",
    "excess_class": "Excess-risk Gi* (EB ratios)",
    "hotspot_class": "Gi* on counts",
    "lisa_class": "Local Moran (LISA)",
}

#: Units the hotspots page offers (wards only when a ward boundary file is imported).
UNITS = {"lsoa": "LSOA", "ward": "ward", "district": "district", "csp": "CSP"}


def _filters(strand: str = "", setting: str = "", csp: str = "") -> Filters:
    return Filters(
        strands=(strand,) if strand else (),
        settings=(setting,) if setting else (),
        csp=(csp,) if csp else (),
    )


@cached(maxsize=1)
def _population(root: str) -> np.ndarray:
    population: np.ndarray = lsoa_population(geography(), geography_dir=workspace().geography_dir)[
        0
    ]
    return population


def population() -> np.ndarray:
    """Residents per LSOA, in the order of the geography's LSOAs."""
    return _population(str(workspace().root))


@cached(maxsize=512)
def cached_hotspots(
    version: int, strand: str, setting: str, csp: str, start: str, end: str, unit: str
) -> gpd.GeoDataFrame:
    """:func:`hotspot_table` for data ``version``, unchecked (for warming the cache)."""
    filters = Filters(
        start=date.fromisoformat(start) if start else None,
        end=date.fromisoformat(end) if end else None,
        strands=(strand,) if strand else (),
        settings=(setting,) if setting else (),
        csp=(csp,) if csp else (),
    )
    geo, residents = restrict(geography(), population(), filters)
    table = hotspots(
        incidents(), geo, residents, unit=unit, filters=filters, permutations=199
    ).table
    table["geometry"] = table.geometry.simplify(20)  # for drawing: metres, invisible
    return table.to_crs(4326)


def hotspot_table(
    strand: str = "",
    setting: str = "",
    csp: str = "",
    start: str = "",
    end: str = "",
    unit: str = "lsoa",
) -> gpd.GeoDataFrame:
    """Hotspot figures and classes per unit for the filters (WGS84)."""
    require("hotspots")
    if unit not in UNITS:
        raise KeyError(unit)
    return cached_hotspots(data_version(), strand, setting, csp, start, end, unit)


def units() -> dict[str, str]:
    """The units this workspace can offer."""
    return {k: v for k, v in UNITS.items() if k != "ward" or geography().wards is not None}


def density_layer(strand: str = "", setting: str = "", csp: str = "") -> gpd.GeoDataFrame:
    """Kernel density cells above a fifth of the peak (WGS84)."""
    require("hotspots")
    return cached_density(data_version(), strand, setting, csp)


@cached(maxsize=512)
def cached_density(version: int, strand: str, setting: str, csp: str) -> gpd.GeoDataFrame:
    """:func:`density_layer` for data ``version``, unchecked (for warming the cache)."""
    chosen = _filters(strand, setting, csp).apply(incidents())
    if len(chosen) < 5:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    surface = kernel_density(
        chosen["easting"].to_numpy(float), chosen["northing"].to_numpy(float), bandwidth_m=500
    )
    return surface.to_frame(min_share=0.2).to_crs(4326)


def repeat_locations(strand: str = "", csp: str = "") -> gpd.GeoDataFrame:
    """Repeat-location clusters (DBSCAN, 10 m, at least 4 records): their outlines and
    counts, never the records (WGS84)."""
    require("hotspots")
    return cached_repeats(data_version(), strand, csp)


@cached(maxsize=512)
def cached_repeats(version: int, strand: str, csp: str) -> gpd.GeoDataFrame:
    """:func:`repeat_locations` for data ``version``, unchecked (for warming the cache)."""
    chosen = _filters(strand, csp=csp).apply(incidents())
    if len(chosen) < 4:
        return gpd.GeoDataFrame({"records": []}, geometry=[], crs=4326)
    table = point_clusters(chosen, eps_m=10, min_samples=4).table
    if table.empty:
        return gpd.GeoDataFrame({"records": [], "first": [], "last": []}, geometry=[], crs=4326)
    return table[["cluster_id", "records", "first", "last", "geometry"]].to_crs(4326)
