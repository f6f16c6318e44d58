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
    """The units of one analysis: ``frame`` (EPSG:27700) has ``area_code``, ``area_name``,
    ``district``, ``csp``, ``population`` and geometry, one row per unit."""

    unit: str
    frame: gpd.GeoDataFrame

    def __len__(self) -> int:
        return len(self.frame)


def build_units(
    geo: Geography,
    unit: str,
    population: np.ndarray,
    *,
    points: tuple[np.ndarray, np.ndarray] | None = None,
) -> Units:
    """Units of kind ``unit`` with their residents (``population`` is per LSOA).

    For hexagons and grid cells, ``points`` (BNG eastings, northings of the records)
    make sure every cell holding a record exists even if no postcode lies in it.

    Raises
    ------
    TensionmapError
        For an unknown unit, or ``ward`` when no wards are imported.
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
    """The hexagon or grid-cell code of each BNG point."""
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
    """Which records to count; empty tuples mean no restriction."""

    start: date | None = None
    end: date | None = None
    strands: Sequence[str] = ()
    settings: Sequence[str] = ()
    record_type: str | None = None
    force: str | None = None
    csp: Sequence[str] = ()

    def apply(self, incidents: pd.DataFrame) -> pd.DataFrame:
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
    """The unit code of each record (aligned to ``incidents``)."""
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
    """Records per unit (aligned to ``units.frame``), zero where none."""
    counts = unit_keys(units, incidents).value_counts()
    return counts.reindex(units.frame["area_code"]).fillna(0).to_numpy(dtype=float)


def expected_counts(population: np.ndarray, total: float) -> np.ndarray:
    """Counts expected if every resident had the same risk: ``total`` × population share."""
    return total * population / population.sum()


def expected_within(population: np.ndarray, counts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Counts expected if every resident of a group (a CSP, say) had that group's own
    risk: each group's total × its units' population shares (indirect standardisation
    by group, so a group with a higher rate overall is not all hot)."""
    frame = pd.DataFrame({"g": groups, "pop": population, "n": counts})
    by = frame.groupby("g", sort=False)
    share = frame["pop"] / by["pop"].transform("sum")
    return (by["n"].transform("sum") * share.fillna(0)).to_numpy(float)
