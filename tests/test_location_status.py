"""Every record kept and accounted for (issue #15): location problems never reject a row.

Each record gets a ``location_status``; maps and area statistics use ``located`` ones
only, and ``export incidents`` writes every record.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo import store
from geo.cli import main
from geo.geography import load_geography, to_wgs84
from geo.hotspots.analysis import hotspots
from geo.hotspots.study import read_study
from geo.ingest.incidents import ingest_incidents
from geo.schools.high_risk import school_inputs
from geo.settings.partner_maps import partner_heatmap
from tests.conftest import ST_ALBANS_EN, incident, write_csv

NO_LATLON = {"latitude": "", "longitude": ""}
# one row per location status: (row, status, words in its location_detail)
CASES = [
    (incident("LOC1"), "located", None),
    (incident("LOC2", **NO_LATLON, **ST_ALBANS_EN), "located", None),
    (incident("MIS1", **NO_LATLON), "unlocated_missing", "no_location"),
    (incident("PC1", **NO_LATLON, postcode="ZZ99 9ZZ"), "unlocated_postcode", "unknown_postcode"),
    (incident("ZERO", latitude="0", longitude="0"), "unlocated_invalid", "zero_coordinates"),
    (
        incident("SWAP", latitude="-0.396541", longitude="51.663529"),
        "unlocated_invalid",
        "swapped_latlon",
    ),
    (incident("IMP", latitude="123.4", longitude="456.7"), "unlocated_invalid", "outside_grid"),
    (
        incident("FRA", latitude="48.8566", longitude="2.3522"),  # Paris
        "outside_england_wales",
        "not in Great Britain",
    ),
    (
        incident("SEA", latitude="53.7", longitude="-4.9"),  # the Irish Sea
        "outside_england_wales",
        "outside_area",
    ),
    (
        incident("WYP", latitude="53.7997", longitude="-1.5492"),  # Leeds, West Yorkshire
        "out_of_area",
        "outside_area",
    ),
]
NOT_A_RECORD = incident("", description="no reference: cannot be a record")


@pytest.fixture
def mixed(workspace, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", [c[0] for c in CASES] + [NOT_A_RECORD])
    return workspace, path


def _stored(workspace) -> pd.DataFrame:
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    try:
        return pd.read_sql("select * from incidents", con).set_index("reference")
    finally:
        con.close()


def test_each_location_status_and_every_row_accounted_for(mixed):
    workspace, path = mixed
    summary = ingest_incidents(workspace, path)
    assert sum(summary.counts.values()) == summary.rows == len(CASES) + 1
    assert summary.counts == {
        "ingested": len(CASES),
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert summary.reasons == {"missing_required": 1}
    expected = pd.Series([c[1] for c in CASES]).value_counts().to_dict()
    assert summary.locations == expected
    rows = _stored(workspace)
    for row, status, words in CASES:
        got = rows.loc[row["reference"]]
        assert got["location_status"] == status, row["reference"]
        if words is None:
            assert pd.isna(got["location_detail"])
            assert isinstance(got["lsoa_code"], str) and got["force"]
        else:
            assert words in got["location_detail"], (row["reference"], got["location_detail"])
            if status != "out_of_area":
                assert pd.isna(got["lsoa_code"]) and pd.isna(got["force"])
    # out-of-area records keep their point and get their real areas (national geography)
    leeds = rows.loc["WYP"]
    assert leeds["force"] == "West Yorkshire" and leeds["lsoa_code"].startswith("E01")
    assert 425_000 < leeds["easting"] < 435_000 and 430_000 < leeds["northing"] < 437_000
    for ref in ("MIS1", "PC1", "ZERO", "SWAP", "IMP", "FRA", "SEA"):
        assert np.isnan(rows.loc[ref, "easting"]) and np.isnan(rows.loc[ref, "latitude"])
    # maps and area statistics read the located records only
    assert sorted(workspace.read_incidents()["reference"]) == ["LOC1", "LOC2"]


def test_ingest_prints_and_status_shows_the_counts(mixed, capsys):
    workspace, path = mixed
    assert main(["ingest", "incidents", str(path), "--workspace", str(workspace.root)]) == 0
    out = capsys.readouterr().out
    assert "ingested=10 updated=0 unchanged=0 rejected=1" in out
    for status, n in (("located", 2), ("out_of_area", 1), ("unlocated_invalid", 3)):
        assert f"location {status}={n}" in out
    assert main(["status", "--workspace", str(workspace.root)]) == 0
    out = capsys.readouterr().out
    shown = out.split("by location status:")[1].split("by force:")[0]
    assert "  located: 2" in shown and "  outside_england_wales: 2" in shown
    assert "  unlocated_missing: 1" in shown and "  unlocated_postcode: 1" in shown


def test_export_writes_every_record_with_its_status(mixed, tmp_path):
    workspace, path = mixed
    ingest_incidents(workspace, path)
    out = tmp_path / "all.csv"
    assert main(["export", "incidents", "--workspace", str(workspace.root), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("reference")
    assert {"location_status", "lsoa_code", "force"} <= set(table.columns)
    for row, status, _ in CASES:
        assert table.loc[row["reference"], "location_status"] == status
    assert table.loc["LOC1", "lsoa_code"] and table.loc["LOC1", "force"]
    assert table.loc["MIS1", "lsoa_code"] == ""
    geojson = tmp_path / "all.geojson"
    args = ["export", "incidents", "--workspace", str(workspace.root), "--out", str(geojson)]
    assert main(args) == 0
    features = json.loads(geojson.read_text())["features"]
    assert len(features) == len(CASES)
    by_ref = {f["properties"]["reference"]: f for f in features}
    assert by_ref["MIS1"]["geometry"] is None and by_ref["FRA"]["geometry"] is None
    assert by_ref["LOC1"]["geometry"]["type"] == "Point"
    assert by_ref["WYP"]["properties"]["location_status"] == "out_of_area"


def test_an_older_store_counts_its_records_as_located(mixed):
    workspace, path = mixed
    ingest_incidents(workspace, path)
    db = workspace.root / "tensionmap.sqlite"
    with sqlite3.connect(db) as con:  # the store as the previous release made it
        # it kept located records only
        con.execute("DELETE FROM incidents WHERE location_status != 'located'")
        for table in ("incidents", "incident_versions"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN location_status")
            con.execute(f"ALTER TABLE {table} DROP COLUMN location_detail")
    engine = store.connect(workspace.database_url)
    engine.dispose()
    rows = _stored(workspace)
    assert sorted(rows.index) == ["LOC1", "LOC2"]
    assert (rows["location_status"] == "located").all()
    assert rows["location_detail"].isna().all()
    assert len(workspace.read_incidents()) == 2


def _located_file(path, n=120):
    """``n`` records at the inner points of the first LSOAs, on days of 2024."""
    geo = load_geography()
    pts = geo.inner_points[np.arange(n) * (len(geo.lsoas) // n)]
    lon, lat = to_wgs84(pts[:, 0], pts[:, 1])
    rows = [
        incident(
            f"R{i}",
            latitude=f"{lat[i]:.6f}",
            longitude=f"{lon[i]:.6f}",
            recorded_at=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T22:00",
            location_type="Bus" if i % 2 else "Street",
        )
        for i in range(n)
    ]
    return write_csv(path, rows)


def test_unlocated_records_leave_maps_and_area_statistics_unchanged(tmp_path):
    from geo.config import Workspace

    clean = _located_file(tmp_path / "clean.csv")
    with_extra = tmp_path / "extra.csv"
    extra = pd.read_csv(clean, dtype=str, keep_default_na=False)
    cases = pd.DataFrame([c[0] for c in CASES[2:]])  # every status but located
    pd.concat([extra, cases], ignore_index=True).to_csv(with_extra, index=False)
    results = []
    for name, path in (("a", clean), ("b", with_extra)):
        ws = Workspace.open(tmp_path / name)
        ingest_incidents(ws, path)
        study = read_study(ws)
        table = hotspots(study.incidents, study.geo, study.population, permutations=99).table
        heat = partner_heatmap(
            study.incidents, study.geo, settings=("public_transport",), today=date(2025, 3, 1)
        )
        keep = ["reference", "recorded_at", "lsoa_code", "easting", "settings"]
        results.append(
            (
                study.incidents[keep].reset_index(drop=True),
                school_inputs(ws)[0][keep].reset_index(drop=True),
                pd.DataFrame(table.drop(columns="geometry", errors="ignore")),
                heat.csp_table,
                pd.DataFrame(heat.lsoas.drop(columns="geometry")),
            )
        )
    assert len(results[0][0]) == 120
    for a, b in zip(results[0], results[1], strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_reassigning_areas_locates_records_the_boundaries_now_cover(mixed):
    from geo.geography.boundary_import import reassign_areas

    workspace, path = mixed
    ingest_incidents(workspace, path)
    with sqlite3.connect(workspace.root / "tensionmap.sqlite") as con:  # as if out of area
        con.execute(
            "UPDATE incidents SET location_status = 'out_of_area', lsoa_code = NULL, "
            "location_detail = 'outside_area: …' WHERE reference = 'LOC1'"
        )
    reassign_areas(workspace)
    rows = _stored(workspace)
    assert rows.loc["LOC1", "location_status"] == "located"
    assert pd.isna(rows.loc["LOC1", "location_detail"]) and rows.loc["LOC1", "lsoa_code"]
    assert rows.loc["WYP", "location_status"] == "out_of_area"  # still outside
    assert rows.loc["MIS1", "location_status"] == "unlocated_missing"


def test_force_level_trends_count_every_record_and_csp_level_the_located(mixed):
    from dashboard.data import source
    from dashboard.data.trends import cached_summary, cached_trend

    workspace, path = mixed
    ingest_incidents(workspace, path)
    source.configure(workspace, today=date(2025, 3, 1))
    try:
        version = source.data_version()
        assert len(source.incidents()) == 2 and len(source.all_records()) == len(CASES)
        force = cached_trend(version, "year", "", "", None)
        assert force["all strand markers"].sum() == len(CASES)  # one strand each
        csp = source.incidents()["csp_code"].iloc[0]
        in_csp = cached_trend(version, "year", "", csp, None)
        assert in_csp["all strand markers"].sum() == (source.incidents()["csp_code"] == csp).sum()
        shares = cached_summary(version, "", None)["csp_shares"]
        assert shares["share_%"].sum() == pytest.approx(100.0)  # shares of located records
    finally:
        source._WORKSPACE = None
