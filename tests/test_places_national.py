"""Places for any area (#15): national-shaped GIAS, NaPTAN and Open Pubs files.

The files are generated here in the national downloads' shapes (GIAS "all
establishments" in cp1252 with its ``(name)`` columns, NaPTAN ``Stops.csv``, a headerless
Open Pubs extract): nothing is downloaded. An area workspace keeps what lies in its area
or within 2 km of its edge, drops closed schools and inactive stops, and counts every
row read as kept or dropped with its reason.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.cli import main
from geo.config import Workspace
from geo.geography import load_geography, national_areas
from geo.geography.geocoder import to_wgs84
from geo.ingest.places import BUFFER_M, ingest_places

LEEDS = (430_000.0, 433_500.0)
BRADFORD = (416_500.0, 433_000.0)
WAKEFIELD = (433_500.0, 420_700.0)
CARDIFF = (318_000.0, 176_000.0)
CAMBRIDGE = (545_000.0, 258_000.0)
WATFORD = (510_600.0, 197_300.0)

GIAS_COLUMNS = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (name)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (name)", "PhaseOfEducation (name)", "StatutoryLowAge",
    "StatutoryHighAge", "NumberOfPupils", "PercentageFSM", "Street", "Town", "Postcode",
    "Easting", "Northing",
]  # fmt: skip
NAPTAN_COLUMNS = [
    "ATCOCode", "NaptanCode", "CommonName", "Street", "Indicator", "LocalityName",
    "Town", "Easting", "Northing", "Longitude", "Latitude", "StopType", "BusStopType",
    "AdministrativeAreaCode", "Status",
]  # fmt: skip


def _west_of(area, metres: float) -> tuple[float, float]:
    """A point ``metres`` due west of the area's westmost vertex (that far from the area)."""
    coords = shapely.get_coordinates(area)
    x, y = coords[np.argmin(coords[:, 0])]
    return float(x - metres), float(y)


@pytest.fixture(scope="module")
def west_yorkshire(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("wy") / "ws"
    assert main(["init", "--workspace", str(root), "--force", "west-yorkshire"]) == 0
    return Workspace.open(root, create=False)


@pytest.fixture(scope="module")
def near_and_far(west_yorkshire):
    """Points 1 km (in the buffer) and 3 km (beyond it) outside West Yorkshire."""
    area = shapely.union_all(load_geography(west_yorkshire.geography_dir).lsoas.geometry.values)
    return _west_of(area, 1_000.0), _west_of(area, 3 * BUFFER_M / 2)


def _write(path: Path, header: list[str] | None, rows: list[dict], encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        if header:
            writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in (header or list(row))])
    return path


def _school(urn: str, name: str, point, status: str = "Open") -> dict[str, str]:
    east, north = ("", "") if point is None else (f"{point[0]:.0f}", f"{point[1]:.0f}")
    return {
        "URN": urn, "LA (code)": "383", "LA (name)": "Leeds", "EstablishmentName": name,
        "TypeOfEstablishment (name)": "Voluntary aided school",
        "EstablishmentTypeGroup (name)": "Local authority maintained schools",
        "EstablishmentStatus (name)": status, "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "4", "StatutoryHighAge": "11", "NumberOfPupils": "210",
        "Postcode": "", "Easting": east, "Northing": north,
    }  # fmt: skip


def _gias(path: Path, buffer_point, far_point) -> Path:
    rows = [
        _school("100001", "St Mary’s Catholic Primary School", LEEDS),
        _school("100002", "Bradford Grammar School", BRADFORD),
        _school("100003", "Wakefield Closed Infants", WAKEFIELD, "Closed"),
        _school("100004", "Ysgol Gymraeg Treganna", CARDIFF),
        _school("100005", "Border Church of England School", buffer_point),
        _school("100006", "Beyond the Border Academy", far_point),
        _school("100007", "Proposed School", None, "Proposed to open"),
    ]
    return _write(path / "edubasealldata20250524.csv", GIAS_COLUMNS, rows, "cp1252")


