"""Training and measuring the settings model on a force's confirmed tags.

Confirmed tags are the analysts' corrections (:mod:`geo.settings.review`) and any labelled
CSV (``description``, optionally ``location_type`` and ``online``, and ``settings``
``;``-joined or a single ``setting``). :func:`train` fits the model
(:mod:`geo.settings.classifier`) and the stacking combination
(:mod:`geo.settings.confidence`) on out-of-fold probabilities; :func:`evaluate` measures
per-setting precision and recall of the rules alone, the model alone and both combined,
under k-fold cross-validation with the model and the stacker fitted on the training
folds only (the rules are fixed).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from geo import store
from geo._errors import InputFileError, WorkspaceError
from geo.config import Workspace
from geo.reading import read_csv_file, require_columns
from geo.settings.classifier import SettingsModel, fit_model, label_matrix
from geo.settings.confidence import combine, fit_stacker, rule_strengths
from geo.settings.review import latest_corrections, rules_of
from geo.settings.rules import SETTING_ORDER, tag_records

#: Columns of a confirmed example.
EXAMPLE_COLUMNS = ["description", "location_type", "online", "settings"]


def labelled_examples(path: Path) -> pd.DataFrame:
    r"""Read a labelled CSV of confirmed settings.

    Parameters
    ----------
    path : pathlib.Path
        A CSV with ``description``, optionally ``location_type`` and ``online``, and
        ``settings`` (``;``-joined) or ``setting``; ``other`` means none of the
        settings the tagger gives.

    Returns
    -------
    pandas.DataFrame
        :data:`EXAMPLE_COLUMNS`, one row per labelled record.

    Raises
    ------
    InputFileError
        If the file lacks a column, or names a setting that does not exist (with its row).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "l.csv"
    ...     _ = path.write_text("description,settings\non the bus,public_transport\n")
    ...     labelled_examples(path)["settings"].tolist()
    ['public_transport']
    """
    frame = read_csv_file(path).frame
    label = "settings" if "settings" in frame.columns else "setting"
    require_columns(path, frame, ["description", label])
    settings = frame[label].fillna("").astype(str).str.replace(" ", "", regex=False)
    for row, value in settings.items():
        bad = [s for s in value.split(";") if s and s not in (*SETTING_ORDER, "other")]
        if bad:
            raise InputFileError(
                f"{path}: row {int(str(row)) + 2}, column {label!r}: {bad[0]!r} is not a "
                f"setting; settings are {SETTING_ORDER}."
            )
    online = frame["online"] if "online" in frame.columns else pd.Series("", index=frame.index)
    return pd.DataFrame(
        {
            "description": frame["description"].fillna(""),
            "location_type": frame.get("location_type", pd.Series("", index=frame.index)),
            "online": online.fillna("").str.strip().str.lower().isin(["true", "1", "yes", "y"]),
            # "other" is no setting the tagger gives: the record is in none of them
            "settings": settings.map(lambda v: ";".join(s for s in v.split(";") if s != "other")),
        }
    )


def corrected_examples(workspace: Workspace) -> pd.DataFrame:
    """The analysts' corrections as confirmed examples, with their records' text.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.

    Returns
    -------
    pandas.DataFrame
        :data:`EXAMPLE_COLUMNS` plus the occupations kept in the records' attributes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(len(corrected_examples(Workspace.open(folder))))
    0
    """
    engine = store.connect(workspace.database_url)
    try:
        corrections = latest_corrections(engine)
        if corrections.empty:
            return pd.DataFrame(columns=EXAMPLE_COLUMNS)
        records = store.read_incidents(engine, include_context=True, located_only=False)
    finally:
        engine.dispose()
    records = records.drop(columns="settings").merge(corrections, on=["source", "reference"])
    attributes = records["attributes"].fillna("{}").map(json.loads)
    for column in ("victim_occupation", "suspect_occupation"):
        records[column] = attributes.map(lambda a, c=column: a.get(c, ""))
    return records[[*EXAMPLE_COLUMNS, "victim_occupation", "suspect_occupation"]]


def confirmed_examples(workspace: Workspace, labelled: Path | None = None) -> pd.DataFrame:
    """Every confirmed example: the labelled CSV's rows, then the corrections.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.
    labelled : pathlib.Path, optional
        A labelled CSV (:func:`labelled_examples`).

    Returns
    -------
    pandas.DataFrame
        :data:`EXAMPLE_COLUMNS` (and occupations where known), a fresh index.

    Examples
    --------
    >>> confirmed_examples(Workspace.open("ws"), Path("labelled.csv"))  # doctest: +SKIP
    """
    parts = [labelled_examples(labelled)] if labelled else []
    parts.append(corrected_examples(workspace))
    frames = [p for p in parts if len(p)]
    if not frames:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def folds_of(examples: pd.DataFrame, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train and test rows of k folds, stratified on the settings combination.

    Combinations with fewer records than folds are pooled; plain shuffled k-fold when even
    the pool is too small.

    Parameters
    ----------
    examples : pandas.DataFrame
        Confirmed examples (their ``settings``).
    folds : int
        Folds.
    seed : int
        Seed of the shuffle.

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        Positions of the training and test rows of each fold.

    Examples
    --------
    >>> frame = pd.DataFrame({"settings": ["taxi", "nte"] * 4})
    >>> [sorted(frame["settings"].iloc[test]) for _, test in folds_of(frame, 2, 0)]
    [['nte', 'nte', 'taxi', 'taxi'], ['nte', 'nte', 'taxi', 'taxi']]
    """
    combo = examples["settings"].fillna("").astype(str)
    sizes = combo.map(combo.value_counts())
    combo = combo.where(sizes >= folds, "(rare)")
    if combo.value_counts().min() >= folds:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        return list(splitter.split(examples, combo))
    return list(KFold(folds, shuffle=True, random_state=seed).split(examples))


