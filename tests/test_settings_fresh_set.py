"""The fresh held-out settings set is well formed and as large as its note says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FRESH = Path(__file__).resolve().parent / "data" / "settings_fresh.csv"
SETTINGS = {"public_transport", "nte", "taxi", "online", "school"}
REST = {"residential", "retail", "street", "other"}
TRAPS = {"plain", "shorthand", "typo", "blank_location", "vague_location", "role_trap",
         "negation", "mixed", "contradiction"}  # fmt: skip


def _fresh() -> pd.DataFrame:
    return pd.read_csv(FRESH, dtype=str, keep_default_na=False)


def test_columns_ids_and_labels_are_valid() -> None:
    frame = _fresh()
    columns = ["id", "location_type", "description", "online", "settings", "trap"]
    assert list(frame.columns) == columns
    assert frame["id"].tolist() == [f"F{i:04d}" for i in range(1, len(frame) + 1)]
    assert frame["description"].is_unique
    labels = frame["settings"].str.split(";")
    assert all(set(s) <= SETTINGS | REST and len(s) == len(set(s)) for s in labels)
    assert set(frame["trap"]) == TRAPS
    assert set(frame["online"]) <= {"", "Y", "N"}


def test_counts_meet_the_minimums() -> None:
    frame = _fresh()
    labels = frame["settings"].str.split(";")
    counts = labels.explode().value_counts()
    assert len(frame) >= 260
    assert all(counts[s] >= 60 for s in ("public_transport", "nte", "taxi"))
    assert counts["online"] >= 20 and counts["school"] >= 20
    assert labels.map(lambda s: bool(set(s) & REST)).sum() >= 60
