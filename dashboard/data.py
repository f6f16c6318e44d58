"""The only place the dashboard reads the store or calls ``geo``; cached on a data version."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from geo import store
from geo.config import Workspace
from geo.geography import Geography, load_geography

_WORKSPACE: Workspace | None = None


def configure(workspace: Workspace) -> None:
    global _WORKSPACE
    _WORKSPACE = workspace
    _cached_incidents.cache_clear()
    _geography.cache_clear()


def workspace() -> Workspace:
    if _WORKSPACE is None:
        raise RuntimeError("dashboard.data.configure(workspace) was not called")
    return _WORKSPACE


def data_version() -> int:
    """Changes whenever an ingest finishes: the newest batch id."""
    engine = store.connect(workspace().database_url)
    try:
        with engine.connect() as conn:
            newest = conn.execute(sa.select(sa.func.max(store.ingest_batches.c.id))).scalar()
    finally:
        engine.dispose()
    return int(newest or 0)


@lru_cache(maxsize=4)
def _cached_incidents(version: int) -> pd.DataFrame:
    engine = store.connect(workspace().database_url)
    try:
        frame = store.read_incidents(engine)
    finally:
        engine.dispose()
    # sensitive fields never leave this module
    return frame.drop(columns=["description", "victim_key", "attributes", "postcode"])


def incidents() -> pd.DataFrame:
    return _cached_incidents(data_version())


@lru_cache(maxsize=1)
def _geography(root: str) -> Geography:
    return load_geography(workspace().geography_dir)


def geography() -> Geography:
    return _geography(str(workspace().root))


def lsoa_counts(strand: str | None = None) -> gpd.GeoDataFrame:
    """Hate records per LSOA (zero-count LSOAs included), in WGS84 for display."""
    frame = incidents()
    if strand:
        frame = frame[frame["strands"].str.split(";").map(lambda s: strand in s)]
    counts = frame.groupby("lsoa_code").size()
    lsoas = geography().lsoas[["lsoa_code", "lsoa_name", "csp_name", "geometry"]].copy()
    lsoas["records"] = counts.reindex(lsoas["lsoa_code"]).fillna(0).astype(int).to_numpy()
    return lsoas.to_crs(4326)


def csp_strand_table() -> pd.DataFrame:
    """Strand markers per CSP (rows) for the steering group's first glance."""
    frame = incidents()
    names = geography().lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    markers = frame.assign(strand=frame["strands"].str.split(";")).explode("strand")
    table = pd.crosstab(markers["csp_code"].map(names), markers["strand"])
    table["all records"] = frame.groupby(frame["csp_code"].map(names)).size()
    return table.sort_values("all records", ascending=False)
