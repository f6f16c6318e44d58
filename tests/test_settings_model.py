"""The settings model that learns: calibration, the combination with the rules, the review
threshold, corrections that win and train the next model, and the saved model's guard."""

from __future__ import annotations

import json
import sqlite3
import stat

import numpy as np
import pandas as pd
import pytest
import sklearn

from geo import audit, store
from geo._errors import WorkspaceError
from geo.cli import main
from geo.ingest.incidents import ingest_incidents
from geo.settings.classifier import SIDECAR_FILE, fit_model, load_model, model_path, save_model
from geo.settings.confidence import (
    NO_EVIDENCE,
    combine,
    decide,
    fit_stacker,
    review_below,
    rule_strengths,
    strength,
)
from geo.settings.retag import retag
from geo.settings.review import correct, latest_corrections, review_queue
from geo.settings.training import oof_probabilities
from tests.conftest import incident, write_csv

# --- calibration --------------------------------------------------------------------------


def _noisy(seed: int = 0, n: int = 900) -> tuple[pd.DataFrame, np.ndarray]:
    """Records of three kinds whose chance of being ``taxi`` is 0.85, 0.5 and 0.1."""
    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, 3, n)
    chance = np.array([0.85, 0.5, 0.1])[kinds]
    words = np.array(["cabbie shouted at", "row near the rank", "abuse in the road"])[kinds]
    filler = rng.choice(["late", "early", "again", "twice", "today"], n)
    taxi = rng.random(n) < chance
    frame = pd.DataFrame(
        {
            "description": [f"{w} {f}" for w, f in zip(words, filler, strict=True)],
            "settings": np.where(taxi, "taxi", "street"),
        }
    )
    return frame, chance


def test_probabilities_are_calibrated_on_held_out_folds():
    frame, chance = _noisy()
    p = oof_probabilities(frame, folds=5, seed=1)["taxi"].to_numpy()
    observed = frame["settings"].eq("taxi").to_numpy()
    for level in (0.85, 0.5, 0.1):
        group = chance == level
        # the mean predicted probability of a group matches how often it is taxi
        assert abs(p[group].mean() - observed[group].mean()) < 0.06, level
    # and across bins of predicted probability: expected calibration error below 0.06
    bins = np.digitize(p, [0.3, 0.7])
    gaps = [abs(p[bins == b].mean() - observed[bins == b].mean()) * (bins == b).mean()
            for b in range(3) if (bins == b).any()]  # fmt: skip
    assert sum(gaps) < 0.06


def test_char_ngrams_carry_shorthand_and_typos():
    rows = ["PHV driver abused", "phv drvr assaulted", "taxi driver spat at"] * 6
    rows += ["abused in the road", "shouted at in the street", "pushed on the road"] * 6
    frame = pd.DataFrame({"description": rows, "settings": ["taxi"] * 18 + ["street"] * 18})
    model = fit_model(frame)
    p = model.probabilities(pd.DataFrame({"description": ["a P.H.V drivr abused", "rode rage"]}))
    assert p.loc[0, "taxi"] > 0.7 and p.loc[1, "taxi"] < 0.5, p


# --- the combination ----------------------------------------------------------------------


def test_rule_strength_comes_from_the_family():
    assert strength("location_type:railway station") == 0.95
    assert strength("description:b/stop") == 0.9
    assert strength("description~typo:taxxi") == pytest.approx(0.765)
    assert strength("victim_occupation:taxi driver") == 0.75
    assert strength("near_station:40m") == 0.6
    assert strength("location_type:Street") == 0.75


def test_rules_alone_confidence_and_review_threshold():
    tags = pd.DataFrame({
        "settings": ["public_transport;nte", "", "school", "taxi"],
        "setting_reasons": [
            '{"public_transport": "location_type:bus", "nte": "description:pub"}', "{}",
            '{"school": "near_school_in_school_hours:30m"}',
            '{"taxi": "description~typo:taxxi"}',
        ],
    })  # fmt: skip
    out = decide(tags)
    assert out["settings"].tolist() == tags["settings"].tolist()  # rules decide alone
    assert out["setting_confidence"].tolist() == [0.9, NO_EVIDENCE, 0.6, 0.765]
    assert out["needs_review"].tolist() == [False, True, True, False]
    strict = decide(tags, threshold=0.8)
    assert strict["needs_review"].tolist() == [False, True, True, True]


def test_stacking_learns_which_source_to_trust():
    # rules say taxi whenever a cab is named; it is taxi only when the model agrees (a
    # taxi driver abused at home is residential): stacking learns to follow the model
    rng = np.random.default_rng(0)
    n = 400
    fired = rng.random(n) < 0.5
    truth = rng.random(n) < np.where(fired, 0.5, 0.05)
    model_p = np.clip(np.where(truth, 0.85, 0.15) + rng.normal(0, 0.08, n), 0.01, 0.99)
    rules = pd.DataFrame({"taxi": np.where(fired, 0.9, 0.0)})
    stacker = fit_stacker(rules, pd.DataFrame({"taxi": model_p}),
                          pd.DataFrame({"taxi": truth.astype(int)}))  # fmt: skip
    cases = pd.DataFrame({"taxi": [0.9, 0.9, 0.0, 0.0]})
    model = pd.DataFrame({"taxi": [0.9, 0.1, 0.9, 0.1]})
    p = combine(cases, model, stacker)["taxi"].to_numpy()
    assert p[0] > 0.8 and p[1] < 0.3 and p[2] > 0.5 and p[3] < 0.1
    # the fixed weighted alternative cannot overrule a rule this way
    assert combine(cases, model, weight=0.5)["taxi"].iloc[1] == pytest.approx(0.5)
    assert rule_strengths(pd.Series(['{"taxi": "description:cab"}']))["taxi"].iloc[0] == 0.9


