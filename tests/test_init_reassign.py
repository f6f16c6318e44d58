"""``tensionmap init`` on a workspace that already holds records (#15).

Records are ingested into the default workspace (Hertfordshire + Cambridgeshire); ``init
--force Hertfordshire`` then makes the Cambridgeshire records ``out_of_area`` with their
real force, keeps the Hertfordshire ones located, leaves records without a point as they
were, re-assigns the places too, moves the data version on and audits the change, all in
one transaction: a failure part-way leaves store and settings as they were.
"""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from geo import audit, store
from geo.cli import main
from geo.config import Workspace
from geo.geography import national_areas
from geo.ingest.incidents import ingest_incidents
from tests.conftest import incident, write_csv

# (latitude, longitude) → the LSOA (2011) and force the national lookup gives
HERTS = {
    "HERTS-WATFORD": ("51.663529", "-0.396541", "E01023861"),
    "HERTS-STALBANS": ("51.7527", "-0.3395", "E01023727"),
}
CAMBS = {
    "CAMBS-CAMBRIDGE": ("52.2053", "0.1218"),
    "CAMBS-PETERBOROUGH": ("52.5733", "-0.2420"),
    "CAMBS-HUNTINGDON": ("52.3310", "-0.1840"),
}
LUTON = ("51.8787", "-0.4200", "E01015794")  # Bedfordshire: out of area in both


def _records(tmp_path):
    rows = [incident(ref, latitude=lat, longitude=lon) for ref, (lat, lon, *_) in HERTS.items()]
    rows += [incident(ref, latitude=lat, longitude=lon) for ref, (lat, lon) in CAMBS.items()]
    rows.append(incident("BEDS-LUTON", latitude=LUTON[0], longitude=LUTON[1]))
    rows.append(incident("NOWHERE", latitude="", longitude=""))
    rows.append(incident("BAD-POSTCODE", latitude="", longitude="", postcode="ZZ99 9ZZ"))
    return write_csv(tmp_path / "records.csv", rows)


def _stored(ws: Workspace) -> pd.DataFrame:
    con = sqlite3.connect(ws.root / "tensionmap.sqlite")
    try:
        return pd.read_sql("select * from incidents", con).set_index("reference")
    finally:
        con.close()


def _newest_batch(ws: Workspace) -> int:
    con = sqlite3.connect(ws.root / "tensionmap.sqlite")
    try:
        return int(con.execute("select max(id) from ingest_batches").fetchone()[0])
    finally:
        con.close()


@pytest.fixture
def filled(workspace, tmp_path) -> Workspace:
    summary = ingest_incidents(workspace, _records(tmp_path))
    assert summary.locations == {
        "located": 5, "out_of_area": 1, "unlocated_missing": 1, "unlocated_postcode": 1,
    }  # fmt: skip
    return workspace


def test_init_hertfordshire_moves_cambridgeshire_records_out_of_area(filled, capsys):
    before = _stored(filled)
    capsys.readouterr()
    assert main(["init", "--workspace", str(filled.root), "--force", "Hertfordshire"]) == 0
    out = capsys.readouterr().out
    assert "re-assigned 8 stored records to the area: 5 changed" in out
    assert "  located: 5 → 2\n" in out and "  out_of_area: 1 → 4\n" in out
    assert "  unlocated_missing: 1 → 1\n" in out and "  unlocated_postcode: 1 → 1\n" in out
    assert "  force changed: 0\n" in out

    after = _stored(filled)
    national = national_areas().set_index("lsoa_code")
    for ref in CAMBS:
        row = after.loc[ref]
        assert row["location_status"] == "out_of_area", ref
        assert row["force"] == "Cambridgeshire", ref
        # the same LSOA as when located, now with the national hierarchy
        assert row["lsoa_code"] == before.loc[ref, "lsoa_code"], ref
        expected = national.loc[row["lsoa_code"]]
        assert row["district_code"] == expected["district_code"], ref
        assert row["csp_code"] == expected["csp_code"] and row["csp_code"].startswith("E22"), ref
        assert row["ward_code"] == expected["ward_code"], ref
        assert row["location_detail"].startswith("outside_area: point E"), ref
    for ref, (*_, lsoa) in HERTS.items():
        row = after.loc[ref]
        assert row["location_status"] == "located" and row["lsoa_code"] == lsoa, ref
        assert row["force"] == "Hertfordshire" and pd.isna(row["location_detail"]), ref
        assert row["csp_code"] == national.loc[lsoa, "csp_code"], ref
    luton = after.loc["BEDS-LUTON"]
    assert luton[["location_status", "lsoa_code", "force"]].tolist() == [
        "out_of_area", LUTON[2], "Bedfordshire",
    ]  # fmt: skip
    # records without a point keep their status and detail
    for ref in ("NOWHERE", "BAD-POSTCODE"):
        assert after.loc[ref, "location_status"] == before.loc[ref, "location_status"], ref
        assert after.loc[ref, "location_detail"] == before.loc[ref, "location_detail"], ref
    # 3 Cambridgeshire records out of area, 2 Hertfordshire ones with national CSP codes;
    # every stored row counted once; content and versions untouched
    counts = after["location_status"].value_counts().to_dict()
    assert sum(counts.values()) == len(after) == 8
    assert counts == {
        "out_of_area": 4, "located": 2, "unlocated_missing": 1, "unlocated_postcode": 1,
    }  # fmt: skip
    assert (after["content_hash"] == before["content_hash"]).all()
    assert (after["version"] == 1).all()
    # maps read the located records of the new area only
    assert sorted(filled.read_incidents()["reference"]) == sorted(HERTS)


