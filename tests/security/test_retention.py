"""Retention under MoPI: `tensionmap purge --before DATE [--dry-run]` deletes records, their
versions and their rejects older than a day, prints what it removed, and is audited."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from geo import audit, store
from geo.cli import main
from geo.config import Workspace
from geo.ingest.incidents import ingest_incidents
from tests.conftest import incident, write_csv


def _counts(ws: Workspace) -> dict[str, int]:
    with sqlite3.connect(ws.root / "tensionmap.sqlite") as con:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("incidents", "incident_versions", "rejects")
        }


@pytest.fixture
def ws(tmp_path) -> Workspace:
    """Two old records (one changed once, so it has an earlier version), one new record, and
    an old batch with a rejected row."""
    ws = Workspace.open(tmp_path / "ws")
    old = [incident("OLD-1", recorded_at="2017-03-01T10:00"),
           incident("OLD-2", recorded_at="2017-06-01T10:00"),
           incident("BAD-1", strands="")]  # fmt: skip
    ingest_incidents(ws, write_csv(tmp_path / "a.csv", old))
    changed = [incident("OLD-1", recorded_at="2017-03-01T10:00", offence="Public fear"),
               incident("NEW-1", recorded_at="2019-02-01T10:00")]  # fmt: skip
    ingest_incidents(ws, write_csv(tmp_path / "b.csv", changed))
    return ws


def test_a_dry_run_counts_and_changes_nothing(ws, capsys):
    before = _counts(ws)
    assert main(["purge", "--before", "2018-01-01", "--dry-run", "--workspace", str(ws.root)]) == 0
    printed = capsys.readouterr().out
    assert "purge of everything before 2018-01-01: would remove" in printed
    assert "  records: 2\n" in printed and "  earlier versions of records: 1\n" in printed
    assert _counts(ws) == before == {"incidents": 3, "incident_versions": 1, "rejects": 1}


def test_purge_removes_old_records_their_versions_and_rejects(ws, capsys, tmp_path):
    rejects_files = list(ws.rejects_dir.iterdir())
    assert len(rejects_files) == 1
    # the batches were ingested today, so their rejects go only with a cut-off after today
    assert main(["purge", "--before", "2018-01-01", "--workspace", str(ws.root)]) == 0
    printed = capsys.readouterr().out
    assert "removed" in printed and "  records: 2\n" in printed
    assert _counts(ws) == {"incidents": 1, "incident_versions": 0, "rejects": 1}
    assert main(["purge", "--before", "2999-01-01", "--workspace", str(ws.root)]) == 0
    assert "  rejected rows: 1\n" in capsys.readouterr().out
    assert _counts(ws) == {"incidents": 0, "incident_versions": 0, "rejects": 0}
    assert not rejects_files[0].exists()


def test_ingest_and_purge_are_audited_and_purge_moves_the_data_version(ws):
    engine = store.connect(ws.database_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.select(sa.func.max(store.ingest_batches.c.id)))
            before = version.scalar()
        main(["purge", "--before", "2018-01-01", "--dry-run", "--workspace", str(ws.root)])
        main(["purge", "--before", "2018-01-01", "--workspace", str(ws.root)])
        with engine.connect() as conn:
            version = conn.execute(sa.select(sa.func.max(store.ingest_batches.c.id)))
            assert version.scalar() == before + 1  # dashboards see the change
        trail = audit.read(engine)
    finally:
        engine.dispose()
    ingests = trail[trail["action"] == "ingest"]
    assert list(ingests["object"]) == ["a.csv", "b.csv"] and ingests["address"].eq("cli").all()
    purges = trail[trail["action"] == "purge"]
    assert list(purges["object"]) == ["before 2018-01-01", "before 2018-01-01"]
    assert purges["address"].eq("cli").all()
    assert '"dry_run": true' in purges["detail"].iloc[0].replace("True", "true")
    assert "OLD-1" not in trail.to_csv()  # counts only, never a reference
