"""Importing a force's own boundaries, CSP lookup and population into a workspace.

A boundary file (ONS GeoJSON, GeoPackage or Shapefile) is read and cut to the configured
districts; the ONS LAD → CSP → PFA lookup re-draws the CSPs. After either, the stored
records are re-assigned to the new areas in one transaction, so the store never mixes
two boundary sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from geo import store
from geo._errors import BoundaryError, InputFileError, one_of
from geo.config import Workspace
from geo.geography.areas import (
    AREA_COLUMNS,
    BNG,
    LEVELS,
    Geography,
    _attach_districts,
    _default_lsoas,
    _district_code_map,
    _layer_path,
    district_table,
    load_geography,
)

_CODE_PATTERNS = {
    "lsoa": (r"^(lsoa\d{2}cd|lsoa_code|lsoacode|lsoa_cd)$", r"^(lsoa\d{2}nm|lsoa_name|lsoaname)$"),
    "ward": (r"^(wd\d{2}cd|ward_code|wardcode)$", r"^(wd\d{2}nm|ward_name|wardname)$"),
    "district": (
        r"^(lad\d{2}cd|lad_cd|district_code|lad_code)$",
        r"^(lad\d{2}nm|lad_nm|district_name|lad_name)$",
    ),
}
_LAD_CODE = re.compile(r"^(lad\d{2}cd|lad_cd|district_code|lad_code)$", re.IGNORECASE)


def _find_column(columns: list[str], pattern: str) -> str | None:
    for c in columns:
        if re.match(pattern, c, flags=re.IGNORECASE):
            return c
    return None


def read_boundary_file(path: Path, level: str) -> gpd.GeoDataFrame:
    """Read a user's ONS boundary file of ``level`` and keep the features in our area.

    Returns a GeoDataFrame in EPSG:27700 with ``<level>_code``, ``<level>_name`` and,
    for LSOAs and wards, ``district_code``.

    Raises
    ------
    BoundaryError
        If the file cannot be read, lacks a CRS, lacks the code/name columns, or has no
        feature inside the configured districts.
    """
    if level not in LEVELS:
        raise one_of("level", LEVELS, level)
    if not path.exists():
        raise BoundaryError(f"{path}: no such file.")
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise BoundaryError(
            f"{path}: could not read it as a boundary file (GeoJSON, GeoPackage or "
            f"Shapefile expected): {exc}"
        ) from exc
    if raw.crs is None:
        raise BoundaryError(f"{path}: the file has no coordinate reference system; set one.")
    columns = [str(c) for c in raw.columns if c != "geometry"]
    code_pat, name_pat = _CODE_PATTERNS[level]
    code_col, name_col = _find_column(columns, code_pat), _find_column(columns, name_pat)
    if code_col is None or name_col is None:
        raise BoundaryError(
            f"{path}: a {level} file needs a code column (e.g. "
            f"{'LSOA11CD' if level == 'lsoa' else 'WD13CD' if level == 'ward' else 'LAD23CD'})"
            f" and a name column; the file has columns {columns}."
        )
    raw = raw.to_crs(BNG)
    raw["geometry"] = shapely.make_valid(raw.geometry.to_numpy())
    codes = _district_code_map(district_table())
    lad_col = next((c for c in columns if _LAD_CODE.match(c)), None)
    if level == "district":
        district = raw[code_col].astype(str).map(codes)
    elif lad_col is not None:
        district = raw[lad_col].astype(str).map(codes)
    elif level == "lsoa":
        district = raw[name_col].astype(str).str.rsplit(" ", n=1).str[0].str.lower().map(codes)
    else:  # wards without a LAD column: the district containing the ward's inner point
        district = _district_of_points(raw.geometry.representative_point())
    keep = district.notna()
    if not keep.any():
        raise BoundaryError(
            f"{path}: none of its {len(raw)} {level} features is in the configured districts "
            f"({', '.join(district_table()['district_name'])})."
        )
    kept = raw[keep]
    frame = pd.DataFrame(
        {
            f"{level}_code": kept[code_col].astype(str).to_numpy(),
            f"{level}_name": kept[name_col].astype(str).to_numpy(),
            "district_code": district[keep].to_numpy(),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=kept.geometry.to_numpy(), crs=BNG)


def _district_of_points(points: gpd.GeoSeries) -> pd.Series:
    geo = Geography(_default_lsoas())
    found = geo.locate(points.x.to_numpy(), points.y.to_numpy(), snap_m=0)
    return pd.Series(geo.areas_of(found)["district_code"].to_numpy(), index=points.index)


def import_boundaries(geography_dir: Path, path: Path, level: str) -> gpd.GeoDataFrame:
    """Validate ``path`` and store it as the workspace's ``level`` layer; returns it."""
    layer = read_boundary_file(path, level)
    if level == "lsoa":
        layer = gpd.GeoDataFrame(
            _attach_districts(layer.drop(columns="district_code"), layer["district_code"]),
            crs=BNG,
        )
        layer = layer[[*AREA_COLUMNS, "geometry"]].sort_values("lsoa_code")
    target = _layer_path(geography_dir, level)
    tmp = target.with_suffix(".tmp.gpkg")
    layer.to_file(tmp, driver="GPKG", layer=level)
    tmp.replace(target)
    target.with_suffix(".source.txt").write_text(f"imported from {path.name}", encoding="utf-8")
    return layer


