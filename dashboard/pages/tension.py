"""Tension monitor (tactical lead): open alerts on a day, on a map and in a list; click one
for its evidence. The day comes from the URL (``?day=``), the date picker or the replay
slider over the days the daily monitor has analysed."""

from __future__ import annotations

import dash
import dash_leaflet as dl
import numpy as np
import plotly.graph_objects as go
from dash import Input, Output, callback, ctx, dcc, html
from dash.dash_table.DataTable import DataTable

from dashboard import data, validate
from dashboard.widgets import LEVEL_COLOURS, base_map, not_allowed, query_string, table_records
from geo.geography import to_wgs84

dash.register_page(__name__, path="/tension", name="Tension monitor", key="tension", order=1)

DAY, SLIDER, TABLE, MAP, EVIDENCE, URL = (
    "tension-day",
    "tension-replay",
    "tension-alerts",
    "tension-map",
    "tension-evidence",
    "tension-url",
)
COLUMNS = [
    "alert_id",
    "level",
    "strand",
    "csp",
    "district",
    "raised_on",
    "updated_on",
    "observed",
    "expected",
    "recurrence_interval_days",
    "explanation",
]


def layout(**query: object) -> html.Div:
    q = validate.query(query, "tension", ("day",))
    day = validate.iso_day(q.get("day"), *data.date_range(), "day", blank=True)
    if not data.allowed("tension"):
        return not_allowed("tension monitor")
    days = data.monitor_days()
    if not days:
        return html.Div([html.H2("Tension monitor"), html.P("No day analysed yet: run "
                         "tensionmap tension --as-of DATE.")])  # fmt: skip
    chosen = day if day in days else days[-1]
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            html.H2("Tension monitor"),
            html.Div(
                [
                    html.Label("As of "),
                    dcc.DatePickerSingle(
                        id=DAY,
                        date=chosen,
                        min_date_allowed=days[0],
                        max_date_allowed=days[-1],
                        display_format="YYYY-MM-DD",
                    ),
                ]
            ),
            html.Div(
                dcc.Slider(
                    id=SLIDER,
                    min=0,
                    max=len(days) - 1,
                    step=1,
                    value=days.index(chosen),
                    marks={
                        i: d[5:] for i, d in enumerate(days) if i % 7 == 0 or i == len(days) - 1
                    },
                ),
                title="replay: drag through the days analysed",
                style={"margin": "0.5rem 0"},
            ),
            html.Div(id=MAP),
            DataTable(
                id=TABLE,
                columns=[{"name": c.replace("_", " "), "id": c} for c in COLUMNS],
                style_cell={"whiteSpace": "normal", "textAlign": "left", "fontSize": "0.85rem"},
                style_data_conditional=[
                    {"if": {"filter_query": f'{{level}} = "{lvl}"'}, "backgroundColor": colour}
                    for lvl, colour in LEVEL_COLOURS.items()
                ],
                row_selectable="single",
                export_format="csv",
            ),
            html.Div(id=EVIDENCE),
        ]
    )


def _days() -> list[str]:
    """The days analysed: the only days the page offers (``BadRequestError`` if none)."""
    days = data.monitor_days()
    if not days:
        raise validate.BadRequestError("no day has been analysed yet.")
    return days


def _day(day: object, days: list[str]) -> str:
    return validate.iso_day(day, days[0], days[-1], "day")


@callback(
    Output(DAY, "date"),
    Output(SLIDER, "value"),
    Input(DAY, "date"),
    Input(SLIDER, "value"),
)
def sync_day(day: object, index: object):
    data.require("tension")
    days = _days()  # the server's own list, not one the browser sends back
    index = validate.int_in(index, 0, len(days) - 1, "replay index")
    day = _day(day, days)
    if ctx.triggered_id == SLIDER:
        return days[index], index
    return day, days.index(day) if day in days else dash.no_update


