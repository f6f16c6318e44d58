"""Integrity of the hand-labelled hard settings test set (tests/data/settings_hard.csv).

These tests check the file itself (shape, vocabulary, coverage, uniqueness), not the
tagger's scores: the tagger's precision and recall on this set are measured elsewhere.
How the set was written and the label rules: tests/data/settings_hard.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"
CSV = DATA / "settings_hard.csv"
NOTE = DATA / "settings_hard.md"

COLUMNS = ["id", "location_type", "description", "online", "settings", "trap"]
SETTINGS = {
    "public_transport",
    "nte",
    "taxi",
    "online",
    "school",
    "residential",
    "retail",
    "street",
    "other",
}
TRAPS = {
    "shorthand",
    "typo",
    "blank_location",
    "vague_location",
    "role_trap",
    "negation",
    "mixed",
    "contradiction",
    "plain",
}
# Minimum number of records carrying each label (the acceptance settings first).
MIN_PER_SETTING = {
    "public_transport": 120,
    "nte": 120,
    "taxi": 120,
    "online": 40,
    "school": 40,
    "residential": 30,
    "street": 30,
    "retail": 20,
    "other": 20,
}
MIN_PER_TRAP = {
    "role_trap": 30,
    "negation": 30,
    "contradiction": 20,
    "mixed": 25,
    "shorthand": 25,
    "typo": 25,
    "blank_location": 40,
    "vague_location": 40,
}
MIN_ROWS = 500


@pytest.fixture(scope="module")
def hard() -> pd.DataFrame:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    frame["labels"] = frame["settings"].str.split(";")
    return frame


def test_columns_and_size(hard: pd.DataFrame) -> None:
    assert list(hard.columns[: len(COLUMNS)]) == COLUMNS
    assert len(hard) >= MIN_ROWS


def test_ids_are_sequential_and_unique(hard: pd.DataFrame) -> None:
    expected = [f"H{i:04d}" for i in range(1, len(hard) + 1)]
    assert hard["id"].tolist() == expected


def test_descriptions_unique_and_sized(hard: pd.DataFrame) -> None:
    normalised = hard["description"].str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
    dupes = hard.loc[normalised.duplicated(keep=False), "id"].tolist()
    assert dupes == [], f"duplicate descriptions: {dupes}"
    words = hard["description"].str.split().str.len()
    bad = hard.loc[(words < 5) | (words > 60), ["id", "description"]]
    assert bad.empty, f"descriptions outside 5-60 words: {bad.to_dict('records')}"


def test_label_vocabulary(hard: pd.DataFrame) -> None:
    for row in hard.itertuples():
        labels = row.labels
        assert labels and all(labels), f"{row.id}: empty setting in {row.settings!r}"
        unknown = set(labels) - SETTINGS
        assert not unknown, f"{row.id}: unknown settings {sorted(unknown)}"
        assert len(labels) == len(set(labels)), f"{row.id}: repeated setting in {row.settings!r}"
    assert set(hard["trap"]) <= TRAPS, sorted(set(hard["trap"]) - TRAPS)
    assert set(hard["online"]) <= {"", "Y", "N"}, sorted(set(hard["online"]))


def test_multi_setting_records(hard: pd.DataFrame) -> None:
    """Truly mixed records carry several settings and are all marked ``mixed``; some
    ``mixed`` records name two settings but are labelled with one (the note says why)."""
    multi = hard[hard["labels"].str.len() > 1]
    assert len(multi) >= 20
    assert set(multi["trap"]) == {"mixed"}
    pairs = set(multi["settings"])
    assert {"nte;taxi", "public_transport;taxi", "public_transport;nte"} <= pairs


def test_blank_location_records_have_blank_type(hard: pd.DataFrame) -> None:
    wrong = hard.loc[(hard["trap"] == "blank_location") & (hard["location_type"] != ""), "id"]
    assert wrong.tolist() == []


@pytest.mark.parametrize("setting", sorted(MIN_PER_SETTING))
def test_per_setting_minimum(hard: pd.DataFrame, setting: str) -> None:
    count = int(hard["labels"].apply(lambda labels: setting in labels).sum())
    assert count >= MIN_PER_SETTING[setting], f"{setting}: {count}"


def test_per_trap_minimum(hard: pd.DataFrame) -> None:
    counts = hard["trap"].value_counts()
    short = {t: int(counts.get(t, 0)) for t, n in MIN_PER_TRAP.items() if counts.get(t, 0) < n}
    assert short == {}


@pytest.mark.parametrize(
    ("setting", "pattern", "minimum"),
    [
        ("taxi", r"\b(?:taxi|taxy|cab|cabbie|cabby|hackney|phv|uber|minicab)\b", 20),
        ("public_transport", r"\b(?:bus|train|tram|station|stn|platform|coach)\b", 20),
        ("nte", r"\b(?:pub|ph|bar|club|nightclub|doorman|bouncer|door staff)\b", 15),
    ],
)
def test_deceptive_negatives_present(
    hard: pd.DataFrame, setting: str, pattern: str, minimum: int
) -> None:
    """Records that name a setting's words but are not labelled with it (role traps,
    negations, names of roads and pubs) must be there, or precision is never tested."""
    mentions = hard["description"].str.contains(pattern, flags=re.IGNORECASE, regex=True)
    negatives = mentions & ~hard["labels"].apply(lambda labels: setting in labels)
    assert int(negatives.sum()) >= minimum


def test_note_documents_every_trap_and_setting() -> None:
    text = NOTE.read_text(encoding="utf-8")
    missing = sorted(word for word in SETTINGS | TRAPS if f"`{word}`" not in text)
    assert missing == []