def oof_probabilities(examples: pd.DataFrame, *, folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """The model's out-of-fold probabilities: each record scored by a model not trained on it.

    Parameters
    ----------
    examples : pandas.DataFrame
        Confirmed examples.
    folds : int, default 5
        Folds.
    seed : int, default 0
        Seed of the fold shuffle.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``examples``, a column per setting; NaN where a fold's model had too
        few examples of it (or the fold too few to train on).

    Examples
    --------
    >>> frame = pd.DataFrame({"description": ["on the bus", "in the pub"] * 16,
    ...                       "settings": ["public_transport", "nte"] * 16})
    >>> p = oof_probabilities(frame, folds=2)
    >>> bool((p["nte"] > 0.5).eq(frame["settings"].eq("nte")).all())
    True
    """
    out = pd.DataFrame(np.nan, index=examples.index, columns=list(SETTING_ORDER))
    for train_rows, test_rows in folds_of(examples, folds, seed):
        try:
            model = fit_model(examples.iloc[train_rows], seed=seed)
        except WorkspaceError:  # too few examples in this fold: no opinion
            continue
        scored = model.probabilities(examples.iloc[test_rows])
        out.loc[scored.index, scored.columns] = scored
    return out


def train(examples: pd.DataFrame, tags: pd.DataFrame, *, seed: int = 0) -> SettingsModel:
    """Fit the model on every example, and the stacker on out-of-fold probabilities.

    Parameters
    ----------
    examples : pandas.DataFrame
        Confirmed examples.
    tags : pandas.DataFrame
        The rules' tags of the examples (:func:`geo.settings.rules.tag_records`).
    seed : int, default 0
        Seed of the folds and solvers.

    Returns
    -------
    SettingsModel
        With its ``stacker``.

    Examples
    --------
    >>> train(examples, tag_records(examples))  # doctest: +SKIP
    """
    model = fit_model(examples, seed=seed)
    oof = oof_probabilities(examples, folds=3, seed=seed)[list(model.models)]
    stacker = fit_stacker(rule_strengths(tags["setting_reasons"]), oof, label_matrix(
        examples["settings"]))  # fmt: skip
    return SettingsModel(**{**model.__dict__, "stacker": stacker})


def train_workspace(
    workspace: Workspace, labelled: Path | None = None, *, seed: int = 0
) -> tuple[SettingsModel, pd.DataFrame]:
    """Train on the workspace's confirmed tags (and a labelled CSV); does not save.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.
    labelled : pathlib.Path, optional
        A labelled CSV.
    seed : int, default 0
        Seed.

    Returns
    -------
    tuple of (SettingsModel, pandas.DataFrame)
        The model and the examples it learnt from.

    Raises
    ------
    WorkspaceError
        If there are too few confirmed examples.

    Examples
    --------
    >>> model, examples = train_workspace(Workspace.open("ws"))  # doctest: +SKIP
    """
    examples = confirmed_examples(workspace, labelled)
    if examples.empty:
        raise WorkspaceError(
            "no confirmed tags to train on: correct records in the review queue "
            "(or `tensionmap review`) or give a labelled CSV."
        )
    tags = tag_records(examples, rules=rules_of(workspace))
    return train(examples, tags, seed=seed), examples


def _scores(predicted: pd.DataFrame, truth: pd.DataFrame, method: str) -> pd.DataFrame:
    tp = (predicted & truth).sum()
    precision = tp / predicted.sum().replace(0, np.nan)
    recall = tp / truth.sum().replace(0, np.nan)
    return pd.DataFrame({f"{method}_precision": precision, f"{method}_recall": recall})


def cross_validated(
    examples: pd.DataFrame, tags: pd.DataFrame, *, folds: int = 5, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Each example's out-of-fold 0/1 settings from the rules, model, average and stacking.

    Parameters
    ----------
    examples : pandas.DataFrame
        Confirmed examples.
    tags : pandas.DataFrame
        The rules' tags of the examples (fixed: the rules learn nothing).
    folds : int, default 5
        Outer folds; in each, the model and the stacker (itself on inner out-of-fold
        probabilities) are fitted on the other folds only.
    seed : int, default 0
        Seed of the fold shuffle.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``rules``, ``model``, ``weighted`` (the alternative:
        :func:`~geo.settings.confidence.combine` with ``weight=0.5``) and ``combined``
        (stacking, what tagging uses): booleans, a column per setting, aligned to
        ``examples``.

    Examples
    --------
    >>> cross_validated(examples, tag_records(examples))["combined"]  # doctest: +SKIP
    """
    rules = rule_strengths(tags["setting_reasons"])
    model_p = pd.DataFrame(np.nan, index=examples.index, columns=list(SETTING_ORDER))
    stacked, weighted = rules.copy(), rules.copy()
    for train_rows, test_rows in folds_of(examples, folds, seed):
        try:
            model = train(examples.iloc[train_rows], tags.iloc[train_rows], seed=seed)
        except WorkspaceError:  # too few examples to train on: the rules alone
            continue
        test = examples.index[test_rows]
        p = model.probabilities(examples.loc[test])
        model_p.loc[test, p.columns] = p
        stacked.loc[test] = combine(rules.loc[test], p, model.stacker)
        weighted.loc[test] = combine(rules.loc[test], p, weight=0.5)
    return {
        "rules": rules >= 0.5,
        "model": (model_p >= 0.5) & model_p.notna(),
        "weighted": weighted >= 0.5,
        "combined": stacked >= 0.5,
    }


def joined(chosen: pd.DataFrame) -> pd.Series:
    """0/1 settings per record as ``;``-joined text, in :data:`SETTING_ORDER`.

    Parameters
    ----------
    chosen : pandas.DataFrame
        Booleans, a column per setting (:func:`cross_validated`'s).

    Returns
    -------
    pandas.Series
        Aligned to ``chosen``.

    Examples
    --------
    >>> joined(pd.DataFrame({"nte": [True, False], "taxi": [True, False]})).tolist()
    ['nte;taxi', '']
    """
    names = list(chosen.columns)
    return pd.Series(
        [";".join(n for n, on in zip(names, row, strict=True) if on) for row in chosen.to_numpy()],
        index=chosen.index,
    )


def evaluate(
    examples: pd.DataFrame, tags: pd.DataFrame, *, folds: int = 5, seed: int = 0
) -> pd.DataFrame:
    """Per-setting precision and recall of rules, model and combined, cross-validated.

    Parameters
    ----------
    examples : pandas.DataFrame
        Confirmed examples.
    tags : pandas.DataFrame
        The rules' tags of the examples (fixed).
    folds : int, default 5
        Outer folds (:func:`cross_validated`).
    seed : int, default 0
        Seed of the fold shuffle.

    Returns
    -------
    pandas.DataFrame
        One row per setting: ``examples``, then precision and recall for ``rules``,
        ``model``, ``weighted`` and ``combined`` (stacking, what tagging uses).

    Examples
    --------
    >>> evaluate(examples, tag_records(examples))  # doctest: +SKIP
    """
    truth = label_matrix(examples["settings"]).astype(bool)
    chosen = cross_validated(examples, tags, folds=folds, seed=seed)
    table = pd.concat([_scores(c, truth, name) for name, c in chosen.items()], axis=1)
    table.insert(0, "examples", truth.sum())
    return table.rename_axis("setting").reset_index().round(3)
