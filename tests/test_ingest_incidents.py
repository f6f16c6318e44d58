"""Ingest of canonical incident files: reasons, accounting, idempotency, versions, atomicity."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from geo import store
from geo._errors import InputFileError
from geo.ingest.incidents import ingest_incidents
from tests.conftest import CAMBRIDGE_POSTCODE, ST_ALBANS_EN, incident, write_csv

NO_LATLON = {"latitude": "", "longitude": ""}


def _count(workspace, table: str, where: str = "") -> int:
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    try:
        return con.execute(f"select count(*) from {table} {where}").fetchone()[0]
    finally:
        con.close()


def _assert_accounted(summary) -> None:
    assert sum(summary.counts.values()) == summary.rows


# one row per reject reason, with the detail text we promise
REJECT_CASES = [
    (incident("M1", reference=""), "missing_required", "column 'reference' is empty"),
    (incident("M2", strands=""), "missing_required", "column 'strands' is empty"),
    (
        incident("L1", offence="x" * 201),
        "field_too_long",
        "column 'offence' has 201 characters; at most 200",
    ),
    (incident("D1", recorded_at="2024-02-30"), "invalid_date", "'2024-02-30': not a real date"),
    (incident("D2", recorded_at="31/13/2024 10:00"), "invalid_date", "not a real date"),
    (incident("D3", recorded_at="yesterday"), "invalid_date", "not a real date"),
    (incident("F1", recorded_at="2999-01-01"), "future_date", "is in the future"),
    (incident("T1", record_type="arrest"), "invalid_record_type", "expected 'crime' or 'incident'"),
    (incident("S1", strands="race;goth"), "unknown_strand", "'goth' not a known strand"),
    (incident("O1", online="maybe"), "invalid_online", "'maybe': expected true/false"),
]
# issue #15: a location problem no longer rejects a row; the record is stored with its
# location status, and the reason and detail text go into location_detail
LOCATION_CASES = [
    (incident("G1", **NO_LATLON), "no_location", "no latitude/longitude"),
    (incident("G2", latitude="-0.396541", longitude="51.663529"), "swapped_latlon", "look swapped"),
    (incident("G3", latitude="0", longitude="0"), "zero_coordinates", "placeholder"),
    (
        incident("G4", **NO_LATLON, easting="800000", northing="200000"),
        "outside_grid",
        "outside the British National Grid",
    ),
    (
        incident("G5", **NO_LATLON, easting="207200", northing="514700"),
        "swapped_easting_northing",
        "look swapped",
    ),
    (
        incident("G6", **NO_LATLON, postcode="ZZ99 9ZZ"),
        "unknown_postcode",
        "not in the ONS Postcode Directory",
    ),
    (
        incident("G7", latitude="53.4808", longitude="-2.2426"),
        "outside_area",
        "outside the configured area",
    ),
    (incident("G8", latitude="51.6", longitude=""), "incomplete_location", "must both be given"),
    (incident("G9", latitude="north", longitude="-0.39"), "invalid_coordinates", "not numbers"),
]
LOCATION_STATUS_OF = {
    "no_location": "unlocated_missing",
    "unknown_postcode": "unlocated_postcode",
    "outside_area": "out_of_area",  # Manchester: in England, outside Herts and Cambs
}


def test_each_reject_reason_is_reported_with_row_and_detail(workspace, tmp_path):
    good = [
        incident("OK1"),
        incident("OK2", **NO_LATLON, **ST_ALBANS_EN),
        incident("OK3", **NO_LATLON, **CAMBRIDGE_POSTCODE),
    ]
    rows = good + [case[0] for case in REJECT_CASES] + [case[0] for case in LOCATION_CASES]
    path = write_csv(tmp_path / "mixed.csv", rows)
    summary = ingest_incidents(workspace, path)
    _assert_accounted(summary)
    assert summary.counts == {
        "ingested": 3 + len(LOCATION_CASES),
        "updated": 0,
        "unchanged": 0,
        "rejected": len(REJECT_CASES),
    }
    rejects = pd.read_csv(
        summary.rejects_path, dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert list(rejects.columns[:3]) == ["row_number", "reason", "detail"]
    for i, (row, reason, detail) in enumerate(REJECT_CASES):
        got = rejects.iloc[i]
        assert got["row_number"] == str(len(good) + i + 2), reason  # header is row 1
        assert got["reason"] == reason
        assert detail in got["detail"], (reason, got["detail"])
        assert got["reference"] == row["reference"]  # the original values come back
    assert _count(workspace, "rejects") == len(REJECT_CASES)
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    try:
        stored = {
            ref: (status, detail)
            for ref, status, detail in con.execute(
                "select reference, location_status, location_detail from incidents"
            )
        }
    finally:
        con.close()
    for ok in good:
        assert stored[ok["reference"]] == ("located", None)
    for row, reason, detail in LOCATION_CASES:
        status, text = stored[row["reference"]]
        assert status == LOCATION_STATUS_OF.get(reason, "unlocated_invalid"), reason
        assert text.startswith(f"{reason}: ") and detail in text, (reason, text)


def test_reingest_is_idempotent_and_changes_keep_versions(workspace, tmp_path):
    path = write_csv(tmp_path / "jan.csv", [incident("A"), incident("B"), incident("C")])
    first = ingest_incidents(workspace, path)
    assert first.counts == {"ingested": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    again = ingest_incidents(workspace, path)
    assert again.counts == {"ingested": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert _count(workspace, "incidents") == 3
    assert _count(workspace, "incident_versions") == 0

    changed = write_csv(
        tmp_path / "feb.csv",
        [incident("A"), incident("B", strands="race;religion"), incident("D")],
    )
    third = ingest_incidents(workspace, changed)
    assert third.counts == {"ingested": 1, "updated": 1, "unchanged": 1, "rejected": 0}
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    current = con.execute("select strands, version from incidents where reference='B'").fetchone()
    old = con.execute(
        "select v.strands, v.version, v.superseded_by_batch_id from incident_versions v "
        "join incidents i on i.id = v.incident_id where i.reference='B'"
    ).fetchall()
    con.close()
    assert current == ("race;religion", 2)
    assert old == [("race", 1, third.batch_id)]


def test_same_reference_from_two_sources_are_two_records(workspace, tmp_path):
    path = write_csv(tmp_path / "a.csv", [incident("A")])
    ingest_incidents(workspace, path, source="rms-herts")
    ingest_incidents(workspace, path, source="btp")
    assert _count(workspace, "incidents") == 2


def test_duplicate_reference_within_a_file(workspace, tmp_path):
    rows = [incident("A"), incident("A"), incident("A", offence="Common assault")]
    summary = ingest_incidents(workspace, write_csv(tmp_path / "d.csv", rows))
    _assert_accounted(summary)
    assert summary.counts == {"ingested": 1, "updated": 0, "unchanged": 1, "rejected": 1}
    rejects = pd.read_csv(summary.rejects_path, dtype=str, encoding="utf-8-sig")
    assert rejects.loc[0, "reason"] == "duplicate_reference"
    assert rejects.loc[0, "row_number"] == "4"
    assert "already appears on row 2" in rejects.loc[0, "detail"]


class _BoomError(RuntimeError):
    pass


def test_failure_part_way_leaves_the_store_exactly_as_before(workspace, tmp_path, monkeypatch):
    ingest_incidents(workspace, write_csv(tmp_path / "base.csv", [incident("A")]))
    before = {
        t: _count(workspace, t)
        for t in ("incidents", "incident_versions", "ingest_batches", "rejects")
    }
    rows = [incident(f"N{i}") for i in range(120)] + [
        incident("A", strands="religion"),
        incident("BAD", recorded_at="x"),
    ]
    path = write_csv(tmp_path / "big.csv", rows)

    real_insert = store.insert_frame
    calls = {"n": 0}

    def insert_then_fail(conn, table, frame, chunk=50_000):
        calls["n"] += 1
        real_insert(conn, table, frame.iloc[:50], chunk)  # half of the new rows are written…
        raise _BoomError("killed mid-file")  # …then the process "dies"

    monkeypatch.setattr(store.writes, "insert_frame", insert_then_fail)  # upsert calls it there
    with pytest.raises(_BoomError):
        ingest_incidents(workspace, path)
    assert calls["n"] == 1
    after = {t: _count(workspace, t) for t in before}
    assert after == before
    assert list(workspace.rejects_dir.glob("*big*")) == []


def test_encodings_bom_and_cp1252_are_read_and_reported(workspace, tmp_path):
    rows = [incident("E1", offence="Harassment – café")]
    bom = write_csv(tmp_path / "bom.csv", rows, encoding="utf-8-sig")
    assert ingest_incidents(workspace, bom).encoding == "utf-8"
    cp = write_csv(
        tmp_path / "cp.csv", [incident("E2", offence="Harassment – café")], encoding="cp1252"
    )
    summary = ingest_incidents(workspace, cp)
    assert summary.encoding == "cp1252"
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    offences = {r[0] for r in con.execute("select offence from incidents")}
    con.close()
    assert offences == {"Harassment – café"}


def test_formula_injection_is_stored_as_text(workspace, tmp_path):
    payload = '=HYPERLINK("http://evil.example","click")'
    ingest_incidents(workspace, write_csv(tmp_path / "f.csv", [incident("X1", offence=payload)]))
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    assert con.execute("select offence from incidents").fetchone()[0] == payload
    con.close()


def test_extra_columns_are_kept_as_attributes_and_victims_pseudonymised(workspace, tmp_path):
    row = incident("A1", victim_id="NOMINAL-42") | {"beat": "W3", "officer_rank": ""}
    ingest_incidents(
        workspace, write_csv(tmp_path / "x.csv", [row, incident("A2", victim_id="NOMINAL-42")])
    )
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    attrs, key1 = con.execute(
        "select attributes, victim_key from incidents where reference='A1'"
    ).fetchone()
    key2 = con.execute("select victim_key from incidents where reference='A2'").fetchone()[0]
    dump = "\n".join(str(r) for r in con.execute("select * from incidents"))
    con.close()
    assert json.loads(attrs) == {"beat": "W3"}
    assert key1 == key2 and "NOMINAL-42" not in dump  # repeats still match, the id is not stored


def test_uk_dates_and_time_known(workspace, tmp_path):
    rows = [
        incident("U1", recorded_at="01/05/2024 21:30"),
        incident("U2", recorded_at="01/05/2024"),
        incident("U3", recorded_at="2024-05-01 21:30:15"),
    ]
    ingest_incidents(workspace, write_csv(tmp_path / "u.csv", rows))
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    query = "select reference, recorded_at, time_known from incidents"
    got = {r[0]: (r[1], r[2]) for r in con.execute(query)}
    con.close()
    assert got == {
        "U1": ("2024-05-01T21:30:00", 1),
        "U2": ("2024-05-01T00:00:00", 0),
        "U3": ("2024-05-01T21:30:15", 1),
    }


def test_column_mapping_file(workspace, tmp_path):
    export = pd.DataFrame(
        {
            "Crime Ref": ["H/1", "H/2"],
            "Date Committed": ["03/06/2024 23:10", "04/06/2024"],
            "Hate Flags": ["Race Hate", "Faith Hate; Race Hate"],
            "Type": ["NCHI", "Crime"],
            "X": ["514700", "514700"],
            "Y": ["207200", "207200"],
        }
    )
    src = tmp_path / "rms.csv"
    export.to_csv(src, index=False)
    mapping = tmp_path / "rms.toml"
    mapping.write_text(
        '[columns]\nreference = "Crime Ref"\nrecorded_at = "Date Committed"\n'
        'strands = "Hate Flags"\n'
        'record_type = "Type"\neasting = "X"\nnorthing = "Y"\n'
        '[values.strands]\n"Race Hate" = "race"\n"Faith Hate" = "religion"\n'
        '[values.record_type]\n"NCHI" = "incident"\n'
    )
    summary = ingest_incidents(workspace, src, mapping=mapping, source="rms")
    assert summary.counts["ingested"] == 2
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    got = con.execute(
        "select reference, strands, record_type, csp_code from incidents order by reference"
    ).fetchall()
    con.close()
    assert got == [
        ("H/1", "race", "incident", "E07000240"),
        ("H/2", "religion;race", "crime", "E07000240"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
        (b"reference;recorded_at;strands\nA;2024-01-01;race\n", "not comma-separated"),
        (
            b"Reference,recorded_date,strand,latitude,longitude\nA,2024-01-01,race,51.6,-0.4\n",
            "required column(s) missing: 'reference' (did you mean 'Reference'?), "
            "'recorded_at' (did you mean 'recorded_date'?), 'strands' (did you mean 'strand'?)",
        ),
        (b"reference,recorded_at,strands\nA,2024-01-01,race\n", "A location is required"),
    ],
)
def test_unusable_files_raise_one_clear_message(workspace, tmp_path, content, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError) as info:
        ingest_incidents(workspace, path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert (
        _count(workspace, "ingest_batches") == 0
        if (workspace.root / "tensionmap.sqlite").exists()
        else True
    )


def test_description_never_reaches_logs(workspace, tmp_path, caplog):
    secret = "victim named Jane Example said"
    caplog.set_level("DEBUG")
    ingest_incidents(
        workspace,
        write_csv(tmp_path / "s.csv", [incident("P1", description=secret, victim_id="VIC-9")]),
    )
    assert secret not in caplog.text and "VIC-9" not in caplog.text


def test_rows_accounted_for_every_test_file(workspace, tmp_path):
    # a larger mixed file: valid, rejected, repeated and updated rows together
    rows = [incident(f"R{i}") for i in range(50)]
    rows += [incident(f"R{i}") for i in range(10)]  # identical repeats
    rows += [incident(f"R{i}", strands="religion") for i in range(10, 15)]  # conflicting repeats
    rows += [incident(f"BAD{i}", recorded_at="not a date") for i in range(5)]
    summary = ingest_incidents(workspace, write_csv(tmp_path / "m.csv", rows))
    _assert_accounted(summary)
    assert summary.counts == {"ingested": 50, "updated": 0, "unchanged": 10, "rejected": 10}
    assert Path(summary.rejects_path).exists()
