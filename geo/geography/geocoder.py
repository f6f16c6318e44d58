"""Geocoding: latitude/longitude, easting/northing or postcode → BNG point → areas.

Everything is vectorised over whole columns. For each row the first location form that
is *present* decides (latitude/longitude, then easting/northing, then postcode); a
present but unusable form rejects the row with a specific reason rather than silently
falling back to a lower-priority one.

Reasons: ``no_location``, ``incomplete_location``, ``invalid_coordinates``,
``zero_coordinates``, ``swapped_latlon``, ``swapped_easting_northing``, ``outside_grid``,
``unknown_postcode``, ``outside_area``. Places with a reason are rejected; incident
records are kept with the location status of their reason
(:mod:`geo.geography.location_status`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.geography.areas import BNG, WGS84, Geography, PointAreas
from geo.geography.location_status import location_statuses
from geo.geography.postcodes import (
    POSTCODE_RE,
    lookup_postcodes,
    normalise_postcode,
    postcode_table,
)

__all__ = [
    "GeocodeResult", "geocode", "lookup_postcodes", "normalise_postcode", "postcode_table",
    "to_bng", "to_wgs84",
]  # fmt: skip

# Great Britain's extent, generously: the national grid and a lat/lon box around it.
GRID_E = (0.0, 700_000.0)
GRID_N = (0.0, 1_300_000.0)
GB_LAT = (49.8, 60.95)
GB_LON = (-8.7, 1.8)
#: The columns a row's location may be given in, strongest first (postcode last).
LOCATION_COLUMNS = ("latitude", "longitude", "easting", "northing", "postcode")


@cache
def _to_bng() -> Transformer:
    """The WGS84 → BNG transformer, built once."""
    return Transformer.from_crs(WGS84, BNG, always_xy=True)


@cache
def _to_wgs84() -> Transformer:
    """The BNG → WGS84 transformer, built once: the only one in tensionmap."""
    return Transformer.from_crs(BNG, WGS84, always_xy=True)


def to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 longitude/latitude to British National Grid easting/northing (see to_wgs84).

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes (degrees, EPSG:4326).

    Returns
    -------
    easting, northing : numpy.ndarray
        Metres, EPSG:27700.

    Examples
    --------
    >>> e, n = to_bng([-0.3395], [51.7527])
    >>> e.round(), n.round()
    (array([514718.]), array([207305.]))
    """
    e, n = _to_bng().transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(e), np.asarray(n)


