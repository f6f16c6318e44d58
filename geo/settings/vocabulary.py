"""The vocabulary of police shorthand behind settings tagging, read from ``vocabulary.csv``.

The table ships in the package (``geo/settings/vocabulary.csv``), one term a row, with the
columns ``setting, kind, term, expansion, source, note``. Kinds:

``location_type``
    words in the location-type field that name the setting (``Railway station``, NaPTAN
    ``BCT``, FHRS ``Pub/bar/nightclub``);
``vague_location_type``
    location types that say nothing (``Street``, ``Other``, ``Unknown``, blank);
``place``
    words in the description that name where it happened (``on the bus``, ``chippy``);
``role``
    a job or relation, not a place (``taxi driver``, ``bouncer``, ``teacher``): evidence
    only when nothing else names a place, and never after a ``role_cue``;
``role_cue``
    words that say the next role is someone's job (``works as``, ``is a``): no evidence
    unless an ``at_work`` word of that setting follows;
``off_duty``
    words that say the next role was not at work (``off duty``, ``day off``): never
    evidence;
``at_work``
    words that put a role at work in its setting (a taxi driver and a ``fare``): the role
    then names the place;
``job_noun``
    a word that makes the place word before it a job (``pub landlord``, ``train
    conductor``, ``taxi firm``);
``name_suffix``
    a word that makes the place word before it a name: a road (``Station Road``, ``School
    Lane``; no setting) or, with a setting, a pub (``the Railway Arms``: nte);
``negation``
    words that cancel a place up to three words later (``not on the bus``);
``negation_scope``
    the only words that may stand between a negation and the place it cancels
    (``on``, ``the``, ``takes``…: "did not pay the taxi fare" still names a taxi);
``departure``
    words that cancel a place up to four words later, whatever the words between: where
    someone came from or was going (``got off the bus and walked home``, ``after leaving
    the Golden Fleece PH``, ``picked up from the club``);
``not_a_place``
    phrases that contain a place word but name no place (``police station``,
    ``iron bar``, ``posted through the letterbox``);
``abbreviation``, ``misspelling``
    a term and its ``expansion`` (``o/s`` → ``outside``, ``busstop`` → ``bus stop``).

``source`` says where a term came from (the README lists the sources).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from geo._errors import InputFileError
from geo.settings.normalise import normalise_term
from geo.vocab import SETTINGS

#: Kinds that name a setting (the ``setting`` column is required).
SETTING_KINDS = ("location_type", "place", "role", "at_work")
#: Kinds whose ``setting`` is optional (stored under ``""`` when blank).
OPTIONAL_SETTING_KINDS = ("name_suffix",)
#: Kinds that are words without a setting.
WORD_KINDS = (
    "vague_location_type",
    "role_cue",
    "off_duty",
    "negation",
    "negation_scope",
    "departure",
    "not_a_place",
    "job_noun",
)
#: Kinds whose ``expansion`` replaces the term in the text.
EXPANSION_KINDS = ("abbreviation", "misspelling")
KINDS = SETTING_KINDS + OPTIONAL_SETTING_KINDS + WORD_KINDS + EXPANSION_KINDS
COLUMNS = ("setting", "kind", "term", "expansion", "source", "note")


@dataclass(frozen=True)
class Vocabulary:
    """The vocabulary table, grouped by kind.

    Attributes
    ----------
    by_setting : dict of str to dict of str to tuple of str
        For ``location_type``, ``place`` and ``role``: setting → normalised terms.
    words : dict of str to tuple of str
        For the kinds without a setting (``negation``, ``not_a_place``…): normalised terms.
    expansions : dict of str to str
        Abbreviations and misspellings (lower case) → their expansion.
    sources : tuple of str
        The distinct ``source`` values, in first-seen order.

    Examples
    --------
    >>> v = load_vocabulary()
    >>> v.by_setting["role"]["taxi"][:2], v.expansions["b/stop"]
    (('taxi driver', 'private hire driver'), 'bus stop')
    """

    by_setting: dict[str, dict[str, tuple[str, ...]]]
    words: dict[str, tuple[str, ...]]
    expansions: dict[str, str]
    sources: tuple[str, ...]


def _bad(path: str, row: int, column: str, value: str, why: str) -> InputFileError:
    """The error for one bad cell, naming file, row, column and value."""
    return InputFileError(f"{path}: row {row}, column {column!r}: {value!r} {why}.")


def _check_row(path: str, n: int, row: dict[str, str]) -> None:
    """Raise on a row with an unknown kind or setting, or a missing term or expansion."""
    kind, setting = row["kind"], row["setting"]
    if kind not in KINDS:
        raise _bad(path, n, "kind", kind, f"is not a kind; kinds are {KINDS}")
    if kind in SETTING_KINDS and setting not in SETTINGS:
        raise _bad(path, n, "setting", setting, f"is not a setting; settings are {SETTINGS}")
    if setting and setting not in SETTINGS:
        raise _bad(path, n, "setting", setting, f"is not a setting; settings are {SETTINGS}")
    if not row["term"] and kind != "vague_location_type":
        raise _bad(path, n, "term", row["term"], "is empty")
    if kind in EXPANSION_KINDS and not row["expansion"]:
        raise _bad(path, n, "expansion", row["expansion"], f"is empty for a {kind}")


def read_vocabulary(path: str | Path) -> Vocabulary:
    r"""Read and check a vocabulary table.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file with the columns ``setting, kind, term, expansion, source, note``.

    Returns
    -------
    Vocabulary
        The table grouped by kind, terms normalised as the text will be.

    Raises
    ------
    InputFileError
        If a column is missing, or a row has an unknown kind or setting, an empty term,
        or an abbreviation without its expansion (the message names file, row, column
        and value).

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "v.csv")
    >>> with open(f, "w") as out:
    ...     _ = out.write("setting,kind,term,expansion,source,note\ntaxi,plaice,cab,,me,\n")
    >>> read_vocabulary(f)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo._errors.InputFileError: ...v.csv: row 2, column 'kind': 'plaice' is not a kind; ...
    """
    with Path(path).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise InputFileError(f"{path}: missing column(s) {missing}; columns are {COLUMNS}.")
        rows = list(reader)
    by_setting: dict[str, dict[str, list[str]]] = {
        k: {} for k in SETTING_KINDS + OPTIONAL_SETTING_KINDS
    }
    words: dict[str, list[str]] = {k: [] for k in WORD_KINDS}
    expansions: dict[str, str] = {}
    sources: dict[str, None] = {}
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        row = {c: (row.get(c) or "").strip() for c in COLUMNS}
        _check_row(str(path), n, row)
        kind, term = row["kind"], row["term"]
        sources[row["source"]] = None
        if kind in EXPANSION_KINDS:
            expansions[term.lower()] = normalise_term(row["expansion"])
        elif kind in SETTING_KINDS + OPTIONAL_SETTING_KINDS:
            by_setting[kind].setdefault(row["setting"], []).append(normalise_term(term))
        else:
            words[kind].append(normalise_term(term))
    return Vocabulary(
        by_setting={k: {s: tuple(t) for s, t in v.items()} for k, v in by_setting.items()},
        words={k: tuple(v) for k, v in words.items()},
        expansions=expansions,
        sources=tuple(sources),
    )


@cache
def load_vocabulary() -> Vocabulary:
    """The vocabulary shipped in the package (``geo/settings/vocabulary.csv``).

    Returns
    -------
    Vocabulary
        The shipped table, read once per process.

    Examples
    --------
    >>> "NaPTAN" in load_vocabulary().sources
    True
    """
    with resources.as_file(resources.files("geo.settings") / "vocabulary.csv") as path:
        return read_vocabulary(path)
