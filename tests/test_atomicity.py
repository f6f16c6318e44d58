"""A process killed in the middle of writing a file leaves the store as it was."""

import os
import sqlite3
import subprocess
import sys
import textwrap

from geo.ingest.incidents import ingest_incidents
from tests.conftest import incident, write_csv

KILL_MID_INSERT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from geo.store import writes
    from geo.config import Workspace
    from geo.ingest.incidents import ingest_incidents

    real = writes.insert_frame
    def insert_then_die(conn, table, frame, chunk=50_000):
        real(conn, table, frame.iloc[:40], chunk)
        os._exit(9)  # no cleanup, no rollback: like a kill -9 or a power cut
    writes.insert_frame = insert_then_die
    ingest_incidents(Workspace.open(sys.argv[1]), Path(sys.argv[2]))
    """
)


def _counts(root) -> dict[str, int]:
    con = sqlite3.connect(root / "tensionmap.sqlite")
    try:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("incidents", "ingest_batches", "rejects")
        }
    finally:
        con.close()


def test_killed_process_leaves_store_unchanged(workspace, tmp_path):
    ingest_incidents(workspace, write_csv(tmp_path / "a.csv", [incident("A")]))
    before = _counts(workspace.root)
    big = write_csv(tmp_path / "b.csv", [incident(f"N{i}") for i in range(100)])
    result = subprocess.run(
        [sys.executable, "-c", KILL_MID_INSERT, str(workspace.root), str(big)],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert result.returncode == 9
    assert _counts(workspace.root) == before
    again = ingest_incidents(workspace, big)  # the store is usable afterwards
    assert again.counts["ingested"] == 100
