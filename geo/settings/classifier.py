"""The second opinion that learns: a calibrated text model of settings, per workspace.

One binary model per setting (multi-label: a record can be on a bus *and* in the night-time
economy): TF-IDF of words (unigrams and bigrams) and of character 2–5-grams within words,
so shorthand ("b/stop", "phv") and typos ("taxxi") carry signal, then logistic regression
whose probabilities are calibrated by cross-validation
(:class:`sklearn.calibration.CalibratedClassifierCV`, sigmoid, 3 folds). It trains on a
force's *confirmed* tags: the analysts' corrections (:mod:`geo.settings.review`) and any
labelled CSV. A setting with fewer than :data:`MIN_EXAMPLES` confirmed records on either
side gets no model: the rules decide it alone.

The model is saved in the workspace as ``models/settings.joblib`` (mode 0600) with a JSON
sidecar (training date, examples, scikit-learn version); a model saved by another
scikit-learn version is refused with a message to retrain, since its pickled estimators
may not load correctly.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from geo._errors import WorkspaceError
from geo.config import Workspace
from geo.settings.rules import SETTING_ORDER

#: The model and its sidecar, in ``<workspace>/models/`` (names fixed here, never a user's).
MODELS_DIR, MODEL_FILE, SIDECAR_FILE = "models", "settings.joblib", "settings.json"
#: Fewest confirmed records with, and without, a setting for it to get a model.
MIN_EXAMPLES = 6


def model_text(records: pd.DataFrame) -> pd.Series:
    """What the model reads of each record: description, location type, flags and jobs.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with any of ``description``, ``location_type``, ``online``,
        ``victim_occupation`` and ``suspect_occupation`` (absent ones are empty).

    Returns
    -------
    pandas.Series
        One lower-case text per record, aligned to ``records``.

    Examples
    --------
    >>> frame = pd.DataFrame({"description": ["IP abused at B/STOP"], "location_type": ["Street"],
    ...                       "online": [False]})
    >>> model_text(frame).tolist()
    ['ip abused at b/stop loctype_street']
    """

    def column(name: str) -> pd.Series:
        if name not in records:
            return pd.Series("", index=records.index, dtype=object)
        return records[name].fillna("").astype(str)

    location = column("location_type").str.strip().str.lower().str.replace(r"\W+", "_", regex=True)
    text = column("description") + (" loctype_" + location).where(location.ne(""), "")
    if "online" in records:
        flag = records["online"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        text = text + np.where(flag, " flag_online", "")
    for name in ("victim_occupation", "suspect_occupation"):
        job = column(name)
        text = text + (f" {name}: " + job).where(job.ne(""), "")
    return text.str.lower().str.strip()


def _features() -> FeatureUnion:
    """Words (1–2-grams) and characters within words (2–5-grams), TF-IDF, sublinear.

    Only terms of at least two confirmed records are kept, so a name or an address that
    appears once never enters the saved model.
    """
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )


def classifier(seed: int = 0) -> CalibratedClassifierCV:
    """Build one setting's (untrained) binary model: logistic regression, calibrated by CV.

    Parameters
    ----------
    seed : int, default 0
        Seed of the solver's shuffle (the folds are stratified, not shuffled).

    Returns
    -------
    sklearn.calibration.CalibratedClassifierCV
        Fit it on :func:`model_text` features and 0/1 labels; ``predict_proba`` then
        gives calibrated probabilities.

    Examples
    --------
    >>> type(classifier().estimator).__name__, classifier().method, classifier().cv
    ('LogisticRegression', 'sigmoid', 3)
    """
    base = LogisticRegression(
        C=10.0, solver="liblinear", dual=True, class_weight="balanced", random_state=seed
    )
    return CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False)


@dataclass(frozen=True)
class SettingsModel:
    """A trained settings model: features, one calibrated model per setting, provenance.

    Attributes
    ----------
    features : sklearn.pipeline.FeatureUnion
        The fitted TF-IDF of :func:`model_text`.
    models : dict of str to CalibratedClassifierCV
        Per setting that had enough examples, its fitted model.
    examples : int
        Confirmed records it was trained on.
    positives : dict of str to int
        Per setting, the confirmed records with it.
    trained_at : str
        When (UTC, ISO 8601).
    sklearn_version : str
        The scikit-learn that trained it.
    stacker : dict of str to object
        Per setting, the combination fitted under cross-validation
        (:mod:`geo.settings.confidence`); empty when not fitted.

    Examples
    --------
    >>> frame = pd.DataFrame({"description": ["on the bus"] * 8 + ["in the pub"] * 8,
    ...                       "settings": ["public_transport"] * 8 + ["nte"] * 8})
    >>> model = fit_model(frame)
    >>> sorted(model.models), model.examples
    (['nte', 'public_transport'], 16)
    >>> p = model.probabilities(pd.DataFrame({"description": ["a fight on the bus"]}))
    >>> bool(p.loc[0, "public_transport"] > 0.5 > p.loc[0, "nte"])
    True
    """

    features: FeatureUnion
    models: dict[str, CalibratedClassifierCV]
    examples: int
    positives: dict[str, int]
    trained_at: str
    sklearn_version: str = sklearn.__version__
    stacker: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, records: pd.DataFrame) -> pd.DataFrame:
        """Each record's calibrated probability of each setting the model knows.

        Parameters
        ----------
        records : pandas.DataFrame
            Records as :func:`model_text` reads them.

        Returns
        -------
        pandas.DataFrame
            Aligned to ``records``, one column per setting in :attr:`models`.
        """
        if records.empty or not self.models:
            return pd.DataFrame(index=records.index, columns=list(self.models), dtype=float)
        x = self.features.transform(model_text(records))
        return pd.DataFrame(
            {s: m.predict_proba(x)[:, 1] for s, m in self.models.items()}, index=records.index
        )

    def sidecar(self) -> dict[str, Any]:
        """What the JSON sidecar says about the model.

        Returns
        -------
        dict
            ``trained_at``, ``examples``, ``positives``, ``settings`` (with a model),
            ``sklearn_version`` and ``stacked``.
        """
        return {
            "trained_at": self.trained_at,
            "examples": self.examples,
            "positives": self.positives,
            "settings": sorted(self.models),
            "sklearn_version": self.sklearn_version,
            "stacked": sorted(self.stacker),
        }


def label_matrix(settings: pd.Series) -> pd.DataFrame:
    """``;``-joined settings as one 0/1 column per setting of :data:`SETTING_ORDER`.

    Parameters
    ----------
    settings : pandas.Series
        Settings per record, ``;``-joined (``""`` for none).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``settings``; ``int`` columns in :data:`SETTING_ORDER`.

    Examples
    --------
    >>> label_matrix(pd.Series(["taxi;street", ""]))[["taxi", "street", "nte"]].to_numpy().tolist()
    [[1, 1, 0], [0, 0, 0]]
    """
    sets = settings.fillna("").astype(str).str.split(";").map(lambda s: {v.strip() for v in s})
    return pd.DataFrame(
        {s: sets.map(lambda have, s=s: int(s in have)) for s in SETTING_ORDER},
        index=settings.index,
    )


def fit_model(examples: pd.DataFrame, *, seed: int = 0) -> SettingsModel:
    """Train the settings model on confirmed examples.

    Parameters
    ----------
    examples : pandas.DataFrame
        Records as :func:`model_text` reads them, with their confirmed ``settings``
        (``;``-joined).
    seed : int, default 0
        Seed of the solvers.

    Returns
    -------
    SettingsModel
        One calibrated model per setting with at least :data:`MIN_EXAMPLES` records with,
        and without, it.

    Raises
    ------
    WorkspaceError
        If there are fewer than ``2 * MIN_EXAMPLES`` examples.

    Examples
    --------
    >>> fit_model(pd.DataFrame({"description": ["x"], "settings": ["taxi"]}))
    Traceback (most recent call last):
    ...
    geo._errors.WorkspaceError: 1 confirmed record(s) to train on; at least 12 are needed.
    """
    if len(examples) < 2 * MIN_EXAMPLES:
        raise WorkspaceError(
            f"{len(examples)} confirmed record(s) to train on; at least {2 * MIN_EXAMPLES} "
            "are needed."
        )
    labels = label_matrix(examples["settings"])
    features = _features()
    x = features.fit_transform(model_text(examples))
    for _, vectorizer in features.transformer_list:  # the words seen once: not kept
        vectorizer.stop_words_ = set()
    models = {}
    for setting in SETTING_ORDER:
        y = labels[setting].to_numpy()
        if min(y.sum(), len(y) - y.sum()) >= MIN_EXAMPLES:
            models[setting] = classifier(seed).fit(x, y)
    return SettingsModel(
        features=features,
        models=models,
        examples=len(examples),
        positives={s: int(labels[s].sum()) for s in SETTING_ORDER},
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def model_path(workspace: Workspace) -> Path:
    """Where the workspace's settings model is saved.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.

    Returns
    -------
    pathlib.Path
        ``<workspace>/models/settings.joblib`` (the sidecar is ``settings.json`` beside it).

    Examples
    --------
    >>> model_path(Workspace(Path("/ws"), None)).as_posix()  # doctest: +SKIP
    '/ws/models/settings.joblib'
    """
    return workspace.root / MODELS_DIR / MODEL_FILE


def save_model(model: SettingsModel, workspace: Workspace) -> Path:
    """Save the model in the workspace (mode 0600) with its JSON sidecar.

    Parameters
    ----------
    model : SettingsModel
        The trained model.
    workspace : geo.config.Workspace
        The workspace.

    Returns
    -------
    pathlib.Path
        The model file.

    Examples
    --------
    >>> save_model(model, Workspace.open("ws"))  # doctest: +SKIP
    PosixPath('ws/models/settings.joblib')
    """
    path = model_path(workspace)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as sink:
        joblib.dump(model, sink)
    partial.chmod(0o600)
    partial.replace(path)  # a reader never sees half a model
    sidecar = path.with_name(SIDECAR_FILE)
    sidecar.write_text(json.dumps(model.sidecar(), indent=2) + "\n", encoding="utf-8")
    sidecar.chmod(0o600)
    return path


def load_model(workspace: Workspace) -> SettingsModel | None:
    """The workspace's trained settings model, or ``None`` when none was trained.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.

    Returns
    -------
    SettingsModel or None
        The model saved by ``tensionmap train-classifier``.

    Raises
    ------
    WorkspaceError
        If the model was saved by another scikit-learn version, or its sidecar is
        missing or unreadable.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(load_model(Workspace.open(folder)))
    None
    """
    path = model_path(workspace)
    if not path.exists():
        return None
    sidecar = path.with_name(SIDECAR_FILE)
    retrain = "run `tensionmap train-classifier` again"
    try:
        saved = json.loads(sidecar.read_text(encoding="utf-8"))["sklearn_version"]
    except (OSError, ValueError, KeyError, TypeError):
        raise WorkspaceError(f"{sidecar}: missing or unreadable; {retrain}.") from None
    if saved != sklearn.__version__:
        raise WorkspaceError(
            f"{path} was trained with scikit-learn {saved}, and this is "
            f"{sklearn.__version__}: {retrain}."
        )
    model = joblib.load(path)
    if not isinstance(model, SettingsModel):
        raise WorkspaceError(f"{path} does not hold a settings model; {retrain}.")
    return model
