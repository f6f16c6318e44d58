"""The acceptance of issue 20 on the hand-labelled hard set (``tests/data/settings_hard.csv``):
cross-validated, rules and model combined reach precision >= 0.90 and recall >= 0.85 for
public transport, the night-time economy and taxis.

5-fold cross-validation, stratified on the settings combination, seed 0: in each fold the
model and the stacking combination are fitted on the other four folds only (the stacker
itself on inner out-of-fold probabilities); the rules are fixed. Reproduce the full table
with ``python benchmarks/eval_settings_hard.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.settings.rules import tag_records
from geo.settings.training import evaluate, labelled_examples

pytestmark = pytest.mark.slow

HARD = Path(__file__).parent / "data" / "settings_hard.csv"
BAR = {"precision": 0.90, "recall": 0.85}


@pytest.fixture(scope="module")
def scores():
    examples = labelled_examples(HARD)
    return evaluate(examples, tag_records(examples), folds=5, seed=0).set_index("setting")


@pytest.mark.parametrize("setting", ["public_transport", "nte", "taxi"])
def test_combined_tags_reach_the_bar_under_cross_validation(scores, setting):
    row = scores.loc[setting]
    labels = pd.read_csv(HARD, dtype=str, keep_default_na=False)["settings"].str.split(";")
    assert row["examples"] == labels.map(lambda s: setting in s).sum() >= 100
    assert row["combined_precision"] >= BAR["precision"], row.to_dict()
    assert row["combined_recall"] >= BAR["recall"], row.to_dict()
