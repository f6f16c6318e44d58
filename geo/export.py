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
    "version",
]


def neutralise_text(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would evaluate (a plain
    number such as ``-0.39`` is left alone); anything else unchanged.

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
    """Prefix text cells (and column names) that a spreadsheet would evaluate with a single
    quote.

    Only text is touched: numbers, and text that is a plain number such as ``-0.39``, are
    left alone.
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
    """Write ``frame`` as CSV, GeoPackage or GeoJSON (points from ``x``/``y`` in ``crs``)."""
    if out.suffix.lower() == ".csv":
        _write_csv(frame, out)
        return
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame[x], frame[y]), crs=crs)
    write_frame(gdf, out, layer=layer)


def write_frame(frame: gpd.GeoDataFrame, out: Path, *, layer: str) -> None:
    """A GeoDataFrame as GeoJSON (WGS84), GeoPackage (BNG) or CSV (no geometry)."""
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
    """Write ``frame`` as a CSV for Excel (UTF-8 with BOM), spreadsheet formulas neutralised:
    every CSV tensionmap writes leaves through here.

    Parameters
    ----------
    frame
        The table (its index is not written).
    out
        The file; its folder is created.

    Examples
    --------
    >>> write_csv(pd.DataFrame({"csp": ["=HYPERLINK()"]}), Path("t.csv"))  # doctest: +SKIP
    """
    _write_csv(frame, out)


def _write_csv(frame: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    neutralise_formulas(frame).to_csv(out, index=False, encoding="utf-8-sig")
