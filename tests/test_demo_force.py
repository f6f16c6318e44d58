"""`tensionmap demo --force NAME` and `demo generate --force NAME` for any force (#15).

A force other than the seed forces (Hertfordshire, Cambridgeshire) gets a scenario on its
own LSOAs at the national rate of police-recorded hate crime: 145,214 crimes in England
and Wales in 2022/23 over 59,597,300 Census 2021 residents.
"""

from __future__ import annotations

import json
import re
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.demo.generator import generate
from geo.geography.areas import load_geography
from geo.geography.geocoder import geocode
from geo.geography.national_locate import national_geography
from geo.geography.population import lsoa_population

#: Published figures, written out here rather than read from geo.demo.calibration.
CRIMES_2022_23 = 145_214
CRIMES_2019_20 = 105_090
RESIDENTS_2021 = 59_597_300
LSOAS_2011 = 34_753


def _expected_residents(force: str) -> float:
    """Census residents where a workspace has them; else LSOAs × the national mean."""
    geo = load_geography(area={"forces": [force]})
    residents, source = lsoa_population(geo)
    if source.startswith("Census"):
        return float(residents.sum())
    return len(geo.lsoas) * RESIDENTS_2021 / LSOAS_2011


def _areas(frame: pd.DataFrame) -> pd.DataFrame:
    """Each record's LSOA and force on the national geography, with no snapping."""
    cols = frame[["latitude", "longitude", "easting", "northing"]].assign(postcode="")
    return geocode(cols, national_geography(), snap_m=0).frame


@pytest.fixture(scope="module")
def dyfed_powys(tmp_path_factory):
    out = tmp_path_factory.mktemp("dyfed") / "scenario"
    args = ["demo", "generate", "--force", "dyfed-powys", "--out", str(out)]
    assert main([*args, "--from", "2019-01-01", "--to", "2019-12-31", "--seed", "5"]) == 0
    frame = pd.read_csv(out / "incidents.csv", dtype=str, keep_default_na=False)
    return frame, json.loads((out / "truth.json").read_text())


def test_volumes_are_residents_at_the_national_rate(dyfed_powys):
    frame, truth = dyfed_powys
    residents = _expected_residents("Dyfed-Powys")
    assert truth["force"] == "Dyfed-Powys"
    assert truth["residents"] == pytest.approx(residents, abs=0.1)
    assert truth["rate_per_1000"] == pytest.approx(2.4366, abs=1e-4)  # about 2.4 per 1,000
    # 2019 is 2022/23's rate moved along the national series (105,090 / 145,214)
    crimes = residents * CRIMES_2022_23 / RESIDENTS_2021 * CRIMES_2019_20 / CRIMES_2022_23
    counts = frame["record_type"].value_counts()
    assert counts["crime"] == round(crimes)
    assert counts["incident"] == round(crimes * 0.26 / 0.74)  # 26 % of records
    assert truth["extrapolated_periods"] == ["Dyfed-Powys 2019"]
    assert any("145,214 crimes over 59,597,300 Census 2021 residents" in n for n in truth["notes"])


def test_national_strand_mix(dyfed_powys):
    frame, _ = dyfed_powys
    markers = frame["strands"].str.split(";").explode().value_counts()
    published = {"race": 101_906, "religion": 8_241, "sexual_orientation": 24_102,
                 "disability": 13_777, "transgender": 4_732}  # fmt: skip
    total = sum(published.values())
    for strand, count in published.items():
        assert markers[strand] / markers.sum() == pytest.approx(count / total, abs=0.01), strand


def test_every_record_in_the_force_with_planted_truth(dyfed_powys):
    frame, truth = dyfed_powys
    found = _areas(frame)
    assert found["reason"].eq("").all()
    assert set(found["force"]) == {"Dyfed-Powys"}
    assert frame["reference"].str.startswith("DP-2019-").all()
    dyfed = set(load_geography(area={"forces": ["Dyfed-Powys"]}).lsoas["lsoa_code"])
    assert len(truth["hotspots"]) == 3
    for spot in truth["hotspots"]:
        assert spot["lsoa_code"] in dyfed and spot["force"] == "Dyfed-Powys"
        moved = frame["reference"].isin(spot["references"]).to_numpy()
        assert set(found.loc[moved, "lsoa_code"]) == {spot["lsoa_code"]}
    assert truth["episodes"] == []  # a single year: episodes need a year of normal first
    assert 0.2 <= truth["repeat_victims"]["share_of_victims_repeated_within_a_year"] <= 0.3
    # no places without a workspace: every kind synthetic, and the notes say so
    assert sum("synthetic places" in n for n in truth["notes"]) == 5


