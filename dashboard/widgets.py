"""Helpers the pages share: the "not for your role" notice, URL query filters, tables whose
CSV export is formula-safe, and maps that ask no third party."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_leaflet as dl
import pandas as pd
from dash import html

from dashboard import data, figures
from geo.export import neutralise_formulas, neutralise_text

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


def table_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for a DataTable, text a spreadsheet would evaluate prefixed with ``'``.

    Every table's rows go through here: a DataTable with ``export_format="csv"`` writes its
    CSV in the browser from exactly these values, so this is where they are made safe
    (numbers, negative ones included, are left as numbers).
    """
    safe = neutralise_formulas(frame)
    safe.columns = frame.columns  # the rows keep their keys; table_columns names them
    return data.as_records(safe)


def table_columns(frame: pd.DataFrame) -> list[dict[str, str]]:
    """DataTable columns for ``frame``: the header a CSV export writes is formula-safe too."""
    return [
        {"name": str(neutralise_text(str(c).replace("_", " "))), "id": str(c)}
        for c in frame.columns
    ]


def base_map(children: list[Any], *, map_id: str, height: str = "560px") -> dl.Map:
    """District outlines and names under ``children``, over the configured tiles when the
    workspace names a tile server (``tile_url``); without one the map asks no other host
    and the workspace's own boundaries and labels orient the reader."""
    bounds = data.geography().lsoas.to_crs(4326).total_bounds
    return dl.Map(
        [
            figures.base_layers(
                data.district_outlines(), tile_url=data.workspace().config.tile_url, map_id=map_id
            ),
            *children,
        ],
        bounds=[[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        style={"height": height},
        id=map_id,
    )