def test_init_moves_the_data_version_on_and_audits(filled):
    version = _newest_batch(filled)
    assert main(["init", "--workspace", str(filled.root), "--force", "hertfordshire"]) == 0
    assert _newest_batch(filled) == version + 1
    engine = store.connect(filled.database_url)
    try:
        trail = audit.read(engine)
        batch = store.read_table(engine, store.ingest_batches).set_index("id").loc[version + 1]
    finally:
        engine.dispose()
    assert batch["kind"] == "reassign:area" and batch["rows"] == 8 and batch["updated"] == 5
    row = trail[trail["action"] == "reassign"].iloc[-1]
    assert row["object"] == "[area]"
    detail = json.loads(row["detail"])
    assert detail["area"] == {"forces": ["Hertfordshire"]}
    assert detail["before"]["located"] == 5 and detail["after"]["out_of_area"] == 4
    assert "E01023861" not in row["detail"]  # counts only, no LSOA or point


def test_init_again_and_back(filled, capsys):
    """Cambridgeshire alone: Hertfordshire records go out of area and Cambridgeshire ones
    come back; the same area twice changes nothing (and re-running repairs a store)."""
    root = str(filled.root)
    assert main(["init", "--workspace", root, "--force", "hertfordshire"]) == 0
    assert main(["init", "--workspace", root, "--force", "cambridgeshire"]) == 0
    rows = _stored(filled)
    assert set(rows.loc[list(CAMBS), "location_status"]) == {"located"}
    assert set(rows.loc[list(HERTS), "location_status"]) == {"out_of_area"}
    assert rows.loc[list(HERTS), "force"].tolist() == ["Hertfordshire"] * 2
    assert rows.loc[list(CAMBS), "force"].tolist() == ["Cambridgeshire"] * 3
    capsys.readouterr()
    assert main(["init", "--workspace", root, "--force", "cambridgeshire"]) == 0
    assert "re-assigned 8 stored records to the area: 0 changed" in capsys.readouterr().out


def test_a_failure_part_way_leaves_store_and_settings_as_they_were(filled, monkeypatch):
    """The records are updated, then the process dies before the change is recorded."""
    before = _stored(filled)
    version = _newest_batch(filled)
    settings = (filled.root / "tensionmap.toml").read_text()
    updated = []
    real = store.update_areas

    def update_areas(conn, table, frame):
        updated.append(table.name)
        real(conn, table, frame)

    def dies(*args, **kwargs):
        raise RuntimeError("the process dies")

    monkeypatch.setattr(store, "update_areas", update_areas)
    monkeypatch.setattr(store, "start_batch", dies)
    assert main(["init", "--workspace", str(filled.root), "--force", "hertfordshire"]) == 1
    assert updated == ["incidents"]
    pd.testing.assert_frame_equal(_stored(filled), before)
    assert _newest_batch(filled) == version
    assert (filled.root / "tensionmap.toml").read_text() == settings
    assert not (filled.root / "tensionmap.toml.new").exists()
    assert Workspace.open(filled.root, create=False).config.area == {}


def test_places_are_reassigned_too(workspace, open_data):
    """The seed schools of both counties: each keeps its force and LSOA, the Cambridgeshire
    ones outside the new area get their real national CSP like the Hertfordshire ones."""
    from geo.ingest.places import ingest_places

    ingest_places(workspace, open_data / "schools_gias_herts_cambs.csv", kind="schools")
    engine = store.connect(workspace.database_url)
    try:
        before = store.read_table(engine, store.places).set_index("id")
        assert main(["init", "--workspace", str(workspace.root), "--force", "hertfordshire"]) == 0
        after = store.read_table(engine, store.places).set_index("id")
    finally:
        engine.dispose()
    assert len(after) == 989 and set(after["force"]) == {"Hertfordshire", "Cambridgeshire"}
    assert (after["force"] == before["force"]).all()
    assert (after["lsoa_code"] == before["lsoa_code"]).all()
    national = national_areas().set_index("lsoa_code").loc[after["lsoa_code"]]
    assert (after["csp_code"].to_numpy() == national["csp_code"].to_numpy()).all()
    assert (after["district_code"].to_numpy() == national["district_code"].to_numpy()).all()


def test_init_on_a_new_workspace_reassigns_nothing(tmp_path, capsys):
    root = tmp_path / "fresh"
    assert main(["init", "--workspace", str(root), "--force", "hertfordshire"]) == 0
    assert "re-assigned" not in capsys.readouterr().out
    assert not (root / "tensionmap.toml.new").exists()
