"""Tagging on the demo truth, retag, and the optional classifier."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from geo.cli import main
from geo.config import Workspace
from geo.demo.generator import generate
from geo.ingest.incidents import ingest_incidents
from geo.ingest.places import ingest_places
from geo.store import connect, read_incidents


@pytest.fixture(scope="module")
def demo(tmp_path_factory, default_geography, open_data):
    root = tmp_path_factory.mktemp("tag")
    ws = Workspace.open(root)
    for kind, name in (
        ("transport", "naptan_stops_herts_cambs.csv"),
        ("nte", "nte_pubs_herts_cambs.csv"),
        ("schools", "schools_gias_herts_cambs.csv"),
    ):
        ingest_places(ws, open_data / name, kind=kind, geography=default_geography)
    scenario = generate(
        default_geography,
        seed=0,
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        open_data=open_data,
    )
    scenario.write(root / "demo")
    ingest_incidents(ws, root / "demo" / "incidents.csv", geography=default_geography)
    return ws, scenario.truth


def test_precision_and_recall_on_the_demo_truth(demo):
    ws, truth = demo
    engine = connect(ws.database_url)
    incidents = read_incidents(engine)
    engine.dispose()
    generated = incidents["reference"].map(
        {r: s for s, refs in truth["settings"].items() for r in refs}
    )
    tagged = incidents["settings"].fillna("").str.split(";")
    for setting in ("public_transport", "nte", "taxi"):
        predicted = tagged.map(lambda s, setting=setting: setting in s)
        actual = generated == setting
        precision = (predicted & actual).sum() / predicted.sum()
        recall = (predicted & actual).sum() / actual.sum()
        assert precision >= 0.9, (setting, precision)
        assert recall >= 0.8, (setting, recall)


def test_retag_reports_changes_after_a_rule_change(demo, capsys):
    ws, _ = demo
    assert main(["retag", "--workspace", str(ws.root)]) == 0
    assert "0 changed settings" in capsys.readouterr().out
    config = ws.root / "tensionmap.toml"
    original = config.read_text()
    config.write_text(original + '\n[tagging.keywords]\ntaxi = ["supermarket"]\n')
    try:
        assert main(["retag", "--workspace", str(ws.root)]) == 0
        out = capsys.readouterr().out
        assert "changed settings" in out and "taxi: +" in out
    finally:
        config.write_text(original)
        main(["retag", "--workspace", str(ws.root)])


def test_classifier_cross_validation(demo, tmp_path, capsys):
    ws, truth = demo
    frame = pd.read_csv(ws.root / "demo" / "incidents.csv", dtype=str, keep_default_na=False)
    setting = frame["reference"].map({r: s for s, refs in truth["settings"].items() for r in refs})
    labelled = tmp_path / "labelled.csv"
    frame.assign(setting=setting)[["description", "location_type", "setting"]].head(3000).to_csv(
        labelled, index=False
    )
    model_ws = Workspace.open(tmp_path / "ws")
    args = ["train-classifier", str(labelled), "--folds", "3", "--workspace", str(model_ws.root)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "combined_precision" in out and "public_transport" in out
    rows = [line.split() for line in out.splitlines()]
    header = next(r for r in rows if r[:1] == ["setting"])
    taxi = dict(zip(header, next(r for r in rows if r[:1] == ["taxi"]), strict=True))
    assert float(taxi["model_precision"]) > 0.8 and float(taxi["combined_precision"]) > 0.8
    assert (model_ws.root / "models" / "settings.joblib").exists()
    json.dumps(out)