def test_review_below_is_read_from_the_workspace(workspace, default_geography, tmp_path):
    assert review_below({"review_below": 0.8}) == 0.8
    with pytest.raises(WorkspaceError, match=r"review_below must be a number from 0 to 1; 'x'"):
        review_below({"review_below": "x"})
    config = workspace.root / "tensionmap.toml"
    config.write_text(config.read_text() + "\n[tagging]\nreview_below = 0.97\n")
    ws = type(workspace).open(workspace.root)
    rows = [incident("R1", location_type="Bus", description="abuse"),
            incident("R2", location_type="Street", description="abuse")]  # fmt: skip
    ingest_incidents(ws, write_csv(tmp_path / "r.csv", rows), geography=default_geography)
    engine = store.connect(ws.database_url)
    stored = store.read_incidents(engine, located_only=False).set_index("reference")
    engine.dispose()
    assert stored.loc["R1", "setting_confidence"] == 0.95
    assert bool(stored.loc["R1", "needs_review"])  # 0.95 < 0.97
    assert stored.loc["R2", "setting_confidence"] == 0.75


# --- corrections, retraining, the saved model ---------------------------------------------

SHORTHAND = "driver of the zebcab abused by a fare"  # a word no rule knows


def _workspace_with_shorthand(ws, geography, tmp_path):
    rows = [incident(f"Z{i}", location_type="Other", description=SHORTHAND) for i in range(14)]
    rows += [incident(f"S{i}", location_type="Other", description="shouted at in the road")
             for i in range(14)]  # fmt: skip
    ingest_incidents(ws, write_csv(tmp_path / "z.csv", rows), geography=geography)
    return store.connect(ws.database_url)


def test_a_retrain_on_corrections_changes_an_uncorrected_records_tag(
    workspace, default_geography, tmp_path, capsys
):
    engine = _workspace_with_shorthand(workspace, default_geography, tmp_path)
    before = store.read_incidents(engine, located_only=False).set_index("reference")
    assert before.loc["Z13", "settings"] is None  # the rules know no zebcab
    assert bool(before.loc["Z13", "needs_review"])
    queue = review_queue(engine)
    assert {"Z13", "S13"} <= set(queue["reference"])
    who = {"user": "ana", "role": "analyst", "address": "10.0.0.7"}
    for i in range(12):  # Z12, Z13, S12, S13 stay uncorrected
        correct(engine, f"Z{i}", ["taxi"], **who)
        correct(engine, f"S{i}", ["street"], **who)
    assert not {"Z0", "S0"} & set(review_queue(engine)["reference"])
    assert main(["train-classifier", "--workspace", str(workspace.root), "--folds", "2"]) == 0
    out = capsys.readouterr().out
    assert "24 confirmed records" in out and "combined_precision" in out
    path = model_path(workspace)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sidecar = json.loads(path.with_name(SIDECAR_FILE).read_text())
    assert sidecar["examples"] == 24 and sidecar["sklearn_version"] == sklearn.__version__
    assert set(sidecar["settings"]) == {"taxi", "street"}
    result = retag(workspace)
    assert result.added.get("taxi") == 2  # Z12 and Z13, never corrected
    kinds = store.read_table(engine, store.ingest_batches)["kind"].tolist()
    assert kinds[-1] == "retag:settings"  # a batch of its own: the data version moves on
    assert retag(workspace).changed == 0
    assert store.read_table(engine, store.ingest_batches)["kind"].tolist() == kinds
    after = store.read_incidents(engine, located_only=False).set_index("reference")
    assert after.loc["Z13", "settings"] == "taxi"
    assert json.loads(after.loc["Z13", "setting_reasons"])["taxi"].startswith("model:")
    assert after.loc["S13", "settings"] == "street"
    assert after.loc["Z0", "setting_confidence"] == 1.0  # corrected: wins, sure
    engine.dispose()


