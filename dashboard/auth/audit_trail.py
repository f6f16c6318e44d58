"""The audit of what signed-in users asked for: page views, data requests and downloads,
with their filters and the alert or area they looked at (never table data or figures);
no data leaves without its audit row."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import flask
import pandas as pd
import sqlalchemy as sa
from werkzeug.wrappers import Response

from dashboard.auth.sessions import address, app_settings
from geo import audit

log = logging.getLogger(__name__)

#: Fields of table rows and click data that say which alert or area was looked at.
ROW_FIELDS = ("alert_id", "level", "strand", "csp", "district", "area_code", "area_name")
#: Callback properties never audited: table contents, figures, layouts, map clicks.
_SKIPPED_PROPS = frozenset({"data", "children", "figure", "clickData", "hoverData"})
_MAX_VALUE = 100


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _short(value: Any) -> Any:
    return value[:_MAX_VALUE] if isinstance(value, str) else value


def _picked(value: Any, depth: int = 0) -> dict[str, Any]:
    """The :data:`ROW_FIELDS` found in a dict (e.g. a map click's feature properties)."""
    found: dict[str, Any] = {}
    if isinstance(value, dict) and depth < 4:
        for k, v in value.items():
            if k in ROW_FIELDS and _scalar(v):
                found[k] = _short(v)
            elif isinstance(v, dict | list):
                found.update(_picked(v, depth + 1))
    elif isinstance(value, list) and depth < 4:
        for v in value[:5]:
            found.update(_picked(v, depth + 1))
    return found


def callback_filters(body: dict[str, Any]) -> dict[str, Any]:
    """What a callback request asked for: its scalar input and state values (and short
    lists of them), and the identifying fields of clicked map features; never table data,
    figures or coordinates.
    """
    items: list[dict[str, Any]] = []
    given = [body.get(key) for key in ("inputs", "state")]
    for item in [i for part in given if isinstance(part, list) for i in part]:
        items += item if isinstance(item, list) else [item]
    values: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        ident = item.get("id")
        ident = ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True)
        prop, value = str(item.get("property")), item.get("value")
        if prop in ("clickData", "selectedData"):
            picked = _picked(value)
            if picked:
                values[f"{ident}.{prop}"] = picked
        if prop in _SKIPPED_PROPS:
            continue
        if _scalar(value):
            values[f"{ident}.{prop}"] = _short(value)
        elif isinstance(value, list) and len(value) <= 20 and all(map(_scalar, value)):
            values[f"{ident}.{prop}"] = [_short(v) for v in value]
    return values


#: Tables whose selected rows the audit names: table id -> the table's rows as the server
#: holds them, from the request's filters (see :func:`audit_selected_rows`).
_TABLES: dict[str, Callable[[dict[str, Any]], pd.DataFrame]] = {}


def audit_selected_rows(table: str, rows: Callable[[dict[str, Any]], pd.DataFrame]) -> None:
    """Name the rows a user selects in ``table`` in the audit trail, by their
    :data:`ROW_FIELDS` (an alert's id and district, say).

    Parameters
    ----------
    table
        The DataTable's id; its ``selected_rows`` are indexes into ``rows(filters)``.
    rows
        The table's rows as the server built them for the request's filters (the values
        :func:`callback_filters` found): the browser's copy is never read back.
    """
    _TABLES[table] = rows


def _selected(filters: dict[str, Any]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for table, rows in _TABLES.items():
        chosen = filters.get(f"{table}.selected_rows")
        if not chosen or not isinstance(chosen, list):
            continue
        frame = rows(filters)
        fields = [f for f in ROW_FIELDS if f in frame.columns]
        named[f"{table}.selected"] = [
            {f: _short(frame[f].iloc[i]) for f in fields}
            for i in chosen[:5]
            if isinstance(i, int) and 0 <= i < len(frame)
        ]
    return named


def _callback_record(response: Response) -> tuple[str, str, dict[str, Any]]:
    """The action, object and detail of a callback request."""
    body = flask.request.get_json(silent=True, cache=True) or {}
    output = str(body.get("output", ""))[:200] if isinstance(body, dict) else ""
    if response.status_code >= 400:  # refused: its values were not of the page's own
        return "data_request", output, {"status": response.status_code}
    filters = callback_filters(body) if isinstance(body, dict) else {}
    detail: dict[str, Any] = {"status": response.status_code, "filters": filters}
    if "_pages_content" in output:
        path = filters.get("_pages_location.pathname") or "/"
        query = filters.get("_pages_location.search") or ""
        return "page_view", str(path), {"status": response.status_code, "query": query}
    if response.status_code == 200 and _TABLES:  # the alert (row) the user looked at
        try:
            filters.update(_selected(filters))
        except (LookupError, ValueError, TypeError, PermissionError):
            log.exception("the audit could not name the selected rows")
            filters["selected"] = "not resolved"
    # a dcc.Download's `data` is a dict with a file name; a table's `data` is a list
    if ".data" in output and response.status_code == 200:
        found = re.search(rb'"filename":\s*"([^"\\]{1,200})"', response.get_data())
        if found:
            detail["filename"] = found.group(1).decode(errors="replace")
            return "download", output, detail
    return "data_request", output, detail


def audit_request(response: Response) -> Response:
    """Write what a signed-in user asked for; no data leaves without its audit row."""
    who = flask.g.get("tensionmap_who")
    path = flask.request.path
    if who is None or not who.id_hash:
        return response
    if path == "/_dash-update-component":
        action, thing, detail = _callback_record(response)
    elif path.startswith("/partner-map/"):
        action, thing, detail = "download", path, {"status": response.status_code}
    else:
        return response
    try:
        audit.record(
            app_settings().engine,
            action,
            user=who.user,
            role=who.role,
            address=address(),
            object=thing,
            detail=detail,
        )
    except sa.exc.SQLAlchemyError:
        log.exception("the audit trail could not be written; the response is withheld")
        return flask.Response("the audit trail is unavailable; try again", status=503)
    return response
