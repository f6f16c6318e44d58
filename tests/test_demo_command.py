"""`tensionmap demo --no-serve` builds a usable workspace end to end (what `make demo` runs)."""

import json
import re

import pytest

from geo.cli import main


@pytest.mark.slow
def test_demo_builds_a_usable_workspace(tmp_path, capsys):
    ws = tmp_path / "demo"
    assert main(["demo", "--workspace", str(ws), "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "import ONS 20 m boundaries" in out and "ingest the scenario" in out
    assert "rejected=0" in out
    truth = json.loads((ws / "demo" / "truth.json").read_text())
    assert len(truth["episodes"]) == 6
    assert (ws / "outputs" / "incidents.gpkg").exists()
    assert main(["status", "--workspace", str(ws)]) == 0
    status = capsys.readouterr().out
    assert "boundaries: imported from lsoa_2011_bgc_herts_cambs.geojson" in status
    assert "school: 989" in status
    assert re.search(r"transport: 1123\d", status)  # 1-2 stops lie just outside the area

    import dash

    from dashboard import data, figures
    from dashboard.app import create_app
    from geo.config import Workspace

    app = create_app(Workspace.open(ws))
    assert app.title == "tensionmap"
    overview = next(p for p in dash.page_registry.values() if p["path"] == "/")
    assert "Strand markers by Community Safety Partnership" in str(overview["layout"]())
    religion = data.lsoa_counts("religion")
    every = data.lsoa_counts(None)
    assert 0 < religion["records"].sum() < every["records"].sum() == 19258
    assert len(every) == 1177  # zero-count LSOAs included
    drawn = figures.lsoa_map(religion, title="religion", tile_url="", map_id="t")
    leaflet = drawn.children[1]
    features = [f for layer in leaflet.children[1:] for f in layer.data["features"]]
    assert len(features) == 1177  # every LSOA drawn once, in one colour class
    assert "records" in features[0]["properties"]["tooltip"]
    table = data.csp_strand_table()
    assert table["all records"].sum() == 19258
    assert "description" not in data.incidents().columns
