"""The Overview page's figures (tactical leads and analysts): records per LSOA and strand
markers per CSP."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.data.access import require
from dashboard.data.source import csp_names, geography, incidents
from geo.report import records_by_lsoa, strands_by_csp


def lsoa_counts(strand: str | None = None) -> gpd.GeoDataFrame:
    """Hate records per LSOA (zero-count LSOAs included), in WGS84 for display."""
    require("overview")
    lsoas = geography().lsoas[["lsoa_code", "lsoa_name", "csp_name", "geometry"]].copy()
    counts = records_by_lsoa(incidents(), lsoas["lsoa_code"], strand=strand or "")
    lsoas["records"] = np.asarray(counts.records, dtype=np.int64)
    return lsoas.to_crs(4326)


def csp_strand_table() -> pd.DataFrame:
    """Strand markers per CSP (rows) for the steering group's first glance."""
    require("overview")
    return strands_by_csp(incidents(), csp_names()).to_frame()
