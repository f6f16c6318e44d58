"""Partner heat maps: public transport, night-time economy and taxis, disclosure-controlled
as the settings issue defines (no record, point or small count ever reaches a partner)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.dash_table.DataTable import DataTable

from dashboard import data, validate
from dashboard.widgets import not_allowed, query_string, table_records

dash.register_page(__name__, path="/partner", name="Partner heat maps", key="partner", order=4)

SETTING, FRAME, CSP_TABLE, AREA_TABLE, RULES, URL, DOWNLOAD = (
    "partner-setting",
    "partner-frame",
    "partner-csp",
    "partner-areas",
    "partner-rules",
    "partner-url",
    "partner-download",
)
#: The file name of each setting's map download (chosen here, never by the browser).
DOWNLOADS = {setting: f"partner_{setting}.html" for setting in data.PARTNER_SETTINGS}


def layout(**query: object) -> html.Div:
    q = validate.query(query, "partner", ("setting",))
    setting = validate.one_of(q.get("setting", "public_transport"), data.PARTNER_SETTINGS,
                              "setting")  # fmt: skip
    if not data.allowed("partner"):
        return not_allowed("partner heat maps")
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            html.H2("Partner heat maps"),
            dcc.RadioItems(
                id=SETTING,
                options=[{"label": v, "value": k} for k, v in data.PARTNER_SETTINGS.items()],
                value=setting,
                inline=True,
            ),
            html.Iframe(id=FRAME, style={"width": "100%", "height": "560px", "border": "0"}),
            html.P(id=RULES, style={"fontSize": "0.85rem"}),
            html.Button("Download the map (HTML)", id=f"{DOWNLOAD}-button"),
            dcc.Download(id=DOWNLOAD),
            html.H3("Records per CSP"),
            DataTable(id=CSP_TABLE, style_cell={"textAlign": "left"}),
            html.H3("Records per station or venue area"),
            DataTable(id=AREA_TABLE, page_size=15, style_cell={"textAlign": "left"}),
        ]
    )


@callback(
    Output(FRAME, "src"),
    Output(CSP_TABLE, "data"),
    Output(AREA_TABLE, "data"),
    Output(RULES, "children"),
    Output(URL, "search"),
    Input(SETTING, "value"),
)
def update_partner(setting):
    data.require("partner")
    setting = validate.one_of(setting, data.PARTNER_SETTINGS, "setting")
    heat = data.partner_map(setting)
    return (
        dash.get_relative_path(f"/partner-map/{setting}.html"),
        table_records(heat["csp_table"]),
        table_records(heat["area_table"]),
        f"{heat['period']}. {heat['rules']}",
        query_string(setting=setting),
    )


@callback(
    Output(DOWNLOAD, "data"),
    Input(f"{DOWNLOAD}-button", "n_clicks"),
    State(SETTING, "value"),
    prevent_initial_call=True,
)
def download_partner(n_clicks, setting):
    data.require("partner")
    validate.clicks(n_clicks, "n_clicks")
    setting = validate.one_of(setting, data.PARTNER_SETTINGS, "setting")
    return {"content": data.partner_map(setting)["html"], "filename": DOWNLOADS[setting]}
