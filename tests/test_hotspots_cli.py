"""`tensionmap hotspots` and `tensionmap scan` on a demo workspace, and detection of the
planted hotspots (the figures quoted in the README)."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from geo.cli import main
from geo.geography.population import lsoa_population
from geo.hotspots.aggregate import Filters
from geo.hotspots.analysis import HOTSPOT_COLUMNS, hotspots
from geo.hotspots.weights import build_weights
from geo.store import connect, read_incidents
from tests.conftest import demo_workspace as _demo_workspace


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory, default_geography, open_data):
    root = tmp_path_factory.mktemp("hs")
    ws, _ = _demo_workspace(
        root,
        default_geography,
        open_data,
        seed=0,
        force="cambridgeshire",
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
    )
    return ws


def test_hotspots_cli_writes_the_contract_columns(small_ws, tmp_path, capsys):
    out = tmp_path / "hot.geojson"
    code = main(
        [
            "hotspots",
            "--workspace",
            str(small_ws.root),
            "--strand",
            "race",
            "--permutations",
            "99",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "lsoa units; weights queen" in printed
    assert "FDR (Benjamini-Hochberg) on: Gi* analytical p-values" in printed
    layer = gpd.read_file(out)
    assert layer.crs.to_epsg() == 4326
    assert len(layer) == 1177
    for column in (
        "area_code",
        "area_name",
        "district",
        "csp",
        "count",
        "expected",
        "gi_z",
        "gi_p",
        "gi_p_fdr",
        "hotspot_class",
        "excess_z",
        "excess_class",
        "lisa_i",
        "lisa_p",
        "lisa_class",
    ):
        assert column in layer.columns
    assert layer["count"].sum() > 0
    assert set(layer["hotspot_class"]) <= {
        "hot_99",
        "hot_95",
        "hot_90",
        "not_significant",
        "cold_90",
        "cold_95",
        "cold_99",
    }
    gpkg = tmp_path / "hot.gpkg"
    assert (
        main(
            [
                "hotspots",
                "--workspace",
                str(small_ws.root),
                "--unit",
                "district",
                "--permutations",
                "0",
                "--out",
                str(gpkg),
            ]
        )
        == 0
    )
    assert gpd.read_file(gpkg).crs.to_epsg() == 27700
    csv = tmp_path / "hot.csv"
    assert (
        main(
            [
                "hotspots",
                "--workspace",
                str(small_ws.root),
                "--unit",
                "hex:7",
                "--permutations",
                "0",
                "--out",
                str(csv),
            ]
        )
        == 0
    )
    assert list(pd.read_csv(csv).columns[: len(HOTSPOT_COLUMNS)]) == HOTSPOT_COLUMNS


def test_scan_cli(small_ws, tmp_path, capsys):
    out = tmp_path / "scan.csv"
    assert (
        main(
            [
                "scan",
                "--workspace",
                str(small_ws.root),
                "--replications",
                "99",
                "--max-radius",
                "3000",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "cluster 1:" in capsys.readouterr().out
    clusters = pd.read_csv(out)
    for column in (
        "cluster_id",
        "centre_easting",
        "centre_northing",
        "radius_m",
        "area_codes",
        "observed",
        "expected",
        "relative_risk",
        "llr",
        "p_value",
    ):
        assert column in clusters.columns
    assert (clusters["radius_m"] <= 3000).all()


def test_filters_that_match_nothing_say_so(small_ws, capsys):
    assert main(["hotspots", "--workspace", str(small_ws.root), "--strand", "nonexistent"]) == 2
    assert "no records match the filters" in capsys.readouterr().err


@pytest.mark.slow
def test_planted_hotspots_are_found_on_the_demo(tmp_path, default_geography, open_data):
    """risk_class (per-area Poisson test with FDR) on residential records, two seeds."""
    geo = default_geography
    population, _ = lsoa_population(geo, open_data=open_data)
    codes = geo.lsoas["lsoa_code"].to_numpy()
    queen = sparse.csr_matrix(build_weights(geo.lsoas, "queen").graph.sparse)
    found, false = [], []
    for seed in (0, 1):
        ws, truth = _demo_workspace(tmp_path / f"s{seed}", geo, open_data, seed=seed)
        engine = connect(ws.database_url)
        incidents = read_incidents(engine)
        engine.dispose()
        table = hotspots(
            incidents, geo, population, filters=Filters(settings=("residential",)), permutations=0
        ).table
        planted = {h["lsoa_code"] for h in truth["hotspots"]}
        near = set(planted)
        for code in planted:
            near |= set(codes[queen[int(np.flatnonzero(codes == code)[0])].indices])
        flagged = set(table["area_code"][table["risk_class"].isin(["hot_95", "hot_99"])])
        found.append(len(flagged & planted) / len(planted))
        false.append(len(flagged - near) / (len(codes) - len(near)))
    print(json.dumps({"found": found, "false": false}))
    assert np.mean(found) >= 0.8
    assert max(false) <= 0.05


def test_force_and_csp_filters_restrict_the_study_area(small_ws, tmp_path, capsys):
    out = tmp_path / "cambs.csv"
    assert (
        main(
            [
                "hotspots",
                "--workspace",
                str(small_ws.root),
                "--force",
                "cambridgeshire",
                "--permutations",
                "0",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out)
    assert len(table) == 487  # Cambridgeshire's LSOAs only
    assert table["expected"].sum() == pytest.approx(table["count"].sum())
    out = tmp_path / "cambridge.csv"
    assert (
        main(
            [
                "hotspots",
                "--workspace",
                str(small_ws.root),
                "--csp",
                "E07000008",
                "--permutations",
                "0",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert set(pd.read_csv(out)["csp"]) == {"Cambridge"}


def test_emerging_cli_rows(small_ws, tmp_path, capsys):
    out = tmp_path / "emerging.csv"
    assert (
        main(
            [
                "emerging",
                "--workspace",
                str(small_ws.root),
                "--force",
                "cambridgeshire",
                "--bin",
                "month",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "24 months" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert len(table) == 487
    assert {"area_code", "pattern", "trend_z", "trend_p"} <= set(table.columns)
    assert (
        table["pattern"]
        .str.match(
            r"^(no_pattern|(new|consecutive|intensifying|persistent|"
            r"diminishing|sporadic|oscillating|historical)_(hot|cold))$"
        )
        .all()
    )
