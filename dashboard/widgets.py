"""Helpers the pages share: the "not for your role" notice, URL query filters, maps."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_leaflet as dl
from dash import html

from dashboard import data

LEVEL_COLOURS = {"high": "#b2182b", "medium": "#ef8a62", "low": "#fddbc7"}


def not_allowed(page: str) -> html.Div:
    return html.Div(
        [html.H2("Not available"), html.P(f"Your role cannot open the {page} page.")],
        id="not-allowed",
    )


def query_string(**values: Any) -> str:
    """Filters as a shareable URL query (empty values left out)."""
    kept = {k: v for k, v in values.items() if v not in (None, "", [])}
    return "?" + urlencode(kept) if kept else ""


def base_map(children: list[Any], *, map_id: str, height: str = "560px") -> dl.Map:
    """District outlines over the configured tiles: the outlines still draw when no tile
    loads (a force network without internet, or its own tile server)."""
    bounds = data.geography().lsoas.to_crs(4326).total_bounds
    return dl.Map(
        [
            dl.TileLayer(url=data.workspace().config.tile_url),
            dl.GeoJSON(
                data=data.district_outlines(),
                style={"color": "#333", "weight": 1.2, "fill": False},
                id=f"{map_id}-districts",
            ),
            *children,
        ],
        bounds=[[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        style={"height": height},
        id=map_id,
    )
