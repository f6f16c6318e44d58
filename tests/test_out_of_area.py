"""Out-of-area records get their real LSOA, ward, district, CSP and force (issue #15).

A generated file with points in three forces (Hertfordshire, Bedfordshire and the
Metropolitan Police) ingested into a Hertfordshire workspace: every row is accounted for,
the Bedfordshire and Met rows are stored ``out_of_area`` with the areas the national
lookup gives their LSOA, and maps and area statistics still read the located ones only.
"""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from geo.cli import main
from geo.config import Workspace
from geo.geography import national_areas
from geo.ingest.incidents import ingest_incidents
from tests.conftest import incident, write_csv

# known places: (latitude, longitude) → the LSOA (2011) and force the national lookup gives
PLACES = {
    "HERTS-WATFORD": ("51.663529", "-0.396541", "E01023861", "Hertfordshire"),  # station
    "HERTS-STALBANS": ("51.7527", "-0.3395", "E01023727", "Hertfordshire"),  # city centre
    "BEDS-LUTON": ("51.8787", "-0.4200", "E01015794", "Bedfordshire"),  # town centre
    "BEDS-BEDFORD": ("52.1359", "-0.4667", "E01017469", "Bedfordshire"),  # town centre
    "MET-TRAFALGAR": ("51.50809", "-0.12806", "E01004736", "Metropolitan Police"),
    "MET-BARNET": ("51.6527", "-0.2000", "E01000250", "Metropolitan Police"),  # High Barnet
}
AREA_COLUMNS = ["lsoa_code", "ward_code", "district_code", "csp_code", "force"]


@pytest.fixture
def herts(tmp_path) -> Workspace:
    root = tmp_path / "ws"
    assert main(["init", "--workspace", str(root), "--force", "hertfordshire"]) == 0
    return Workspace.open(root, create=False)


def _three_forces(tmp_path):
    rows = [incident(ref, latitude=lat, longitude=lon) for ref, (lat, lon, *_) in PLACES.items()]
    rows.append(incident("NOWHERE", latitude="", longitude=""))
    return write_csv(tmp_path / "three-forces.csv", rows)


def _stored(workspace: Workspace) -> pd.DataFrame:
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    try:
        return pd.read_sql("select * from incidents", con).set_index("reference")
    finally:
        con.close()


def test_three_forces_into_one_force_workspace(herts, tmp_path):
    summary = ingest_incidents(herts, _three_forces(tmp_path))
    assert summary.rows == len(PLACES) + 1
    assert summary.counts == {
        "ingested": len(PLACES) + 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert summary.locations == {"located": 2, "out_of_area": 4, "unlocated_missing": 1}
    rows = _stored(herts)
    national = national_areas().set_index("lsoa_code")
    for ref, (_, _, lsoa, force) in PLACES.items():
        got = rows.loc[ref]
        status = "located" if force == "Hertfordshire" else "out_of_area"
        assert got["location_status"] == status, ref
        assert got["lsoa_code"] == lsoa and got["force"] == force, ref
        expected = national.loc[lsoa]
        assert got["ward_code"] == expected["ward_code"], ref
        assert got["district_code"] == expected["district_code"], ref
        assert got["csp_code"] == expected["csp_code"], ref
        assert got["snapped_m"] == 0.0, ref
    assert rows.loc["MET-TRAFALGAR", "csp_code"] == national.loc["E01004736", "csp_code"]
    assert national.loc["E01004736", "csp_name"] == "Westminster"
    assert rows.loc["BEDS-LUTON", "csp_code"] == national.loc["E01015794", "csp_code"]
    assert national.loc["E01015794", "district_name"] == "Luton"
    assert rows.loc["NOWHERE", AREA_COLUMNS].isna().all()
    # maps and area statistics read the located records only
    assert sorted(herts.read_incidents()["reference"]) == ["HERTS-STALBANS", "HERTS-WATFORD"]


def test_default_workspace_keeps_border_crimes_with_their_real_areas(workspace, tmp_path):
    """Herts + Cambs (no [area]): Bedfordshire and Met rows are out of area, not rejected."""
    summary = ingest_incidents(workspace, _three_forces(tmp_path))
    assert summary.counts["rejected"] == 0 and summary.reasons == {}
    assert summary.locations == {"located": 2, "out_of_area": 4, "unlocated_missing": 1}
    rows = _stored(workspace)
    forces = rows["force"].dropna().value_counts().to_dict()
    assert forces == {"Hertfordshire": 2, "Bedfordshire": 2, "Metropolitan Police": 2}
    for ref, (_, _, lsoa, _) in PLACES.items():
        assert rows.loc[ref, "lsoa_code"] == lsoa, ref


def test_national_geography_is_built_only_when_needed(herts, tmp_path, monkeypatch):
    """A file wholly inside the workspace's area never builds England and Wales."""

    def refuse():
        raise AssertionError("national geography built for a file inside the area")

    monkeypatch.setattr("geo.geography.national_locate.national_geography", refuse)
    inside = [incident(ref, latitude=lat, longitude=lon) for ref, (lat, lon, *_) in PLACES.items()]
    path = write_csv(tmp_path / "inside.csv", inside[:2])
    summary = ingest_incidents(herts, path)
    assert summary.locations == {"located": 2}


def test_police_uk_file_of_another_force_keeps_its_lsoas(tmp_path, open_data):
    """The tests' police.uk-format Hertfordshire file (real GIAS school points, their DfE
    LSOA codes) ingested into a Cambridgeshire workspace: no row rejected for its location,
    every located row out of area with its real LSOA and force."""
    from tests.test_police_uk import _street_file

    root = tmp_path / "cambs"
    assert main(["init", "--workspace", str(root), "--force", "cambridgeshire"]) == 0
    workspace = Workspace.open(root, create=False)
    path, frame = _street_file(open_data, tmp_path)
    summary = ingest_incidents(workspace, path, fmt="police-uk")
    assert summary.counts["rejected"] == 0 and summary.reasons == {}
    assert summary.locations == {"out_of_area": len(frame) - 1, "unlocated_missing": 1}
    rows = _stored(workspace)
    away = rows[rows["location_status"] == "out_of_area"]
    assert (away["force"] == "Hertfordshire").all()
    given = away["attributes"].map(lambda a: json.loads(a).get("source_lsoa_code"))
    comparable = given.isin(national_areas()["lsoa_code"])
    share = (away["lsoa_code"][comparable] == given[comparable]).mean()
    assert comparable.sum() > 150
    assert share > 0.8  # as in the workspace's own area (test_police_uk_lsoa_agreement)