def _stop(atco: str, name: str, point, stop_type: str = "BCT", status: str = "active"):
    lon, lat = to_wgs84(np.array([point[0]]), np.array([point[1]]))
    return {
        "ATCOCode": atco, "NaptanCode": atco[-8:], "CommonName": name, "Indicator": "Stop A",
        "Easting": f"{point[0]:.0f}", "Northing": f"{point[1]:.0f}",
        "Longitude": f"{lon[0]:.6f}", "Latitude": f"{lat[0]:.6f}", "StopType": stop_type,
        "BusStopType": "MKD" if stop_type == "BCT" else "", "Status": status,
    }  # fmt: skip


def _naptan(path: Path, buffer_point, far_point) -> Path:
    rows = [
        _stop("450010001", "Leeds Bus Station", LEEDS, "BCS"),
        _stop("9100LEEDS", "Leeds Rail Station", (429_900.0, 433_300.0), "RLY"),
        _stop("450010002", "Bradford Interchange", BRADFORD),
        _stop("450010003", "Old Wakefield Stop", WAKEFIELD, status="inactive"),
        _stop("0500CCITY001", "Cambridge Drummer Street", CAMBRIDGE),
        _stop("2100WATFORD1", "Watford High Street", WATFORD),
        _stop("2500BORDER01", "Border Lane", buffer_point),
        _stop("2500BEYOND01", "Beyond Lane", far_point, status="inactive"),
        _stop("2500BEYOND02", "Beyond Road", far_point),
    ]
    return _write(path / "Stops.csv", NAPTAN_COLUMNS, rows, "utf-8")


def _pub(fas_id: str, name: str, point, postcode: str = "LS1 1AA") -> dict[str, str]:
    if point is None:  # Open Pubs' unmatched postcode: dummy easting/northing, null lat/long
        east, north, lat, lon = "622675", "-5527598", "\\N", "\\N"
    else:
        east, north = f"{point[0]:.0f}", f"{point[1]:.0f}"
        lon_a, lat_a = to_wgs84(np.array([point[0]]), np.array([point[1]]))
        lon, lat = f"{lon_a[0]:.6f}", f"{lat_a[0]:.6f}"
    return {
        "fas_id": fas_id, "name": name, "address": f"1 High Street, {name}",
        "postcode": postcode, "easting": east, "northing": north, "latitude": lat,
        "longitude": lon, "local_authority": "Leeds",
    }  # fmt: skip


def _open_pubs(path: Path) -> Path:
    rows = [
        _pub("300001", "The Angel", LEEDS),
        _pub("300002", "The Cock & Bottle", BRADFORD),
        _pub("300003", "The Eagle", CAMBRIDGE),
        _pub("300004", "The Nowhere Inn", None, postcode="ZZ99 9ZZ"),
    ]
    return _write(path / "open_pubs.csv", None, rows, "utf-8")  # no header row, as downloaded


def _places(ws: Workspace) -> pd.DataFrame:
    con = sqlite3.connect(ws.root / "tensionmap.sqlite")
    try:
        return pd.read_sql("select * from places", con)
    finally:
        con.close()


