"""The store's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

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
    # geo.settings.confidence: how sure the tags are, and whether an analyst should look
    sa.Column("setting_confidence", sa.Float),
    sa.Column("needs_review", sa.Boolean),
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
    # located, out_of_area, unlocated_… (geo.geography.location_status), and why
    sa.Column("location_status", sa.String(24)),
    sa.Column("location_detail", sa.Text),
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

#: Analysts' corrections of a record's settings (geo.settings.review): the latest per
#: (source, reference) wins over automatic tags at ingest and retag, and trains the model.
setting_corrections = sa.Table(
    "setting_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("previous_settings", sa.Text),
    sa.Column("user", sa.String(64), nullable=False),
    sa.Column("corrected_at", sa.String(32), nullable=False),
    sa.Index("ix_setting_correction_record", "source", "reference"),
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
