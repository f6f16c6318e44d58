import json
import sqlite3

import pandas as pd

from geo.ingest.places import ingest_places


def _places(workspace) -> pd.DataFrame:
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    try:
        return pd.read_sql("select * from places", con)
    finally:
        con.close()


def test_real_gias_naptan_and_pubs_files(workspace, open_data):
    schools = ingest_places(workspace, open_data / "schools_gias_herts_cambs.csv", kind="schools")
    assert schools.rows == 990
    # one Cambridgeshire-LA school lies in King's Lynn and West Norfolk, outside the area
    assert schools.counts == {"ingested": 989, "updated": 0, "unchanged": 0, "rejected": 1}
    assert schools.reasons == {"outside_area": 1}
    stops = ingest_places(workspace, open_data / "naptan_stops_herts_cambs.csv", kind="transport")
    assert stops.rows == 11232 and sum(stops.counts.values()) == 11232
    assert stops.counts["ingested"] >= 11200
    pubs = ingest_places(workspace, open_data / "nte_pubs_herts_cambs.csv", kind="nte")
    assert pubs.rows == 1365 and sum(pubs.counts.values()) == 1365
    places = _places(workspace)
    by_kind = places.groupby("kind").size().to_dict()
    assert by_kind["school"] == 989
    rail = places[(places["kind"] == "transport") & (places["subtype"] == "rail_station")]
    assert 70 <= len(rail) <= 75
    watford_junction = rail[rail["name"].str.contains("Watford Junction")]
    assert set(watford_junction["csp_code"]) == {
        "E07000103"
    }  # NaPTAN lists the station twice (WATFDJ, WATFJDC)
    # pubs without coordinates in the file are geocoded from their postcode
    assert places[places["kind"] == "nte"]["easting"].notna().all()
    again = ingest_places(workspace, open_data / "schools_gias_herts_cambs.csv", kind="schools")
    assert again.counts["unchanged"] == 989


def test_school_attributes_kept(workspace, open_data):
    ingest_places(workspace, open_data / "schools_gias_herts_cambs.csv", kind="schools")
    schools = _places(workspace)
    phases = set(schools["subtype"].dropna())
    assert {"Primary", "Secondary"} <= phases
    attrs = pd.json_normalize(schools["attributes"].map(json.loads))
    assert "pupils" in attrs.columns and "type" in attrs.columns
