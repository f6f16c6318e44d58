"""Writing to the store: bulk inserts, the incident upsert that keeps every earlier
version, ingest batches and rejects, and area updates when boundaries change."""

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
    processing costs more than SQLite's own insert at a million rows.
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
    conn.execute(
        ingest_batches.update()
        .where(ingest_batches.c.id == batch_id)
        .values(finished_at=now(), rejects_path=rejects_path, **counts)
    )


def existing_keys(
    conn: Connection, table: sa.Table, key_cols: dict[str, str], key: str
) -> pd.DataFrame:
    """``id``, ``key`` column and ``content_hash`` of stored rows matching ``key_cols``."""
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

    ``frame`` holds one row per key with a ``content_hash``. Returns, aligned to
    ``frame``, the outcome of each row: ``ingested``, ``updated`` or ``unchanged``.
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
    """``frame``: ``row_number``, ``raw`` (dict of original values), ``reason``, ``detail``."""
    if frame.empty:
        return
    rows = frame.assign(
        batch_id=batch_id,
        raw=[json.dumps(r, ensure_ascii=False) for r in frame["raw"]],
    )
    insert_frame(conn, rejects, rows[["batch_id", "row_number", "raw", "reason", "detail"]])


def update_areas(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Set area columns (and ``id``) from ``frame`` – used when boundaries change."""
    cols = [c for c in frame.columns if c != "id" and c in table.c]
    stmt = (
        table.update()
        .where(table.c.id == sa.bindparam("_id"))
        .values({c: sa.bindparam(c) for c in cols})
    )
    conn.execute(stmt, _records(frame.rename(columns={"id": "_id"})[[*cols, "_id"]]))