def import_csp_lookup(geography_dir: Path, path: Path) -> pd.DataFrame:
    """Load the ONS LAD → CSP → PFA lookup CSV (e.g. ``LAD23_CSP23_PFA23_EW_LU``).

    Keeps rows for the configured districts and stores ``district_code``, ``csp_code``,
    ``csp_name`` and ``force_code`` in ``<workspace>/geography/csp_lookup.csv``.
    """
    if not path.exists():
        raise BoundaryError(f"{path}: no such file.")
    try:
        raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise BoundaryError(f"{path}: not a readable CSV lookup ({exc}).") from exc
    cols = list(raw.columns)
    lad = _find_column(cols, r"^lad\d{2}cd$")
    csp = _find_column(cols, r"^csp\d{2}cd$")
    csp_nm = _find_column(cols, r"^csp\d{2}nm$")
    pfa = _find_column(cols, r"^pfa\d{2}cd$")
    if not (lad and csp and csp_nm):
        raise BoundaryError(
            f"{path}: expected the ONS LAD→CSP→PFA lookup with columns like LAD23CD, "
            f"CSP23CD, CSP23NM, PFA23CD; the file has columns {cols}."
        )
    codes = _district_code_map(district_table())
    district = raw[lad].map(codes)
    keep = district.notna()
    if not keep.any():
        raise BoundaryError(f"{path}: no row names one of the configured districts.")
    out = pd.DataFrame(
        {
            "district_code": district[keep],
            "csp_code": raw.loc[keep, csp],
            "csp_name": raw.loc[keep, csp_nm],
        }
    )
    if pfa:
        out["force_code"] = raw.loc[keep, pfa]
    out.to_csv(geography_dir / "csp_lookup.csv", index=False)
    return out


@dataclass(frozen=True)
class ReassignResult:
    records: int
    changed_lsoa: int
    changed_csp: int


def reassign_areas(workspace: Workspace) -> ReassignResult:
    """Re-run point-in-polygon for every stored incident and place with the current boundaries."""
    geography = load_geography(workspace.geography_dir)
    engine = store.connect(workspace.database_url)
    total = changed_lsoa = changed_csp = 0
    try:
        with store.transaction(engine) as conn:
            for table in (store.incidents, store.places):
                cols = [
                    table.c.id,
                    table.c.easting,
                    table.c.northing,
                    table.c.lsoa_code,
                    table.c.csp_code,
                ]
                stored = pd.DataFrame(
                    conn.execute(sa.select(*cols)).fetchall(), columns=[c.name for c in cols]
                )
                if stored.empty:
                    continue
                found = geography.locate(
                    stored["easting"].to_numpy(float),
                    stored["northing"].to_numpy(float),
                    snap_m=workspace.config.snap_distance_m,
                )
                areas = geography.areas_of(found)
                keep = found.located
                new = areas[keep].assign(id=stored.loc[keep, "id"].to_numpy())
                new = new[[c for c in new.columns if c in table.c]]
                store.update_areas(conn, table, new)
                total += len(stored)
                changed_lsoa += int(
                    np.sum(stored.loc[keep, "lsoa_code"].to_numpy() != new["lsoa_code"].to_numpy())
                )
                changed_csp += int(
                    np.sum(stored.loc[keep, "csp_code"].to_numpy() != new["csp_code"].to_numpy())
                )
    finally:
        engine.dispose()
    return ReassignResult(total, changed_lsoa, changed_csp)


def import_boundary_file(
    workspace: Workspace, path: Path, level: str
) -> tuple[int, ReassignResult]:
    layer = import_boundaries(workspace.geography_dir, path, level)
    return len(layer), reassign_areas(workspace)


def import_lookup_file(workspace: Workspace, path: Path) -> tuple[int, ReassignResult]:
    lookup = import_csp_lookup(workspace.geography_dir, path)
    return len(lookup), reassign_areas(workspace)


def import_population(workspace: Workspace, path: Path) -> int:
    """Store residents per LSOA from a CSV (e.g. Census 2021 usual residents by LSOA).

    The file needs an LSOA code column (``lsoa_code``, ``LSOA21CD``, ``lsoa21_code`` …)
    and a count column (``population``, ``usual_residents_total``, ``Observation`` …).
    """
    from geo.ingest.reading import read_csv_file

    frame = read_csv_file(path).frame
    code = next(
        (c for c in frame.columns if re.match(r"^(lsoa\d{0,2}_?c(o)?d(e)?)$", c, re.I)), None
    )
    count = next(
        (
            c
            for c in frame.columns
            if c.lower() in ("population", "usual_residents_total", "observation", "all_persons")
        ),
        None,
    )
    if code is None or count is None:
        raise InputFileError(
            f"{path}: expected an LSOA code column (lsoa_code, LSOA21CD …) and a population "
            f"column (population, usual_residents_total …); the file has {list(frame.columns)}."
        )
    values = pd.to_numeric(frame[count].str.replace(",", ""), errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise InputFileError(
            f"{path}: row {row}, column {count!r}: {frame[count].iloc[row - 2]!r} is not a count."
        )
    out = pd.DataFrame({"lsoa_code": frame[code].str.strip(), "population": values})
    out.to_csv(workspace.geography_dir / "population.csv", index=False)
    return len(out)