def test_corrections_win_at_ingest_and_retag_and_are_audited(
    workspace, default_geography, tmp_path
):
    rows = [incident("T1", location_type="Taxi", description="the driver was abused")]
    ingest_incidents(workspace, write_csv(tmp_path / "t.csv", rows), geography=default_geography)
    engine = store.connect(workspace.database_url)
    done = correct(engine, "T1", ["residential"], user="ana", role="analyst", address="10.0.0.7")
    assert (done["before"], done["after"]) == ("taxi", "residential")
    assert retag(workspace).changed == 0  # the correction already stood
    changed = [{**rows[0], "description": "the taxi driver was abused again"}]
    ingest_incidents(workspace, write_csv(tmp_path / "t2.csv", changed),
                     geography=default_geography)  # fmt: skip
    stored = store.read_incidents(engine, located_only=False).iloc[0]
    assert stored["settings"] == "residential" and stored["version"] == 2
    assert json.loads(stored["setting_reasons"])["residential"].startswith("correction:")
    kept = latest_corrections(engine).iloc[0]
    assert (kept["user"], kept["previous_settings"], kept["settings"]) == (
        "ana", "taxi", "residential")  # fmt: skip
    trail = audit.read(engine)
    row = trail[trail["action"] == "setting_correction"].iloc[0]
    assert (row["user"], row["role"], row["address"]) == ("ana", "analyst", "10.0.0.7")
    assert row["object"] == f"setting_corrections/{done['id']}"
    detail = json.loads(row["detail"])
    assert detail == {"after": "residential", "before": "taxi", "confirmed": False,
                      "incident_id": done["incident_id"]}  # fmt: skip
    assert "T1" not in row["detail"] and "T1" not in row["object"]  # no reference in the trail
    with pytest.raises(ValueError, match="'bus' is not a setting"):
        correct(engine, "T1", ["bus"], user="ana", role="analyst", address="x")
    with pytest.raises(ValueError, match="no record 'NOPE' from source 'default'"):
        correct(engine, "NOPE", ["taxi"], user="ana", role="analyst", address="x")
    engine.dispose()


def test_a_model_from_another_sklearn_version_is_refused(workspace):
    frame = pd.DataFrame({"description": ["on the bus"] * 8 + ["in the pub"] * 7
                          + ["in the pub with Jonquil Smithson-Vane"],
                          "settings": ["public_transport"] * 8 + ["nte"] * 8})  # fmt: skip
    save_model(fit_model(frame), workspace)
    assert load_model(workspace) is not None
    assert b"smithson" not in model_path(workspace).read_bytes().lower()  # seen once: not kept
    sidecar = model_path(workspace).with_name(SIDECAR_FILE)
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "sklearn_version": "0.1"}))
    with pytest.raises(WorkspaceError, match=r"trained with scikit-learn 0\.1, and this is .*"
                       r"run `tensionmap train-classifier` again"):  # fmt: skip
        load_model(workspace)


def test_train_classifier_without_confirmed_tags_says_what_to_do(workspace, capsys):
    assert main(["train-classifier", "--workspace", str(workspace.root)]) == 2
    assert "no confirmed tags to train on" in capsys.readouterr().err


def test_a_labelled_csv_with_an_unknown_setting_names_row_and_column(workspace, tmp_path, capsys):
    path = tmp_path / "labelled.csv"
    path.write_text("description,settings\non the bus,public_transport\nin a cab,cab\n")
    assert main(["train-classifier", str(path), "--workspace", str(workspace.root)]) == 2
    assert "row 3, column 'settings': 'cab' is not a setting" in capsys.readouterr().err


def test_an_older_store_gains_the_confidence_columns_and_corrections_table(tmp_path):
    path = tmp_path / "old.sqlite"
    store.connect(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as con:
        for table in ("incidents", "incident_versions"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN setting_confidence")
            con.execute(f"ALTER TABLE {table} DROP COLUMN needs_review")
        con.execute("DROP TABLE setting_corrections")
    store.connect(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as con:
        columns = [row[1] for row in con.execute("PRAGMA table_info(incidents)")]
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    assert {"setting_confidence", "needs_review"} <= set(columns)
    assert "setting_corrections" in tables


def test_the_review_command_lists_and_corrects(workspace, default_geography, tmp_path, capsys):
    engine = _workspace_with_shorthand(workspace, default_geography, tmp_path)
    root = str(workspace.root)
    assert main(["review", "--workspace", root, "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 records to review, least sure first")
    assert "description" not in out  # the listing leaves the text out
    assert main(["review", "Z3", "--settings", "taxi;street", "--workspace", root]) == 0
    assert capsys.readouterr().out.strip() == "Z3: (none) -> taxi;street"
    assert main(["review", "Z4", "--settings", "bus", "--workspace", root]) == 2
    assert "'bus' is not a setting" in capsys.readouterr().err
    trail = audit.read(engine)
    row = trail[trail["action"] == "setting_correction"].iloc[-1]
    assert row["address"] == "cli" and row["role"] == "cli"
    engine.dispose()


def test_a_purge_deletes_the_corrections_of_the_records_it_deletes(
    workspace, default_geography, tmp_path
):
    from datetime import date

    from geo.retention import purge

    rows = [incident("OLD", recorded_at="2018-03-01T10:00"), incident("NEW")]
    ingest_incidents(workspace, write_csv(tmp_path / "p.csv", rows), geography=default_geography)
    engine = store.connect(workspace.database_url)
    for reference in ("OLD", "NEW"):
        correct(engine, reference, ["street"], user="ana", role="analyst", address="x")
    assert purge(workspace, date(2020, 1, 1)).records == 1
    assert latest_corrections(engine)["reference"].tolist() == ["NEW"]
    engine.dispose()