def test_national_gias_file_filtered_to_a_force_and_2_km(west_yorkshire, near_and_far, tmp_path):
    path = _gias(tmp_path, *near_and_far)
    assert path.read_bytes().count("St Mary’s".encode("cp1252")) == 1
    summary = ingest_places(west_yorkshire, path, kind="schools")
    assert summary.encoding == "cp1252"
    assert summary.rows == 7 and summary.kept == 3
    assert summary.counts == {"ingested": 3, "updated": 0, "unchanged": 0, "rejected": 4}
    assert summary.reasons == {"closed": 1, "no_location": 1, "outside_area": 2}
    assert summary.places_line() == (
        "read=7 kept=3 dropped=4 (closed=1, no_location=1, outside_area=2)"
    )
    schools = _places(west_yorkshire).set_index("source_id")
    assert schools.loc["100001", "name"] == "St Mary’s Catholic Primary School"
    assert schools.loc[["100001", "100002"], "force"].tolist() == ["West Yorkshire"] * 2
    # the school 1 km over the border is kept for its neighbours, with its real areas
    border = schools.loc["100005"]
    real = national_areas().set_index("lsoa_code").loc[border["lsoa_code"]]
    assert (border["force"], real["district_name"]) == ("Lancashire", "Rossendale")
    assert (border["district_code"], border["csp_code"]) == (
        real["district_code"], real["csp_code"],
    )  # fmt: skip
    assert (border["easting"], border["northing"]) == tuple(round(v) for v in near_and_far[0])
    # the rows to fix are listed in the rejects CSV; those outside the area or closed are
    # counted only (a national file's other areas are not errors)
    rejects = pd.read_csv(summary.rejects_path, dtype=str, encoding="utf-8-sig")
    assert rejects[["row_number", "reason", "URN"]].values.tolist() == [
        ["8", "no_location", "100007"]
    ]
    con = sqlite3.connect(west_yorkshire.root / "tensionmap.sqlite")
    try:
        batch = pd.read_sql(
            f"select rows, ingested, rejected from ingest_batches where id = {summary.batch_id}",
            con,
        )
    finally:
        con.close()
    assert batch.iloc[0].tolist() == [7, 3, 4]


def test_national_naptan_stops_drop_inactive_and_other_counties(
    west_yorkshire, near_and_far, tmp_path
):
    summary = ingest_places(west_yorkshire, _naptan(tmp_path, *near_and_far), kind="transport")
    assert summary.rows == 9 and summary.kept == 4
    assert summary.reasons == {"inactive": 2, "outside_area": 3}
    assert summary.places_line() == "read=9 kept=4 dropped=5 (inactive=2, outside_area=3)"
    stops = _places(west_yorkshire)
    stops = stops[stops["kind"] == "transport"].set_index("source_id")
    assert sorted(stops.index) == ["2500BORDER01", "450010001", "450010002", "9100LEEDS"]
    assert stops.loc["9100LEEDS", "subtype"] == "rail_station"
    again = ingest_places(west_yorkshire, _naptan(tmp_path, *near_and_far), kind="transport")
    assert again.counts == {"ingested": 0, "updated": 0, "unchanged": 4, "rejected": 5}


def test_headerless_open_pubs_extract(west_yorkshire, tmp_path):
    summary = ingest_places(west_yorkshire, _open_pubs(tmp_path), kind="nte")
    assert summary.rows == 4
    assert summary.reasons == {"outside_area": 1, "unknown_postcode": 1}
    assert summary.places_line() == ("read=4 kept=2 dropped=2 (outside_area=1, unknown_postcode=1)")
    pubs = _places(west_yorkshire)
    pubs = pubs[pubs["kind"] == "nte"].set_index("source_id")
    assert pubs.loc["300001", "name"] == "The Angel"  # the first line is a row, not a header
    rejects = pd.read_csv(summary.rejects_path, dtype=str, encoding="utf-8-sig")
    assert rejects[["row_number", "reason"]].values.tolist() == [["4", "unknown_postcode"]]


