"""The user's list of trigger events, kept in the workspace store.

``tensionmap triggers add`` and ``tensionmap triggers import`` add to it; the daily
monitor's tables and the tension page name the events an alert followed
(:func:`geo.tension.triggers.linked_events`).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from geo import store
from geo._errors import TensionmapError
from geo.config import Workspace
from geo.tension.triggers import TriggerEvent

SCOPES = ("national", "local")


def add_trigger(ws: Workspace, event: TriggerEvent) -> bool:
    """Record a trigger event; ``False`` if the same day and name are already listed.

    Parameters
    ----------
    ws
        The workspace whose store keeps the list.
    event
        The event (``scope`` national, or local with an ``area``).

    Returns
    -------
    bool
        Whether the event was added.

    Raises
    ------
    TensionmapError
        For a scope other than those of :data:`SCOPES`, or a local event without an area.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(folder)
    ...     first = add_trigger(ws, TriggerEvent(date(2016, 6, 24), "EU referendum result"))
    ...     again = add_trigger(ws, TriggerEvent(date(2016, 6, 24), "EU referendum result"))
    >>> first, again
    (True, False)
    """
    if event.scope not in SCOPES:
        raise TensionmapError(f"scope must be one of {', '.join(SCOPES)}; got {event.scope!r}.")
    if event.scope == "local" and not event.area:
        raise TensionmapError("a local trigger event needs --area (a CSP or district).")
    engine = store.connect(ws.database_url)
    try:
        with store.transaction(engine) as conn:
            t = store.trigger_events
            exists = conn.execute(
                sa.select(t.c.id).where(
                    (t.c.happened_on == event.day.isoformat()) & (t.c.name == event.name)
                )
            ).first()
            if exists is not None:
                return False
            conn.execute(
                t.insert().values(
                    happened_on=event.day.isoformat(),
                    name=event.name,
                    scope=event.scope,
                    area=event.area,
                    recorded_at=store.now(),
                )
            )
            return True
    finally:
        engine.dispose()


def import_triggers(ws: Workspace, path: Path) -> int:
    r"""Add the events of a CSV with columns ``date`` and ``name`` (``scope``, ``area`` optional).

    Every row is checked before any is added: a bad row names its line and value.

    Parameters
    ----------
    ws
        The workspace whose store keeps the list.
    path
        The CSV file (UTF-8, with or without a byte order mark); ``date`` as YYYY-MM-DD,
        ``scope`` ``national`` (the default) or ``local``.

    Returns
    -------
    int
        How many events were added (those already listed are not added again).

    Raises
    ------
    TensionmapError
        For a missing ``date`` or ``name`` column, or a row with a bad date, an unknown
        scope or an empty name.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(folder)
    ...     csv_file = Path(folder) / "events.csv"
    ...     _ = csv_file.write_text("date,name,scope,area\n"
    ...                             "2017-03-22,Westminster Bridge attack,,\n"
    ...                             "2019-06-20,Town centre assault,local,Watford\n")
    ...     added = import_triggers(ws, csv_file)
    ...     listed = [(e.name, e.scope) for e in read_triggers(ws)]
    >>> added, listed
    (2, [('Westminster Bridge attack', 'national'), ('Town centre assault', 'local')])
    """
    events = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"date", "name"} - set(reader.fieldnames or [])
        if missing:
            raise TensionmapError(f"{path}: missing column(s) {', '.join(sorted(missing))}.")
        for line, row in enumerate(reader, start=2):
            try:
                day = date.fromisoformat((row["date"] or "").strip())
            except ValueError:
                raise TensionmapError(
                    f"{path}, line {line}, column date: {row['date']!r} is not a date (YYYY-MM-DD)."
                ) from None
            scope = (row.get("scope") or "national").strip().lower()
            if scope not in SCOPES:
                raise TensionmapError(
                    f"{path}, line {line}, column scope: {scope!r} is not one of "
                    f"{', '.join(SCOPES)}."
                )
            name = (row["name"] or "").strip()
            if not name:
                raise TensionmapError(f"{path}, line {line}, column name: the name is empty.")
            events.append(TriggerEvent(day, name, scope, (row.get("area") or "").strip() or None))
    return sum(add_trigger(ws, e) for e in events)


def read_triggers(ws: Workspace) -> list[TriggerEvent]:
    """The trigger events listed in the workspace, oldest first.

    Parameters
    ----------
    ws
        The workspace whose store keeps the list.

    Returns
    -------
    list of TriggerEvent
        Every event listed, in the order of their days.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(folder)
    ...     _ = add_trigger(ws, TriggerEvent(date(2017, 6, 3), "London Bridge attack"))
    ...     _ = add_trigger(ws, TriggerEvent(date(2016, 6, 24), "EU referendum result"))
    ...     events = read_triggers(ws)
    >>> [(e.day.isoformat(), e.name) for e in events]
    [('2016-06-24', 'EU referendum result'), ('2017-06-03', 'London Bridge attack')]
    """
    engine = store.connect(ws.database_url)
    try:
        table = store.read_table(engine, store.trigger_events)
    finally:
        engine.dispose()
    return [
        TriggerEvent(
            date.fromisoformat(str(r["happened_on"])),
            str(r["name"]),
            str(r["scope"]),
            str(r["area"]) if r["area"] else None,
        )
        for r in table.sort_values("happened_on").to_dict("records")
    ]
