"""Trends (steering group): strand markers by year, quarter or month, per CSP, CSP shares,
top offences, crimes against non-crime incidents and the repeat-victim rate."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html
from dash.dash_table.DataTable import DataTable

from dashboard import data, validate
from dashboard.widgets import (
    csp_dropdown,
    not_allowed,
    query_string,
    table_columns,
    table_records,
)

dash.register_page(__name__, path="/trends", name="Trends", key="trends", order=5)

PERIOD, CSP, CHART, TABLE, SHARES, OFFENCES, TYPES, REPEAT, URL = (
    "trends-period",
    "trends-csp",
    "trends-chart",
    "trends-table",
    "trends-shares",
    "trends-offences",
    "trends-types",
    "trends-repeat",
    "trends-url",
)

PERIODS = data.PERIODS


def _table(table_id: str) -> DataTable:
    return DataTable(
        id=table_id, export_format="csv", sort_action="native", style_cell={"textAlign": "left"}
    )


def layout(**query: object) -> html.Div:
    q = validate.query(query, "trends", ("period", "csp"))
    period = validate.one_of(q.get("period", "year"), PERIODS, "period")
    csp = validate.one_of(q.get("csp"), data.csp_names().index, "csp", blank=True)
    if not data.allowed("trends"):
        return not_allowed("trends")
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            html.H2("Trends"),
            html.Div(
                [
                    dcc.RadioItems(
                        id=PERIOD,
                        options=list(PERIODS),
                        value=period,
                        inline=True,
                    ),
                    csp_dropdown(CSP, csp, all_label="all CSPs", width="18rem", clearable=False),
                ],
                style={"display": "flex", "gap": "1rem", "alignItems": "center"},
            ),
            dcc.Graph(id=CHART),
            html.H3("Strand markers (CSV download: Export)"),
            _table(TABLE),
            html.Div(
                [
                    html.Div([html.H3("Share of records by CSP (%)"), _table(SHARES)]),
                    html.Div([html.H3("Top offences"), _table(OFFENCES)]),
                    html.Div([html.H3("Crimes and non-crime incidents"), _table(TYPES)]),
                    html.Div([html.H3("Victims with repeat records (%)"), _table(REPEAT)]),
                ],
                style={"display": "grid", "gridTemplateColumns": "1fr 1fr", "gap": "1rem"},
            ),
        ]
    )


@callback(
    Output(CHART, "figure"),
    Output(TABLE, "data"),
    Output(TABLE, "columns"),
    Output(SHARES, "data"),
    Output(SHARES, "columns"),
    Output(OFFENCES, "data"),
    Output(OFFENCES, "columns"),
    Output(TYPES, "data"),
    Output(TYPES, "columns"),
    Output(REPEAT, "data"),
    Output(REPEAT, "columns"),
    Output(URL, "search"),
    Input(PERIOD, "value"),
    Input(CSP, "value"),
)
def update_trends(period, csp):
    data.require("trends")
    period = validate.one_of(period, PERIODS, "period")
    csp = validate.one_of(csp, data.csp_names().index, "csp", blank=True)
    table = data.trend_table(period, csp=csp)
    strands = [c for c in table.columns if c not in ("period", "all strand markers")]
    # graph_objects, not plotly.express: express is not safe under a threaded server
    figure = go.Figure(
        [go.Bar(x=table["period"], y=table[s], name=s.replace("_", " ")) for s in strands],
        layout={"barmode": "stack", "title": f"Strand markers per {period}"},
    )
    summary = data.trend_summary(csp)
    out = [figure, table_records(table), table_columns(table)]
    for key in ("csp_shares", "top_offences", "crime_vs_incident", "repeat_victim_rate"):
        frame = summary[key]
        frame.columns = [str(c) for c in frame.columns]
        out += [table_records(frame), table_columns(frame)]
    return (*out, query_string(period=period, csp=csp))
