"""Partner heat maps: where hate happens on buses and trains, in the night-time economy and
in taxis, aggregated so that no victim can be identified.

Disclosure rules, on by default for anything a partner sees:

1. No individual points: a kernel density surface on a grid of ``cell_m`` (≥ 200 m,
   250 m by default) squares.
2. A minimum bandwidth of 300 m (default 500 m), so no single address stands out.
3. A cell is shown only when at least ``k`` records (default 5, the workspace's
   ``small_count_threshold``) lie within the bandwidth of its centre; others are removed.
4. Published numbers are rounded: densities to two significant figures, counts in the
   tables to the nearest 5, and counts below ``k`` shown as ``<k``.
5. Only aggregates leave: no reference, description, victim, date or coordinate of any
   record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.resources import files

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo._errors import TensionmapError
from geo.geography import ATTRIBUTION, Geography
from geo.hotspots.kde import kernel_density
from geo.vocab import SETTING_LABELS

MIN_CELL_M = 200.0
MIN_BANDWIDTH_M = 300.0
STATION_AREA_M = 400.0


@dataclass(frozen=True)
class PartnerHeatmap:
    cells: gpd.GeoDataFrame  # BNG squares: intensity (rounded density), intensity_class 1–5
    csp_table: pd.DataFrame  # csp, records (rounded or "<k")
    area_table: pd.DataFrame  # station or venue area, records
    settings: tuple[str, ...]
    period: str
    rules: str


def _round_sig(values: np.ndarray, digits: int = 2) -> np.ndarray:
    with np.errstate(divide="ignore"):
        magnitude = np.where(values > 0, np.floor(np.log10(np.abs(values))), 0)
    factor = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * factor) / factor


def publishable_count(n: int, k: int, base: int = 5) -> str:
    """A count as partners see it: ``<k`` when small, else rounded to ``base``."""
    return f"<{k}" if n < k else str(int(base * round(n / base)))


def partner_heatmap(
    incidents: pd.DataFrame,
    geo: Geography,
    *,
    settings: tuple[str, ...],
    start: date | None = None,
    end: date | None = None,
    k: int = 5,
    bandwidth_m: float = 500.0,
    cell_m: float = 250.0,
    stations: pd.DataFrame | None = None,
) -> PartnerHeatmap:
    """The disclosure-safe heat map and tables for records in ``settings``.

    ``stations`` (``name``, ``easting``, ``northing``) gives the station areas table for
    public transport and taxis; otherwise areas are wards (or LSOAs).
    """
    if bandwidth_m < MIN_BANDWIDTH_M:
        raise TensionmapError(f"partner maps need a bandwidth of at least {MIN_BANDWIDTH_M:g} m.")
    if cell_m < MIN_CELL_M:
        raise TensionmapError(f"partner maps need cells of at least {MIN_CELL_M:g} m.")
    from geo.hotspots.aggregate import Filters

    chosen = Filters(start=start, end=end, settings=settings).apply(incidents)
    if chosen.empty:
        raise TensionmapError(f"no records in settings {list(settings)} for that period.")
    x = chosen["easting"].to_numpy(float)
    y = chosen["northing"].to_numpy(float)
    surface = kernel_density(
        x, y, bandwidth_m=bandwidth_m, cell_m=cell_m, min_bandwidth_m=MIN_BANDWIDTH_M
    )
    rows, cols = np.nonzero(surface.density > 0)
    cx = surface.x0 + (cols + 0.5) * cell_m
    cy = surface.y0 + (rows + 0.5) * cell_m
    support = np.array(
        [
            len(v)
            for v in cKDTree(np.column_stack([x, y])).query_ball_point(
                np.column_stack([cx, cy]), bandwidth_m
            )
        ]
    )
    shown = support >= k
    density = _round_sig(surface.density[rows[shown], cols[shown]])
    cells = gpd.GeoDataFrame(
        {"intensity": density},
        geometry=gpd.GeoSeries.from_xy(cx[shown], cy[shown]).buffer(cell_m / 2, cap_style="square"),
        crs="EPSG:27700",
    )
    if len(cells):
        ranks = pd.qcut(cells["intensity"].rank(method="first"), 5, labels=False) + 1
        cells["intensity_class"] = ranks.astype(int)
    names = geo.lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    per_csp = chosen["csp_code"].map(names).value_counts()
    csp_table = pd.DataFrame(
        {
            "csp": names.sort_values().to_numpy(),
            "records": [publishable_count(int(per_csp.get(n, 0)), k) for n in names.sort_values()],
        }
    )
    area_table = _area_table(chosen, geo, stations, k)
    period = (
        f"{start or chosen['recorded_at'].min()[:10]} to {end or chosen['recorded_at'].max()[:10]}"
    )
    rules = (
        f"Cells of {cell_m:g} m with at least {k} records within {bandwidth_m:g} m; quartic "
        f"kernel density (bandwidth {bandwidth_m:g} m) rounded to 2 significant figures; "
        f"counts rounded to the nearest 5 and below {k} shown as <{k}. No individual record "
        "is shown."
    )
    return PartnerHeatmap(cells, csp_table, area_table, settings, period, rules)


def _area_table(
    chosen: pd.DataFrame, geo: Geography, stations: pd.DataFrame | None, k: int
) -> pd.DataFrame:
    if stations is not None and len(stations):
        tree = cKDTree(stations[["easting", "northing"]].to_numpy(float))
        d, i = tree.query(
            chosen[["easting", "northing"]].to_numpy(float), distance_upper_bound=STATION_AREA_M
        )
        near = np.isfinite(d)
        names = stations["name"].to_numpy()[i[near]]
        counts = pd.Series(names).value_counts()
        label = f"station area (within {STATION_AREA_M:g} m)"
    else:
        by_ward = "ward_code" in geo.lsoas and chosen["ward_code"].notna().any()
        column, name = ("ward_code", "ward_name") if by_ward else ("lsoa_code", "lsoa_name")
        lookup = geo.lsoas.drop_duplicates(column).set_index(column)[name]
        counts = chosen[column].map(lookup).value_counts()
        label = "ward" if by_ward else "LSOA"
    counts = counts[counts >= k]  # areas with fewer records are not listed at all
    return pd.DataFrame(
        {label: counts.index, "records": [publishable_count(int(v), k) for v in counts.to_numpy()]}
    )


def _leaflet() -> tuple[str, str]:
    folder = files("geo") / "_vendor" / "leaflet"
    return (folder / "leaflet.js").read_text(encoding="utf-8"), (folder / "leaflet.css").read_text(
        encoding="utf-8"
    )


#: Colours of intensity classes 1 (lowest) to 5 (highest).
CLASS_COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


def write_html(heatmap: PartnerHeatmap, geo: Geography, path: str) -> None:
    """A self-contained folium page: Leaflet is inlined (it opens offline; only the
    OpenStreetMap background needs a connection), with district outlines, the cells, a
    legend, the period, the disclosure note and the OGL attribution."""
    import folium

    districts = geo.districts.to_crs(4326)
    bounds = districts.total_bounds
    fmap = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=9,
        tiles=None,
    )
    fmap.default_js, fmap.default_css = [], []  # no CDN: Leaflet is inlined below
    script, style = _leaflet()
    header = fmap.get_root().header  # type: ignore[attr-defined]
    header.add_child(folium.Element(f"<style>{style}</style>"))
    header.add_child(folium.Element(f"<script>{script}</script>"))
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online only)").add_to(fmap)
    folium.GeoJson(
        districts[["district_name", "geometry"]].to_json(),
        name="districts",
        style_function=lambda _f: {"color": "#333", "weight": 1, "fillOpacity": 0},
        tooltip=folium.GeoJsonTooltip(fields=["district_name"], aliases=["District"]),
    ).add_to(fmap)
    cells = heatmap.cells.to_crs(4326)
    if len(cells):
        folium.GeoJson(
            cells[["intensity_class", "geometry"]].to_json(),
            name="heat",
            style_function=lambda f: {
                "fillColor": CLASS_COLOURS[int(f["properties"]["intensity_class"]) - 1],
                "color": None,
                "fillOpacity": 0.6,
            },
        ).add_to(fmap)
    legend = "".join(
        f'<span style="background:{c};display:inline-block;width:14px;height:14px"></span> {i + 1} '
        for i, c in enumerate(CLASS_COLOURS)
    )
    settings = ", ".join(SETTING_LABELS.get(s, s) for s in heatmap.settings)
    panel = (
        f"<b>{settings}</b>, {heatmap.period}<br>relative intensity: {legend}"
        f"<br><small>{heatmap.rules}</small><br><small>{ATTRIBUTION}</small>"
    )
    fmap.get_root().html.add_child(  # type: ignore[attr-defined]
        folium.Element(
            '<div style="position:fixed;bottom:10px;left:10px;z-index:9999;background:white;'
            f'padding:6px;max-width:480px;font-family:sans-serif">{panel}</div>'
        )
    )
    fmap.save(path)
