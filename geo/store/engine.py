"""Opening the store: an engine per database URL, transactions, and upgrades.

SQLite runs in WAL mode; an older store gains the columns a newer version adds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.store.schema import metadata


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a bigger page cache keeps index pages in memory during million-row loads
    cur.execute("PRAGMA cache_size=-262144")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def connect(url: str) -> Engine:
    """Open the store at ``url`` (creating its tables) and return the engine.

    Parameters
    ----------
    url : str
        A SQLAlchemy database URL, usually :attr:`geo.config.Workspace.database_url`.

    Returns
    -------
    sqlalchemy.engine.Engine
        The engine; its tables exist and have every column of :data:`metadata`. Call
        ``dispose()`` when done.

    Examples
    --------
    >>> engine = connect("sqlite://")  # a store in memory
    >>> sorted(sa.inspect(engine).get_table_names())[:4]
    ['audit', 'incident_versions', 'incidents', 'ingest_batches']
    >>> engine.dispose()
    """
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Add the nullable columns a store made by an earlier version lacks.

    ``create_all`` makes missing tables only.
    """
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    name = engine.dialect.identifier_preparer.quote(column.name)
                    conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}")
                    if column.name == "location_status":
                        _mark_located(conn, table)


def _mark_located(conn: Connection, table: sa.Table) -> None:
    """Records stored before location statuses existed were all located (or rejected)."""
    conn.execute(
        table.update()
        .where(table.c.location_status.is_(None), table.c.lsoa_code.is_not(None))
        .values(location_status="located")
    )


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One all-or-nothing transaction (commits on success, rolls back on any exception).

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store, from :func:`connect`.

    Yields
    ------
    sqlalchemy.engine.Connection
        The connection to write with.

    Examples
    --------
    >>> from geo.store.schema import workshops
    >>> engine = connect("sqlite://")
    >>> row = {"urn": "100", "delivered_on": "2024-05-01", "recorded_at": now()}
    >>> try:
    ...     with transaction(engine) as conn:
    ...         _ = conn.execute(workshops.insert().values(**row))
    ...         raise RuntimeError("the process dies")
    ... except RuntimeError:
    ...     pass
    >>> with engine.connect() as conn:  # the insert was rolled back
    ...     conn.execute(sa.select(sa.func.count()).select_from(workshops)).scalar()
    0
    >>> engine.dispose()
    """
    with engine.begin() as conn:
        yield conn


def now() -> str:
    """The current time as the store writes it.

    Returns
    -------
    str
        UTC, ISO 8601, to the second (``2024-05-01T21:30:00+00:00``).

    Examples
    --------
    >>> stamp = now()
    >>> len(stamp), stamp.endswith("+00:00")
    (25, True)
    """
    return datetime.now(UTC).isoformat(timespec="seconds")
