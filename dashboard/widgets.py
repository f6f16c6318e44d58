"""Helpers the pages share: the "not for your role" notice, filter dropdowns, URL query
filters, tables whose CSV export is formula-safe, and maps that ask no third party."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html
from dash.dash_table.DataTable import DataTable

from dashboard import data, figures
from geo.export import neutralise_formulas, neutralise_text

LEVEL_COLOURS = {"high": "#b2182b", "medium": "#ef8a62", "low": "#fddbc7"}


def not_allowed(page: str) -> html.Div:
    return html.Div(
        [html.H2("Not available"), html.P(f"Your role cannot open the {page} page.")],
        id="not-allowed",
    )


def filter_dropdown(
    component_id: str,
    values: Iterable[str],
    *,
    value: str = "",
    all_label: str = "all",
    labels: Mapping[str, str] | None = None,
    width: str = "12rem",
    **options: Any,
) -> dcc.Dropdown:
    """A filter every page writes the same way: "all" (the empty value) first, then each
    of ``values``, labelled from ``labels`` or with underscores as spaces; ``options`` go
    to the ``dcc.Dropdown`` (``clearable``, ``placeholder``)."""
    names = labels or {}
    choices = [{"label": all_label, "value": ""}] + [
        {"label": names.get(v, v.replace("_", " ")), "value": v} for v in values
    ]
    return dcc.Dropdown(
        id=component_id, options=choices, value=value, style={"width": width}, **options
    )


def csp_dropdown(component_id: str, value: str = "", **options: Any) -> dcc.Dropdown:
    """The CSP filter: every CSP of the workspace by name, alphabetically."""
    names = data.csp_names().sort_values()
    return filter_dropdown(component_id, names.index, value=value, labels=dict(names), **options)


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


def data_table(table_id: str, frame: pd.DataFrame | None = None, **options: Any) -> DataTable:
    """A DataTable, filled with ``frame`` (formula-safe rows and headers) when given;
    ``options`` go to the ``DataTable``."""
    if frame is not None:
        options.update(data=table_records(frame), columns=table_columns(frame))
    return DataTable(id=table_id, **options)


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
