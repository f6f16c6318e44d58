"""Writing one input file to the store as one batch, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from geo import audit, store
from geo.config import Workspace
from geo.ingest.reading import RawTable
from geo.ingest.rejects import write_rejects_csv
from geo.ingest.validate import Rejecter


@dataclass(frozen=True)
class BatchResult:
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
) -> BatchResult:
    """Upsert ``rows`` and record the rejected input rows, in one transaction.

    ``repeats`` counts identical within-file repeats of a record, reported as unchanged.
    The rejects CSV is written inside the transaction so that a failure writing it
    rolls the store back too.
    """
    rejected = ~reject.ok
    reject_frame = pd.DataFrame(
        {
            "row_number": raw.row_numbers[rejected],
            "raw": raw.frame[rejected].to_dict("records"),
            "reason": reject.reason[rejected],
            "detail": reject.detail[rejected],
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
            if counts["rejected"]:
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
