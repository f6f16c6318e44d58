"""Typos corrected to vocabulary words with rapidfuzz, once per distinct token.

A token is a candidate typo when it has at least :data:`MIN_LENGTH` letters and is
neither a vocabulary word nor an English word (the English word list shipped with
``pyspellchecker``): "trian" and "nitclub" are candidates, "trail" and "couch" are not.
Each candidate is scored against every single word of the vocabulary by
Damerau–Levenshtein similarity (:mod:`rapidfuzz.distance.DamerauLevenshtein`,
``100 * (1 - edits / longer length)``: one slip in a five-letter word scores 80, a
swapped pair counts as one slip) in one
:func:`rapidfuzz.process.cdist` call over the distinct tokens of the whole batch, never
per record; the best word scoring at least :data:`FUZZY_THRESHOLD` replaces the token.

The threshold was measured with :func:`threshold_sweep`: typos made from the
vocabulary's own words (a letter dropped, doubled, swapped with its neighbour or replaced
by a key next to it) against place names that are not English words (the ward names of
England and Wales, which officers type into descriptions). ``benchmarks/eval_fuzzy.py``
prints the sweep; ``tests/test_tagging_robust.py`` pins the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from geo.settings.normalise import paused_gc

#: The lowest similarity (0–100) at which a token is corrected: measured, see above.
FUZZY_THRESHOLD = 80.0
#: Tokens shorter than this are never corrected ("bar"/"car", "pub"/"pun").
MIN_LENGTH = 5

_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def english_words() -> frozenset[str]:
    """The English word list shipped with ``pyspellchecker`` (lower case).

    Returns
    -------
    frozenset of str
        About 160,000 words, read once per process.

    Examples
    --------
    >>> {"trail", "couch"} <= english_words(), "trian" in english_words()
    (True, False)
    """
    from spellchecker import SpellChecker  # imported here: 0.3 s, only when text needs it

    return frozenset(SpellChecker(language="en").word_frequency.dictionary)


def typo_targets(terms: Iterable[str]) -> tuple[str, ...]:
    r"""The single words of ``terms`` long enough to correct typos to.

    Parameters
    ----------
    terms : iterable of str
        Normalised vocabulary terms (regular-expression terms are skipped).

    Returns
    -------
    tuple of str
        Distinct alphabetic words of at least :data:`MIN_LENGTH` letters, sorted.

    Examples
    --------
    >>> typo_targets(["bus station", "taxi rank", "nightclub", r"number \d+ bus"])
    ('nightclub', 'station')
    """
    words = {w for t in terms if "\\" not in t for w in t.split()}
    return tuple(sorted(w for w in words if len(w) >= MIN_LENGTH and w.isalpha()))


def corrections(
    tokens: Iterable[str],
    targets: tuple[str, ...],
    *,
    threshold: float = FUZZY_THRESHOLD,
    known: frozenset[str] | None = None,
) -> dict[str, str]:
    """Each candidate typo among ``tokens`` → the vocabulary word it was meant to be.

    Parameters
    ----------
    tokens : iterable of str
        Tokens of normalised text (repeats are fine: each distinct token is scored once).
    targets : tuple of str
        Vocabulary words (:func:`typo_targets`).
    threshold : float
        The lowest similarity (0–100) that corrects.
    known : frozenset of str, optional
        Words that are never typos (default :func:`english_words`).

    Returns
    -------
    dict of str to str
        Typo → word, for the candidates scoring at least ``threshold``.

    Examples
    --------
    >>> corrections(["trian", "trail", "nightclb", "bushey"], ("nightclub", "train"))
    {'nightclb': 'nightclub', 'trian': 'train'}
    """
    known = english_words() if known is None else known
    target_set = set(targets)
    candidates = sorted(
        t
        for t in set(tokens)
        if len(t) >= MIN_LENGTH and t.isalpha() and t not in known and t not in target_set
    )
    if not candidates or not targets:
        return {}
    scores = process.cdist(
        candidates,
        targets,
        scorer=DamerauLevenshtein.normalized_similarity,
        score_cutoff=threshold / 100 - 1e-6,
    )
    best = scores.argmax(axis=1)
    hit = scores[np.arange(len(candidates)), best] >= threshold / 100 - 1e-6
    return {c: targets[b] for c, b, h in zip(candidates, best, hit, strict=True) if h}


def correct_typos(
    text: pd.Series, targets: tuple[str, ...], *, threshold: float = FUZZY_THRESHOLD
) -> tuple[pd.Series, np.ndarray]:
    """Normalised text with its typos corrected, and which rows changed.

    Parameters
    ----------
    text : pandas.Series
        Normalised text (:func:`geo.settings.normalise.normalise`).
    targets : tuple of str
        Vocabulary words (:func:`typo_targets`).
    threshold : float
        The lowest similarity (0–100) that corrects.

    Returns
    -------
    tuple of (pandas.Series, numpy.ndarray)
        The corrected text, and a boolean array of the rows that had a typo.

    Examples
    --------
    >>> fixed, changed = correct_typos(pd.Series(["ip on the trian", "on a trail"]), ("train",))
    >>> fixed.tolist(), changed.tolist()
    (['ip on the train', 'on a trail'], [True, False])
    """
    values = text.to_numpy(dtype=object)
    fixes = corrections(" ".join(values).split(), targets, threshold=threshold)
    changed = np.zeros(len(values), dtype=bool)
    if not fixes:
        return text, changed
    out = values.copy()
    typos = frozenset(fixes)
    with paused_gc():
        for i, t in enumerate(values):
            words = t.split()
            if not typos.isdisjoint(words):
                out[i] = " ".join([fixes.get(w, w) for w in words])
                changed[i] = True
    return pd.Series(out, index=text.index, dtype=object), changed


def make_typos(words: Iterable[str], rng: np.random.Generator) -> list[tuple[str, str]]:
    """One typo of each word: a letter dropped, doubled, swapped or hit next to its key.

    Parameters
    ----------
    words : iterable of str
        Correctly spelt words.
    rng : numpy.random.Generator
        The random generator (the kind of slip and its position are drawn).

    Returns
    -------
    list of (str, str)
        ``(typo, word)`` pairs; a word whose slip gives itself back is left out.

    Examples
    --------
    >>> make_typos(["station", "nightclub"], np.random.default_rng(1))
    [('sttaion', 'station'), ('nightckub', 'nightclub')]
    """
    out = []
    for word in words:
        i = int(rng.integers(0, len(word) - 1))
        kind = int(rng.integers(0, 4))
        if kind == 0:
            typo = word[:i] + word[i + 1 :]
        elif kind == 1:
            typo = word[: i + 1] + word[i] + word[i + 1 :]
        elif kind == 2:
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            typo = word[:i] + _neighbour_key(word[i], rng) + word[i + 1 :]
        if typo != word:
            out.append((typo, word))
    return out


def _neighbour_key(letter: str, rng: np.random.Generator) -> str:
    """A key beside ``letter`` on a QWERTY keyboard (the letter itself if none)."""
    for row in _KEYBOARD:
        j = row.find(letter)
        if j >= 0:
            near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
            return near[int(rng.integers(0, len(near)))]
    return letter


def measurement_set(
    targets: tuple[str, ...], repeats: int = 5, seed: int = 0
) -> tuple[list[tuple[str, str]], list[str]]:
    """The typos and the place names the threshold is measured on.

    Parameters
    ----------
    targets : tuple of str
        Vocabulary words (:func:`typo_targets`).
    repeats : int
        How many typos to make of each word.
    seed : int
        The random seed.

    Returns
    -------
    tuple of (list, list)
        ``(typo, meant)`` pairs made by :func:`make_typos`, and the distinct words of every
        ward name in England and Wales (shipped in ``geo._national``).

    Examples
    --------
    >>> typos, places = measurement_set(("station",), repeats=2)
    >>> len(typos), "bushey" in places
    (2, True)
    """
    rng = np.random.default_rng(seed)
    typos = [pair for _ in range(repeats) for pair in make_typos(targets, rng)]
    path = resources.files("geo._national") / "lsoa_hierarchy.csv.gz"
    with resources.as_file(path) as file:
        names = pd.read_csv(file, usecols=["ward_name"])["ward_name"].dropna().unique()
    words = {w for n in names for w in str(n).lower().replace("-", " ").split() if w.isalpha()}
    return typos, sorted(words)


def threshold_sweep(
    typos: list[tuple[str, str]],
    others: Iterable[str],
    targets: tuple[str, ...],
    thresholds: Iterable[float],
) -> pd.DataFrame:
    """Precision and recall of the correction step at each threshold.

    Parameters
    ----------
    typos : list of (str, str)
        ``(typo, meant)`` pairs that should be corrected to ``meant``.
    others : iterable of str
        Tokens that are not typos of any vocabulary word (names of places).
    targets : tuple of str
        Vocabulary words.
    thresholds : iterable of float
        The thresholds to try.

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold``, ``corrected``, ``right``, ``wrong``,
        ``precision`` (right / corrected) and ``recall`` (right / typos).

    Examples
    --------
    >>> sweep = threshold_sweep([("trian", "train")], ["bushey"], ("train", "buses"), [80, 90])
    >>> sweep[["threshold", "precision", "recall"]].values.tolist()
    [[80.0, 1.0, 1.0], [90.0, 0.0, 0.0]]
    """
    candidates = [t for t, _ in typos] + [o for o in others if o not in dict(typos)]
    meant = dict(typos)
    rows = []
    for threshold in thresholds:
        fixes = corrections(candidates, targets, threshold=threshold)
        right = sum(1 for t, w in fixes.items() if meant.get(t) == w)
        n = len(fixes)
        rows.append(
            {
                "threshold": float(threshold),
                "corrected": n,
                "right": right,
                "wrong": n - right,
                "precision": right / n if n else 0.0,
                "recall": right / len(typos) if typos else 0.0,
            }
        )
    return pd.DataFrame(rows)
