"""Pure builders: data in, Dash components or figures out.

Maps use dash-leaflet, whose Leaflet bundle ships inside the Python package: they draw
without WebGL and without a network (police desktops and virtual machines often have
neither); only the background tiles need a connection.
"""

from __future__ import annotations

import json

import dash_leaflet as dl
import geopandas as gpd
import numpy as np
from dash import html

#: Colours from fewest to most records (a sequential ColorBrewer YlOrRd scheme).
CLASS_COLOURS = ("#ffffcc", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")


def class_breaks(values: np.ndarray, classes: int = len(CLASS_COLOURS)) -> np.ndarray:
    """Upper bounds of classes: 0 on its own, then quantiles of the non-zero values."""
    positive = values[values > 0]
    if positive.size == 0:
        return np.zeros(1)
    quantiles = np.quantile(positive, np.linspace(0, 1, classes)[1:])
    return np.unique(np.concatenate([[0.0], np.ceil(quantiles)]))


def lsoa_map(lsoas: gpd.GeoDataFrame, *, title: str, tile_url: str, map_id: str) -> html.Div:
    """Records per LSOA as coloured polygons (one layer per class), with a legend."""
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
                [dl.TileLayer(url=tile_url), *layers],
                bounds=[[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
                style={"height": "620px"},
                id=map_id,
            ),
            html.Div(["records: ", *legend], style={"marginTop": "6px"}),
        ]
    )