def test_ingest_places_prints_read_kept_dropped(west_yorkshire, near_and_far, tmp_path, capsys):
    path = _gias(tmp_path, *near_and_far)
    args = ["ingest", "places", str(path), "--kind", "schools"]
    assert main([*args, "--workspace", str(west_yorkshire.root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "read=7 kept=3 dropped=4 (closed=1, no_location=1, outside_area=2)"
    assert "rejected by reason: closed=1, no_location=1, outside_area=2" in out
    assert "note: edubasealldata20250524.csv was read as cp1252, not UTF-8" in out


def test_default_workspace_keeps_its_area_unchanged(workspace, near_and_far, tmp_path):
    """With no [area] (Hertfordshire and Cambridgeshire), places inside the area are kept
    as before: no 2 km buffer and no status filter; every row is still accounted for."""
    summary = ingest_places(workspace, _naptan(tmp_path, *near_and_far), kind="transport")
    assert summary.places_line() == "read=9 kept=2 dropped=7 (outside_area=7)"
    stops = _places(workspace).set_index("source_id")
    assert sorted(stops.index) == ["0500CCITY001", "2100WATFORD1"]
    assert set(stops["force"]) == {"Cambridgeshire", "Hertfordshire"}


def test_fhrs_extract_columns(west_yorkshire, tmp_path):
    header = [
        "FHRSID", "LocalAuthorityBusinessID", "BusinessName", "BusinessType", "AddressLine1",
        "PostCode", "RatingValue", "LocalAuthorityName", "Geocode/Longitude",
        "Geocode/Latitude",
    ]  # fmt: skip
    rows = []
    for fhrs_id, name, point in (("700001", "Whitelock's Ale House", LEEDS),
                                 ("700002", "The Mill Road Tavern", CAMBRIDGE)):  # fmt: skip
        lon, lat = to_wgs84(np.array([point[0]]), np.array([point[1]]))
        rows.append({
            "FHRSID": fhrs_id, "BusinessName": name, "BusinessType": "Pub/bar/nightclub",
            "AddressLine1": "Turk's Head Yard", "PostCode": "LS1 6HB", "RatingValue": "5",
            "LocalAuthorityName": "Leeds", "Geocode/Longitude": f"{lon[0]:.6f}",
            "Geocode/Latitude": f"{lat[0]:.6f}",
        })  # fmt: skip
    summary = ingest_places(
        west_yorkshire, _write(tmp_path / "fhrs.csv", header, rows, "utf-8"), kind="nte"
    )
    assert summary.places_line() == "read=2 kept=1 dropped=1 (outside_area=1)"
    pubs = _places(west_yorkshire).set_index("source_id")
    assert pubs.loc["700001", ["name", "subtype", "force"]].tolist() == [
        "Whitelock's Ale House", "pub/bar/nightclub", "West Yorkshire",
    ]  # fmt: skip
    assert '"rating": "5"' in pubs.loc["700001", "attributes"]


def test_seed_files_in_a_two_force_area_workspace(tmp_path, open_data):
    """The shared Hertfordshire and Cambridgeshire extracts in an area workspace of the two
    forces: the school 1.4 km into King's Lynn is kept by the 2 km buffer, the 1,057
    inactive stops are dropped, and the one pub with Somerset coordinates is outside."""
    root = tmp_path / "ws"
    init = ["init", "--workspace", str(root), "--force", "hertfordshire"]
    assert main([*init, "--force", "cambridgeshire"]) == 0
    ws = Workspace.open(root, create=False)
    lines = {
        kind: ingest_places(ws, open_data / name, kind=kind).places_line()
        for kind, name in (
            ("schools", "schools_gias_herts_cambs.csv"),
            ("transport", "naptan_stops_herts_cambs.csv"),
            ("nte", "nte_pubs_herts_cambs.csv"),
        )
    }
    assert lines == {
        "schools": "read=990 kept=990 dropped=0",
        "transport": "read=11232 kept=10175 dropped=1057 (inactive=1057)",
        "nte": "read=1365 kept=1364 dropped=1 (outside_area=1)",
    }
    places = _places(ws).set_index("source_id")
    beaupre = places.loc["110643"]  # GIAS: King's Lynn and West Norfolk, 1.4 km from Fenland
    assert beaupre["name"] == "Beaupre Community Primary School"
    # kept by the buffer with its real areas: the LSOA the GIAS file itself gives
    assert beaupre[["lsoa_code", "district_code", "force"]].tolist() == [
        "E01026659", "E07000146", "Norfolk",
    ]  # fmt: skip
