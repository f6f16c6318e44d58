"""One tag with a confidence: rules and the learnt model combined per setting.

Each setting of each record gets a probability ``p``:

* **Rules alone** (no model trained, or a setting the model has too few examples of): a
  setting the rules give has the strength of its rule family (:data:`FAMILY_STRENGTH`: a
  location type 0.95, a description keyword 0.9, a fuzzy (typo) match 0.75, an
  occupation 0.75, the online flag 0.97, proximity 0.6); a setting they do not give has
  ``p = 0``.
* **Rules and model** (a setting with a model): logistic stacking. Per setting, a logistic
  regression on three numbers (whether a rule gave the setting, that rule's strength, and
  the logit of the model's calibrated probability), fitted on out-of-fold model
  probabilities, so it learns how far to trust each source on the force's own confirmed
  tags. It was chosen over a fixed weighted average by measurement under
  cross-validation (``benchmarks/eval_settings_hard.py``); a setting whose stacker could
  not be fitted (too few confirmed records) falls back to that average
  (:data:`FALLBACK_WEIGHT`).

A record is in a setting when ``p >= 0.5``. Its ``setting_confidence`` is that of its
least certain decision, ``min(max(p, 1 - p))`` over the settings with a model and the
settings the rules give; a record no rule and no model places anywhere has
:data:`NO_EVIDENCE`. Records below the workspace's ``[tagging] review_below`` (default
:data:`REVIEW_BELOW`) are marked ``needs_review`` for the analysts' queue
(:mod:`geo.settings.review`); a correction there sets the confidence to 1.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from geo._errors import WorkspaceError
from geo.settings.classifier import SettingsModel
from geo.settings.rules import SETTING_ORDER

#: How sure a setting is when one rule family alone gave it (the reason's ``family:``).
FAMILY_STRENGTH: dict[str, float] = {
    "correction": 1.0,
    "online_flag": 0.97,
    "online": 0.97,
    "location_type": 0.95,
    "description": 0.9,
    "occupation": 0.75,
    "victim_occupation": 0.75,
    "suspect_occupation": 0.75,
    "proximity": 0.6,
    "near_station": 0.6,
    "near_nte_premises_in_nte_hours": 0.6,
    "near_school_in_school_hours": 0.6,
}
#: A family variant (``description~typo``) has its family's strength times this.
VARIANT_FACTOR = 0.85
#: The strength of a family not in :data:`FAMILY_STRENGTH`.
DEFAULT_STRENGTH = 0.7
#: Location types that place a record only vaguely give this strength.
VAGUE_STRENGTH = 0.75
_VAGUE = {"street", "other", "unknown", "public place", "n/a", ""}
#: The confidence of a record nothing places in any setting.
NO_EVIDENCE = 0.5
#: Records whose confidence is below this go to the review queue (``[tagging] review_below``).
REVIEW_BELOW = 0.7
#: Where no stacker was fitted (too few confirmed records), a rule's weight against the model.
FALLBACK_WEIGHT = 0.5
_EPS = 1e-4


def strength(reason: str) -> float:
    """How sure one reason (``family:evidence``) makes its setting, from its family.

    Parameters
    ----------
    reason : str
        A value of a record's ``setting_reasons``.

    Returns
    -------
    float
        From 0 to 1.

    Examples
    --------
    >>> strength("location_type:bus"), strength("description~typo:taxxi")
    (0.95, 0.765)
    >>> strength("location_type:street"), strength("something_new:x")
    (0.75, 0.7)
    """
    family, _, evidence = reason.partition(":")
    base, _, variant = family.partition("~")
    if base == "location_type" and evidence.strip().lower() in _VAGUE:
        return VAGUE_STRENGTH
    value = FAMILY_STRENGTH.get(base, DEFAULT_STRENGTH)
    return round(value * VARIANT_FACTOR, 6) if variant else value


@lru_cache(maxsize=65536)
def _strengths(reasons: str) -> tuple[float, ...]:
    """The rule strength per setting of :data:`SETTING_ORDER` (0 where not given)."""
    given = json.loads(reasons or "{}")
    return tuple(strength(given[s]) if s in given else 0.0 for s in SETTING_ORDER)


def rule_strengths(reasons: pd.Series) -> pd.DataFrame:
    """Each record's rule strength per setting, from its ``setting_reasons``.

    Parameters
    ----------
    reasons : pandas.Series
        ``setting_reasons`` as :func:`geo.settings.rules.tag_records` writes them.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``reasons``, one column per setting of :data:`SETTING_ORDER`.

    Examples
    --------
    >>> rule_strengths(pd.Series(['{"taxi": "description:cabbie"}']))["taxi"].tolist()
    [0.9]
    """
    text = reasons.fillna("{}").astype(str)
    distinct = text.unique()  # a million records carry a few thousand distinct reasons
    table = np.array([_strengths(r) for r in distinct], dtype=float).reshape(-1, len(SETTING_ORDER))
    rows = pd.Index(distinct).get_indexer(text)
    return pd.DataFrame(table[rows], index=reasons.index, columns=list(SETTING_ORDER))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def stack_features(rules: np.ndarray, model: np.ndarray) -> np.ndarray:
    """The stacker's inputs for one setting: rule given, rule strength, model logit.

    Parameters
    ----------
    rules : numpy.ndarray
        Rule strength per record (0 where no rule gave the setting).
    model : numpy.ndarray
        The model's calibrated probability per record.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)``.

    Examples
    --------
    >>> stack_features(np.array([0.9, 0.0]), np.array([0.5, 0.5])).tolist()
    [[1.0, 0.9, 0.0], [0.0, 0.0, 0.0]]
    """
    return np.column_stack([(rules > 0).astype(float), rules, _logit(model)])


def fit_stacker(rules: pd.DataFrame, model: pd.DataFrame, labels: pd.DataFrame) -> dict[str, Any]:
    """Fit the per-setting combination on out-of-fold model probabilities.

    Parameters
    ----------
    rules : pandas.DataFrame
        :func:`rule_strengths` of the confirmed records.
    model : pandas.DataFrame
        The model's out-of-fold probabilities of the same records (a column per setting
        with a model; NaN where a fold had none).
    labels : pandas.DataFrame
        The confirmed settings, 0/1 per setting
        (:func:`geo.settings.classifier.label_matrix`).

    Returns
    -------
    dict of str to sklearn.linear_model.LogisticRegression
        Per setting with both classes among its confirmed records.

    Examples
    --------
    >>> r = pd.DataFrame({"taxi": [0.9, 0.9, 0.0, 0.0] * 5})
    >>> m = pd.DataFrame({"taxi": [0.8, 0.3, 0.6, 0.1] * 5})
    >>> y = pd.DataFrame({"taxi": [1, 1, 0, 0] * 5})
    >>> sorted(fit_stacker(r, m, y))
    ['taxi']
    """
    fitted: dict[str, Any] = {}
    for setting in model.columns:
        keep = model[setting].notna().to_numpy()
        y = labels[setting].to_numpy()[keep]
        if len(set(y)) < 2:
            continue
        x = stack_features(rules[setting].to_numpy()[keep], model[setting].to_numpy()[keep])
        fitted[setting] = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    return fitted


def combine(
    rules: pd.DataFrame,
    model: pd.DataFrame | None = None,
    stacker: dict[str, Any] | None = None,
    *,
    weight: float | None = None,
) -> pd.DataFrame:
    """Each record's probability of each setting, from rule strengths and the model.

    Parameters
    ----------
    rules : pandas.DataFrame
        :func:`rule_strengths`.
    model : pandas.DataFrame, optional
        The model's calibrated probabilities (a column per setting with a model).
    stacker : dict, optional
        :func:`fit_stacker`'s combination per setting.
    weight : float, optional
        Instead of the stacker, ``p = weight * rule + (1 - weight) * model`` where a
        rule gave the setting, else the model's ``p`` (the alternative measured against
        stacking, and the fallback, with :data:`FALLBACK_WEIGHT`, for a setting without
        a stacker).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``rules``, one column per setting: the rule strength for a setting
        without a model.

    Examples
    --------
    >>> r = pd.DataFrame({"taxi": [0.9, 0.0]})
    >>> m = pd.DataFrame({"taxi": [0.2, 0.8]})
    >>> combine(r, m, weight=0.5)["taxi"].round(2).tolist()
    [0.55, 0.8]
    """
    p = rules.copy()
    if model is None:
        return p
    for setting in model.columns:
        m = model[setting].to_numpy(dtype=float)
        if np.isnan(m).all():
            continue
        r = rules[setting].to_numpy(dtype=float)
        if weight is None and stacker and setting in stacker:
            p[setting] = stacker[setting].predict_proba(stack_features(r, m))[:, 1]
        else:  # a rule votes with its strength; else the model decides
            w = FALLBACK_WEIGHT if weight is None else weight
            p[setting] = np.where(r > 0, w * r + (1 - w) * m, m)
    return p


def confidence(p: pd.DataFrame, decided: list[str]) -> np.ndarray:
    """Each record's confidence: that of its least certain decision.

    Parameters
    ----------
    p : pandas.DataFrame
        :func:`combine`'s probabilities.
    decided : list of str
        Settings whose absence is a decision too (those with a model); for the others
        only a given setting counts.

    Returns
    -------
    numpy.ndarray
        From 0 to 1; :data:`NO_EVIDENCE` where nothing was decided.

    Examples
    --------
    >>> p = pd.DataFrame({"taxi": [0.9, 0.0, 0.2], "nte": [0.0, 0.0, 0.6]})
    >>> confidence(p, decided=["nte"]).round(2).tolist()
    [0.9, 1.0, 0.6]
    >>> confidence(p, decided=[]).round(2).tolist()
    [0.9, 0.5, 0.6]
    """
    values = p.to_numpy(dtype=float)
    sure = np.maximum(values, 1 - values)
    counts = values >= 0.5
    counts[:, [list(p.columns).index(s) for s in decided]] = True
    least = np.where(counts, sure, np.inf).min(axis=1)
    return np.where(np.isfinite(least), least, NO_EVIDENCE)


def review_below(tagging: dict[str, Any] | None) -> float:
    """The workspace's review threshold, ``[tagging] review_below``.

    Parameters
    ----------
    tagging : dict or None
        The workspace's ``[tagging]`` table.

    Returns
    -------
    float
        :data:`REVIEW_BELOW` unless the table sets it.

    Raises
    ------
    WorkspaceError
        If it is not a number from 0 to 1.

    Examples
    --------
    >>> review_below({}), review_below({"review_below": 0.8})
    (0.7, 0.8)
    """
    value = (tagging or {}).get("review_below", REVIEW_BELOW)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise WorkspaceError(
            f"[tagging] review_below must be a number from 0 to 1; {value!r} was given."
        )
    return float(value)


def decide(
    tags: pd.DataFrame,
    probabilities: pd.DataFrame | None = None,
    model: SettingsModel | None = None,
    *,
    threshold: float = REVIEW_BELOW,
) -> pd.DataFrame:
    """The final tags: settings, reasons, a confidence and whether to review.

    Parameters
    ----------
    tags : pandas.DataFrame
        :func:`geo.settings.rules.tag_records`' ``settings`` and ``setting_reasons``.
    probabilities : pandas.DataFrame, optional
        ``model.probabilities(records)`` for the same records.
    model : SettingsModel, optional
        The trained model (its stacker combines); rules decide alone without it.
    threshold : float, default REVIEW_BELOW
        Records with a confidence below it need review.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``tags``: ``settings``, ``setting_reasons`` (a setting the model adds
        reads ``model:<p>``), ``setting_confidence`` and ``needs_review``.

    Examples
    --------
    >>> tags = pd.DataFrame({"settings": ["public_transport", "", "nte"],
    ...     "setting_reasons": ['{"public_transport": "location_type:bus"}', "{}",
    ...                         '{"nte": "near_nte_premises_in_nte_hours:20m"}']})
    >>> decide(tags)[["setting_confidence", "needs_review"]].to_numpy().tolist()
    [[0.95, False], [0.5, True], [0.6, True]]
    """
    rules = rule_strengths(tags["setting_reasons"])
    if model is None or probabilities is None or probabilities.empty:
        p, decided = rules, []
    else:
        p = combine(rules, probabilities, model.stacker or None)
        decided = list(probabilities.columns)
    conf = confidence(p, decided).round(3)
    out = pd.DataFrame(index=tags.index)
    if decided:
        out["settings"], out["setting_reasons"] = _tags_from(p, tags["setting_reasons"])
    else:
        out["settings"], out["setting_reasons"] = tags["settings"], tags["setting_reasons"]
    out["setting_confidence"] = conf
    out["needs_review"] = conf < threshold
    return out


def _tags_from(p: pd.DataFrame, reasons: pd.Series) -> tuple[list[str], list[str]]:
    """Settings with ``p >= 0.5``, keeping each one's rule reason (else ``model:<p>``)."""
    chosen = p.to_numpy(dtype=float) >= 0.5
    names = list(p.columns)
    settings, texts = [], []
    for row, given, probs in zip(chosen, reasons.fillna("{}"), p.to_numpy(), strict=True):
        rule = json.loads(given)
        kept = {names[i]: rule.get(names[i], f"model:{probs[i]:.2f}") for i in np.flatnonzero(row)}
        settings.append(";".join(kept))
        texts.append(json.dumps(kept))
    return settings, texts
