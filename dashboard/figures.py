"""Pure builders: data in, Dash components or figures out.

Maps use dash-leaflet, whose Leaflet bundle ships inside the Python package: they draw
without WebGL and without a network (police desktops and virtual machines often have
neither). Background tiles are drawn only when the workspace names a tile server
(``tile_url``): by default a map asks no host but the dashboard's own, which would
otherwise learn which areas officers look at; district outlines and names orient the
reader instead.
"""

from __future__ import annotations

import json
from typing import Any

import dash_leaflet as dl
import geopandas as gpd
import numpy as np
from dash import html
from shapely.geometry import shape

#: Colours from fewest to most records (a sequential ColorBrewer YlOrRd scheme).
CLASS_COLOURS = ("#ffffcc", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")


def class_breaks(values: np.ndarray, classes: int = len(CLASS_COLOURS)) -> np.ndarray:
    """Upper bounds of classes: 0 on its own, then quantiles of the non-zero values."""
    positive = values[values > 0]
    if positive.size == 0:
        return np.zeros(1)
    quantiles = np.quantile(positive, np.linspace(0, 1, classes)[1:])
    return np.unique(np.concatenate([[0.0], np.ceil(quantiles)]))


def district_labels(outlines: dict[str, Any]) -> list[dl.CircleMarker]:
    """A permanent label with each district's name at a point inside it (from the
    workspace's own boundaries: no tile server needed to know where one is)."""
    labels = []
    for feature in outlines.get("features", []):
        name = (feature.get("properties") or {}).get("district_name")
        if not name or not feature.get("geometry"):
            continue
        point = shape(feature["geometry"]).representative_point()
        labels.append(
            dl.CircleMarker(
                center=[point.y, point.x],
                radius=0,
                stroke=False,
                fill=False,
                interactive=False,
                children=dl.Tooltip(
                    str(name), permanent=True, direction="center", className="district-label"
                ),
            )
        )
    return labels


def base_layers(outlines: dict[str, Any] | None, *, tile_url: str, map_id: str) -> dl.LayerGroup:
    """What every map draws first: tiles only when ``tile_url`` is set, then the district
    outlines and their names when ``outlines`` (WGS84 GeoJSON) is given."""
    layers: list[Any] = [dl.TileLayer(url=tile_url)] if tile_url else []
    if outlines:
        layers.append(
            dl.GeoJSON(
                data=outlines,
                style={"color": "#333", "weight": 1.2, "fill": False},
                id=f"{map_id}-districts",
            )
        )
        layers += district_labels(outlines)
    return dl.LayerGroup(layers, id=f"{map_id}-base")


def lsoa_map(
    lsoas: gpd.GeoDataFrame,
    *,
    title: str,
    tile_url: str,
    map_id: str,
    districts: dict[str, Any] | None = None,
) -> html.Div:
    """Records per LSOA as coloured polygons (one layer per class) over
    :func:`base_layers`, with a legend."""
    values = lsoas["records"].to_numpy()
    breaks = class_breaks(values)
    klass = np.searchsorted(breaks, values, side="left")
    layers = []
    for k in range(len(breaks)):
        part = lsoas[klass == k]
        if part.empty:
            continue
        part = part.assign(
            tooltip=part["lsoa_name"]
            + " ("
            + part["csp_name"]
            + "): "
            + part["records"].astype(str)
            + " records"
        )
        colour = CLASS_COLOURS[min(k, len(CLASS_COLOURS) - 1)]
        layers.append(
            dl.GeoJSON(
                data=json.loads(part[["tooltip", "geometry"]].to_json()),
                style={"color": "#666", "weight": 0.4, "fillColor": colour, "fillOpacity": 0.75},
                id=f"{map_id}-class-{k}",
            )
        )
    bounds = lsoas.total_bounds
    legend = [
        html.Span(
            [
                html.Span(
                    style={
                        "background": CLASS_COLOURS[min(k, len(CLASS_COLOURS) - 1)],
                        "display": "inline-block",
                        "width": "14px",
                        "height": "14px",
                        "marginRight": "4px",
                    }
                ),
                f"{'0' if k == 0 else f'{int(breaks[k - 1]) + 1}–{int(upper)}'}  ",
            ],
            style={"marginRight": "10px"},
        )
        for k, upper in enumerate(breaks)
    ]
    return html.Div(
        [
            html.H4(title),
            dl.Map(
                [base_layers(districts, tile_url=tile_url, map_id=map_id), *layers],
                bounds=[[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
                style={"height": "620px"},
                id=map_id,
            ),
            html.Div(["records: ", *legend], style={"marginTop": "6px"}),
        ]
    )