def test_records_per_year_honoured_exactly(tmp_path):
    out = tmp_path / "scenario"
    args = ["demo", "generate", "--force", "Warwickshire Police", "--out", str(out)]
    assert main([*args, "--from", "2018-01-01", "--to", "2019-12-31",
                 "--records-per-year", "700"]) == 0  # fmt: skip
    frame = pd.read_csv(out / "incidents.csv", dtype=str, keep_default_na=False)
    per_year = frame.groupby(frame["recorded_at"].str[:4])["record_type"].value_counts()
    assert per_year.to_dict() == {
        ("2018", "crime"): 518, ("2018", "incident"): 182,
        ("2019", "crime"): 518, ("2019", "incident"): 182,
    }  # fmt: skip
    truth = json.loads((out / "truth.json").read_text())
    assert truth["records_per_year"] == 700 and truth["extrapolated_periods"] == []
    assert len(truth["episodes"]) == 3  # two years: the second has the episodes
    assert set(_areas(frame)["force"]) == {"Warwickshire"}


def test_imported_census_residents_set_the_volumes(tmp_path):
    geo = load_geography(area={"forces": ["Warwickshire"]})
    folder = tmp_path / "geography"
    folder.mkdir()
    codes = geo.lsoas["lsoa_code"]
    residents = np.where(np.arange(len(codes)) % 2 == 0, 1500, 2500)  # as a workspace stores it
    pd.DataFrame({"lsoa_code": codes, "population": residents}).to_csv(
        folder / "population.csv", index=False
    )
    scenario = generate(geo, force="Warwickshire", start=date(2019, 1, 1),
                        end=date(2019, 12, 31), geography_dir=folder)  # fmt: skip
    assert scenario.truth["residents"] == residents.sum()
    assert scenario.truth["residential_weights"].startswith("residents: Census usual residents")
    crimes = residents.sum() * CRIMES_2022_23 / RESIDENTS_2021 * CRIMES_2019_20 / CRIMES_2022_23
    assert (scenario.incidents["record_type"] == "crime").sum() == round(crimes)


