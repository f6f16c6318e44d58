"""Settings tagging on the hard test set: precision and recall per setting.

    .venv/bin/python benchmarks/eval_settings_hard.py [--errors SETTING]

The set is ``tests/data/settings_hard.csv`` (593 hand-labelled RMS-style records; how it
was written and labelled is in ``tests/data/settings_hard.md``). The rules need no
training, so "rules" is scored on every record. Other predictors (a model scored under
cross-validation, rules and model combined) add their own column by passing their
predicted settings to :func:`score_table`, e.g.
``score_table(frame["settings"], {"rules": rules_scores(frame), "model": ...})``.

``--errors SETTING`` lists the records the rules got wrong for that setting.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from geo.settings.rules import TaggingRules, tag_records

HARD_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "settings_hard.csv"
#: The settings the table reports (the issue's acceptance settings first).
SCORED = ("public_transport", "nte", "taxi", "online", "school")


def load_hard_set(path: Path = HARD_SET) -> pd.DataFrame:
    """The hard set as text, with the ``online`` flag as a nullable boolean (Y/N/blank)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    flag = frame["online"].str.strip().str.upper().map({"Y": True, "N": False})
    return frame.assign(online=flag.astype("boolean"))


def rules_scores(frame: pd.DataFrame, rules: TaggingRules | None = None) -> pd.Series:
    """The settings the rules alone give each record (``;``-joined, like ``settings``)."""
    records = frame[["location_type", "description", "online"]]
    return tag_records(records, rules=rules)["settings"]


def _has(settings: pd.Series, setting: str) -> pd.Series:
    """Whether each ``;``-joined value contains ``setting``."""
    return settings.fillna("").str.split(";").map(lambda s: setting in s)


def score_table(
    truth: pd.Series, predictions: Mapping[str, pd.Series], settings: tuple[str, ...] = SCORED
) -> pd.DataFrame:
    """Precision and recall per setting, one pair of columns per predictor.

    ``truth`` and every prediction are ``;``-joined settings aligned on the same index.
    """
    rows = []
    for setting in settings:
        actual = _has(truth, setting)
        row: dict[str, object] = {"setting": setting, "records": int(actual.sum())}
        for name, predicted in predictions.items():
            hit = _has(predicted.reindex(truth.index), setting)
            tp = int((hit & actual).sum())
            row[f"{name} precision"] = tp / hit.sum() if hit.sum() else float("nan")
            row[f"{name} recall"] = tp / actual.sum() if actual.sum() else float("nan")
        rows.append(row)
    return pd.DataFrame(rows).set_index("setting")


def model_scores(frame: pd.DataFrame, *, folds: int = 5, seed: int = 0) -> dict[str, pd.Series]:
    """Out-of-fold settings of the model alone, the weighted average and the combination.

    5-fold cross-validation stratified on the labels: in each fold the model and the
    stacker are fitted on the other folds only; the rules are fixed
    (:func:`geo.settings.training.cross_validated`).
    """
    from geo.settings.training import cross_validated, joined, labelled_examples

    examples = labelled_examples(HARD_SET).set_index(frame.index)
    tags = tag_records(examples)
    chosen = cross_validated(examples, tags, folds=folds, seed=seed)
    return {name: joined(chosen[name]) for name in ("model", "weighted", "combined")}


def errors(frame: pd.DataFrame, predicted: pd.Series, setting: str) -> pd.DataFrame:
    """The records whose predicted ``setting`` disagrees with the label."""
    actual = _has(frame["settings"], setting)
    hit = _has(predicted, setting)
    wrong = frame.loc[actual != hit, ["id", "location_type", "description", "settings", "trap"]]
    return wrong.assign(predicted=predicted[actual != hit], missed=actual[actual != hit])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", metavar="SETTING", help="list the rules' errors for SETTING")
    args = parser.parse_args()
    frame = load_hard_set()
    rules = rules_scores(frame)
    table = score_table(frame["settings"], {"rules": rules, **model_scores(frame)})
    print(f"{len(frame)} records in {HARD_SET.name}; rules alone (no training, every record); "
          "model, weighted average and combined (stacking) out of fold, 5-fold CV")  # fmt: skip
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.errors:
        with pd.option_context("display.max_colwidth", 200, "display.width", 250):
            print(errors(frame, rules, args.errors).to_string(index=False))


if __name__ == "__main__":
    main()
