"""Settings tagging on the fresh held-out set: honest precision and recall per setting.

    .venv/bin/python benchmarks/eval_settings_fresh.py [--errors SETTING]

The fresh set is ``tests/data/settings_fresh.csv`` (hand-labelled RMS-style records
written by an author who had seen neither the hard set nor the tagger; see
``tests/data/settings_fresh.md``). Nothing was tuned on it. Three predictors:

* ``rules``: the rules alone (no training);
* ``model``: the model trained on the whole hard set (``tests/data/settings_hard.csv``)
  with :func:`geo.settings.training.train`, applied to the fresh set (``p >= 0.5``);
* ``combined``: the stacking combination fitted on the hard set (the same ``train``
  call), applied to the fresh set's rule strengths and model probabilities.

``--errors SETTING`` lists the fresh records each predictor got wrong for that setting.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from eval_settings_hard import HARD_SET, _has, load_hard_set, rules_scores, score_table

from geo.settings.confidence import combine, rule_strengths
from geo.settings.rules import tag_records
from geo.settings.training import joined, labelled_examples, train

FRESH_SET = HARD_SET.with_name("settings_fresh.csv")


def hard_trained_scores(fresh: Path = FRESH_SET, *, seed: int = 0) -> dict[str, pd.Series]:
    """Settings of the model and the stacked combination, both fitted on the hard set only."""
    hard = labelled_examples(HARD_SET)
    model = train(hard, tag_records(hard), seed=seed)
    examples = labelled_examples(fresh)
    p = model.probabilities(examples)
    rules = rule_strengths(tag_records(examples)["setting_reasons"])
    stacked = combine(rules, p, model.stacker)
    return {"model": joined((p >= 0.5) & p.notna()), "combined": joined(stacked >= 0.5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", metavar="SETTING", help="list the errors for SETTING")
    args = parser.parse_args()
    frame = load_hard_set(FRESH_SET)
    predictions = {"rules": rules_scores(frame), **hard_trained_scores()}
    table = score_table(frame["settings"], predictions)
    print(f"{len(frame)} records in {FRESH_SET.name}; rules alone; model and combined "
          f"(stacking) trained on all of {HARD_SET.name}, applied to the fresh set")  # fmt: skip
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.errors:
        actual = _has(frame["settings"], args.errors)
        cols = ["id", "location_type", "description", "settings", "trap"]
        shown = frame[cols].assign(**predictions)
        wrong = pd.concat([_has(v, args.errors) != actual for v in predictions.values()], axis=1)
        with pd.option_context("display.max_colwidth", 120, "display.width", 300):
            print(shown[wrong.any(axis=1)].to_string(index=False))


if __name__ == "__main__":
    main()
