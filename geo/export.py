"""Exports users open in QGIS or Excel: CSV (formula-safe), GeoPackage, GeoJSON."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._errors import one_of
from geo.geography.areas import BNG, WGS84

#: Spreadsheet programs evaluate cells starting with these; CSV exports prefix them with '.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[-+]?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z"
_NUMBER = re.compile(_PLAIN_NUMBER)
EXPORT_FORMATS = (".csv", ".gpkg", ".geojson")

#: Incident columns written by `tensionmap export incidents`, in this order.
INCIDENT_EXPORT_COLUMNS = [
    "reference",
    "source",
    "recorded_at",
    "time_known",
    "record_type",
    "offence",
    "strands",
    "settings",
    "location_type",
    "online",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "geocode_method",
    "lsoa_code",
    "ward_code",
    "district_code",
    "csp_code",
    "force",
    "location_status",
    "location_detail",
    "version",
]


def neutralise_text(value: object) -> object:
    """Prefix one value with ``'`` if it is text a spreadsheet would evaluate.

    Text starting with one of :data:`FORMULA_PREFIXES` (``=``, ``+``, ``-``, ``@``, tab,
    carriage return) is prefixed, unless it is a plain number such as ``-0.39``.

    Parameters
    ----------
    value : object
        A cell or a column name.

    Returns
    -------
    object
        ``value`` with a leading ``'`` if it is risky text; anything else unchanged.

    Examples
    --------
    >>> neutralise_text("=1+2")
    "'=1+2"
    >>> neutralise_text("-0.39"), neutralise_text(-3), neutralise_text("-x")
    ('-0.39', -3, "'-x")
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix with ``'`` the text cells and column names a spreadsheet would evaluate.

    Only text is touched: numbers, and text that is a plain number such as ``-0.39``, are
    left alone (as :func:`neutralise_text` does for one value).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table about to be written; it is not changed.

    Returns
    -------
    pandas.DataFrame
        A copy with the risky text prefixed.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["=cmd()", "Ann"], "delta": [-1, 2], "=x": ["-0.5", "+y"]})
    >>> neutralise_formulas(frame)
          name  delta   '=x
    0  '=cmd()     -1  -0.5
    1      Ann      2   '+y
    """
    out = frame.copy()
    out.columns = [neutralise_text(c) for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):  # categories are text too
            column = column.astype(object)
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind not in ("string", "mixed", "mixed-integer", "mixed-integer-float"):
            continue
        text = column
        if kind != "string":  # only the text cells of a mixed column
            text = text.where(text.map(lambda v: isinstance(v, str)), None)
        risky = text.str.startswith(FORMULA_PREFIXES, na=False) & ~text.str.match(
            _PLAIN_NUMBER, na=False
        )
        if risky.any():
            fixed = column.astype(object).where(~risky, "'" + text.astype(str))
            out.isetitem(position, fixed.to_numpy())
    return out


def write_table(
    frame: pd.DataFrame,
    out: Path,
    *,
    x: str = "longitude",
    y: str = "latitude",
    crs: str = WGS84,
    layer: str = "incidents",
) -> None:
    """Write a table of points as CSV, GeoPackage or GeoJSON, chosen by the file's suffix.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; for GeoPackage and GeoJSON it needs the coordinate columns ``x`` and
        ``y`` (a row missing either is written without geometry).
    out : pathlib.Path
        The file: ``.csv`` (formula-safe, no geometry), ``.gpkg`` or ``.geojson``.
    x, y : str, optional
        The coordinate columns (longitude and latitude by default).
    crs : str, optional
        The coordinates' reference system (WGS84 by default).
    layer : str, optional
        The GeoPackage layer.

    Raises
    ------
    TensionmapError
        If the suffix is not one of :data:`EXPORT_FORMATS`.

    See Also
    --------
    write_frame : the same for a GeoDataFrame.

    Examples
    --------
    >>> points = pd.DataFrame({"reference": ["A1"], "longitude": [-0.34], "latitude": [51.75]})
    >>> write_table(points, Path("incidents.geojson"))  # doctest: +SKIP
    """
    if out.suffix.lower() == ".csv":
        _write_csv(frame, out)
        return
    points = gpd.GeoSeries(gpd.points_from_xy(frame[x], frame[y]), index=frame.index, crs=crs)
    points[frame[x].isna() | frame[y].isna()] = None
    gdf = gpd.GeoDataFrame(frame, geometry=points, crs=crs)
    write_frame(gdf, out, layer=layer)


def write_frame(frame: gpd.GeoDataFrame, out: Path, *, layer: str) -> None:
    """Write a GeoDataFrame as GeoJSON (WGS84), GeoPackage (BNG) or CSV (no geometry).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The table, in any coordinate reference system.
    out : pathlib.Path
        The file, by suffix: ``.geojson``, ``.gpkg`` or ``.csv``; its folder is created.
    layer : str
        The GeoPackage layer.

    Raises
    ------
    TensionmapError
        If the suffix is not one of :data:`EXPORT_FORMATS`.

    Examples
    --------
    >>> write_frame(hotspots.table, Path("hotspots.gpkg"), layer="hotspots")  # doctest: +SKIP
    """
    suffix = out.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise one_of("output format", EXPORT_FORMATS, suffix or str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(pd.DataFrame(frame.drop(columns="geometry")), out)
    elif suffix == ".gpkg":
        frame.to_crs(BNG).to_file(out, driver="GPKG", layer=layer)
    else:
        frame.to_crs(WGS84).to_file(out, driver="GeoJSON")


def write_csv(frame: pd.DataFrame, out: Path) -> None:
    """Write a table as a CSV for Excel (UTF-8 with BOM), spreadsheet formulas neutralised.

    Every CSV tensionmap writes leaves through here.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (its index is not written).
    out : pathlib.Path
        The file; its folder is created.

    Examples
    --------
    >>> write_csv(pd.DataFrame({"csp": ["=HYPERLINK()"]}), Path("t.csv"))  # doctest: +SKIP
    """
    _write_csv(frame, out)


def _write_csv(frame: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    neutralise_formulas(frame).to_csv(out, index=False, encoding="utf-8-sig")