def test_imported_places_are_used(tmp_path):
    geo = load_geography(area={"forces": ["Warwickshire"]})
    lsoas = geo.lsoas.assign(point=list(geo.inner_points))
    first = lsoas.groupby("csp_code").head(1)  # one school in each CSP
    schools = pd.DataFrame(
        {
            "kind": "school",
            "subtype": "Primary",
            "name": [f"School {i}" for i in range(len(first))],
            "easting": [p[0] for p in first["point"]],
            "northing": [p[1] for p in first["point"]],
        }
    )
    scenario = generate(geo, force="Warwickshire", start=date(2019, 1, 1),
                        end=date(2019, 12, 31), places_table=schools)  # fmt: skip
    notes = " | ".join(scenario.notes)
    assert "no schools imported" not in notes
    assert "no rail stations imported into the workspace (tensionmap ingest places)" in notes
    at_school = scenario.incidents["reference"].isin(scenario.truth["settings"]["school"])
    xy = _areas(scenario.incidents[at_school])[["easting", "northing"]].to_numpy(float)
    sites = schools[["easting", "northing"]].to_numpy(float)
    nearest = np.min(np.hypot(*(xy[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)), axis=1)
    assert len(xy) > 50 and nearest.max() < 500  # drawn around the imported schools


def test_unknown_force_names_the_closest(tmp_path, capsys):
    out = tmp_path / "scenario"
    assert main(["demo", "generate", "--force", "West Yorks", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "error: No police force area in England and Wales is called 'West Yorks'. "
        "Did you mean 'West Yorkshire' or 'South Yorkshire'?\n"
    )
    assert not out.exists()
    ws = tmp_path / "ws"
    assert main(["demo", "--force", "Thames Vally", "--workspace", str(ws), "--no-serve"]) == 2
    assert capsys.readouterr().err == (
        "error: No police force area in England and Wales is called 'Thames Vally'. "
        "Did you mean 'Thames Valley'?\n"
    )
    assert not ws.exists()


def test_a_workspace_with_imported_boundaries_is_left_alone(tmp_path, capsys):
    from geo.config import Workspace

    ws = Workspace.open(tmp_path / "ws")
    ws.geography_dir.mkdir(parents=True, exist_ok=True)
    (ws.geography_dir / "lsoa.gpkg").write_bytes(b"")  # the seed demo's imported LSOAs
    settings = (ws.root / "tensionmap.toml").read_text()
    args = ["demo", "--force", "Warwickshire", "--workspace", str(ws.root), "--no-serve"]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"error: The workspace {ws.root} has imported LSOA boundaries (geography/lsoa.gpkg), "
        "which replace its area's: build the demo for Warwickshire in a new workspace "
        "(--workspace DIR).\n"
    )
    assert (ws.root / "tensionmap.toml").read_text() == settings  # no [area] written


def test_seed_forces_keep_their_calibration(tmp_path, capsys):
    out = tmp_path / "scenario"
    args = ["demo", "generate", "--out", str(out), "--from", "2019-01-01", "--to", "2019-03-31"]
    assert main([*args, "--force", "Hertfordshire", "--records-per-year", "500"]) == 2
    assert capsys.readouterr().err == (
        "error: records a year cannot be asked of 'hertfordshire': its volumes are its "
        "published figures (use --scale).\n"
    )
    assert main([*args, "--force", "Cambridgeshire Constabulary", "--scale", "0.3"]) == 0
    truth = json.loads((out / "truth.json").read_text())
    assert truth["force"] == "cambridgeshire" and "residents" not in truth
    frame = pd.read_csv(out / "incidents.csv", dtype=str, keep_default_na=False)
    assert frame["reference"].str.startswith("CC-").all()


@pytest.mark.slow
def test_demo_for_another_force_end_to_end(tmp_path, capsys):
    ws = tmp_path / "warwickshire"
    args = ["demo", "--force", "warwickshire", "--workspace", str(ws), "--no-serve"]
    # a small scale keeps the daily space-time scans of the tension monitor quick
    period = ["--from", "2018-10-01", "--to", "2019-12-31", "--records-per-year", "800"]
    assert main([*args, *period]) == 0
    out = capsys.readouterr().out
    assert "area set in tensionmap.toml" in out and "Warwickshire: 339 LSOAs" in out
    assert "import ONS 20 m boundaries" not in out and "ingest places (" not in out
    # 2019 in full (592 crimes, 208 incidents) and 92/365 of 2018: 149 + 52
    assert "ingested=1001 updated=0 unchanged=0 rejected=0" in out
    assert 'forces = ["Warwickshire"]' in (ws / "tensionmap.toml").read_text()
    truth = json.loads((ws / "demo" / "truth.json").read_text())

    # every record stored in the force, with its planted hotspots found again
    from geo.config import Workspace

    stored = Workspace.open(ws, create=False).read_incidents()
    assert set(stored["location_status"]) == {"located"}
    assert set(stored["force"]) == {"Warwickshire"}
    risk = gpd.read_file(ws / "outputs" / "hotspots_residential_lsoa.gpkg")
    hot = set(risk.loc[risk["risk_class"].str.startswith("hot"), "area_code"])
    assert {spot["lsoa_code"] for spot in truth["hotspots"]} <= hot

    # the tension monitor ran over the latest episode and alerted on its strand
    assert re.search(r"\d+ tension alert\(s\) from \d{4}-\d\d-\d\d to", out)
    alerts = pd.read_csv(ws / "outputs" / "tension_alerts.csv")
    latest = max(truth["episodes"], key=lambda e: e["onset"])
    serious = alerts["level"].isin(["medium", "high"])
    assert ((alerts["strand"] == latest["strand"]) & serious).any()
    assert (ws / "outputs" / "scan_clusters.csv").exists()
    assert (ws / "outputs" / "partner_nte.html").exists()
    assert main(["users", "--workspace", str(ws)]) == 0
    assert len(capsys.readouterr().out.split()) == 8  # four users, one per role
