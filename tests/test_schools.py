"""School targeting on the real GIAS extract and the demo scenario."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo._errors import TensionmapError
from geo.cli import main
from geo.config import Workspace
from geo.demo.generator import generate
from geo.demo.shipped import CENSUS_FILE
from geo.geography.boundary_import import import_population
from geo.ingest.incidents import ingest_incidents
from geo.ingest.places import ingest_places
from geo.schools.plan import school_plan
from geo.schools.score import phase_of


def _schools_workspace(root, geo, open_data, seed: int) -> tuple[Workspace, dict]:
    """A workspace with Census residents (as the demo has), GIAS schools and the demo
    scenario of ``seed`` (both forces)."""
    ws = Workspace.open(root)
    import_population(ws, open_data / CENSUS_FILE)
    ingest_places(ws, open_data / "schools_gias_herts_cambs.csv", kind="schools", geography=geo)
    scenario = generate(geo, seed=seed, open_data=open_data)
    scenario.write(root / "demo")
    ingest_incidents(ws, root / "demo" / "incidents.csv", geography=geo)
    return ws, scenario.truth


@pytest.fixture(scope="module")
def demo(tmp_path_factory, default_geography, open_data):
    return _schools_workspace(
        tmp_path_factory.mktemp("schools"), default_geography, open_data, seed=0
    )


def test_every_csp_gets_a_school_and_the_plan_beats_greedy(demo):
    ws, _ = demo
    for budget in (16, 25):
        plan = school_plan(ws, budget=budget)
        chosen = plan.table[plan.table["selected"]]
        assert len(chosen) == budget
        assert chosen["csp"].nunique() == 16
        assert plan.covered_optimised >= plan.covered_greedy
        assert plan.solver_status == "Optimal"
        assert chosen["reason"].str.contains("records within").all()


def test_budget_below_the_number_of_csps_is_a_clear_error(demo):
    ws, _ = demo
    with pytest.raises(
        TensionmapError, match="a budget of 10 cannot give each of the 16 CSPs 1 school"
    ):
        school_plan(ws, budget=10)
    with pytest.raises(TensionmapError, match="at least 32 are needed"):
        school_plan(ws, budget=20, per_csp_min=2)


def test_phase_filter_and_real_gias_phases(demo):
    ws, _ = demo
    plan = school_plan(ws, budget=16, phases=("secondary",))
    chosen = plan.table[plan.table["selected"]]
    assert set(chosen["phase"]) == {"secondary"}
    phases = phase_of(
        pd.Series(["Primary", "Secondary", "16 plus", "Not applicable", "Nursery"]),
        pd.Series(["", "", "", "Special schools", ""]),
    )
    assert list(phases) == ["primary", "secondary", "fe", "special", "nursery"]


def _near_hotspot_shares(table: pd.DataFrame, truth: dict, geo, within: float) -> list[float]:
    """For each planted hotspot with a school within ``within`` m: the CSP rank, as a share
    of the CSP's schools, of the best-ranked such school (0.10: the top decile)."""
    size = table.groupby("csp_code").size()
    shares = []
    for spot in truth["hotspots"]:
        lsoa = geo.lsoas[geo.lsoas["lsoa_code"] == spot["lsoa_code"]]
        centre = lsoa.geometry.representative_point().iloc[0]
        near = table[np.hypot(table["easting"] - centre.x, table["northing"] - centre.y) < within]
        if len(near):
            best = near.sort_values("rank_in_csp").iloc[0]
            shares.append(best["rank_in_csp"] / size[best["csp_code"]])
    return shares


def test_schools_near_planted_hotspots_rank_high(demo, default_geography):
    ws, truth = demo
    table = school_plan(ws, budget=40).table
    shares = _near_hotspot_shares(table, truth, default_geography, 1000)
    print(json.dumps({"rank_share_of_best_school_within_1km": [round(s, 3) for s in shares]}))
    # seed 0: 2 of the 6 planted hotspots have a school within 1 km; both schools rank
    # 1st in their CSP (1.2 %). Over 5 seeds: benchmarks/eval_schools.py
    assert len(shares) >= 2
    assert max(shares) <= 0.10


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 3])
def test_schools_near_planted_hotspots_rank_high_on_other_seeds(
    seed, tmp_path, default_geography, open_data
):
    ws, truth = _schools_workspace(tmp_path, default_geography, open_data, seed)
    table = school_plan(ws, budget=40).table
    shares = _near_hotspot_shares(table, truth, default_geography, 1000)
    assert len(shares) >= 4  # seed 1: 4 of 6 hotspots have a school within 1 km; seed 3: 5
    assert max(shares) <= 0.10, shares


def test_workshops_and_the_12_month_indicator(demo, capsys):
    ws, _ = demo
    plan = school_plan(ws, budget=16)
    first = plan.table[plan.table["selected"]].iloc[0]
    assert (
        main(
            ["schools", "record-workshop", first["urn"], "2019-06-01", "--workspace", str(ws.root)]
        )
        == 0
    )
    assert main(["schools", "status", "--today", "2019-12-31", "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    assert "1 of 16 CSPs met" in out
    # the school just visited is left out of the next plan
    again = school_plan(ws, budget=16, end=date(2019, 12, 31))
    assert first["urn"] not in set(again.table.loc[again.table["selected"], "urn"])
    assert (
        main(["schools", "record-workshop", "999999", "2019-06-01", "--workspace", str(ws.root)])
        == 2
    )


def test_schools_cli_writes_the_contract_columns(demo, tmp_path):
    ws, _ = demo
    out = tmp_path / "plan.csv"
    assert main(["schools", "--budget", "20", "--out", str(out), "--workspace", str(ws.root)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns[:10]) == [
        "csp",
        "rank_in_csp",
        "urn",
        "school_name",
        "phase",
        "pupils",
        "score",
        "covered_records",
        "selected",
        "reason",
    ]
    assert table["selected"].sum() == 20
    assert len(table) == 989
