"""A partner heat map as one self-contained HTML page (Leaflet, no tiles unless configured)."""

from __future__ import annotations

import html
import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geo.geography.areas import ATTRIBUTION, Geography
from geo.geography.geocoder import to_wgs84
from geo.settings.partner_maps import LSOA_BREAKS, PartnerHeatmap
from geo.vocab import SETTING_LABELS

if TYPE_CHECKING:  # folium is imported when a page is written (it is slow to import)
    import folium
    import geopandas as gpd


def _leaflet() -> tuple[str, str]:
    """The vendored Leaflet script and style."""
    folder = files("geo") / "_vendor" / "leaflet"
    return (folder / "leaflet.js").read_text(encoding="utf-8"), (folder / "leaflet.css").read_text(
        encoding="utf-8"
    )


#: Colours of intensity classes 1 (lowest) to 5 (highest).
CLASS_COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


#: Colours of the LSOA shading classes (see ``LSOA_BREAKS``).
LSOA_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


def _lsoa_class(records: int) -> int:
    """The shading class (0–4) of a published count."""
    return int(np.searchsorted(LSOA_BREAKS, records, side="right")) - 1


def write_html(heatmap: PartnerHeatmap, geo: Geography, path: str, *, tile_url: str = "") -> None:
    """Write a partner heat map as one self-contained HTML page (folium, Leaflet inlined).

    Unless ``tile_url`` is given, no tile layer asks any server for anything: district
    outlines and names, the shaded LSOAs and the heat cells are drawn from the
    workspace's own geography. The page states the period, the rules and the OGL
    attribution, and is byte-for-byte the same for the same published counts (folium's
    random element ids are renumbered).

    Parameters
    ----------
    heatmap : PartnerHeatmap
        The published map (see :func:`~geo.settings.partner_heatmap`).
    geo : Geography
        The workspace's geography, for district outlines and names.
    path : str
        The HTML file to write.
    tile_url : str, optional
        A tile server for a base map (the workspace's ``tile_url``); none by default.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import date
    >>> import pandas as pd
    >>> from geo.disclosure import ClosedPeriod
    >>> from geo.geography import load_geography
    >>> from geo.settings import partner_heatmap
    >>> geo = load_geography()
    >>> records = pd.DataFrame({"recorded_at": ["2023-05-01T22:00"] * 12,
    ...                         "settings": ["nte"] * 12, "lsoa_code": ["E01023727"] * 12})
    >>> year = ClosedPeriod(date(2023, 1, 1), date(2023, 12, 31), 7)
    >>> heat = partner_heatmap(records, geo, settings=("nte",), period=year)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_html(heat, geo, f"{folder}/partner_nte.html")
    ...     page = Path(folder, "partner_nte.html").read_text(encoding="utf-8")
    >>> "St Albans 012B (St Albans): 10 records" in page, "unpkg.com" in page
    (True, False)
    """
    import folium

    fmap = _base_map(geo, tile_url)
    _add_lsoas(fmap, heatmap.lsoas)
    _add_cells(fmap, heatmap.cells)
    _add_districts(fmap, geo)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(  # type: ignore[attr-defined]
        folium.Element(
            '<div style="position:fixed;bottom:10px;left:10px;z-index:9999;background:white;'
            f'padding:6px;max-width:520px;font-family:sans-serif">{_panel(heatmap)}</div>'
        )
    )
    page = fmap.get_root().render()
    numbers: dict[str, str] = {}
    page = _FOLIUM_ID.sub(lambda m: numbers.setdefault(m.group(0), str(len(numbers))), page)
    Path(path).write_text(page, encoding="utf-8")


def _base_map(geo: Geography, tile_url: str) -> folium.Map:
    """A map centred on the districts, Leaflet inlined, tiles only from ``tile_url``."""
    import folium

    bounds = geo.districts.to_crs(4326).total_bounds
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
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr="the workspace's tile server", name="tiles").add_to(
            fmap
        )
    return fmap


def _add_lsoas(fmap: folium.Map, lsoas: gpd.GeoDataFrame) -> None:
    """The shaded LSOAs, with their published count as a tooltip."""
    import folium

    shaded = lsoas.copy()
    if not len(shaded):
        return
    shaded["geometry"] = shaded.geometry.simplify(20)
    shaded["colour"] = [LSOA_COLOURS[_lsoa_class(int(v))] for v in shaded["records"]]
    shaded["label"] = [
        f"{n} ({d}): {int(v)} records"
        for n, d, v in zip(
            shaded["lsoa_name"], shaded["district_name"], shaded["records"], strict=True
        )
    ]
    folium.GeoJson(
        shaded[["label", "colour", "geometry"]].to_crs(4326).to_json(),
        name="records per LSOA",
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#6b6b6b",
            "weight": 0.5,
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)


def _add_cells(fmap: folium.Map, cells: gpd.GeoDataFrame) -> None:
    """The heat layer, coloured by intensity class."""
    import folium

    cells = cells.to_crs(4326)
    if len(cells):
        folium.GeoJson(
            cells[["intensity_class", "geometry"]].to_json(),
            name="relative intensity",
            style_function=lambda f: {
                "fillColor": CLASS_COLOURS[int(f["properties"]["intensity_class"]) - 1],
                "color": None,
                "fillOpacity": 0.55,
            },
        ).add_to(fmap)


def _add_districts(fmap: folium.Map, geo: Geography) -> None:
    """District outlines, and each district's name at a point inside it."""
    import folium

    outlines = geo.districts.to_crs(4326)[["district_name", "geometry"]].copy()
    outlines["geometry"] = geo.districts.geometry.simplify(100).to_crs(4326).to_numpy()
    folium.GeoJson(
        outlines.to_json(),
        name="districts",
        style_function=lambda _f: {"color": "#333", "weight": 1.2, "fillOpacity": 0},
    ).add_to(fmap)
    inner = geo.districts.geometry.representative_point()
    lon, lat = to_wgs84(inner.x.to_numpy(), inner.y.to_numpy())
    for name, x, y in zip(geo.districts["district_name"], lon, lat, strict=True):
        folium.Marker(
            [y, x],
            icon=folium.DivIcon(
                html=(
                    '<div style="font:11px sans-serif;color:#222;white-space:nowrap;'
                    f'text-shadow:0 0 3px #fff">{html.escape(str(name))}</div>'
                )
            ),
        ).add_to(fmap)


def _panel(heatmap: PartnerHeatmap) -> str:
    """The legend panel: settings, period, shading and intensity keys, rules, attribution."""

    def swatch(colour: str) -> str:
        """A coloured square (its ``</span>`` follows)."""
        return f'<span style="background:{colour};display:inline-block;width:14px;height:14px">'

    intensity = "".join(f"{swatch(c)}</span> {i + 1} " for i, c in enumerate(CLASS_COLOURS))
    uppers = [*(b - 5 for b in LSOA_BREAKS[1:]), None]
    shading = "".join(
        f"{swatch(c)}</span> {low}{'+' if up is None else ('' if up == low else f'–{up}')} "
        for c, low, up in zip(LSOA_COLOURS, LSOA_BREAKS, uppers, strict=True)
    )
    settings = ", ".join(SETTING_LABELS.get(s, s) for s in heatmap.settings)
    return (
        f"<b>{html.escape(settings)}</b>, {heatmap.period}"
        f"<br>records per LSOA: {shading}<br>relative intensity: {intensity}"
        f"<br><small>{heatmap.rules}</small><br><small>{ATTRIBUTION}</small>"
    )


_FOLIUM_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")
