"""Reading a force's own ONS boundary files and CSP lookup into a workspace's geography.

A boundary file (GeoJSON, GeoPackage or Shapefile) is cut to the configured districts and
stored as the workspace's layer of its level; the ONS LAD → CSP → PFA lookup re-draws the
CSPs. :mod:`geo.geography.boundary_import` then re-assigns the stored records.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo._errors import BoundaryError, one_of
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
    """The first of ``columns`` matching ``pattern`` (case-insensitive), or ``None``."""
    for c in columns:
        if re.match(pattern, c, flags=re.IGNORECASE):
            return c
    return None


def read_boundary_file(path: Path, level: str) -> gpd.GeoDataFrame:
    """Read a user's ONS boundary file of ``level`` and keep the features in our area.

    Code and name columns are found by their ONS names (``LSOA11CD``, ``WD13NM``,
    ``LAD23CD`` …). A feature is in the area when its district is one of
    :func:`~geo.geography.district_table`'s, read from a LAD column, an LSOA's name, or
    (for wards without one) the district containing the ward.

    Parameters
    ----------
    path : pathlib.Path
        A GeoJSON, GeoPackage or Shapefile with a coordinate reference system.
    level : {"lsoa", "ward", "district"}
        What the features are.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in the area, in EPSG:27700 and made valid, with ``<level>_code``,
        ``<level>_name`` and ``district_code``.

    Raises
    ------
    TensionmapError
        If ``level`` is not one of :data:`~geo.geography.LEVELS`.
    BoundaryError
        If the file cannot be read, lacks a CRS, lacks the code/name columns, or has no
        feature inside the configured districts.

    Examples
    --------
    >>> read_boundary_file(Path("missing.geojson"), "lsoa")
    Traceback (most recent call last):
    ...
    geo._errors.BoundaryError: missing.geojson: no such file.
    >>> wards = read_boundary_file(Path("wards_2013_bgc.geojson"), "ward")  # doctest: +SKIP
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
    """The district of each point in the default boundaries (missing outside them)."""
    geo = Geography(_default_lsoas())
    found = geo.locate(points.x.to_numpy(), points.y.to_numpy(), snap_m=0)
    return pd.Series(geo.areas_of(found)["district_code"].to_numpy(), index=points.index)


def import_boundaries(geography_dir: Path, path: Path, level: str) -> gpd.GeoDataFrame:
    """Read a boundary file and store it as the workspace's ``level`` layer.

    The layer replaces any earlier one of that level (``<level>.gpkg``, written whole
    before it replaces the old file); imported LSOAs take their district, CSP and force
    from :func:`~geo.geography.district_table`. Stored records are not re-assigned here:
    :func:`~geo.geography.boundary_import.import_boundary_file` does both.

    Parameters
    ----------
    geography_dir : pathlib.Path
        The workspace's ``geography/`` folder.
    path : pathlib.Path
        The boundary file (see :func:`read_boundary_file`).
    level : {"lsoa", "ward", "district"}
        What the features are.

    Returns
    -------
    geopandas.GeoDataFrame
        The stored layer.

    Examples
    --------
    >>> ws = Workspace.open("tensionmap-demo")  # doctest: +SKIP
    >>> import_boundaries(ws.geography_dir, Path("lsoa_2011_bgc.geojson"), "lsoa")  # doctest: +SKIP
    """
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
    r"""Store the ONS LAD → CSP → PFA lookup, which re-draws the CSPs of the districts.

    Keeps rows for the configured districts (current or pre-2014 LAD codes) and stores
    ``district_code``, ``csp_code``, ``csp_name`` and ``force_code`` in
    ``<workspace>/geography/csp_lookup.csv``; :func:`~geo.geography.load_geography` then
    applies it.

    Parameters
    ----------
    geography_dir : pathlib.Path
        The workspace's ``geography/`` folder.
    path : pathlib.Path
        The lookup CSV (e.g. ``LAD23_CSP23_PFA23_EW_LU.csv``), with columns like
        ``LAD23CD``, ``CSP23CD``, ``CSP23NM`` and optionally ``PFA23CD``.

    Returns
    -------
    pandas.DataFrame
        The stored rows.

    Raises
    ------
    BoundaryError
        If the file is missing, not a readable CSV, lacks the columns, or names none of
        the configured districts.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     lookup = Path(folder) / "lookup.csv"
    ...     _ = lookup.write_text("LAD23CD,CSP23CD,CSP23NM\nE07000240,E22000001,St Albans CSP\n")
    ...     stored = import_csp_lookup(Path(folder), lookup)
    >>> stored.to_dict("records")
    [{'district_code': 'E07000240', 'csp_code': 'E22000001', 'csp_name': 'St Albans CSP'}]
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
