"""Overview: where hate records are, by LSOA, and the CSP × strand table."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from dashboard import data, figures, validate
from dashboard.widgets import data_table, filter_dropdown
from geo.vocab import MONITORED_STRANDS

dash.register_page(__name__, path="/", name="Overview", key="overview", order=0)

STRAND = "overview-strand"
MAP = "overview-map"
TABLE = "overview-table"


def layout(**query: object) -> html.Div:
    validate.query(query, "overview", ())
    if not data.allowed("overview"):
        return html.Div(
            [
                html.H2("Welcome"),
                html.P("Choose a page above: the pages your role can use are listed."),
            ],
            id="welcome",
        )
    table = data.csp_strand_table().reset_index(names="CSP")
    return html.Div(
        [
            html.H2("Hate crimes and incidents by LSOA"),
            filter_dropdown(
                STRAND, MONITORED_STRANDS, all_label="all strands", width="20rem", clearable=False
            ),
            html.Div(id=MAP),
            html.H3("Strand markers by Community Safety Partnership"),
            data_table(TABLE, table, sort_action="native", export_format="csv"),
        ]
    )


@callback(Output(MAP, "children"), Input(STRAND, "value"))
def update_overview_map(strand: object):
    data.require("overview")
    chosen: str = validate.one_of(strand, MONITORED_STRANDS, "strand", blank=True)
    label = chosen.replace("_", " ") if chosen else "all strands"
    return figures.lsoa_map(
        data.lsoa_counts(chosen or None),
        title=f"Records per LSOA: {label}",
        tile_url=data.workspace().config.tile_url,
        map_id=f"{MAP}-leaflet",
        districts=data.district_outlines(),
    )
