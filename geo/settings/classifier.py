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
from sklearn.pipeline import make_pipeline

from geo.ingest.reading import read_csv_file, require_columns


def classifier():
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=1000, class_weight="balanced"),
    )


def _text(frame: pd.DataFrame) -> pd.Series:
    location = frame.get("location_type", "")
    return (frame["description"].fillna("") + " [" + location + "]").str.lower()


def evaluate_classifier(path: Path, *, folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """Cross-validated precision, recall and support per labelled setting."""
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
