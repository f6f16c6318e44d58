"""Partner heat maps: where hate happens on buses and trains, at night and in taxis.

Published so that no record can be located more precisely than its LSOA, even by
comparing maps made before and after it was recorded.

Everything on a partner map is computed from **published LSOA counts of a closed
period** (see :mod:`geo.disclosure` for the rule): the records of the period's whole,
closed months counted per LSOA, counts below ``k`` suppressed and the rest rounded to
the nearest 5, before anything else. From those counts alone:

1. LSOA shading: each LSOA with a published count, in five classes.
2. A heat layer: each LSOA's published count spread evenly over its polygon on a
   ``RASTER_M`` raster, smoothed with a quartic kernel (bandwidth ≥ 300 m, 500 m by
   default), summed into cells of at least 500 m and shown as a relative intensity
   (records per km² rounded to two significant figures, and a 1–5 class).
3. Tables: records per CSP and per station area (the LSOAs within 400 m of a rail or
   bus station) or ward/LSOA, as sums of published LSOA counts.

No point, reference, date, description or victim of any record leaves; the page names
the closed period it shows and when it was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.signal import fftconvolve

from geo._errors import TensionmapError
from geo.disclosure import (
    MAP_MONTHS,
    ClosedPeriod,
    PublishedCounts,
    add_months,
    month_start,
    period_of_dates,
    publication,
    publishable_count,
    published_lsoa_counts,
)
from geo.geography.areas import BNG, Geography

__all__ = ["PartnerHeatmap", "partner_heatmap", "publishable_count"]

MIN_CELL_M = 500.0
MIN_BANDWIDTH_M = 300.0
#: Resolution on which each LSOA's published count is spread over its polygon.
RASTER_M = 100.0
STATION_AREA_M = 400.0
#: Cells below this share of the busiest cell are left off the map (too faint to see).
MIN_SHARE = 0.01
#: Lower bounds of the LSOA shading classes (published counts are 0 or multiples of 5).
LSOA_BREAKS = (5, 10, 25, 50, 100)


@dataclass(frozen=True)
class PartnerHeatmap:
    """A published partner heat map; every attribute is computed from ``published``.

    Made by :func:`partner_heatmap`; :func:`~geo.settings.write_html` draws it.

    Attributes
    ----------
    cells : geopandas.GeoDataFrame
        BNG squares of the heat layer: ``intensity`` (records per km², two significant
        figures) and ``intensity_class`` (1–5).
    lsoas : geopandas.GeoDataFrame
        LSOAs with a published count: ``lsoa_code``, ``lsoa_name``, ``district_name``,
        ``records``.
    csp_table : pandas.DataFrame
        ``csp`` and ``records`` (sums of published LSOA counts, as text).
    area_table : pandas.DataFrame
        Station area, ward or LSOA, and ``records``; only areas with a published count.
    settings : tuple of str
        The settings shown.
    period : str
        The closed period and when it was published.
    rules : str
        How the map was published, in words, for the page.
    published : geo.disclosure.PublishedCounts
        The published LSOA counts everything is made from.

    Examples
    --------
    >>> from geo.disclosure import ClosedPeriod
    >>> from geo.geography import load_geography
    >>> records = pd.DataFrame({"recorded_at": ["2023-05-01T22:00"] * 6,
    ...                         "settings": ["taxi"] * 6, "lsoa_code": ["E01023727"] * 6})
    >>> year = ClosedPeriod(date(2023, 1, 1), date(2023, 12, 31), 7)
    >>> heat = partner_heatmap(records, load_geography(), settings=("taxi",), period=year)
    >>> heat.lsoas[["lsoa_name", "records"]]
            lsoa_name  records
    0  St Albans 012B        5
    """

    cells: gpd.GeoDataFrame
    lsoas: gpd.GeoDataFrame
    csp_table: pd.DataFrame
    area_table: pd.DataFrame
    settings: tuple[str, ...]
    period: str
    rules: str
    published: PublishedCounts

    def to_frame(self) -> pd.DataFrame:
        """The published LSOA counts the map is made from.

        Returns
        -------
        pandas.DataFrame
            One row per LSOA: ``lsoa_code`` and ``records``.
        """
        return self.published.to_frame()


def _round_sig(values: np.ndarray, digits: int = 2) -> np.ndarray:
    """``values`` rounded to ``digits`` significant figures."""
    with np.errstate(divide="ignore"):
        magnitude = np.where(values > 0, np.floor(np.log10(np.abs(values))), 0)
    factor = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * factor) / factor


def partner_heatmap(
    incidents: pd.DataFrame,
    geo: Geography,
    *,
    settings: tuple[str, ...],
    start: date | None = None,
    end: date | None = None,
    period: ClosedPeriod | None = None,
    today: date | None = None,
    lag_days: int = 7,
    k: int = 5,
    bandwidth_m: float = 500.0,
    cell_m: float = 500.0,
    stations: pd.DataFrame | None = None,
) -> PartnerHeatmap:
    """Publish the heat map and tables of the records in some settings, for partners.

    Parameters
    ----------
    incidents : pandas.DataFrame
        All records (``recorded_at``, ``settings``, ``lsoa_code``): the default period is
        found from all of them, so it is the same for every setting.
    geo : Geography
        The workspace's geography; the LSOAs the counts are published for.
    settings : tuple of str
        Settings whose records are counted.
    start, end : datetime.date, optional
        The first day of the first month and the last day of the last month to show
        (closed months only). Default: the last 12 closed months holding data.
    period : geo.disclosure.ClosedPeriod, optional
        A closed period to show instead (as the dashboard passes it).
    today : datetime.date, optional
        Which months are closed: those that ended at least ``lag_days`` days before
        ``today`` (default: the real date).
    lag_days : int, default 7
        Days a month must have ended before it is closed.
    k : int, default 5
        Counts below ``k`` are suppressed.
    bandwidth_m, cell_m : float, default 500.0
        The heat layer's smoothing bandwidth (≥ 300 m) and cell size (≥ 500 m).
    stations : pandas.DataFrame, optional
        ``name``, ``easting``, ``northing`` of stations (see :func:`partner_stations`):
        the area table is per station area (the LSOAs within 400 m); otherwise per ward
        (or LSOA).

    Returns
    -------
    PartnerHeatmap
        The map, from published LSOA counts only.

    Raises
    ------
    TensionmapError
        For a bandwidth or cell below the minimum, or a period that is not whole
        closed months.

    Examples
    --------
    Twelve night-time records in one LSOA are published as 10; three in another are
    suppressed:

    >>> from geo.disclosure import ClosedPeriod
    >>> from geo.geography import load_geography
    >>> geo = load_geography()
    >>> records = pd.DataFrame({
    ...     "recorded_at": ["2023-05-01T22:00"] * 12 + ["2023-06-01T22:00"] * 3,
    ...     "settings": ["nte"] * 12 + ["nte;street"] * 3,
    ...     "lsoa_code": ["E01023727"] * 12 + ["E01032797"] * 3})
    >>> year = ClosedPeriod(date(2023, 1, 1), date(2023, 12, 31), 7)
    >>> heat = partner_heatmap(records, geo, settings=("nte",), period=year)
    >>> int(heat.published.records.sum()), heat.area_table.to_dict("records")
    (10, [{'LSOA': 'St Albans 012B', 'records': '10'}])
    >>> heat.period.split(" (")[0]
    'January 2023 to December 2023, published 8 January 2024'
    """
    if bandwidth_m < MIN_BANDWIDTH_M:
        raise TensionmapError(
            f"partner maps need a bandwidth of at least {MIN_BANDWIDTH_M:g} m; "
            f"{bandwidth_m:g} m was given."
        )
    if cell_m < MIN_CELL_M:
        raise TensionmapError(
            f"partner maps need cells of at least {MIN_CELL_M:g} m; {cell_m:g} m was given."
        )
    from geo.hotspots.aggregate import Filters

    if period is None:
        today = today or date.today()
        window = publication(incidents["recorded_at"], today=today, lag_days=lag_days, k=k).window(
            MAP_MONTHS
        )
        if start or end:
            last = end or window.end
            first = start or add_months(month_start(last), 1 - MAP_MONTHS)
            period = period_of_dates(first, last, today=today, lag_days=lag_days)
        else:
            period = window
    chosen = Filters(settings=settings).apply(incidents)
    published = published_lsoa_counts(chosen, geo.lsoas["lsoa_code"], period, k=k)
    return _from_published(published, geo, settings, stations, bandwidth_m, cell_m)


def _from_published(
    published: PublishedCounts,
    geo: Geography,
    settings: tuple[str, ...],
    stations: pd.DataFrame | None,
    bandwidth_m: float,
    cell_m: float,
) -> PartnerHeatmap:
    """Everything a partner sees, from the published counts alone (no record gets here)."""
    k = published.k
    lsoas = geo.lsoas.assign(records=published.records)
    shaded = lsoas.loc[
        lsoas["records"] > 0, ["lsoa_code", "lsoa_name", "district_name", "records", "geometry"]
    ].reset_index(drop=True)
    cells = _intensity_cells(shaded, bandwidth_m, cell_m)
    per_csp = lsoas.groupby("csp_name")["records"].sum().sort_index()
    csp_table = pd.DataFrame(
        {"csp": per_csp.index.to_numpy(), "records": [str(int(v)) for v in per_csp.to_numpy()]}
    )
    area_table = _area_table(lsoas, stations)
    where = "station-area" if stations is not None and len(stations) else "area"
    rules = (
        f"Published from closed months only: records counted per LSOA, counts below {k} "
        f"suppressed and the rest rounded to the nearest 5 before anything else. Shaded "
        f"LSOAs show those counts; the heat layer spreads each LSOA's published count "
        f"evenly over the LSOA, smoothed (quartic kernel, {bandwidth_m:g} m) on cells of "
        f"{cell_m:g} m, as records per km² rounded to 2 significant figures. CSP and "
        f"{where} totals add up published LSOA counts (an LSOA with fewer than {k} records "
        "adds nothing). Records of the open period (this month, and last month until its "
        f"{published.period.lag_days} days have passed) are not included. "
        "No individual record is shown."
    )
    return PartnerHeatmap(
        cells,
        shaded,
        csp_table,
        area_table,
        tuple(settings),
        published.period.describe(),
        rules,
        published,
    )


def _quartic(bandwidth: float, step: float) -> np.ndarray:
    """The quartic kernel on a ``step`` lattice, summing to 1."""
    reach = int(np.ceil(bandwidth / step))
    offsets = np.arange(-reach, reach + 1) * step
    d2 = offsets[None, :] ** 2 + offsets[:, None] ** 2
    kernel = np.where(d2 < bandwidth**2, (1 - d2 / bandwidth**2) ** 2, 0.0)
    return kernel / kernel.sum()  # spreads mass, never adds or loses it


def _intensity_cells(shaded: gpd.GeoDataFrame, bandwidth: float, cell: float) -> gpd.GeoDataFrame:
    """Spread each LSOA's published count over its polygon, smooth it, sum it into cells.

    On a ``RASTER_M`` raster; the cells are ``cell`` squares on a fixed national lattice.
    """
    empty = gpd.GeoDataFrame({"intensity": [], "intensity_class": []}, geometry=[], crs=BNG).astype(
        {"intensity_class": int}
    )
    if shaded.empty:
        return empty
    factor = max(1, round(cell / RASTER_M))
    fine = cell / factor
    pad = bandwidth + cell
    minx, miny, maxx, maxy = shaded.total_bounds
    x0, y0 = np.floor((minx - pad) / cell) * cell, np.floor((miny - pad) / cell) * cell
    ncol = int(np.ceil((maxx + pad - x0) / cell))
    nrow = int(np.ceil((maxy + pad - y0) / cell))
    mass = np.zeros((nrow * factor, ncol * factor))
    for polygon, count in zip(shaded.geometry, shaded["records"], strict=True):
        bx0, by0, bx1, by1 = polygon.bounds
        cols = np.arange(int((bx0 - x0) // fine), int((bx1 - x0) // fine) + 1)
        rows = np.arange(int((by0 - y0) // fine), int((by1 - y0) // fine) + 1)
        c, r = np.meshgrid(cols, rows)
        inside = shapely.contains_xy(polygon, x0 + (c + 0.5) * fine, y0 + (r + 0.5) * fine)
        if not inside.any():  # an LSOA smaller than a raster square: its inner point
            point = polygon.representative_point()
            c = np.array([int((point.x - x0) // fine)])
            r = np.array([int((point.y - y0) // fine)])
            inside = np.ones(1, dtype=bool)
        np.add.at(mass, (r[inside], c[inside]), float(count) / int(inside.sum()))
    smooth = fftconvolve(mass, _quartic(bandwidth, fine), mode="same")
    per_cell = smooth.reshape(nrow, factor, ncol, factor).sum(axis=(1, 3))
    density = per_cell / (cell / 1000.0) ** 2
    shown = density >= max(MIN_SHARE * density.max(), 1e-9)  # FFT noise is not a record
    rows, cols = np.nonzero(shown)
    x, y = x0 + cols * cell, y0 + rows * cell
    cells = gpd.GeoDataFrame(
        {"intensity": _round_sig(density[rows, cols])},
        geometry=shapely.box(x, y, x + cell, y + cell),
        crs=BNG,
    )
    if len(cells) < 5:
        cells["intensity_class"] = 5
        return cells
    ranks = pd.qcut(cells["intensity"].rank(method="first"), 5, labels=False) + 1
    cells["intensity_class"] = ranks.astype(int)
    return cells


def _area_table(lsoas: gpd.GeoDataFrame, stations: pd.DataFrame | None) -> pd.DataFrame:
    """Sum published LSOA counts per station area or ward (or LSOA).

    Only areas with a published count are listed, busiest first.
    """
    if stations is not None and len(stations):
        label = f"station area (LSOAs within {STATION_AREA_M:g} m)"
        points = shapely.points(stations[["easting", "northing"]].to_numpy(float))
        tree = shapely.STRtree(lsoas.geometry.to_numpy())
        station_index, lsoa_index = tree.query(points, predicate="dwithin", distance=STATION_AREA_M)
        records = lsoas["records"].to_numpy()
        totals = np.bincount(station_index, weights=records[lsoa_index], minlength=len(points))
        counts = pd.Series(totals.astype(int), index=stations["name"].to_numpy())
    else:
        by_ward = "ward_name" in lsoas and lsoas["ward_name"].notna().any()
        if by_ward:  # ward names repeat across districts ("Central"): name the district
            names = lsoas["ward_name"].astype(str) + " (" + lsoas["district_name"] + ")"
        else:
            names = lsoas["lsoa_name"]
        label = "ward" if by_ward else "LSOA"
        counts = lsoas["records"].groupby(names.to_numpy()).sum()
    counts = counts[counts > 0].sort_index(kind="stable")
    counts = counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")]
    return pd.DataFrame(
        {label: counts.index.to_numpy(), "records": [str(int(v)) for v in counts.to_numpy()]}
    )


def partner_stations(places: pd.DataFrame, settings: tuple[str, ...]) -> pd.DataFrame | None:
    """The stations whose areas a public transport or taxi map's area table is given for.

    Parameters
    ----------
    places : pandas.DataFrame
        Stored places (``kind``, ``subtype``, ``name``, ``easting``, ``northing``), e.g. the
        workspace's :data:`geo.store.places` table.
    settings : tuple of str
        The settings the map shows.

    Returns
    -------
    pandas.DataFrame or None
        ``name``, ``easting`` and ``northing`` of each rail station and bus station bay
        (the first of each name) when the map shows ``public_transport`` or ``taxi``;
        ``None`` for other settings, whose table is per ward or LSOA.

    Examples
    --------
    >>> places = pd.DataFrame({
    ...     "kind": ["transport", "transport", "nte"],
    ...     "subtype": ["rail_station", "bus_stop", "pub"],
    ...     "name": ["Watford Junction", "High Street", "The Bell"],
    ...     "easting": [510800.0, 511000.0, 511200.0],
    ...     "northing": [197200.0, 196500.0, 196400.0]})
    >>> partner_stations(places, ("taxi",))
                   name   easting  northing
    0  Watford Junction  510800.0  197200.0
    >>> partner_stations(places, ("nte",)) is None
    True
    """
    if not set(settings) & {"public_transport", "taxi"}:
        return None
    transport = places[places["kind"] == "transport"]
    rail_bus = transport["subtype"].isin(["rail_station", "bus_station_bay"])
    return transport.loc[rail_bus, ["name", "easting", "northing"]].drop_duplicates("name")
