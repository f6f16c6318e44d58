"""Pure figure builders: data in, Plotly figures out."""

from __future__ import annotations

import json

import geopandas as gpd
import plotly.graph_objects as go


def lsoa_choropleth(lsoas: gpd.GeoDataFrame, *, title: str) -> go.Figure:
    """Records per LSOA on an OpenStreetMap base map."""
    geojson = json.loads(lsoas[["lsoa_code", "geometry"]].to_json())
    centre = lsoas.geometry.union_all().centroid
    fig = go.Figure(
        go.Choroplethmap(
            geojson=geojson,
            featureidkey="properties.lsoa_code",
            locations=lsoas["lsoa_code"],
            z=lsoas["records"],
            colorscale="YlOrRd",
            marker_opacity=0.7,
            marker_line_width=0.2,
            customdata=lsoas[["lsoa_name", "csp_name"]],
            hovertemplate="%{customdata[0]} (%{customdata[1]}): %{z} records<extra></extra>",
            colorbar_title="records",
        )
    )
    fig.update_layout(
        title=title,
        map={"style": "open-street-map", "center": {"lat": centre.y, "lon": centre.x}, "zoom": 8},
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        height=620,
    )
    return fig
