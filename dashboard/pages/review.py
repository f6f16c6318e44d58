"""Review queue (analyst and tactical roles): the records the tagger was least sure of,
each confirmed or corrected with one click; corrections win over automatic tags, are
audited and train the next model (``tensionmap train-classifier``)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import data, validate
from dashboard.data import review as queue_data
from dashboard.widgets import data_table, not_allowed, table_columns, table_records
from geo.settings.rules import SETTING_ORDER

dash.register_page(__name__, path="/review", name="Review queue", key="review", order=6)

TABLE, RECORD, SETTINGS, CONFIRM, SAVE, MESSAGE = (
    "review-table",
    "review-record",
    "review-settings",
    "review-confirm",
    "review-save",
    "review-message",
)
SHOWN = ["reference", "date", "location_type", "description", "settings", "confidence",
         "reasons"]  # fmt: skip


def layout(**query: object) -> html.Div:
    validate.query(query, "review", ())
    if not data.allowed("review"):
        return not_allowed("review queue")
    rows = queue_data.queue()
    return html.Div(
        [
            html.H2("Review queue"),
            html.P(
                f"{len(rows)} records the tagger was least sure of, least sure first. Select "
                "one, then confirm its settings or tick the right ones and save: corrections "
                "win over automatic tags at every re-tag and train the next model."
            ),
            data_table(
                TABLE,
                data=table_records(rows[["id", *SHOWN]]),  # "id": the row id sent back
                columns=table_columns(rows[SHOWN]),
                row_selectable="single",
                selected_rows=[],
                selected_row_ids=[],
                page_size=15,
                style_cell={"textAlign": "left", "whiteSpace": "normal", "maxWidth": "28rem"},
            ),
            html.Div(id=RECORD, style={"margin": "1rem 0"}),
            dcc.Checklist(
                id=SETTINGS,
                options=[{"label": s.replace("_", " "), "value": s} for s in SETTING_ORDER],
                value=[],
                inline=True,
            ),
            html.Button("Confirm as tagged", id=CONFIRM, style={"marginRight": "1rem"}),
            html.Button("Save correction", id=SAVE),
            html.Div(id=MESSAGE, role="status", style={"marginTop": "0.5rem"}),
        ]
    )


def _row_id(value: object) -> int | None:
    """The selected row's id: one the server lists in the queue now, or ``None``."""
    if value is None or value == []:
        return None
    if not isinstance(value, list) or len(value) != 1:
        raise validate.BadRequestError(
            f"'selected_row_ids' must be a list of at most one row id; "
            f"{validate.shown(value)} was given."
        )
    return int(validate.one_of(value[0], queue_data.listed_ids(), "row id"))


def _settings(value: object) -> list[str]:
    if not isinstance(value, list) or len(value) > len(SETTING_ORDER):
        raise validate.BadRequestError(
            f"'settings' must be a list of settings; {validate.shown(value)} was given."
        )
    chosen = [validate.one_of(v, SETTING_ORDER, "setting") for v in value]
    if len(set(chosen)) != len(chosen):
        raise validate.BadRequestError("'settings' names a setting twice.")
    return chosen


@callback(Output(SETTINGS, "value"), Output(RECORD, "children"), Input(TABLE, "selected_row_ids"))
def show_record(selected):
    data.require("review")
    row_id = _row_id(selected)
    if row_id is None:
        return [], "Select a record in the table."
    row = queue_data.queue().set_index("id").loc[row_id]
    return [s for s in row["settings"].split(";") if s], html.Div(
        [
            html.Strong(f"{row['reference']} ({row['date']}, {row['location_type'] or 'no type'})"),
            html.P(str(row["description"])),
            html.Small(f"confidence {row['confidence']:.2f}; {row['reasons']}"),
        ]
    )


@callback(
    Output(MESSAGE, "children"),
    Output(TABLE, "data"),
    Output(TABLE, "selected_rows"),
    Input(CONFIRM, "n_clicks"),
    Input(SAVE, "n_clicks"),
    State(TABLE, "selected_row_ids"),
    State(SETTINGS, "value"),
    prevent_initial_call=True,
)
def save(confirm_clicks, save_clicks, selected, settings):
    data.require("review")
    clicked = [
        validate.clicks(n, "n_clicks") for n in (confirm_clicks, save_clicks) if n is not None
    ]
    if not clicked:  # nothing happens without a click
        raise PreventUpdate
    chosen, row_id = _settings(settings), _row_id(selected)
    if row_id is None:
        return "Select a record in the table first.", dash.no_update, dash.no_update
    row = queue_data.listed(row_id)
    if row is None:  # corrected by someone else since the table was drawn
        return "That record is no longer in the queue.", _rows(), []
    confirm = ctx.triggered_id == CONFIRM
    done = queue_data.save_correction(
        row_id, [s for s in row["settings"].split(";") if s] if confirm else chosen
    )
    word = "Confirmed" if confirm else "Saved"
    after = done["after"].replace(";", ", ") or "no setting"
    return f"{word}: {done['reference']} is {after}.", _rows(), []


def _rows() -> list[dict]:
    return table_records(queue_data.queue()[["id", *SHOWN]])
