"""Hotspots (analysts, SPOCs): hotspot classes per LSOA for the chosen method and filters,
a kernel density layer, the figures of an area on click, and downloads."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import dash
import dash_leaflet as dl
from dash import Input, Output, State, callback, dcc, html

from dashboard import data
from dashboard.widgets import base_map, not_allowed, query_string
from geo.vocab import MONITORED_STRANDS, SETTINGS

dash.register_page(__name__, path="/hotspots", name="Hotspots", key="hotspots", order=2)

UNIT = "hot-unit"
METHOD, STRAND, SETTING, CSP, START, END = (
    "hot-method",
    "hot-strand",
    "hot-setting",
    "hot-csp",
    "hot-from",
    "hot-to",
)
INFO, URL, FORMAT, DOWNLOAD = "hot-info", "hot-url", "hot-format", "hot-download"
CLASS_COLOURS = {
    "hot_99": "#b2182b",
    "hot_95": "#ef8a62",
    "hot_90": "#fddbc7",
    "cold_90": "#d1e5f0",
    "cold_95": "#67a9cf",
    "cold_99": "#2166ac",
    "HH": "#b2182b",
    "HL": "#f4a582",
    "LH": "#92c5de",
    "LL": "#2166ac",
}
FIGURES = ["area_code", "area_name", "csp", "count", "expected", "smr", "eb_ratio", "gi_z"]


def _options(values, labels=None):
    return [{"label": "all", "value": ""}] + [
        {"label": (labels or {}).get(v, v.replace("_", " ")), "value": v} for v in values
    ]


def layout(
    method: str = "risk_class",
    strand: str = "",
    setting: str = "",
    csp: str = "",
    start: str = "",
    end: str = "",
    unit: str = "lsoa",
    **_query: str,
) -> html.Div:
    if not data.allowed("hotspots"):
        return not_allowed("hotspots")
    first, last = data.date_range()
    names = data.csp_names().sort_values()
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            html.H2("Hotspots"),
            html.Div(
                [
                    dcc.Dropdown(
                        id=UNIT,
                        options=[{"label": v, "value": k} for k, v in data.units().items()],
                        value=unit if unit in data.units() else "lsoa",
                        clearable=False,
                        style={"width": "9rem"},
                    ),
                    dcc.Dropdown(
                        id=METHOD,
                        options=[{"label": v, "value": k} for k, v in data.HOTSPOT_METHODS.items()],
                        value=method if method in data.HOTSPOT_METHODS else "risk_class",
                        clearable=False,
                        style={"width": "22rem"},
                    ),
                    dcc.Dropdown(
                        id=STRAND,
                        options=_options(MONITORED_STRANDS),
                        value=strand,
                        placeholder="strand",
                        style={"width": "12rem"},
                    ),
                    dcc.Dropdown(
                        id=SETTING,
                        options=_options(SETTINGS),
                        value=setting,
                        placeholder="setting",
                        style={"width": "12rem"},
                    ),
                    dcc.Dropdown(
                        id=CSP,
                        options=_options(list(names.index), dict(names)),
                        value=csp,
                        placeholder="CSP",
                        style={"width": "16rem"},
                    ),
                    dcc.DatePickerRange(
                        id=START,
                        start_date=start or first,
                        end_date=end or last,
                        display_format="YYYY-MM-DD",
                    ),
                ],
                style={"display": "flex", "gap": "0.5rem", "flexWrap": "wrap"},
            ),
            base_map([dl.FeatureGroup([], id="hot-layers")], map_id="hot-leaflet"),
            html.P(id="hot-summary"),
            html.Div(id=INFO, children="Click an area for its figures."),
            html.Div(
                [
                    dcc.Dropdown(
                        id=FORMAT,
                        options=["csv", "geojson", "gpkg"],
                        value="csv",
                        clearable=False,
                        style={"width": "8rem"},
                    ),
                    html.Button("Download", id=f"{DOWNLOAD}-button"),
                    dcc.Download(id=DOWNLOAD),
                ],
                style={"display": "flex", "gap": "0.5rem", "marginTop": "0.5rem"},
            ),
        ]
    )


def _table(strand, setting, csp, start, end, unit="lsoa"):
    return data.hotspot_table(
        strand or "", setting or "", csp or "", start or "", end or "", unit or "lsoa"
    )


@callback(
    Output("hot-layers", "children"),
    Output("hot-summary", "children"),
    Output(URL, "search"),
    Input(METHOD, "value"),
    Input(STRAND, "value"),
    Input(SETTING, "value"),
    Input(CSP, "value"),
    Input(START, "start_date"),
    Input(START, "end_date"),
    Input(UNIT, "value"),
)
def update_hotspots(method, strand, setting, csp, start, end, unit="lsoa"):
    data.require("hotspots")
    start, end = (start or "")[:10], (end or "")[:10]
    table = _table(strand, setting, csp, start, end, unit)
    layers = []
    for klass, colour in CLASS_COLOURS.items():
        part = table[table[method] == klass]
        if part.empty:
            continue
        layers.append(
            dl.GeoJSON(
                data=json.loads(part[["area_code", "geometry"]].to_json()),
                style={"color": "#555", "weight": 0.4, "fillColor": colour, "fillOpacity": 0.7},
                id={"type": "hot-class", "klass": klass},
            )
        )
    density = data.density_layer(strand or "", setting or "", csp or "")
    if len(density):
        layers.append(
            dl.Overlay(
                dl.GeoJSON(
                    data=json.loads(density[["share_of_peak", "geometry"]].to_json()),
                    style={"color": "#6a3d9a", "weight": 0, "fillOpacity": 0.25},
                ),
                name="kernel density",
                checked=False,
            )
        )
    repeats = data.repeat_locations(strand or "", csp or "")
    if len(repeats):
        layers.append(
            dl.GeoJSON(
                data=json.loads(repeats.assign(
                    tooltip=repeats["records"].astype(str) + " records, " + repeats["first"]
                    + " to " + repeats["last"])[["tooltip", "geometry"]].to_json()),
                style={"color": "#000", "weight": 2, "fillOpacity": 0},
                id="hot-repeats",
            )
        )  # fmt: skip
    counts = table[method].value_counts()
    summary = ", ".join(f"{k}: {counts.get(k, 0)}" for k in CLASS_COLOURS if counts.get(k, 0))
    return (
        layers,
        f"{len(table)} {data.UNITS.get(unit or 'lsoa', unit)} areas; "
        f"{summary or 'no significant areas'}; "
        f"{len(repeats)} repeat locations (black outlines)",
        query_string(
            unit=unit,
            method=method,
            strand=strand,
            setting=setting,
            csp=csp,
            start=start,
            end=end,
        ),
    )


@callback(
    Output(INFO, "children"),
    Input({"type": "hot-class", "klass": dash.ALL}, "clickData"),
    State(STRAND, "value"),
    State(SETTING, "value"),
    State(CSP, "value"),
    State(START, "start_date"),
    State(START, "end_date"),
    State(UNIT, "value"),
    prevent_initial_call=True,
)
def area_figures(clicks, strand, setting, csp, start, end, unit="lsoa"):
    data.require("hotspots")
    clicked = next((c for c in clicks if c), None)
    if not clicked:
        return dash.no_update
    code = clicked["properties"]["area_code"]
    table = _table(strand, setting, csp, (start or "")[:10], (end or "")[:10], unit)
    found = table.loc[table["area_code"] == code]
    if found.empty:
        return f"{code} is not an area of this view."
    row = found.iloc[0]
    return html.Ul([html.Li(f"{c}: {row[c]}") for c in (*FIGURES, "risk_class", "lisa_class")])


@callback(
    Output(DOWNLOAD, "data"),
    Input(f"{DOWNLOAD}-button", "n_clicks"),
    State(FORMAT, "value"),
    State(STRAND, "value"),
    State(SETTING, "value"),
    State(CSP, "value"),
    State(START, "start_date"),
    State(START, "end_date"),
    State(UNIT, "value"),
    prevent_initial_call=True,
)
def download(_clicks, fmt, strand, setting, csp, start, end, unit="lsoa"):
    data.require("hotspots")
    from geo.export import write_frame

    table = _table(strand, setting, csp, (start or "")[:10], (end or "")[:10], unit)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hotspots.{fmt}"
        if fmt == "csv":
            table.drop(columns="geometry").to_csv(path, index=False)
        else:
            write_frame(table.to_crs(27700), path, layer="hotspots")
        return dcc.send_file(str(path))
