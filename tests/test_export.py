import csv

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import main
from geo.export import neutralise_formulas
from geo.ingest.incidents import ingest_incidents
from tests.conftest import incident, write_csv


@pytest.fixture
def filled(workspace, tmp_path):
    rows = [
        incident("A1", offence='=HYPERLINK("http://evil.example","x")'),
        incident("A2", strands="race;religion", location_type="Bus"),
        incident(
            "A3",
            record_type="incident",
            online="yes",
            location_type="Social media",
            description="messages sent on social media",
        ),
    ]
    ingest_incidents(workspace, write_csv(tmp_path / "in.csv", rows))
    street = tmp_path / "street.csv"
    pd.DataFrame(
        {
            "Crime ID": ["abc"],
            "Month": ["2024-05"],
            "Longitude": ["-0.396541"],
            "Latitude": ["51.663529"],
            "Crime type": ["Public order"],
        }
    ).to_csv(street, index=False)
    ingest_incidents(workspace, street, fmt="police-uk")
    return workspace


def test_csv_export_neutralises_formulas_and_keeps_geocoded_fields(filled, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["export", "incidents", "--workspace", str(filled.root), "--out", str(out)]) == 0
    assert "wrote 3 records" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["reference"] for r in rows] == ["A1", "A2", "A3"]
    assert rows[0]["offence"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["csp_code"] == "E07000103" and rows[0]["force"] == "Hertfordshire"
    assert float(rows[0]["longitude"]) == pytest.approx(-0.396541, abs=1e-5)
    assert rows[1]["settings"] == "public_transport"
    assert rows[2]["settings"] == "online" and rows[2]["record_type"] == "incident"
    for sensitive in ("description", "victim_key", "victim_id"):
        assert sensitive not in rows[0]


def test_include_context_and_geo_formats(filled, tmp_path):
    gpkg = tmp_path / "out.gpkg"
    assert (
        main(
            [
                "export",
                "incidents",
                "--workspace",
                str(filled.root),
                "--include-context",
                "--out",
                str(gpkg),
            ]
        )
        == 0
    )
    layer = gpd.read_file(gpkg)
    assert len(layer) == 4 and layer.crs.to_epsg() == 27700  # GeoPackage in BNG, GeoJSON in WGS84
    assert set(layer["record_type"]) == {"crime", "incident", "context"}
    geojson = tmp_path / "out.geojson"
    assert (
        main(["export", "incidents", "--workspace", str(filled.root), "--out", str(geojson)]) == 0
    )
    assert len(gpd.read_file(geojson)) == 3
    bad = tmp_path / "out.xlsx"
    assert main(["export", "incidents", "--workspace", str(filled.root), "--out", str(bad)]) == 2


def test_neutralise_leaves_numbers_alone():
    frame = pd.DataFrame(
        {"a": ["-0.39", "+44", "=1+1", "@SUM(A1)", "ok", None], "n": [1, -2, 3, 4, 5, 6]}
    )
    out = neutralise_formulas(frame)
    assert list(out["a"][:5]) == ["-0.39", "+44", "'=1+1", "'@SUM(A1)", "ok"]
    assert pd.isna(out["a"][5])
    assert list(out["n"]) == [1, -2, 3, 4, 5, 6]
