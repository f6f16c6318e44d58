"""The words that name a setting, as tuples: a view of the vocabulary table.

The words live in ``geo/settings/vocabulary.csv`` (:mod:`geo.settings.vocabulary`), with
where each came from; this module keeps the earlier names for code that reads them.
A workspace adds to them in its ``tensionmap.toml`` under ``[tagging]``.
"""

from __future__ import annotations

from geo.settings.vocabulary import load_vocabulary

_V = load_vocabulary()
#: Per setting, the location types naming it.
LOCATION_TYPES: dict[str, tuple[str, ...]] = _V.by_setting["location_type"]
#: Per setting, the place words naming it in a description.
KEYWORDS: dict[str, tuple[str, ...]] = _V.by_setting["place"]
#: Per setting, the role words (jobs) read in descriptions and occupation columns.
OCCUPATIONS: dict[str, tuple[str, ...]] = _V.by_setting["role"]
#: Words that cancel a place up to three words after them ("not on the bus").
NEGATIONS: tuple[str, ...] = _V.words["negation"]
#: Location types that say nothing about the setting: proximity may then decide.
VAGUE_LOCATION_TYPES: tuple[str, ...] = _V.words["vague_location_type"]
