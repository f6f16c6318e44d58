"""Writing one input file to the store as one batch, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from geo import audit, store
from geo.config import Workspace
from geo.ingest.rejects import write_rejects_csv
from geo.ingest.validate import Rejecter
from geo.reading import RawTable


@dataclass(frozen=True)
class BatchResult:
    """What :func:`commit_batch` stored.

    Parameters
    ----------
    batch_id : int
        The batch's id in the store.
    counts : dict of str to int
        Rows ``ingested``, ``updated``, ``unchanged`` and ``rejected``.
    rejects_path : pathlib.Path or None
        The rejects CSV written, or ``None`` when no row was rejected.

    Examples
    --------
    >>> counts = {"ingested": 118, "updated": 1, "unchanged": 0, "rejected": 1}
    >>> result = BatchResult(7, counts, Path("rejects/7-may-rejects.csv"))
    >>> sum(result.counts.values())
    120
    """

    batch_id: int
    counts: dict[str, int]
    rejects_path: Path | None


def commit_batch(
    workspace: Workspace,
    raw: RawTable,
    rows: pd.DataFrame,
    reject: Rejecter,
    *,
    kind: str,
    source: str,
    table: sa.Table,
    key_cols: dict[str, str],
    key: str,
    versions: sa.Table | None = None,
    repeats: int = 0,
    dropped: pd.Series | None = None,
) -> BatchResult:
    """Upsert ``rows`` and record the rejected input rows, in one transaction.

    The rejects CSV is written inside the transaction so that a failure writing it
    rolls the store back too; the batch and an ``ingest`` row of the audit trail are
    recorded in the same transaction.

    Parameters
    ----------
    workspace : geo.config.Workspace
        Where to store.
    raw : RawTable
        The input file as read (its rows go to the rejects, its name and hash to the
        batch).
    rows : pandas.DataFrame
        The rows to store, one per key, with a ``content_hash``.
    reject : Rejecter
        The reject reason of each input row (aligned to ``raw.frame``).
    kind : str
        The batch's kind, e.g. ``incidents:canonical`` or ``places:schools``.
    source : str
        The source system.
    table : sqlalchemy.Table
        :data:`geo.store.incidents` or :data:`geo.store.places`.
    key_cols : dict of str to str
        Columns and values every row gets, e.g. ``{"source": "default"}``.
    key : str
        The column naming a row within ``key_cols``.
    versions : sqlalchemy.Table, optional
        Where an updated row's earlier content goes.
    repeats : int, default 0
        Identical within-file repeats of a record, reported as unchanged.
    dropped : pandas.Series, optional
        Rejected rows counted (as rejected, with their reason) but not written to the
        rejects, e.g. the places of a national file outside the workspace's area.

    Returns
    -------
    BatchResult
        The batch's id, its counts and the rejects CSV.

    Examples
    --------
    >>> result = commit_batch(ws, raw, rows, reject, kind="places:schools",
    ...                       source="school", table=store.places,
    ...                       key_cols={"kind": "school"}, key="source_id")  # doctest: +SKIP
    >>> result.counts  # doctest: +SKIP
    {'ingested': 412, 'updated': 0, 'unchanged': 0, 'rejected': 3}
    """
    rejected = ~reject.ok
    listed = rejected if dropped is None else rejected & ~dropped
    reject_frame = pd.DataFrame(
        {
            "row_number": raw.row_numbers[listed],
            "raw": raw.frame[listed].to_dict("records"),
            "reason": reject.reason[listed],
            "detail": reject.detail[listed],
        }
    )
    engine = store.connect(workspace.database_url)
    try:
        with store.transaction(engine) as conn:
            batch_id = store.start_batch(
                conn,
                kind=kind,
                source=source,
                file_name=str(raw.path),
                sha256=raw.sha256,
                encoding=raw.encoding,
            )
            outcome = store.upsert(
                conn,
                table,
                rows,
                key_cols=key_cols,
                key=key,
                batch_id=batch_id,
                versions=versions,
            )
            store.write_rejects(conn, batch_id, reject_frame)
            counts = {
                "ingested": int((outcome == "ingested").sum()),
                "updated": int((outcome == "updated").sum()),
                "unchanged": int((outcome == "unchanged").sum()) + repeats,
                "rejected": int(rejected.sum()),
            }
            rejects_path = None
            if len(reject_frame):
                rejects_path = workspace.rejects_dir / f"{batch_id}-{raw.path.stem}-rejects.csv"
                write_rejects_csv(rejects_path, reject_frame, list(raw.frame.columns))
            store.finish_batch(
                conn, batch_id, {"rows": len(raw.frame), **counts}, str(rejects_path or "")
            )
            audit.record_in(
                conn,
                "ingest",
                **audit.cli_actor(),
                object=raw.path.name,
                detail={"kind": kind, "batch": batch_id, "rows": len(raw.frame), **counts},
            )
    finally:
        engine.dispose()
    return BatchResult(batch_id, counts, rejects_path)
