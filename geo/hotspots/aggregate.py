"""Units of analysis and counts per unit: LSOA, ward, district, CSP, hexagons, square grid.

Every unit of the area is kept, with zero counts where nothing happened (a hotspot
statistic needs its cold places too). Expected counts come from residents: LSOA
populations (see :mod:`geo.geography.population`), summed for wards, districts and CSPs, and
spread over hexagons and grid cells through the postcodes inside them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from geo._errors import TensionmapError, one_of
from geo.geography.areas import BNG, Geography
from geo.geography.geocoder import to_bng, to_wgs84
from geo.geography.population import postcode_points

UNITS = ("lsoa", "ward", "district", "csp", "hex:RES", "grid:METRES")
_HEX = re.compile(r"^hex:(\d{1,2})$")
_GRID = re.compile(r"^grid:(\d+)$")


@dataclass(frozen=True)
class Units:
    """The units of one analysis, one row per unit, made by :func:`build_units`.

    Attributes
    ----------
    unit
        The kind of unit, one of :data:`UNITS` (``lsoa``, ``ward``, ``hex:8``, ``grid:500`` …).
    frame
        GeoDataFrame in EPSG:27700 with ``area_code``, ``area_name``, ``district``,
        ``csp``, ``population`` and geometry, sorted by ``area_code``.

    Examples
    --------
    >>> units = Units("lsoa", gpd.GeoDataFrame({"area_code": ["L00", "L01"]}))
    >>> units.unit, len(units)
    ('lsoa', 2)
    """

    unit: str
    frame: gpd.GeoDataFrame

    def __len__(self) -> int:
        """The number of units."""
        return len(self.frame)


def build_units(
    geo: Geography,
    unit: str,
    population: np.ndarray,
    *,
    points: tuple[np.ndarray, np.ndarray] | None = None,
) -> Units:
    """Units of kind ``unit`` with their residents (a unit with none gets one).

    Parameters
    ----------
    geo
        The boundary set.
    unit
        One of :data:`UNITS`: ``lsoa``, ``ward``, ``district``, ``csp``, ``hex:RES``
        (H3 resolution) or ``grid:METRES`` (at least 100 m).
    population
        Residents per LSOA, aligned to ``geo.lsoas``.
    points
        For hexagons and grid cells: the BNG eastings and northings of the records, so
        that every cell holding a record exists even if no postcode lies in it.

    Returns
    -------
    Units
        The units, sorted by ``area_code``.

    Raises
    ------
    TensionmapError
        For an unknown unit, ``ward`` without imported wards, or grid cells under 100 m.

    Examples
    --------
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]  # a 5 × 5 lattice of 500 m "LSOAs"
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1", "csp_code": "C1",
    ...      "district_name": "Watford", "csp_name": "Watford", "force": "Hertfordshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> build_units(geo, "district", np.full(25, 1500.0)).frame[["area_name", "population"]]
      area_name  population
    0   Watford     37500.0
    """
    lsoas = geo.lsoas.assign(population=population)
    if unit == "lsoa":
        frame = lsoas.rename(columns={"lsoa_code": "area_code", "lsoa_name": "area_name"})
        frame = frame.assign(district=frame["district_name"], csp=frame["csp_name"])
    elif unit in ("district", "csp"):
        key = "district" if unit == "district" else "csp"
        keys = [f"{key}_code", f"{key}_name"]
        carried = {c: "first" for c in ("district_name", "csp_name") if c not in keys}
        frame = lsoas.dissolve(
            by=keys, as_index=False, aggfunc={"population": "sum", **carried}
        ).rename(columns={f"{key}_code": "area_code", f"{key}_name": "area_name"})
        frame[f"{key}_name"] = frame["area_name"]
        frame = frame.assign(district=frame["district_name"], csp=frame["csp_name"])
    elif unit == "ward":
        if geo.wards is None:
            raise TensionmapError(
                "unit 'ward' needs wards: import an ONS ward file with "
                "`tensionmap boundaries import FILE --level ward`."
            )
        pop = lsoas.groupby("ward_code")["population"].sum()
        names = lsoas.drop_duplicates("ward_code").set_index("ward_code")
        frame = geo.wards.rename(columns={"ward_code": "area_code", "ward_name": "area_name"})
        frame = frame.assign(
            population=pop.reindex(frame["area_code"]).fillna(0).to_numpy(),
            district=names["district_name"].reindex(frame["area_code"]).to_numpy(),
            csp=names["csp_name"].reindex(frame["area_code"]).to_numpy(),
        )
    elif _HEX.match(unit) or _GRID.match(unit):
        frame = _cells(geo, unit, lsoas, points)
    else:
        raise one_of("unit", UNITS, unit)
    cols = ["area_code", "area_name", "district", "csp", "population", "geometry"]
    out = gpd.GeoDataFrame(frame[cols], geometry="geometry", crs=BNG)
    # a cell with records but no postcode has no residents; one keeps rates finite
    out["population"] = np.maximum(out["population"].to_numpy(float), 1.0)
    return Units(unit, out.sort_values("area_code").reset_index(drop=True))


def cell_codes(unit: str, easting: np.ndarray, northing: np.ndarray) -> np.ndarray:
    """The hexagon or grid-cell code of each BNG point.

    Parameters
    ----------
    unit
        ``hex:RES`` (H3 cells of resolution RES) or ``grid:METRES`` (squares).
    easting, northing
        BNG coordinates of the points, in metres.

    Returns
    -------
    numpy.ndarray
        One code per point: the H3 cell id, or ``COLUMN_ROW`` of the square.

    Examples
    --------
    >>> cell_codes("grid:1000", np.array([250.0, 1750.0]), np.array([250.0, 250.0])).tolist()
    ['0_0', '1_0']
    >>> cell_codes("hex:8", np.array([510000.0]), np.array([196000.0])).tolist()
    ['88195da1bdfffff']
    """
    if m := _HEX.match(unit):
        res = int(m.group(1))
        lon, lat = to_wgs84(easting, northing)
        return np.array([h3.latlng_to_cell(la, lo, res) for la, lo in zip(lat, lon, strict=True)])
    size = float(_GRID.match(unit).group(1))  # type: ignore[union-attr]
    col = np.floor(easting / size).astype(np.int64)
    row = np.floor(northing / size).astype(np.int64)
    return np.char.add(np.char.add(col.astype(str), "_"), row.astype(str))


def _cell_polygon(unit: str, code: str) -> shapely.Geometry:
    if m := _HEX.match(unit):
        del m
        ring = h3.cell_to_boundary(code)  # (lat, lon) pairs
        lat, lon = np.array(ring).T
        x, y = to_bng(lon, lat)
        return shapely.Polygon(np.column_stack([x, y]))
    size = float(_GRID.match(unit).group(1))  # type: ignore[union-attr]
    col, row = (int(v) for v in code.split("_"))
    return shapely.box(col * size, row * size, (col + 1) * size, (row + 1) * size)


def _cells(
    geo: Geography,
    unit: str,
    lsoas: gpd.GeoDataFrame,
    extra: tuple[np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    """Cells holding at least one postcode; residents spread over an LSOA's postcodes."""
    if (m := _GRID.match(unit)) and int(m.group(1)) < 100:
        raise TensionmapError(f"grid cells smaller than 100 m ({unit!r}) would expose addresses.")
    points = postcode_points(geo)
    per_lsoa = np.bincount(points["lsoa_index"], minlength=len(lsoas))
    share = lsoas["population"].to_numpy() / np.maximum(per_lsoa, 1)
    points["population"] = share[points["lsoa_index"]]
    points["cell"] = cell_codes(unit, points["easting"].to_numpy(), points["northing"].to_numpy())
    if extra is not None and len(extra[0]):
        found = geo.locate(extra[0], extra[1])
        more = pd.DataFrame(
            {
                "cell": cell_codes(unit, extra[0][found.located], extra[1][found.located]),
                "lsoa_index": found.lsoa_index[found.located],
                "population": 0.0,
            }
        )
        points = pd.concat([points, more], ignore_index=True)
    cells = points.groupby("cell")["population"].sum()
    # each cell belongs to the LSOA holding most of its postcodes (or records)
    main = points.groupby(["cell", "lsoa_index"]).size().reset_index(name="n")
    main = main.sort_values("n", ascending=False).drop_duplicates("cell").set_index("cell")
    lsoa_of = main["lsoa_index"].reindex(cells.index).to_numpy().astype(np.int64)
    return pd.DataFrame(
        {
            "area_code": cells.index.to_numpy(),
            "area_name": [f"{unit} {c}" for c in cells.index],
            "district": lsoas["district_name"].to_numpy()[lsoa_of],
            "csp": lsoas["csp_name"].to_numpy()[lsoa_of],
            "population": cells.to_numpy(),
            "geometry": [_cell_polygon(unit, c) for c in cells.index],
        }
    )


