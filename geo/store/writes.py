"""Writing to the store: bulk inserts, the versioned upsert, batches, rejects and areas.

The incident upsert keeps every earlier version of a record; areas are updated when
boundaries change. Every function writes inside the caller's transaction
(:func:`geo.store.transaction`), so an input file is stored whole or not at all.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.engine import now
from geo.store.schema import BULK_ROWS, CONTENT_COLUMNS, ingest_batches, rejects


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with NaN/NA turned into None (SQL NULL)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict("records")  # type: ignore[return-value]


def _column_values(values: pd.Series) -> list[Any]:
    """A column as Python values with missing values and empty text turned into None."""
    array: np.ndarray[Any, Any] = values.to_numpy(dtype=object, copy=True)
    if pd.api.types.is_float_dtype(values.dtype):
        missing = np.isnan(values.to_numpy(dtype=float))
    elif pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        missing = np.zeros(len(array), dtype=bool)
    else:
        missing = pd.isna(array) | (array == "")
    array[missing] = None
    return array.tolist()


def insert_frame(
    conn: Connection, table: sa.Table, frame: pd.DataFrame, chunk: int = 50_000
) -> None:
    """Bulk insert ``frame`` (columns named as in ``table``) in chunks.

    Rows go to the driver's ``executemany`` as tuples: SQLAlchemy's per-row parameter
    processing costs more than SQLite's own insert at a million rows. Missing values and
    empty text are stored as NULL.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction.
    table : sqlalchemy.Table
        The table to insert into.
    frame : pandas.DataFrame
        The rows; columns that ``table`` lacks are ignored.
    chunk : int, default 50000
        Rows per ``executemany``.

    Examples
    --------
    >>> from geo.store import connect, read_table, transaction, workshops
    >>> engine = connect("sqlite://")
    >>> visits = pd.DataFrame({"urn": ["100", "101"], "delivered_on": ["2024-05-01"] * 2,
    ...                        "recorded_at": ["2024-05-02T09:00:00+00:00"] * 2})
    >>> with transaction(engine) as conn:
    ...     insert_frame(conn, workshops, visits)
    >>> read_table(engine, workshops)["urn"].tolist()
    ['100', '101']
    >>> engine.dispose()
    """
    cols = [c for c in frame.columns if c in table.c]
    marks = ", ".join(_placeholder(conn, i) for i in range(len(cols)))
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in cols)
    sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})"
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        if len(part):
            rows = list(zip(*(_column_values(part[c]) for c in cols), strict=True))
            conn.exec_driver_sql(sql, rows)


def _placeholder(conn: Connection, position: int) -> str:
    style = conn.dialect.paramstyle
    return {"qmark": "?", "numeric": f":{position + 1}", "format": "%s", "pyformat": "%s"}.get(
        style, "?"
    )


def start_batch(
    conn: Connection, *, kind: str, source: str, file_name: str, sha256: str, encoding: str
) -> int:
    """Record the start of an ingest batch (one input file, or a purge).

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction.
    kind : str
        What is stored, e.g. ``incidents:canonical``, ``places:schools`` or ``purge``.
    source : str
        The source system (references are unique per source).
    file_name : str
        The input file.
    sha256 : str
        The file's sha256 (hex).
    encoding : str
        The encoding the file was read with.

    Returns
    -------
    int
        The new batch's id, to pass to :func:`upsert` and :func:`finish_batch`.

    Examples
    --------
    >>> from geo.store import connect, transaction
    >>> engine = connect("sqlite://")
    >>> with transaction(engine) as conn:
    ...     start_batch(conn, kind="incidents:canonical", source="default",
    ...                 file_name="may.csv", sha256="", encoding="utf-8")
    1
    >>> engine.dispose()
    """
    result = conn.execute(
        ingest_batches.insert().values(
            kind=kind,
            source=source,
            file_name=file_name,
            sha256=sha256,
            encoding=encoding,
            started_at=now(),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_batch(
    conn: Connection, batch_id: int, counts: dict[str, int], rejects_path: str
) -> None:
    """Record the end of batch ``batch_id`` with its counts and rejects file.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction.
    batch_id : int
        From :func:`start_batch`.
    counts : dict of str to int
        Any of ``rows``, ``ingested``, ``updated``, ``unchanged`` and ``rejected``.
    rejects_path : str
        The rejects CSV written, or ``""`` when nothing was rejected.

    Examples
    --------
    >>> from geo.store import connect, ingest_batches, read_table, transaction
    >>> engine = connect("sqlite://")
    >>> with transaction(engine) as conn:
    ...     batch = start_batch(conn, kind="incidents:canonical", source="default",
    ...                         file_name="may.csv", sha256="", encoding="utf-8")
    ...     finish_batch(conn, batch, {"rows": 3, "ingested": 3}, rejects_path="")
    >>> read_table(engine, ingest_batches)[["id", "rows", "ingested"]]
       id  rows  ingested
    0   1     3         3
    >>> engine.dispose()
    """
    conn.execute(
        ingest_batches.update()
        .where(ingest_batches.c.id == batch_id)
        .values(finished_at=now(), rejects_path=rejects_path, **counts)
    )


def existing_keys(
    conn: Connection, table: sa.Table, key_cols: dict[str, str], key: str
) -> pd.DataFrame:
    """``id``, ``key`` column and ``content_hash`` of stored rows matching ``key_cols``.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        A connection to the store.
    table : sqlalchemy.Table
        :data:`geo.store.incidents` or :data:`geo.store.places`.
    key_cols : dict of str to str
        Columns and the values the rows must have, e.g. ``{"source": "default"}``.
    key : str
        The column naming a row within ``key_cols`` (``reference``, ``source_id``).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``key`` and ``content_hash`` (and ``version`` where the table has one).

    Examples
    --------
    >>> from geo.store import connect, places
    >>> engine = connect("sqlite://")
    >>> with engine.connect() as conn:
    ...     existing_keys(conn, places, {"kind": "school"}, "source_id").columns.tolist()
    ['id', 'source_id', 'content_hash']
    >>> engine.dispose()
    """
    cols = [table.c.id, table.c[key], table.c.content_hash]
    if "version" in table.c:
        cols.append(table.c.version)
    query = sa.select(*cols)
    for name, value in key_cols.items():
        query = query.where(table.c[name] == value)
    return pd.DataFrame(conn.execute(query).fetchall(), columns=[c.name for c in cols])


def upsert(
    conn: Connection,
    table: sa.Table,
    frame: pd.DataFrame,
    *,
    key_cols: dict[str, str],
    key: str,
    batch_id: int,
    versions: sa.Table | None = None,
) -> pd.Series:
    """Insert new rows, update changed ones (keeping old content in ``versions``).

    Rows are matched on ``key`` among the stored rows with ``key_cols``; a row whose
    ``content_hash`` is unchanged is left alone.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction.
    table : sqlalchemy.Table
        :data:`geo.store.incidents` or :data:`geo.store.places`.
    frame : pandas.DataFrame
        One row per key, with a ``content_hash``.
    key_cols : dict of str to str
        Columns and values every row gets, e.g. ``{"source": "default"}``.
    key : str
        The column naming a row within ``key_cols``.
    batch_id : int
        The batch writing the rows (:func:`start_batch`).
    versions : sqlalchemy.Table, optional
        Where an updated row's earlier content goes
        (:data:`geo.store.incident_versions`); the row's ``version`` then rises by 1.

    Returns
    -------
    pandas.Series
        Aligned to ``frame``: ``ingested``, ``updated`` or ``unchanged``.

    Examples
    --------
    >>> from geo.store import connect, places, transaction
    >>> engine = connect("sqlite://")
    >>> first = pd.DataFrame({"source_id": ["100"], "name": ["Oak"], "content_hash": ["a"]})
    >>> again = pd.DataFrame({"source_id": ["100", "101"], "name": ["Oak Primary", "Elm"],
    ...                       "content_hash": ["a2", "b"]})
    >>> with transaction(engine) as conn:
    ...     _ = upsert(conn, places, first, key_cols={"kind": "school"}, key="source_id",
    ...                batch_id=1)
    ...     outcome = upsert(conn, places, again, key_cols={"kind": "school"},
    ...                      key="source_id", batch_id=2)
    >>> outcome.tolist()
    ['updated', 'ingested']
    >>> engine.dispose()
    """
    stored = existing_keys(conn, table, key_cols, key).set_index(key)
    match = stored.reindex(frame[key].to_numpy())
    is_new = match["id"].isna().to_numpy()
    same = (match["content_hash"].to_numpy() == frame["content_hash"].to_numpy()) & ~is_new
    changed = ~is_new & ~same
    outcome = pd.Series(
        np.select([is_new, same], ["ingested", "unchanged"], "updated"), index=frame.index
    )
    new_rows = frame[is_new].assign(**key_cols, batch_id=batch_id)
    if "first_batch_id" in table.c:
        new_rows = new_rows.assign(first_batch_id=batch_id, version=1)
    # building secondary indexes once after a big load beats updating them row by row
    rebuild = len(new_rows) > BULK_ROWS
    if rebuild:
        for index in table.indexes:
            index.drop(conn)
    insert_frame(conn, table, new_rows)
    if rebuild:
        for index in table.indexes:
            index.create(conn)
    if changed.any():
        ids = match["id"].to_numpy()[changed].astype(int)
        upd = frame[changed].assign(batch_id=batch_id, _id=ids)
        if versions is not None:
            copy_cols = list(CONTENT_COLUMNS)
            select = sa.select(
                table.c.id,
                table.c.version,
                table.c.batch_id,
                sa.literal(batch_id),
                *[table.c[c] for c in copy_cols],
            ).where(table.c.id.in_(sa.bindparam("ids", expanding=True)))
            target_cols = [
                "incident_id",
                "version",
                "batch_id",
                "superseded_by_batch_id",
                *copy_cols,
            ]
            for start in range(0, len(ids), 20_000):
                conn.execute(
                    versions.insert().from_select(target_cols, select),
                    {"ids": ids[start : start + 20_000].tolist()},
                )
            upd = upd.assign(version=match["version"].to_numpy()[changed].astype(int) + 1)
        cols = [c for c in upd.columns if c in table.c and c not in ("id", *key_cols, key)]
        stmt = (
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values({c: sa.bindparam(c) for c in cols})
        )
        conn.execute(stmt, _records(upd[[*cols, "_id"]]))
    return outcome


def write_rejects(conn: Connection, batch_id: int, frame: pd.DataFrame) -> None:
    """Store the rejected rows of batch ``batch_id``.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction.
    batch_id : int
        The batch (:func:`start_batch`).
    frame : pandas.DataFrame
        ``row_number``, ``raw`` (a dict of the row's original values), ``reason`` and
        ``detail``; nothing is written when it is empty.

    Examples
    --------
    >>> from geo.store import connect, read_table, rejects, transaction
    >>> engine = connect("sqlite://")
    >>> bad = pd.DataFrame({"row_number": [4], "raw": [{"URN": ""}],
    ...                     "reason": ["missing_required"], "detail": ["'URN' is empty"]})
    >>> with transaction(engine) as conn:
    ...     write_rejects(conn, 1, bad)
    >>> read_table(engine, rejects)[["row_number", "raw", "reason"]]
       row_number          raw            reason
    0           4  {"URN": ""}  missing_required
    >>> engine.dispose()
    """
    if frame.empty:
        return
    rows = frame.assign(
        batch_id=batch_id,
        raw=[json.dumps(r, ensure_ascii=False) for r in frame["raw"]],
    )
    insert_frame(conn, rejects, rows[["batch_id", "row_number", "raw", "reason", "detail"]])


def update_areas(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Set the area columns of stored rows – used when boundaries change.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction.
    table : sqlalchemy.Table
        :data:`geo.store.incidents` or :data:`geo.store.places`.
    frame : pandas.DataFrame
        ``id`` of each row to change and its new values (``lsoa_code``,
        ``csp_code``, ...); columns that ``table`` lacks are ignored.

    Examples
    --------
    >>> from geo.store import connect, places, read_table, transaction
    >>> engine = connect("sqlite://")
    >>> school = pd.DataFrame({"kind": ["school"], "source_id": ["100"], "name": ["Oak"],
    ...                        "content_hash": ["a"], "batch_id": [1]})
    >>> with transaction(engine) as conn:
    ...     insert_frame(conn, places, school)
    ...     update_areas(conn, places, pd.DataFrame({"id": [1], "lsoa_code": ["E01000001"]}))
    >>> read_table(engine, places)["lsoa_code"].tolist()
    ['E01000001']
    >>> engine.dispose()
    """
    cols = [c for c in frame.columns if c != "id" and c in table.c]
    stmt = (
        table.update()
        .where(table.c.id == sa.bindparam("_id"))
        .values({c: sa.bindparam(c) for c in cols})
    )
    conn.execute(stmt, _records(frame.rename(columns={"id": "_id"})[[*cols, "_id"]]))
