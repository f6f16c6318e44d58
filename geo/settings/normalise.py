"""Normalising police free text before tagging: one small step per function.

Incident text is typed fast: capitals, ``O/S``, ``B/STOP``, ``P&R``, ``STN``, ``PH``. Each
step takes and returns a :class:`pandas.Series` of text, and :func:`normalise` runs them
in this order:

1. :func:`lower_case` — ``"O/S The PH"`` → ``"o/s the ph"``;
2. :func:`expand_symbols` — table entries written with ``/``, ``&`` or ``-``, before
   punctuation is lost: ``"o/s"`` → ``"outside"``, ``"b/stop"`` → ``"bus stop"``,
   ``"p&r"`` → ``"park and ride"``;
3. :func:`strip_punctuation` — apostrophes are dropped (``"wasn't"`` → ``"wasnt"``,
   ``"victim's"`` → ``"victims"``), sentence punctuation becomes a ``.`` token (a
   negation never reaches across it), ``&`` becomes ``and``, any other punctuation
   (``/``, ``-``, brackets) a space: ``"bus/train"`` → ``"bus train"``;
4. :func:`collapse_whitespace` — runs of spaces become one, ends trimmed;
5. :func:`expand_words` — whole-word abbreviations and misspellings: ``"stn"`` →
   ``"station"``, ``"ph"`` → ``"public house"``, ``"busstop"`` → ``"bus stop"``.

Typos that no table lists are corrected afterwards by :mod:`geo.settings.fuzzy`. Terms in
the vocabulary go through steps 1, 3 and 4 (:func:`normalise_term`) so that they match the
normalised text.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache

import pandas as pd

_OTHER = re.compile(r"[^\w\s.,;:!?&'`]|_")
# one character for one: sentence punctuation to ".", other ASCII punctuation to a space;
# apostrophes deleted. "." is then spaced into a token and "&" spelt out.
_SENTENCE_MARKS = ".,;:!?"
_OTHER_MARKS = '"#$%()*+/<=>@[\\]^_{|}~-'
_TRANSLATION = str.maketrans(
    _SENTENCE_MARKS + _OTHER_MARKS, "." * len(_SENTENCE_MARKS) + " " * len(_OTHER_MARKS), "'`"
)
_UNICODE_APOSTROPHES = re.compile(r"[’‘]")


def _each(text: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    """``fn`` applied to every value (a plain loop beats ``.str`` for compiled regexes)."""
    with paused_gc():
        out = [fn(t) for t in text.to_numpy(dtype=object)]
    return pd.Series(out, index=text.index, dtype=object)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around a loop making millions of small objects.

    Strings, lists and dicts made per record hold no reference cycles; the collector
    would otherwise walk them again and again as they pile up.

    Yields
    ------
    None
        The collector is switched back on (if it was on) on leaving.

    Examples
    --------
    >>> with paused_gc():
    ...     words = [t.split() for t in ["on the bus"] * 3]
    >>> len(words)
    3
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def lower_case(text: pd.Series) -> pd.Series:
    """Text in lower case, empty where missing.

    Parameters
    ----------
    text : pandas.Series
        Free text (missing values allowed).

    Returns
    -------
    pandas.Series
        The text in lower case.

    Examples
    --------
    >>> lower_case(pd.Series(["IP O/S The PH", None])).tolist()
    ['ip o/s the ph', '']
    """
    return text.fillna("").astype(str).str.lower()


@cache
def _replacer(words: tuple[tuple[str, str], ...], whole_words: bool) -> re.Pattern[str]:
    """One compiled alternation of the table's terms, longest first."""
    terms = sorted((t for t, _ in words), key=len, reverse=True)
    alt = "|".join(map(re.escape, terms))
    if whole_words:
        return re.compile(rf"\b(?:{alt})\b")
    return re.compile(rf"(?<![\w/&-])(?:{alt})(?![\w/&-])")


@cache
def _substituter(words: tuple[tuple[str, str], ...], whole_words: bool):
    """One text's substitution of the table's terms (a no-op function for an empty table)."""
    if not words:
        return lambda t: t
    pattern = _replacer(words, whole_words)
    lookup = dict(words)

    def expand(m: re.Match[str]) -> str:
        return lookup[m.group()]

    if whole_words:
        first = frozenset(term.split()[0] for term in lookup)

        def one(t: str) -> str:
            return pattern.sub(expand, t) if not first.isdisjoint(t.split()) else t

        return one

    def symbols(t: str) -> str:
        return pattern.sub(expand, t) if ("/" in t or "&" in t or "-" in t) else t

    return symbols


def _table(table: Mapping[str, str], plain: bool) -> tuple[tuple[str, str], ...]:
    """The table's plain (or symbol) entries, as a hashable key."""
    return tuple(sorted((k, v) for k, v in table.items() if _is_plain(k) == plain))