@dataclass(frozen=True)
class Filters:
    """Which records to count; ``None`` and empty tuples mean no restriction.

    Attributes
    ----------
    start, end
        First and last day recorded (inclusive).
    strands, settings
        Records carrying any of these strands or settings (whole ``;``-separated words).
    record_type, force, csp
        ``crime`` or ``incident``; the force name (any case); CSP codes.

    Examples
    --------
    >>> records = pd.DataFrame({"recorded_at": ["2019-05-01", "2019-06-01", "2019-06-02"],
    ...                         "strands": ["race", "religion;race", "disability"]})
    >>> Filters(start=date(2019, 5, 15), strands=("race",)).apply(records)
      recorded_at        strands
    1  2019-06-01  religion;race
    """

    start: date | None = None
    end: date | None = None
    strands: Sequence[str] = ()
    settings: Sequence[str] = ()
    record_type: str | None = None
    force: str | None = None
    csp: Sequence[str] = ()

    def apply(self, incidents: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``incidents`` (canonical columns) that pass every filter."""
        keep = pd.Series(True, index=incidents.index)
        when = incidents["recorded_at"].str.slice(0, 10)
        if self.start:
            keep &= when >= self.start.isoformat()
        if self.end:
            keep &= when <= self.end.isoformat()
        for column, wanted in (("strands", self.strands), ("settings", self.settings)):
            if wanted:
                words = incidents[column].fillna("").str.split(";")
                keep &= words.map(lambda ws, w=set(wanted): bool(w.intersection(ws)))
        if self.record_type:
            keep &= incidents["record_type"] == self.record_type
        if self.force:
            keep &= incidents["force"].str.lower() == self.force.lower()
        if self.csp:
            keep &= incidents["csp_code"].isin(self.csp)
        return incidents[keep]


def unit_keys(units: Units, incidents: pd.DataFrame) -> pd.Series:
    """The unit code of each record.

    Parameters
    ----------
    units
        The units (:func:`build_units`).
    incidents
        Records with ``lsoa_code``, ``ward_code``, ``district_code`` and ``csp_code``, or
        ``easting`` and ``northing`` for hexagons and grid cells.

    Returns
    -------
    pandas.Series
        The code of each record's unit, aligned to ``incidents``.

    Examples
    --------
    >>> units = Units("grid:1000", gpd.GeoDataFrame({"area_code": ["0_0", "1_0"]}))
    >>> records = pd.DataFrame({"easting": [250.0, 1750.0], "northing": [250.0, 250.0]})
    >>> unit_keys(units, records).tolist()
    ['0_0', '1_0']
    """
    if units.unit == "lsoa":
        return incidents["lsoa_code"]
    if units.unit in ("district", "csp"):
        return incidents[f"{units.unit}_code"]
    if units.unit == "ward":
        return incidents["ward_code"]
    return pd.Series(
        cell_codes(
            units.unit,
            incidents["easting"].to_numpy(float),
            incidents["northing"].to_numpy(float),
        ),
        index=incidents.index,
    )


def count_by_unit(units: Units, incidents: pd.DataFrame, geo: Geography) -> np.ndarray:
    """Records per unit, zero where none.

    Parameters
    ----------
    units
        The units (:func:`build_units`).
    incidents
        The records to count (see :func:`unit_keys` for the columns needed).
    geo
        The boundary set (kept for the callers; the units already know their codes).

    Returns
    -------
    numpy.ndarray
        Float counts aligned to ``units.frame``; records outside every unit are not counted.

    Examples
    --------
    >>> units = Units("lsoa", gpd.GeoDataFrame({"area_code": ["L00", "L01", "L02"]}))
    >>> records = pd.DataFrame({"lsoa_code": ["L00", "L02", "L00", "E01099999"]})
    >>> count_by_unit(units, records, None)
    array([2., 0., 1.])
    """
    counts = unit_keys(units, incidents).value_counts()
    return counts.reindex(units.frame["area_code"]).fillna(0).to_numpy(dtype=float)


def expected_counts(population: np.ndarray, total: float) -> np.ndarray:
    """Counts expected if every resident had the same risk: ``total`` × population share.

    Parameters
    ----------
    population
        Residents per unit.
    total
        The number of records to share out (usually the observed total).

    Returns
    -------
    numpy.ndarray
        Expected records per unit, summing to ``total``.

    Examples
    --------
    >>> expected_counts(np.array([1000.0, 3000.0]), 20)
    array([ 5., 15.])
    """
    return total * population / population.sum()


def expected_within(population: np.ndarray, counts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Counts expected if every resident of a group (a CSP, say) had that group's own risk.

    Each group's total is shared over its units by population (indirect standardisation
    by group), so that a group with a higher rate overall is not all hot.

    Parameters
    ----------
    population
        Residents per unit.
    counts
        Observed records per unit.
    groups
        The group of each unit (a CSP code, say).

    Returns
    -------
    numpy.ndarray
        Expected records per unit; each group's expected total equals its observed total.

    Examples
    --------
    >>> expected_within(np.array([1000.0, 3000.0, 2000.0]), np.array([8.0, 0.0, 9.0]),
    ...                 np.array(["C1", "C1", "C2"]))
    array([2., 6., 9.])
    """
    frame = pd.DataFrame({"g": groups, "pop": population, "n": counts})
    by = frame.groupby("g", sort=False)
    share = frame["pop"] / by["pop"].transform("sum")
    return (by["n"].transform("sum") * share.fillna(0)).to_numpy(float)
