"""The workspace store: SQLite (WAL) through SQLAlchemy Core, so PostgreSQL can replace it.

Tables: ``incidents`` (one current row per (source, reference)), ``incident_versions``
(every earlier content of a record: nothing is lost when a record changes), ``places``
(schools, transport nodes, night-time-economy premises), ``ingest_batches``,
``rejects``, ``workshops``, ``trigger_events``, the daily tension monitor's state
(``tension_alerts``, ``tension_runs``), the dashboard's ``users``, ``sessions`` and
``login_failures``, and the append-only ``audit`` trail. Each input file is written in one
transaction: if anything fails part-way, the store is as it was before.

One module per concern: :mod:`~geo.store.schema` (the tables),
:mod:`~geo.store.engine` (opening the store, transactions, upgrades),
:mod:`~geo.store.writes` (inserts, the versioned upsert, batches and rejects) and
:mod:`~geo.store.reads` (incidents and tables as data frames). A workspace reads its
records with :meth:`geo.config.Workspace.read_incidents`.
"""

from geo.store.engine import connect, now, transaction
from geo.store.reads import read_incidents, read_table
from geo.store.schema import (
    BULK_ROWS,
    CONTENT_COLUMNS,
    audit,
    incident_versions,
    incidents,
    ingest_batches,
    login_failures,
    metadata,
    places,
    rejects,
    sessions,
    tension_alerts,
    tension_runs,
    trigger_events,
    users,
    workshops,
)
from geo.store.writes import (
    existing_keys,
    finish_batch,
    insert_frame,
    start_batch,
    update_areas,
    upsert,
    write_rejects,
)

__all__ = [
    "BULK_ROWS", "CONTENT_COLUMNS", "audit", "connect", "existing_keys", "finish_batch",
    "incident_versions", "incidents", "ingest_batches", "insert_frame", "login_failures",
    "metadata", "now", "places", "read_incidents", "read_table", "rejects", "sessions",
    "start_batch", "tension_alerts", "tension_runs", "transaction", "trigger_events",
    "update_areas", "upsert", "users", "workshops", "write_rejects",
]  # fmt: skip