@callback(
    Output(TABLE, "data"),
    Output(TABLE, "selected_rows"),
    Output(URL, "search"),
    Input(DAY, "date"),
)
def alerts_on(day: object):
    data.require("tension")
    day = _day(day, _days())
    rows = data.open_alerts(day)
    records = table_records(rows[COLUMNS]) if len(rows) else []
    return records, [], query_string(day=day)


@callback(
    Output(MAP, "children"),
    Output(EVIDENCE, "children"),
    Input(DAY, "date"),
    Input(TABLE, "selected_rows"),
)
def map_and_evidence(day: object, selected: object):
    """The alerts of ``day`` on the map and the evidence of the selected row: the row's
    alert is looked up again in the server's own alerts of that day (the table the browser
    holds is only shown, never read back)."""
    data.require("tension")
    day = _day(day, _days())
    alerts = data.open_alerts(day)
    chosen = validate.row_indexes(
        [] if selected is None else selected, len(alerts), "selected_rows"
    )
    circles = []
    centres = (
        alerts[["centre_easting", "centre_northing"]].to_numpy(float)
        if len(alerts)
        else np.empty((0, 2))
    )
    longitudes, latitudes = to_wgs84(centres[:, 0], centres[:, 1])
    for a, lon, lat in zip(alerts.to_dict("records"), longitudes, latitudes, strict=True):
        circles.append(
            dl.Circle(
                center=[float(lat), float(lon)],
                radius=max(a["radius_m"], 200),
                color=LEVEL_COLOURS[a["level"]],
                fillOpacity=0.35,
                children=dl.Tooltip(f"{a['alert_id']} {a['level']} {a['strand']}"),
                id=f"alert-circle-{a['alert_id']}",
            )
        )
    if not chosen:
        return base_map(circles, map_id=f"{MAP}-leaflet"), html.P(
            f"{len(alerts)} alert(s) open. Select one for its evidence.", id="tension-hint"
        )
    evidence = data.alert_evidence(str(alerts["alert_id"].iloc[chosen[0]]), day)
    drawn = base_map(circles, map_id=f"{MAP}-leaflet")
    drawn.bounds = evidence["bounds"]
    return drawn, _evidence_panel(evidence)


def _evidence_panel(e: dict) -> html.Div:
    figure = go.Figure(
        [
            go.Bar(x=e["days"], y=e["records"], name="records", marker_color="#b2182b"),
            go.Scatter(
                x=e["days"],
                y=[e["expected"]] * len(e["days"]),
                name="usual per day",
                line={"color": "#333"},
            ),
            go.Scatter(
                x=e["days"],
                y=[e["upper"]] * len(e["days"]),
                name="usual range (99 %)",
                line={"color": "#777", "dash": "dash"},
            ),
        ],
        layout={"height": 260, "margin": {"t": 30, "b": 30}, "title": "Records per day here"},
    )
    ev = e["evidence"]

    def listing(counts: dict) -> str:
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()) or "none"

    return html.Div(
        [
            html.H3(f"{e['alert_id']}: {e['level']} ({e['strand'].replace('_', ' ')})"),
            dcc.Graph(figure=figure, id="tension-timeline"),
            html.Ul(
                [
                    html.Li(f"victims: {ev['victims']} ({ev['repeat_victims']} repeat)"),
                    html.Li(f"violent offences: {ev['violent']}"),
                    html.Li(f"strands: {listing(ev['strands'])}"),
                    html.Li(f"settings: {listing(ev['settings'])}"),
                    html.Li(f"offences: {listing(ev['offences'])}"),
                    html.Li(f"CSP weekly baseline exceedance: {ev['baseline_exceedance']}"),
                    html.Li("trigger events: " + ("; ".join(e["trigger_events"]) or "none")),
                    html.Li("history: " + "; ".join(e["history"])),
                    html.Li("records: " + ", ".join(e["references"])),
                ]
            ),
        ],
        id="tension-evidence-panel",
    )
