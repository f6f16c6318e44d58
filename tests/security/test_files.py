"""Point 7 of the review: workspace files are private whatever the umask, and a rejected
row keeps the victim identifier only as its pseudonym."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pandas as pd
import pytest

from geo._hashing import pseudonyms
from geo.config import Workspace
from geo.ingest.incidents import ingest_incidents
from tests.conftest import incident, write_csv


def _loose_modes(root: Path) -> dict[str, str]:
    """Paths below ``root`` (and root) that anyone but the owner may read, with their mode."""
    found = {}
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode != wanted:
            found[str(path.relative_to(root.parent))] = oct(mode)
    return found


@pytest.fixture
def open_umask():
    """A permissive umask, as many servers run with; restored afterwards."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_workspace_is_private_whatever_the_umask(tmp_path, open_umask):
    root = tmp_path / "ws"
    ws = Workspace.open(root)
    rows = [incident("F1"), incident("F2", strands="")]  # the second is rejected
    summary = ingest_incidents(ws, write_csv(tmp_path / "in.csv", rows))
    assert summary.counts["rejected"] == 1 and summary.rejects_path is not None
    from geo.cli import main

    out = ws.outputs_dir / "all.gpkg"
    assert main(["export", "incidents", "--workspace", str(root), "--out", str(out)]) == 0
    names = {p.name for p in root.rglob("*")}
    assert {"tensionmap.sqlite", ".pseudonym_key", "all.gpkg", "tensionmap.toml"} <= names
    assert summary.rejects_path.name in names
    assert _loose_modes(root) == {}


def test_an_old_workspace_is_tightened_when_opened(tmp_path, open_umask):
    root = tmp_path / "old"
    (root / "outputs").mkdir(parents=True)
    (root / "tensionmap.toml").write_text("")
    (root / "outputs" / "hotspots.csv").write_text("a,b\n")
    root.chmod(0o755)
    (root / "outputs" / "hotspots.csv").chmod(0o644)
    assert _loose_modes(root)  # as an older version left it
    Workspace.open(root)
    assert _loose_modes(root) == {}


def test_the_served_workspace_stays_private(served):
    # the server has opened the store (with its WAL and shared-memory files) and signed people in
    served.login("analyst")
    names = {p.name for p in served.root.rglob("*")}
    assert {"tensionmap.sqlite", "tensionmap.sqlite-wal", "tensionmap.sqlite-shm"} <= names
    assert _loose_modes(served.root) == {}


def test_rejected_rows_keep_only_the_victims_pseudonym(tmp_path, open_umask):
    ws = Workspace.open(tmp_path / "ws")
    secret = "VIC-SECRET-0077"
    rows = [incident("R1", strands="", victim_id=secret), incident("R2", victim_id=secret)]
    summary = ingest_incidents(ws, write_csv(tmp_path / "in.csv", rows))
    assert summary.counts == {"ingested": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    pseudonym = pseudonyms(pd.Series([secret]), ws.pseudonym_key()).iloc[0]
    # the rejects file the analyst fixes: the pseudonym, as in the stored record
    csv = pd.read_csv(summary.rejects_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert csv.loc[0, "victim_id"] == pseudonym and csv.loc[0, "reason"] == "missing_required"
    assert secret not in summary.rejects_path.read_text(encoding="utf-8-sig")
    # the rejects table
    with sqlite3.connect(ws.root / "tensionmap.sqlite") as con:
        raw = [json.loads(r) for (r,) in con.execute("select raw from rejects")]
        stored = con.execute("select victim_key from incidents").fetchone()[0]
    assert [r["victim_id"] for r in raw] == [pseudonym] == [stored]
    assert secret not in json.dumps(raw)


def test_a_mapped_victim_column_is_pseudonymised_too(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nvictim_id = "VictimRef"\n')
    row = incident("M1", strands="")
    row["VictimRef"] = row.pop("victim_id")
    summary = ingest_incidents(ws, write_csv(tmp_path / "in.csv", [row]), mapping=mapping)
    text = summary.rejects_path.read_text(encoding="utf-8-sig")
    assert "V-M1" not in text
    assert pseudonyms(pd.Series(["V-M1"]), ws.pseudonym_key()).iloc[0] in text
