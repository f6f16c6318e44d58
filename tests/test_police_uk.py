"""data.police.uk street-level files: read natively, stored as context crime.

The project ships no police.uk file, so the test builds one in the real format
(same columns, month, anonymised-style points) from real GIAS school locations, whose
LSOA codes come from DfE.
"""

from __future__ import annotations

import json
import sqlite3

import pandas as pd

from geo.ingest.incidents import ingest_incidents
from geo.ingest.police_uk import COLUMNS


def _street_file(open_data, tmp_path):
    schools = pd.read_csv(open_data / "schools_gias_herts_cambs.csv", dtype=str)
    schools = schools[schools["LA (code)"] == "919"].head(200)  # Hertfordshire
    frame = pd.DataFrame(
        {
            "Crime ID": [f"{i:064x}" for i in range(len(schools))],
            "Month": "2024-05",
            "Reported by": "Hertfordshire Constabulary",
            "Falls within": "Hertfordshire Constabulary",
            "Longitude": schools["Longitude"].to_numpy(),
            "Latitude": schools["Latitude"].to_numpy(),
            "Location": "On or near " + schools["EstablishmentName"].to_numpy(),
            "LSOA code": schools["LSOA (code)"].to_numpy(),
            "LSOA name": "",
            "Crime type": "Violence and sexual offences",
            "Last outcome category": "Under investigation",
            "Context": "",
        }
    )
    # anti-social behaviour rows have no Crime ID; two of them are identical
    asb = frame.head(3).copy()
    asb["Crime ID"] = ""
    asb["Crime type"] = "Anti-social behaviour"
    asb["Last outcome category"] = ""
    asb.iloc[2] = asb.iloc[1]
    nowhere = frame.head(1).copy()
    nowhere[["Crime ID", "Longitude", "Latitude", "Location"]] = ["ffff", "", "", "No location"]
    out = pd.concat([frame, asb, nowhere], ignore_index=True)[list(COLUMNS)]
    path = tmp_path / "2024-05-hertfordshire-street.csv"
    out.to_csv(path, index=False)
    return path, out


def test_police_uk_rows_are_context_crime_with_stable_references(workspace, tmp_path, open_data):
    path, frame = _street_file(open_data, tmp_path)
    first = ingest_incidents(workspace, path, fmt="police-uk")
    # issue #15: the row without a location is kept as unlocated_missing, not rejected
    assert first.counts == {"ingested": len(frame), "updated": 0, "unchanged": 0, "rejected": 0}
    assert first.reasons == {}
    assert first.locations == {"located": len(frame) - 1, "unlocated_missing": 1}
    again = ingest_incidents(workspace, path, fmt="police-uk")
    assert again.counts["unchanged"] == len(frame)  # generated references are stable
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    rows = pd.read_sql("select * from incidents", con)
    con.close()
    assert (rows["record_type"] == "context").all() and not rows["is_hate"].any()
    assert rows["strands"].isna().all()
    asb = rows[rows["offence"] == "Anti-social behaviour"]
    assert len(asb) == 3 and asb["reference"].str.startswith("pu-").all()
    assert asb["reference"].is_unique  # identical rows stay distinct records
    assert set(rows["recorded_at"]) == {"2024-05-01T00:00:00"}


def test_police_uk_lsoa_agreement(workspace, tmp_path, open_data, default_geography):
    """Share of points our point-in-polygon puts in the LSOA the file itself names."""
    path, _ = _street_file(open_data, tmp_path)
    ingest_incidents(workspace, path, fmt="police-uk")
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    rows = pd.read_sql("select lsoa_code, attributes from incidents", con)
    con.close()
    given = rows["attributes"].map(lambda a: json.loads(a).get("source_lsoa_code"))
    comparable = given.isin(default_geography.lsoas["lsoa_code"])
    share = (rows["lsoa_code"][comparable] == given[comparable]).mean()
    assert comparable.sum() > 150
    assert share > 0.8  # super-generalised default; an imported 20 m file does better