def expand_symbols(text: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Abbreviations written with ``/``, ``&`` or ``-`` expanded (lower-case text).

    Parameters
    ----------
    text : pandas.Series
        Lower-case text.
    table : mapping of str to str
        Abbreviation → expansion; only entries containing a symbol are used here.

    Returns
    -------
    pandas.Series
        The text with those abbreviations expanded.

    Examples
    --------
    >>> table = {"o/s": "outside", "b/stop": "bus stop", "p&r": "park and ride"}
    >>> expand_symbols(pd.Series(["ip o/s b/stop", "at the p&r", "a/b"]), table).tolist()
    ['ip outside bus stop', 'at the park and ride', 'a/b']
    """
    return _each(text, _substituter(_table(table, plain=False), False))


def strip_punctuation(text: pd.Series) -> pd.Series:
    """Apostrophes dropped, sentence punctuation as a ``.`` token, other punctuation spaced.

    Parameters
    ----------
    text : pandas.Series
        Lower-case text.

    Returns
    -------
    pandas.Series
        The text with only letters, digits, spaces and ``.`` tokens.

    Examples
    --------
    >>> strip_punctuation(pd.Series(["wasn't on the bus/train, abuse & threats"])).tolist()
    ['wasnt on the bus train .  abuse  and  threats']
    """
    return _each(text, _strip_one)


def _strip_one(t: str) -> str:
    """:func:`strip_punctuation` of one text: a translation table, then rare symbols."""
    if not t.isascii():
        t = _OTHER.sub(" ", _UNICODE_APOSTROPHES.sub("", t))
    t = t.translate(_TRANSLATION).replace(".", " . ")
    return t.replace("&", " and ") if "&" in t else t


def collapse_whitespace(text: pd.Series) -> pd.Series:
    r"""Runs of whitespace as one space, ends trimmed.

    Parameters
    ----------
    text : pandas.Series
        Text.

    Returns
    -------
    pandas.Series
        The text with single spaces.

    Examples
    --------
    >>> collapse_whitespace(pd.Series(["  on   the\tbus . "])).tolist()
    ['on the bus .']
    """
    return _each(text, lambda t: " ".join(t.split()))


def expand_words(text: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Whole-word abbreviations and misspellings expanded (normalised text).

    Parameters
    ----------
    text : pandas.Series
        Text after :func:`collapse_whitespace`.
    table : mapping of str to str
        Term → expansion; entries written with symbols are left to :func:`expand_symbols`.

    Returns
    -------
    pandas.Series
        The text with the table's words expanded.

    Examples
    --------
    >>> table = {"stn": "station", "rly": "railway", "ph": "public house"}
    >>> expand_words(pd.Series(["ip at rly stn", "o s the ph", "phone"]), table).tolist()
    ['ip at railway station', 'o s the public house', 'phone']
    """
    return _each(text, _substituter(_table(table, plain=True), True))


def normalise(text: pd.Series, abbreviations: Mapping[str, str]) -> pd.Series:
    """All the steps, in order (see the module docstring).

    Parameters
    ----------
    text : pandas.Series
        Free text.
    abbreviations : mapping of str to str
        Abbreviations and misspellings → their expansion (as
        :attr:`geo.settings.rules.TaggingRules.abbreviations`).

    Returns
    -------
    pandas.Series
        Normalised text, aligned to ``text``.

    Examples
    --------
    >>> normalise(pd.Series(["IP abused O/S Rly STN; susp INTOX"]),
    ...           {"o/s": "outside", "rly": "railway", "stn": "station"}).tolist()
    ['ip abused outside railway station . susp intox']
    """
    symbols = _substituter(_table(abbreviations, plain=False), False)
    words = _substituter(_table(abbreviations, plain=True), True)

    def one(t: str) -> str:  # the five steps on one text, in one pass over the series
        return words(" ".join(_strip_one(symbols(t)).split()))

    return _each(lower_case(text), one)


def normalise_term(term: str) -> str:
    r"""A vocabulary term as it appears in normalised text.

    Terms written as regular expressions (containing ``\``) are kept as written.

    Parameters
    ----------
    term : str
        A term from the vocabulary or a workspace's ``[tagging]`` table.

    Returns
    -------
    str
        The term lower-cased, without apostrophes, punctuation spaced, spaces collapsed.

    Examples
    --------
    >>> normalise_term("Take-Away "), normalise_term("wasn't"), normalise_term(r"number \d+ bus")
    ('take away', 'wasnt', 'number \\d+ bus')
    """
    if "\\" in term:
        return term.strip().lower()
    t = _strip_one(term.lower()).replace(" . ", " ")
    return " ".join(t.split())


def _is_plain(term: str) -> bool:
    """Whether a table term is letters, digits and spaces only."""
    return all(ch.isalnum() or ch == " " for ch in term)
