"""Hotspots (analysts, SPOCs): hotspot classes per LSOA for the chosen method and filters,
a kernel density layer, the figures of an area on click, and downloads."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import dash
import dash_leaflet as dl
from dash import Input, Output, State, callback, dcc, html

from dashboard import data, validate
from dashboard.widgets import (
    base_map,
    csp_dropdown,
    filter_dropdown,
    not_allowed,
    query_string,
)
from geo.export import write_frame
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
#: Download formats and the file name the server gives each (never one from the browser).
DOWNLOADS = {"csv": "hotspots.csv", "geojson": "hotspots.geojson", "gpkg": "hotspots.gpkg"}
QUERY = ("method", "strand", "setting", "csp", "start", "end", "unit")
validate.pattern_values("hot-class", klass=CLASS_COLOURS)
FIGURES = ["area_code", "area_name", "csp", "count", "expected", "smr", "eb_ratio", "gi_z"]


def layout(**query: object) -> html.Div:
    # the query is checked first, against public choices only, so a bad link gets 400
    # whoever follows it; the role decides what is drawn
    q = validate.query(query, "hotspots", QUERY)
    method = validate.one_of(q.get("method", "risk_class"), data.HOTSPOT_METHODS, "method")
    chosen = _filters(q.get("strand"), q.get("setting"), q.get("csp"), q.get("start"),
                      q.get("end"), q.get("unit", "lsoa"))  # fmt: skip
    if not data.allowed("hotspots"):
        return not_allowed("hotspots")
    first, last = data.date_range()
    strand, setting, csp, unit = (chosen[k] for k in ("strand", "setting", "csp", "unit"))
    start, end = chosen["start"], chosen["end"]
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            html.H2("Hotspots"),
            html.Div(
                [
                    dcc.Dropdown(
                        id=UNIT,
                        options=[{"label": v, "value": k} for k, v in data.units().items()],
                        value=unit,
                        clearable=False,
                        style={"width": "9rem"},
                    ),
                    dcc.Dropdown(
                        id=METHOD,
                        options=[{"label": v, "value": k} for k, v in data.HOTSPOT_METHODS.items()],
                        value=method,
                        clearable=False,
                        style={"width": "22rem"},
                    ),
                    filter_dropdown(STRAND, MONITORED_STRANDS, value=strand, placeholder="strand"),
                    filter_dropdown(SETTING, SETTINGS, value=setting, placeholder="setting"),
                    csp_dropdown(CSP, csp, width="16rem", placeholder="CSP"),
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
                        options=list(DOWNLOADS),
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


def _filters(strand, setting, csp, start, end, unit) -> dict[str, str]:
    """The filters, each one the page offers (``BadRequestError`` otherwise), as
    :func:`dashboard.data.hotspot_table` takes them."""
    first, last = data.date_range()
    chosen = {
        "strand": validate.one_of(strand, MONITORED_STRANDS, "strand", blank=True),
        "setting": validate.one_of(setting, SETTINGS, "setting", blank=True),
        "csp": validate.one_of(csp, data.csp_names().index, "csp", blank=True),
        "start": validate.iso_day(start, first, last, "start", blank=True),
        "end": validate.iso_day(end, first, last, "end", blank=True),
        "unit": validate.one_of(unit, data.units(), "unit"),
    }
    if chosen["start"] and chosen["end"] and chosen["start"] > chosen["end"]:
        raise validate.BadRequestError(
            f"'start' must not be after 'end'; {chosen['start']} and {chosen['end']} were given."
        )
    return chosen


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
def update_hotspots(method, strand, setting, csp, start, end, unit):
    data.require("hotspots")
    method = validate.one_of(method, data.HOTSPOT_METHODS, "method")
    chosen = _filters(strand, setting, csp, start, end, unit)
    table = data.hotspot_table(**chosen)
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
    density = data.density_layer(chosen["strand"], chosen["setting"], chosen["csp"])
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
    repeats = data.repeat_locations(chosen["strand"], chosen["csp"])
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
        f"{len(table)} {data.UNITS[chosen['unit']]} areas; "
        f"{summary or 'no significant areas'}; "
        f"{len(repeats)} repeat locations (black outlines)",
        query_string(method=method, **chosen),
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
def area_figures(clicks, strand, setting, csp, start, end, unit):
    data.require("hotspots")
    if not isinstance(clicks, list):
        raise validate.BadRequestError("'clickData' must be a list, one per hotspot class.")
    clicked = [p for p in (validate.feature_click(c, "clickData") for c in clicks) if p]
    chosen = _filters(strand, setting, csp, start, end, unit)
    if not clicked:
        return dash.no_update
    table = data.hotspot_table(**chosen)
    code = validate.one_of(clicked[0].get("area_code"), set(table["area_code"]), "area_code")
    row = table.loc[table["area_code"] == code].iloc[0]
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
def download(n_clicks, fmt, strand, setting, csp, start, end, unit):
    data.require("hotspots")
    validate.clicks(n_clicks, "n_clicks")
    name = DOWNLOADS[validate.one_of(fmt, DOWNLOADS, "format")]
    table = data.hotspot_table(**_filters(strand, setting, csp, start, end, unit))
    return dcc.send_bytes(_export(table, name), name)


def _export(table, name: str) -> bytes:
    """The table as the file ``name`` (a server-chosen name): written in a private
    temporary folder that is removed before the bytes are sent. CSV cells a spreadsheet
    would evaluate are neutralised by :mod:`geo.export`."""
    with tempfile.TemporaryDirectory(prefix="tensionmap-download-") as folder:
        path = Path(folder) / name
        write_frame(table, path, layer="hotspots")
        return path.read_bytes()
