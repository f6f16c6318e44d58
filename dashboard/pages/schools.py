"""Schools (prevention teams): schools coloured by rank in their CSP, the workshop plan for
a budget with the reason for each pick, and the per-CSP 12-month indicator."""

from __future__ import annotations

import json

import dash
import dash_leaflet as dl
from dash import Input, Output, callback, dcc, html
from dash.dash_table.DataTable import DataTable

from dashboard import data, validate
from dashboard.widgets import (
    base_map,
    data_table,
    filter_dropdown,
    not_allowed,
    query_string,
    table_records,
)
from geo.geography import to_wgs84

dash.register_page(__name__, path="/schools", name="Schools", key="schools", order=3)

BUDGET, PHASE, MAP, PLAN, STATUS, SUMMARY, URL = (
    "schools-budget",
    "schools-phase",
    "schools-map",
    "schools-plan",
    "schools-status",
    "schools-summary",
    "schools-url",
)
PLAN_COLUMNS = ["csp", "rank_in_csp", "urn", "school_name", "phase", "pupils", "score",
                "covered_records", "selected", "reason"]  # fmt: skip
PHASES = ["primary", "secondary", "all_through", "special", "fe"]
#: Schools a plan may hold: each one is an optimisation, so the range is bounded.
MIN_BUDGET, MAX_BUDGET, DEFAULT_BUDGET = 1, 200, 20
RANK_COLOURS = ((1, "#b2182b"), (3, "#ef8a62"), (10, "#fddbc7"), (10**6, "#bbbbbb"))


def layout(**query: object) -> html.Div:
    q = validate.query(query, "schools", ("budget", "phase"))
    given = q.get("budget", str(DEFAULT_BUDGET))
    digits = given.isascii() and given.isdigit() and len(given) <= 6
    budget = validate.int_in(int(given) if digits else given, MIN_BUDGET, MAX_BUDGET, "budget")
    phase = validate.one_of(q.get("phase"), PHASES, "phase", blank=True)
    if not data.allowed("schools"):
        return not_allowed("schools")
    status = data.school_status_table()
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            html.H2("Choosing schools for workshops"),
            html.Div(
                [
                    html.Label("Schools in the plan "),
                    dcc.Input(
                        id=BUDGET,
                        type="number",
                        min=MIN_BUDGET,
                        max=MAX_BUDGET,
                        step=1,
                        value=budget,
                        debounce=True,
                    ),
                    filter_dropdown(
                        PHASE, PHASES, value=phase, all_label="all phases", clearable=False
                    ),
                ],
                style={"display": "flex", "gap": "0.5rem", "alignItems": "center"},
            ),
            html.P(id=SUMMARY),
            html.Div(id=MAP),
            DataTable(
                id=PLAN,
                columns=[{"name": c.replace("_", " "), "id": c} for c in PLAN_COLUMNS],
                sort_action="native",
                filter_action="native",
                page_size=25,
                export_format="csv",
                style_cell={"whiteSpace": "normal", "textAlign": "left", "fontSize": "0.85rem"},
            ),
            html.H3("The 12-month indicator: a workshop in every CSP"),
            data_table(STATUS, status, style_cell={"whiteSpace": "normal", "textAlign": "left"}),
        ]
    )


@callback(
    Output(PLAN, "data"),
    Output(MAP, "children"),
    Output(SUMMARY, "children"),
    Output(URL, "search"),
    Input(BUDGET, "value"),
    Input(PHASE, "value"),
)
def update_plan(budget, phase):
    data.require("schools")
    budget = validate.int_in(budget, MIN_BUDGET, MAX_BUDGET, "budget")
    phase = validate.one_of(phase, PHASES, "phase", blank=True)
    try:
        table, summary = data.school_plan_table(budget, phase)
    except Exception as error:  # a budget below the number of CSPs is the user's to fix
        return [], dash.no_update, f"No plan: {error}", dash.no_update
    markers = []
    lon, lat = to_wgs84(table["easting"].to_numpy(), table["northing"].to_numpy())
    for row, x, y in zip(table.to_dict("records"), lon, lat, strict=True):
        colour = next(c for limit, c in RANK_COLOURS if row["rank_in_csp"] <= limit)
        markers.append(
            dl.CircleMarker(
                center=[y, x],
                radius=7 if row["selected"] else 4,
                color="#000" if row["selected"] else colour,
                fillColor=colour,
                fillOpacity=0.9,
                weight=2 if row["selected"] else 0.5,
                children=dl.Tooltip(
                    f"{row['school_name']} ({row['csp']}): rank {row['rank_in_csp']}"
                    + (" — in the plan" if row["selected"] else "")
                ),
            )
        )
    hot = data.school_hotspot_layer()
    hot_layer = dl.GeoJSON(
        data=json.loads(hot.to_crs(4326).to_json()),
        style={"color": "#b2182b", "weight": 1, "fillColor": "#b2182b", "fillOpacity": 0.3},
        id="schools-hotspots",
    )
    gain = summary["covered_optimised"] - summary["covered_greedy"]
    text = (
        f"The plan's {budget} schools reach {summary['covered_optimised']} of "
        f"{summary['total_records']} records (each counted once); the top {budget} by score "
        f"would reach {summary['covered_greedy']} ({gain:+d})."
    )
    chosen = table.sort_values(["selected", "csp", "rank_in_csp"], ascending=[False, True, True])
    return (
        table_records(chosen[PLAN_COLUMNS]),
        base_map([hot_layer, dl.FeatureGroup(markers)], map_id="schools-leaflet"),
        text,
        query_string(budget=budget, phase=phase),
    )
