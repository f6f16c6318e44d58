"""`tensionmap demo --no-serve` builds a usable workspace end to end (what `make demo` runs)."""

import json
import re

import pandas as pd
import pytest

from geo.cli import main


@pytest.mark.slow
def test_demo_builds_a_usable_workspace(demo_built, capsys):
    ws, out = demo_built
    assert "import ONS 20 m boundaries" in out and "ingest the scenario" in out
    assert "rejected=0" in out
    assert "sign in as tactical / tactical-demo" in out
    assert re.search(r"\d+ tension alert\(s\) from \d{4}-\d\d-\d\d to", out)
    truth = json.loads((ws / "demo" / "truth.json").read_text())
    assert len(truth["episodes"]) == 6
    assert (ws / "outputs" / "incidents.gpkg").exists()
    alerts = pd.read_csv(ws / "outputs" / "tension_alerts.csv")
    latest = max(truth["episodes"], key=lambda e: e["onset"])
    assert ((alerts["strand"] == latest["strand"]) & alerts["level"].isin(["medium", "high"])).any()
    assert main(["status", "--workspace", str(ws)]) == 0
    status = capsys.readouterr().out
    assert "boundaries: imported from lsoa_2011_bgc_herts_cambs.geojson" in status
    assert "school: 989" in status
    assert re.search(r"transport: 1123\d", status)  # 1-2 stops lie just outside the area
    assert main(["triggers", "--workspace", str(ws)]) == 0
    assert "2016-06-24 EU referendum result (national)" in capsys.readouterr().out
    assert main(["users", "--workspace", str(ws)]) == 0
    assert capsys.readouterr().out.split() == [
        "analyst", "analyst", "partner", "partner", "prevention", "prevention",
        "tactical", "tactical",
    ]  # fmt: skip
