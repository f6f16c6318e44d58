"""The workspace store: SQLite (WAL) through SQLAlchemy Core, so PostgreSQL can replace it.

Tables: ``incidents`` (one current row per (source, reference)), ``incident_versions``
(every earlier content of a record: nothing is lost when a record changes), ``places``
(schools, transport nodes, night-time-economy premises), ``ingest_batches``,
``rejects``, ``workshops``, ``trigger_events``, the daily tension monitor's state
(``tension_alerts``, ``tension_runs``), the dashboard's ``users``, ``sessions`` and
``login_failures``, and the append-only ``audit`` trail. Each input file is written in one
transaction: if anything fails part-way, the store is as it was before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

metadata = sa.MetaData()

#: Inserts larger than this drop and rebuild the table's secondary indexes.
BULK_ROWS = 100_000

#: Content columns shared by ``incidents`` and ``incident_versions``.
_INCIDENT_CONTENT: list[sa.Column[Any]] = [
    sa.Column("recorded_at", sa.String(19), nullable=False),
    sa.Column("time_known", sa.Boolean, nullable=False),
    sa.Column("record_type", sa.String(16), nullable=False),
    sa.Column("is_hate", sa.Boolean, nullable=False),
    sa.Column("offence", sa.Text),
    sa.Column("strands", sa.Text),
    sa.Column("settings", sa.Text),
    sa.Column("setting_reasons", sa.Text),
    sa.Column("location_type", sa.Text),
    sa.Column("online", sa.Boolean),
    sa.Column("description", sa.Text),
    sa.Column("victim_key", sa.String(32)),
    sa.Column("postcode", sa.String(8)),
    sa.Column("easting", sa.Float),
    sa.Column("northing", sa.Float),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("geocode_method", sa.String(8)),
    sa.Column("snapped_m", sa.Float),
    sa.Column("lsoa_code", sa.String(9)),
    sa.Column("ward_code", sa.String(9)),
    sa.Column("district_code", sa.String(9)),
    sa.Column("csp_code", sa.String(9)),
    sa.Column("force", sa.String(40)),
    sa.Column("attributes", sa.Text),
    sa.Column("content_hash", sa.String(32), nullable=False),
]
CONTENT_COLUMNS = [c.name for c in _INCIDENT_CONTENT]

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False),
    *[c._copy() for c in _INCIDENT_CONTENT],
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.Column("first_batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("source", "reference", name="uq_incident_source_reference"),
    sa.Index("ix_incident_recorded_at", "recorded_at"),
    sa.Index("ix_incident_csp", "csp_code"),
    sa.Index("ix_incident_lsoa", "lsoa_code"),
)

incident_versions = sa.Table(
    "incident_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.Integer, nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.Column("superseded_by_batch_id", sa.Integer, nullable=False),
    *[c._copy() for c in _INCIDENT_CONTENT],
)

places = sa.Table(
    "places",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source_id", sa.String(64), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("subtype", sa.Text),
    sa.Column("attributes", sa.Text),
    sa.Column("easting", sa.Float),
    sa.Column("northing", sa.Float),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("lsoa_code", sa.String(9)),
    sa.Column("district_code", sa.String(9)),
    sa.Column("csp_code", sa.String(9)),
    sa.Column("force", sa.String(40)),
    sa.Column("content_hash", sa.String(32), nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("kind", "source_id", name="uq_place_kind_source_id"),
)

ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("encoding", sa.String(16)),
    sa.Column("started_at", sa.String(26), nullable=False),
    sa.Column("finished_at", sa.String(26)),
    sa.Column("rows", sa.Integer),
    sa.Column("ingested", sa.Integer),
    sa.Column("updated", sa.Integer),
    sa.Column("unchanged", sa.Integer),
    sa.Column("rejected", sa.Integer),
    sa.Column("rejects_path", sa.Text),
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("urn", sa.String(16), nullable=False, index=True),
    sa.Column("delivered_on", sa.String(10), nullable=False),
    sa.Column("recorded_at", sa.String(26), nullable=False),
    sa.UniqueConstraint("urn", "delivered_on", name="uq_workshop_urn_date"),
)

trigger_events = sa.Table(
    "trigger_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("happened_on", sa.String(10), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("scope", sa.String(8), nullable=False),
    sa.Column("area", sa.String(80)),
    sa.Column("recorded_at", sa.String(26), nullable=False),
    sa.UniqueConstraint("happened_on", "name", name="uq_trigger_day_name"),
)

tension_alerts = sa.Table(
    "tension_alerts",
    metadata,
    sa.Column("alert_id", sa.String(12), primary_key=True),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("strand", sa.String(24), nullable=False),
    sa.Column("raised_on", sa.String(10), nullable=False),
    sa.Column("updated_on", sa.String(10), nullable=False),
    sa.Column("last_seen", sa.String(10), nullable=False),
    sa.Column("closed_on", sa.String(10)),
    sa.Column("state", sa.Text, nullable=False),
)

tension_runs = sa.Table(
    "tension_runs",
    metadata,
    sa.Column("as_of", sa.String(10), primary_key=True),
    sa.Column("run_at", sa.String(26), nullable=False),
    sa.Column("open_alerts", sa.Integer, nullable=False),
    # the AlertRules of the run as JSON: readers grade with the rules that were used
    sa.Column("rules", sa.Text),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("salt", sa.String(32), nullable=False),
    # ``scrypt$<log2 N>$<r>$<p>$<base64 hash>`` (see geo.users); 128 hex digits in
    # stores written before the cost was stored, which were hashed at N=2**14, r=8, p=1
    sa.Column("password_hash", sa.String(128), nullable=False),
    sa.Column("created_at", sa.String(26), nullable=False),
)

#: Signed-in dashboard sessions. Only the sha256 of the session id is kept, so a copy of
#: the store holds no cookie that would sign anyone in.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("last_seen", sa.String(32), nullable=False),
    sa.Column("address", sa.String(64)),
)

#: Failed sign-ins per user name given (whether or not such a user exists): the times
#: of the recent failures (a JSON list) and, once there were too many, the lock's end.
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("recent", sa.Text, nullable=False),
    sa.Column("locked_until", sa.String(32)),
)

#: Who signed in, looked at, exported or changed what (geo.audit writes it; nothing
#: updates or deletes its rows).
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False, index=True),
    sa.Column("user", sa.String(64), nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("action", sa.String(24), nullable=False),
    sa.Column("object", sa.Text, nullable=False),
    sa.Column("detail", sa.Text),
)
# SQLite refuses changes to audit rows; on another database, grant the application's
# account INSERT and SELECT only on this table
for _change in ("UPDATE", "DELETE"):
    sa.event.listen(
        audit,
        "after_create",
        sa.DDL(
            f"CREATE TRIGGER audit_no_{_change.lower()} BEFORE {_change} ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        ).execute_if(dialect="sqlite"),
    )

rejects = sa.Table(
    "rejects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, nullable=False, index=True),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("reason", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text),
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a bigger page cache keeps index pages in memory during million-row loads
    cur.execute("PRAGMA cache_size=-262144")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def connect(url: str) -> Engine:
    """Open the store at ``url`` (creating its tables) and return the engine."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Add the nullable columns a store made by an earlier version lacks (``create_all``
    makes missing tables only)."""
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    name = engine.dialect.identifier_preparer.quote(column.name)
                    conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}")


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One all-or-nothing transaction (commits on success, rolls back on any exception)."""
    with engine.begin() as conn:
        yield conn


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


def read_incidents(engine: Engine, *, include_context: bool = False) -> pd.DataFrame:
    """All current incidents (hate records; with ``include_context`` also context crime)."""
    query = sa.select(incidents)
    if not include_context:
        query = query.where(incidents.c.is_hate.is_(True))
    with engine.connect() as conn:
        return pd.read_sql(query.order_by(incidents.c.recorded_at, incidents.c.id), conn)


def read_table(engine: Engine, table: sa.Table, *where: sa.ColumnElement[bool]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.select(table).where(*where), conn)


def update_areas(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Set area columns (and ``id``) from ``frame`` – used when boundaries change."""
    cols = [c for c in frame.columns if c != "id" and c in table.c]
    stmt = (
        table.update()
        .where(table.c.id == sa.bindparam("_id"))
        .values({c: sa.bindparam(c) for c in cols})
    )
    conn.execute(stmt, _records(frame.rename(columns={"id": "_id"})[[*cols, "_id"]]))
