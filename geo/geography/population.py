"""Residential denominators: how many people live in each LSOA.

Census usual residents where the workspace has them (``<workspace>/geography/population.csv``
with ``lsoa_code,population``, stored by :func:`~geo.geography.import_population`; the demo
imports the Census 2021 file it ships); otherwise the number of ONS Postcode Directory
postcodes in the LSOA, a documented proxy that ships with the project. Where only some
codes match (2011 vs 2021 LSOAs), the rest are filled from postcode counts scaled to
residents per postcode.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.geography.areas import Geography
from geo.geography.postcodes import postcode_table

#: Postcode areas that cover Hertfordshire, Cambridgeshire and Peterborough.
AREA_POSTCODES = {
    "AL",
    "CB",
    "CM",
    "EN",
    "HA",
    "HP",
    "IP",
    "LU",
    "MK",
    "N",
    "NW",
    "PE",
    "SG",
    "SL",
    "UB",
    "WD",
}
CENSUS_FILE = "population_census2021_lsoa21_herts_cambs.csv"


def postcode_points(geo: Geography) -> pd.DataFrame:
    """The ONS Postcode Directory's postcodes inside the area, and the LSOA of each.

    Parameters
    ----------
    geo : Geography
        The boundary set (postcodes outside its LSOAs are left out).

    Returns
    -------
    pandas.DataFrame
        ``easting``, ``northing`` and ``lsoa_index`` (row in ``geo.lsoas``).

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> points = postcode_points(load_geography())
    >>> len(points) > 90_000, points.columns.tolist()
    (True, ['easting', 'northing', 'lsoa_index'])
    """
    table = postcode_table(AREA_POSTCODES)
    found = geo.locate(table["easting"].to_numpy(), table["northing"].to_numpy(), snap_m=0)
    return pd.DataFrame(
        {
            "easting": table["easting"].to_numpy()[found.located],
            "northing": table["northing"].to_numpy()[found.located],
            "lsoa_index": found.lsoa_index[found.located],
        }
    )


def _census_file(folder: Path | None) -> Path | None:
    """:data:`CENSUS_FILE` in ``folder``, plain or gzip-compressed, if there."""
    if folder is None:
        return None
    return next(
        (p for p in (folder / CENSUS_FILE, folder / f"{CENSUS_FILE}.gz") if p.exists()), None
    )


def _census(geography_dir: Path | None, open_data: Path | None) -> pd.Series | None:
    """Census residents by LSOA code: the workspace's own file, else the given folder's."""
    own = geography_dir / "population.csv" if geography_dir else None
    if own is not None and own.exists():
        frame = pd.read_csv(own, dtype={"lsoa_code": str})
        return frame.set_index("lsoa_code")["population"].astype(float)
    census = _census_file(open_data)
    if census is not None:
        frame = pd.read_csv(census, usecols=["lsoa21_code", "usual_residents_total"])
        return frame.set_index("lsoa21_code")["usual_residents_total"].astype(float)
    return None


def lsoa_population(
    geo: Geography, *, geography_dir: Path | None = None, open_data: Path | None = None
) -> tuple[np.ndarray, str]:
    """Residents per LSOA, the denominator of a rate, and where they come from.

    Census usual residents where available: the workspace's ``population.csv`` (see
    :func:`~geo.geography.import_population`), else :data:`CENSUS_FILE` (plain or
    ``.gz``) in ``open_data`` when a caller gives that folder. LSOAs the census does
    not name (2011 codes changed in 2021) get their postcode count scaled to residents
    per postcode. Without a census, postcode counts stand in for residents. Every LSOA
    gets at least 1.

    Parameters
    ----------
    geo : Geography
        The boundary set.
    geography_dir : pathlib.Path, optional
        The workspace's ``geography/`` folder.
    open_data : pathlib.Path, optional
        A folder holding :data:`CENSUS_FILE`, e.g. the demo's shipped data
        (:func:`geo.demo.shipped.demo_data_dir`); the product's analyses give none and read
        the workspace's imported Census.

    Returns
    -------
    residents : numpy.ndarray
        Residents per LSOA, aligned to ``geo.lsoas``.
    source : str
        What the numbers are, for captions and reports.

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> residents, source = lsoa_population(load_geography())
    >>> len(residents), source
    (1177, 'ONS Postcode Directory postcode counts (proxy for residents)')
    """
    counts = np.bincount(postcode_points(geo)["lsoa_index"], minlength=len(geo.lsoas)).astype(float)
    census = _census(geography_dir, open_data)
    if census is None:
        return np.maximum(
            counts, 1.0
        ), "ONS Postcode Directory postcode counts (proxy for residents)"
    residents = census.reindex(geo.lsoas["lsoa_code"]).to_numpy(dtype=float, copy=True)
    known = ~np.isnan(residents)
    ratio = residents[known].sum() / max(counts[known].sum(), 1.0)
    residents[~known] = counts[~known] * ratio
    return np.maximum(residents, 1.0), (
        f"Census usual residents ({known.sum()} of {len(known)} LSOAs; "
        "postcode counts where LSOA codes changed)"
    )