def to_wgs84(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert British National Grid easting/northing to WGS84 longitude/latitude.

    The one BNG → WGS84 conversion in tensionmap (web maps and exports use it).

    Parameters
    ----------
    easting, northing : array_like
        Metres, EPSG:27700 (a missing point, NaN, gives ``inf``).

    Returns
    -------
    lon, lat : numpy.ndarray
        Degrees, EPSG:4326.

    Examples
    --------
    >>> lon, lat = to_wgs84([514800.0, np.nan], [207200.0, np.nan])
    >>> lon.round(4), lat.round(4)
    (array([-0.3383,     inf]), array([51.7517,     inf]))
    """
    lon, lat = _to_wgs84().transform(np.asarray(easting, float), np.asarray(northing, float))
    return np.asarray(lon), np.asarray(lat)


@dataclass(frozen=True)
class GeocodeResult:
    """Per-row geocoding outcome, aligned to the input frame.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``easting``, ``northing``, ``latitude``, ``longitude``, ``geocode_method``
        (``latlon``, ``bng`` or ``postcode``), ``snapped_m``, the area columns
        (:data:`~geo.geography.areas.AREA_COLUMNS`), ``reason`` and ``detail`` (empty
        when the row was located; see the module's reasons) and ``location_status``
        (out-of-area points in England and Wales keep their point, without areas).

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> rows = pd.DataFrame({"easting": ["514800", "0"], "northing": ["207200", "0"]})
    >>> result = geocode(rows, load_geography())
    >>> result.ok.tolist(), result.frame["reason"].tolist()
    ([True, False], ['', 'zero_coordinates'])
    """

    frame: pd.DataFrame

    @property
    def ok(self) -> pd.Series:
        """Whether each row was located (boolean Series)."""
        return self.frame["reason"].eq("")


def _numeric(values: pd.Series) -> np.ndarray:
    """Text as floats, NaN where not a number."""
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    """A column as stripped text, empty where missing (and everywhere if absent)."""
    if col not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[col].fillna("").astype(str).str.strip()


class _Outcome:
    """Per-row reasons, with detail text built only for the rows that get one."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, "", dtype=object)
        self.detail = np.full(n, "", dtype=object)

    def reject(self, rows: np.ndarray, why: str, detail: Callable[[np.ndarray], list[str]]) -> None:
        """Reject those of ``rows`` not rejected yet, for ``why``, with ``detail(rows)``."""
        rows = rows[self.reason[rows] == ""]
        if rows.size:
            self.reason[rows] = why
            self.detail[rows] = detail(rows)

    def free(self, rows: np.ndarray) -> np.ndarray:
        """Those of ``rows`` not rejected yet."""
        return rows[self.reason[rows] == ""]


class _Points:
    """The rows' location text, and the BNG point, method and outcome of each row so far."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.text = {c: _text(frame, c) for c in LOCATION_COLUMNS}
        self.raw = {c: v.to_numpy(dtype=object) for c, v in self.text.items()}
        self.has = {c: v.ne("").to_numpy() for c, v in self.text.items()}
        n = len(frame)
        self.out = _Outcome(n)
        self.method = np.full(n, "", dtype=object)
        self.east = np.full(n, np.nan)
        self.north = np.full(n, np.nan)

    def shown(self, cols: tuple[str, str], suffix: str) -> Callable[[np.ndarray], list[str]]:
        """Detail text quoting the two values of each row as given."""
        a, b = cols
        raw = self.raw
        return lambda r: [
            f"{a}={x}, {b}={y}: {suffix}" for x, y in zip(raw[a][r], raw[b][r], strict=True)
        ]


def _from_coordinates(p: _Points, form: str, rows: np.ndarray) -> None:
    """Check the latitude/longitude (``latlon``) or easting/northing (``bng``) of ``rows``."""
    if not rows.size:
        return
    a, b = ("latitude", "longitude") if form == "latlon" else ("easting", "northing")
    out = p.out
    out.reject(
        rows[~(p.has[a][rows] & p.has[b][rows])],
        "incomplete_location",
        _same_text(f"{a} and {b} must both be given"),
    )
    rows = out.free(rows)
    u = _numeric(p.text[a].iloc[rows])
    v = _numeric(p.text[b].iloc[rows])
    out.reject(
        rows[np.isnan(u) | np.isnan(v)], "invalid_coordinates", p.shown((a, b), "not numbers")
    )
    out.reject(
        rows[(u == 0) & (v == 0)],
        "zero_coordinates",
        p.shown((a, b), "(0, 0) is a placeholder, not a place"),
    )
    if form == "latlon":
        inside = _between(u, GB_LAT) & _between(v, GB_LON)
        swapped = _between(v, GB_LAT) & _between(u, GB_LON)
        out.reject(
            rows[~inside & swapped],
            "swapped_latlon",
            p.shown((a, b), "latitude and longitude look swapped"),
        )
        out.reject(rows[~inside], "outside_grid", p.shown((a, b), "not in Great Britain"))
    else:
        inside = _between(u, GRID_E) & _between(v, GRID_N)
        out.reject(
            rows[~inside],
            "outside_grid",
            p.shown((a, b), "outside the British National Grid (metres expected)"),
        )
    keep = out.reason[rows] == ""
    rows, u, v = rows[keep], u[keep], v[keep]
    if form == "latlon":
        u, v = to_bng(v, u)  # (lon, lat) -> (easting, northing)
    p.east[rows], p.north[rows] = u, v
    p.method[rows] = form


def _from_postcodes(p: _Points, rows: np.ndarray) -> None:
    """Look the postcodes of ``rows`` up in the ONS Postcode Directory."""
    if not rows.size:
        return
    raw = p.raw["postcode"]
    pcs = normalise_postcode(p.text["postcode"].iloc[rows])
    bad_format = ~pcs.str.match(POSTCODE_RE).to_numpy()
    p.out.reject(
        rows[bad_format],
        "unknown_postcode",
        lambda r: [f"postcode={pc!r}: not a UK postcode" for pc in raw[r]],
    )
    rows, pcs = rows[~bad_format], pcs[~bad_format]
    found = lookup_postcodes(pcs)
    missing = found["easting"].isna().to_numpy()
    p.out.reject(
        rows[missing],
        "unknown_postcode",
        lambda r: [
            f"postcode={pc!r}: not in the ONS Postcode Directory (unknown or terminated)"
            for pc in raw[r]
        ],
    )
    rows, found = rows[~missing], found[~missing]
    p.east[rows] = found["easting"].to_numpy()
    p.north[rows] = found["northing"].to_numpy()
    p.method[rows] = "postcode"


def _reject_outside(p: _Points, geography: Geography, located: PointAreas, snap_m: float) -> None:
    """Reject the points outside the area, naming easting/northing typed the wrong way round."""
    outside = np.flatnonzero(~located.located & (p.out.reason == "") & (p.method != ""))
    if not outside.size:
        return
    east, north = p.east, p.north

    def where(suffix: str) -> Callable[[np.ndarray], list[str]]:
        return lambda r: [f"point E{east[i]:.0f} N{north[i]:.0f}: {suffix}" for i in r]

    # an E/N pair that lands inside when swapped was almost certainly typed the wrong way round
    en = outside[p.method[outside] == "bng"]
    flipped = geography.locate(north[en], east[en], snap_m=0).located
    p.out.reject(
        en[flipped], "swapped_easting_northing", where("easting and northing look swapped")
    )
    p.out.reject(
        outside, "outside_area", where(f"more than {snap_m:.0f} m outside the configured area")
    )


def _result(p: _Points, index: pd.Index, geography: Geography, located: PointAreas) -> pd.DataFrame:
    """The output columns: points (cleared for rows without a place), areas and reasons."""
    good = p.out.reason == ""
    with_ll = p.has["latitude"] | p.has["longitude"]
    latlon = pd.DataFrame({c: np.where(with_ll, p.raw[c], "") for c in ("latitude", "longitude")})
    status = location_statuses(p.out.reason, p.east, p.north, latlon)
    has_point = good | (status == "out_of_area")
    east = np.where(has_point, p.east, np.nan)
    north = np.where(has_point, p.north, np.nan)
    lon, lat = (np.where(has_point, v, np.nan) for v in to_wgs84(east, north))
    areas = geography.areas_of(
        PointAreas(np.where(good, located.lsoa_index, -1), located.snapped_m)
    )
    areas.index = index
    result = pd.DataFrame(
        {
            "easting": np.round(east, 1),
            "northing": np.round(north, 1),
            "latitude": np.round(lat, 6),
            "longitude": np.round(lon, 6),
            "geocode_method": np.where(has_point, p.method, ""),
            "snapped_m": np.round(np.where(good, located.snapped_m, np.nan), 1),
        },
        index=index,
    )
    result = pd.concat([result, areas], axis=1)
    result["reason"] = p.out.reason
    result["detail"] = p.out.detail
    result["location_status"] = status
    return result


def geocode(frame: pd.DataFrame, geography: Geography, *, snap_m: float = 250.0) -> GeocodeResult:
    """Locate every row of a frame and assign its areas, or give the reason it cannot be.

    The first location form *present* in a row decides: latitude/longitude, then
    easting/northing, then postcode. A present but unusable form rejects the row with a
    specific reason (``swapped_latlon``, ``unknown_postcode`` …) rather than falling back
    to a weaker form.

    Parameters
    ----------
    frame : pandas.DataFrame
        Input rows with text columns ``latitude``, ``longitude``, ``easting``,
        ``northing`` and ``postcode`` (any may be absent), as read from CSV.
    geography : Geography
        The boundary set to assign LSOA, district, CSP and force from.
    snap_m : float, default 250.0
        Points this close outside the area snap to the nearest LSOA.

    Returns
    -------
    GeocodeResult
        Points, areas and reasons, aligned to ``frame``.

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> rows = pd.DataFrame({
    ...     "latitude": ["51.663529", "-0.39", ""],
    ...     "longitude": ["-0.396541", "51.66", ""],
    ...     "postcode": ["", "", "cb2 1tn"]})
    >>> out = geocode(rows, load_geography()).frame
    >>> out["geocode_method"].tolist(), out["reason"].tolist()
    (['latlon', '', 'postcode'], ['', 'swapped_latlon', ''])
    >>> out.loc[[0, 2], "district_name"].tolist()
    ['Watford', 'Cambridge']
    """
    p = _Points(frame)
    use_ll = p.has["latitude"] | p.has["longitude"]
    use_en = ~use_ll & (p.has["easting"] | p.has["northing"])
    use_pc = ~use_ll & ~use_en & p.has["postcode"]
    p.out.reject(
        np.flatnonzero(~use_ll & ~use_en & ~use_pc),
        "no_location",
        _same_text("no latitude/longitude, easting/northing or postcode"),
    )
    _from_coordinates(p, "latlon", np.flatnonzero(use_ll))
    _from_coordinates(p, "bng", np.flatnonzero(use_en))
    _from_postcodes(p, np.flatnonzero(use_pc))
    located = _locate_distinct(geography, p.east, p.north, snap_m)
    _reject_outside(p, geography, located, snap_m)
    return GeocodeResult(_result(p, frame.index, geography, located))


def _same_text(text: str) -> Callable[[np.ndarray], list[str]]:
    return lambda rows: [text] * len(rows)


def _between(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


def _locate_distinct(
    geography: Geography, east: np.ndarray, north: np.ndarray, snap_m: float
) -> PointAreas:
    """Point-in-polygon once per distinct point (many records share a postcode centroid)."""
    finite = np.isfinite(east) & np.isfinite(north)
    index = np.full(len(east), -1, dtype=np.int64)
    snapped = np.zeros(len(east))
    if not finite.any():
        return PointAreas(index, snapped)
    # one key per 0.1 m cell: far finer than any boundary, and hashing beats sorting pairs
    decimetres = np.round(np.column_stack([east[finite], north[finite]]) * 10).astype(np.int64)
    keys = (decimetres[:, 0] << 25) + decimetres[:, 1]
    inverse, first = pd.factorize(keys)
    rep = np.zeros(len(first), dtype=np.int64)
    rep[inverse[::-1]] = np.arange(len(inverse))[::-1]  # first row of each distinct point
    xs, ys = east[finite][rep], north[finite][rep]
    found = geography.locate(xs, ys, snap_m=snap_m)
    index[finite] = found.lsoa_index[inverse]
    snapped[finite] = found.snapped_m[inverse]
    return PointAreas(index, snapped)
