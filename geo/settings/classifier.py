"""An optional text classifier of settings, trained on a workspace's labelled examples.

TF-IDF over the description and location type, one-vs-rest logistic regression
(scikit-learn). It only *suggests*: the rules in :mod:`geo.settings.rules` stay primary and
explainable. ``evaluate_classifier`` prints cross-validated precision and recall per
setting so a team can judge whether the suggestions are worth reading.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline

from geo.reading import read_csv_file, require_columns


def classifier() -> Pipeline:
    """Build the (untrained) settings classifier: TF-IDF and logistic regression.

    Word unigrams and bigrams seen in at least two examples, with sublinear term
    frequency; classes weighted by their inverse frequency, so rare settings count.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fit it on texts (``description [location type]``) and their settings.

    Examples
    --------
    >>> [name for name, _ in classifier().steps]
    ['tfidfvectorizer', 'logisticregression']
    """
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=1000, class_weight="balanced"),
    )


def _text(frame: pd.DataFrame) -> pd.Series:
    """What the classifier reads: the description with the location type, lower case."""
    location = frame.get("location_type", "")
    return (frame["description"].fillna("") + " [" + location + "]").str.lower()


def evaluate_classifier(path: Path, *, folds: int = 5, seed: int = 0) -> pd.DataFrame:
    r"""Measure the classifier on labelled examples: cross-validated precision and recall.

    Parameters
    ----------
    path : pathlib.Path
        A CSV of labelled examples: ``description``, ``setting`` and optionally
        ``location_type``; rows without a setting are skipped.
    folds : int, default 5
        Cross-validation folds (fewer when a setting has fewer examples; at least 2).
    seed : int, default 0
        Seed of the fold shuffle.

    Returns
    -------
    pandas.DataFrame
        One row per setting: ``setting``, ``precision``, ``recall``, ``f1`` and
        ``examples``.

    Raises
    ------
    InputFileError
        If the file cannot be read or lacks ``description`` or ``setting``.

    Examples
    --------
    Eight labelled examples, four per setting, in two folds:

    >>> import tempfile
    >>> rows = ["on the bus,Bus,public_transport", "the bus driver,Bus,public_transport",
    ...         "bus stop abuse,Bus stop,public_transport", "on the train,Train,public_transport",
    ...         "outside the pub,Pub,nte", "pub door staff,Pub,nte", "in the pub,Pub,nte",
    ...         "nightclub queue,Nightclub,nte"]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "labelled.csv"
    ...     _ = path.write_text("\n".join(["description,location_type,setting", *rows]))
    ...     print(evaluate_classifier(path, folds=2))
                setting  precision  recall    f1  examples
    0               nte       0.75    0.75  0.75         4
    1  public_transport       0.75    0.75  0.75         4
    """
    frame = read_csv_file(path).frame
    require_columns(path, frame, ["description", "setting"])
    labels = frame["setting"].str.strip()
    keep = labels.ne("")
    text, labels = _text(frame[keep]), labels[keep]
    smallest = int(labels.value_counts().min())
    folds = max(2, min(folds, smallest))
    predicted = cross_val_predict(
        classifier(), text, labels, cv=StratifiedKFold(folds, shuffle=True, random_state=seed)
    )
    names = sorted(labels.unique())
    p, r, f, n = precision_recall_fscore_support(labels, predicted, labels=names, zero_division=0)
    return pd.DataFrame(
        {
            "setting": names,
            "precision": p.round(3),
            "recall": r.round(3),
            "f1": f.round(3),
            "examples": n,
        }
    )
