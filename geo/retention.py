"""Retention: deleting what a force has decided no longer to hold (MoPI review).

``purge`` removes, in one transaction, every record dated before a day together with its
earlier versions, the rejected rows and rejects files of batches ingested before that day,
and the tension alerts last seen before it (their evidence names records). It is itself
recorded: as a ``purge`` batch, so that every dashboard sees the data change, and in the
audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from geo import audit, store
from geo.config import Workspace
from geo.store.schema import setting_corrections as corrections


@dataclass(frozen=True)
class PurgeResult:
    """What a purge removed (or, with ``dry_run``, would remove).

    Made by :func:`purge`.

    Parameters
    ----------
    before : datetime.date
        The first day kept.
    records : int
        Records dated before it.
    versions : int
        Earlier versions of records dated before it, or of the records removed.
    rejected_rows : int
        Rejected rows of batches ingested before it.
    rejects_files : tuple of str
        The rejects files of those batches.
    alerts : int
        Tension alerts last seen before it.
    dry_run : bool
        Whether nothing was removed.

    Examples
    --------
    >>> result = PurgeResult(date(2018, 1, 1), 1204, 31, 7, ("rejects/3-may-rejects.csv",),
    ...                      2, dry_run=True)
    >>> for line in result.lines()[:3]:
    ...     print(line)
    purge of everything before 2018-01-01: would remove
      records: 1204
      earlier versions of records: 31
    """

    before: date
    records: int
    versions: int
    rejected_rows: int
    rejects_files: tuple[str, ...]
    alerts: int
    dry_run: bool

    def lines(self) -> list[str]:
        """The summary printed by ``tensionmap purge``."""
        verb = "would remove" if self.dry_run else "removed"
        return [
            f"purge of everything before {self.before.isoformat()}: {verb}",
            f"  records: {self.records}",
            f"  earlier versions of records: {self.versions}",
            f"  rejected rows: {self.rejected_rows}",
            f"  rejects files: {len(self.rejects_files)}",
            f"  tension alerts last seen before then: {self.alerts}",
        ]


def purge(workspace: Workspace, before: date, *, dry_run: bool = False) -> PurgeResult:
    """Delete records dated before ``before``, with their versions, rejects and alerts.

    Parameters
    ----------
    workspace
        The workspace whose store is purged.
    before
        The first day kept: records recorded on an earlier day are removed.
    dry_run
        Count what would go, change nothing (the dry run is audited too).

    Returns
    -------
    PurgeResult
        The counts removed (or that would be).

    Examples
    --------
    >>> from datetime import date
    >>> purge(Workspace.open("ws"), date(2018, 1, 1), dry_run=True).records  # doctest: +SKIP
    1204
    """
    cutoff = before.isoformat()
    i, v, b, r, a = (store.incidents, store.incident_versions, store.ingest_batches,
                     store.rejects, store.tension_alerts)  # fmt: skip
    old_records = sa.select(i.c.id).where(i.c.recorded_at < cutoff)
    old_batches = sa.select(b.c.id).where(b.c.started_at < cutoff)
    engine = store.connect(workspace.database_url)
    try:
        with store.transaction(engine) as conn:

            def count(table: sa.Table, where: sa.ColumnElement[bool]) -> int:
                query = sa.select(sa.func.count()).select_from(table).where(where)
                return int(conn.execute(query).scalar() or 0)

            files = tuple(
                str(p)
                for p in conn.execute(
                    sa.select(b.c.rejects_path).where(
                        b.c.id.in_(old_batches), b.c.rejects_path != ""
                    )
                ).scalars()
            )
            result = PurgeResult(
                before=before,
                # an earlier version of a kept record can be dated before the day too
                records=count(i, i.c.recorded_at < cutoff),
                versions=count(v, v.c.incident_id.in_(old_records) | (v.c.recorded_at < cutoff)),
                rejected_rows=count(r, r.c.batch_id.in_(old_batches)),
                rejects_files=files,
                alerts=count(a, a.c.last_seen < cutoff),
                dry_run=dry_run,
            )
            if not dry_run:
                conn.execute(
                    v.delete().where(v.c.incident_id.in_(old_records) | (v.c.recorded_at < cutoff))
                )
                c = corrections  # an analyst's correction goes with its record
                same = (i.c.source == c.c.source) & (i.c.reference == c.c.reference)
                conn.execute(c.delete().where(sa.exists(old_records.where(same))))
                conn.execute(i.delete().where(i.c.recorded_at < cutoff))
                conn.execute(r.delete().where(r.c.batch_id.in_(old_batches)))
                conn.execute(b.update().where(b.c.id.in_(old_batches)).values(rejects_path=""))
                conn.execute(a.delete().where(a.c.last_seen < cutoff))
                # a batch of its own: the dashboards' data version moves on
                batch = store.start_batch(
                    conn, kind="purge", source="purge", file_name=f"before {cutoff}", sha256="",
                    encoding="",
                )  # fmt: skip
                store.finish_batch(conn, batch, {"rows": result.records}, "")
            audit.record_in(  # in the same transaction: audited if, and only if, done
                conn,
                "purge",
                **audit.cli_actor(),
                object=f"before {cutoff}",
                detail={
                    "dry_run": dry_run,
                    "records": result.records,
                    "versions": result.versions,
                    "rejected_rows": result.rejected_rows,
                    "alerts": result.alerts,
                },
            )
        if not dry_run:  # once the deletion has committed
            for name in files:
                Path(name).unlink(missing_ok=True)
    finally:
        engine.dispose()
    return result
