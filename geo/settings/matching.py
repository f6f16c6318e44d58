"""Reading normalised text: which terms it names, in order, and what cancels them.

One regular expression per vocabulary (a trie of every term, so each word start is tried
once whatever the vocabulary's size) finds every term, longest first: "taxi driver" is a
role, not the place "taxi"; "police station" is not a place at all. The terms are then
read left to right in one pass per text:

- a ``negation`` ("not", "never") or ``departure`` ("got off") cancels a place or role
  up to three words later when only ``negation_scope`` words stand between ("not on the
  bus", "never takes the train", "got off the bus"), and never across a full stop;
- a ``role_cue`` ("works as", "is a") makes a role up to three words later someone's
  job, no evidence unless a word of that work follows ("IP is a taxi driver … the fare
  refused to pay"); after an ``off_duty`` cue ("off duty", "on his day off") it is no
  evidence at all;
- ``not_a_place`` phrases are consumed and give nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from geo.settings.normalise import paused_gc

_CUES = ("negation", "departure", "role_cue", "off_duty")
#: How many words may stand between a negation or role cue and what it applies to.
WINDOW = 3
#: … and between a departure ("after leaving", "picked up from") and its place, whatever
#: the words (a venue's name often stands between: "after leaving the Golden Fleece PH").
DEPARTURE_WINDOW = 4
_WINDOWS = {True: WINDOW, False: DEPARTURE_WINDOW}  # negation? → its window

# what a matched term is: a place or role of a setting, or a cue without one
Meaning = tuple[tuple[str, str], ...]  # ((kind, setting), ...)


def trie_pattern(terms: Iterable[str]) -> str:
    r"""One regex alternation of ``terms`` as a trie, longest match first.

    Parameters
    ----------
    terms : iterable of str
        Literal terms.

    Returns
    -------
    str
        A pattern matching exactly the terms (the longest at a given position first).

    Examples
    --------
    >>> p = trie_pattern(["taxi", "taxi driver", "tax"])
    >>> p, re.findall(rf"\b(?:{p})\b", "a taxi driver's tax")
    ('tax(?:i(?:\\ driver)?)?', ['taxi driver', 'tax'])
    """
    trie: dict = {}
    for term in set(terms):
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = True
    return _node_pattern(trie)


def _node_pattern(node: dict) -> str:
    """The regex of one trie node (children longest first via greedy optionals)."""
    end = "" in node
    branches = [re.escape(ch) + _node_pattern(child) for ch, child in node.items() if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(sorted(branches)) + ")"
    return f"(?:{body})?" if end else body


@dataclass(frozen=True)
class TermMatcher:
    """Every term of a vocabulary with what it means, found in one regex pass.

    Attributes
    ----------
    pattern : re.Pattern
        Regular-expression terms first (each its own group), then the literal trie.
    literal : dict of str to tuple
        Literal term → its meanings, ``((kind, setting), …)``.
    regex : tuple
        ``(compiled term, meaning)`` of the regular-expression terms.
    cues : frozenset of str
        The literal terms that are negations, departures or role cues.
    tails : dict of str to tuple
        Tail word → its meanings (``job_noun``, ``name_suffix``).

    Examples
    --------
    >>> m = TermMatcher.build({("place", "taxi"): ["taxi"], ("role", "taxi"): ["taxi driver"]})
    >>> [(t, m.meaning(t)) for t, _ in m.find("the taxi driver in his taxi")]
    [('taxi driver', (('role', 'taxi'),)), ('taxi', (('place', 'taxi'),))]
    """

    pattern: re.Pattern[str]
    literal: dict[str, Meaning]
    regex: tuple[tuple[re.Pattern[str], Meaning], ...]
    cues: frozenset[str]
    tails: dict[str, Meaning]

    @classmethod
    def build(
        cls,
        terms: Mapping[tuple[str, str], Iterable[str]],
        tails: Mapping[tuple[str, str], Iterable[str]] | None = None,
    ) -> TermMatcher:
        r"""The matcher of ``(kind, setting) → terms`` (setting ``""`` for cues).

        Parameters
        ----------
        terms : mapping of (str, str) to iterable of str
            Normalised terms by kind and setting; a term containing ``\`` is a regex.
        tails : mapping of (str, str) to iterable of str, optional
            Single words that change the place word right before them:
            ``("job_noun", "")`` makes it a role ("pub landlord"), ``("name_suffix",
            "")`` a name ("station road"), ``("name_suffix", setting)`` a place of that
            setting ("railway arms").

        Returns
        -------
        TermMatcher
            The compiled matcher.
        """
        literal: dict[str, list[tuple[str, str]]] = {}
        regex: dict[str, list[tuple[str, str]]] = {}
        for meaning, words in terms.items():
            for word in words:
                if word:
                    (regex if "\\" in word else literal).setdefault(word, []).append(meaning)
        tail: dict[str, list[tuple[str, str]]] = {}
        for meaning, words in (tails or {}).items():
            for word in words:
                tail.setdefault(word, []).append(meaning)
        alternatives = "|".join([*regex, trie_pattern(literal) or "(?!x)x"])
        after = f"(?: (?:{trie_pattern(tail)}))?" if tail else ""
        cues = frozenset(
            w for w, meanings in literal.items() if any(k in _CUES for k, _ in meanings)
        )
        return cls(
            pattern=re.compile(rf"\b(?:{alternatives}){after}\b"),
            literal={k: tuple(v) for k, v in literal.items()},
            regex=tuple((re.compile(r), tuple(v)) for r, v in regex.items()),
            cues=cues,
            tails={k: tuple(v) for k, v in tail.items()},
        )

    def find(self, text: str) -> list[tuple[str, re.Match[str]]]:
        """Every term in ``text``, left to right, with its match.

        Parameters
        ----------
        text : str
            Normalised text.

        Returns
        -------
        list of (str, re.Match)
            The matched text and the match.
        """
        return [(m.group(), m) for m in self.pattern.finditer(text)]

    def meaning(self, term: str) -> Meaning:
        """What a term found by :meth:`find` means.

        Parameters
        ----------
        term : str
            The matched text.

        Returns
        -------
        tuple of (str, str)
            ``(kind, setting)`` pairs.
        """
        found = self.literal.get(term)
        if found is not None:
            return found
        head, _, last = term.rpartition(" ")
        if head and last in self.tails:
            return _with_tail(self._head(head), self.tails[last])
        return self._head(term)

    def _head(self, term: str) -> Meaning:
        """The meaning of a term without a tail word."""
        found = self.literal.get(term)
        if found is not None:
            return found
        return next((m for r, m in self.regex if r.fullmatch(term)), ())


def _with_tail(head: Meaning, tail: Meaning) -> Meaning:
    """A place word's meaning changed by the word after it (other meanings kept)."""
    out: list[tuple[str, str]] = []
    for kind, setting in head:
        if kind != "place":
            out.append((kind, setting))
            continue
        for tail_kind, tail_setting in tail:
            if tail_kind == "job_noun":
                out.append(("role", setting))
            elif tail_setting:
                out.append(("place", tail_setting))
    return tuple(out)


def _close(text: str, start: int, end: int, scope: frozenset[str] | None, window: int) -> bool:
    """Whether at most ``window`` words (all in ``scope`` if given) lie in between."""
    words = text[start:end].split()
    if len(words) > window or "." in words:
        return False
    return scope is None or all(w in scope for w in words)


def read_text(
    text: str, matcher: TermMatcher, scope: frozenset[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The places and roles one normalised text names, after negations and role cues.

    Parameters
    ----------
    text : str
        Normalised text.
    matcher : TermMatcher
        The vocabulary's matcher (kinds ``place``, ``role``, ``at_work``, ``negation``,
        ``departure``, ``role_cue``, ``job_noun``, ``name_suffix``, ``not_a_place``).
    scope : frozenset of str
        The ``negation_scope`` words.

    Returns
    -------
    tuple of (dict, dict)
        Setting → first place term, and setting → first role term. A role with an
        ``at_work`` word of its setting ("the taxi driver … the fare") is a place: the
        person was at work there.

    Examples
    --------
    >>> m = TermMatcher.build({("place", "public_transport"): ["bus"],
    ...                        ("role", "taxi"): ["taxi driver"], ("negation", ""): ["not"],
    ...                        ("role_cue", ""): ["works as"], ("at_work", "taxi"): ["fare"],
    ...                        ("job_noun", ""): ["driver"]})
    >>> read_text("not on the bus . ip works as a taxi driver", m, frozenset({"on", "the"}))
    ({}, {})
    >>> read_text("did not pay on the bus . the taxi driver", m, frozenset({"on", "the"}))
    ({'public_transport': 'bus'}, {'taxi': 'taxi driver'})
    >>> read_text("the taxi driver asked the fare to pay", m, frozenset())
    ({'taxi': 'taxi driver'}, {})
    """
    terms = matcher.pattern.findall(text)
    if not matcher.cues.isdisjoint(terms):
        return _read_with_cues(text, matcher, scope)
    places: dict[str, str] = {}
    roles: dict[str, str] = {}
    at_work: set[str] = set()
    for term in terms:  # no cue: order is all that matters
        for kind, setting in matcher.meaning(term):
            if kind == "place":
                places.setdefault(setting, term)
            elif kind == "role":
                roles.setdefault(setting, term)
            elif kind == "at_work":
                at_work.add(setting)
    return _at_work(places, roles, at_work)


def _at_work(
    places: dict[str, str], roles: dict[str, str], at_work: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Roles with a word of their work become places."""
    for setting in at_work & set(roles):
        places.setdefault(setting, roles.pop(setting))
    return places, roles


def _read_with_cues(
    text: str, matcher: TermMatcher, scope: frozenset[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """:func:`read_text` for a text with a cue: read in order, with positions."""
    places: dict[str, str] = {}
    roles: dict[str, str] = {}
    jobs: dict[str, str] = {}  # roles after a job cue: at work only with an at-work word
    at_work: set[str] = set()
    cancel: tuple[int, frozenset[str] | None, int] = (-1, None, 0)
    cue: tuple[int, str] = (-1, "")
    for term, match in matcher.find(text):
        for kind, setting in matcher.meaning(term):
            if kind in ("negation", "departure"):
                negation = kind == "negation"
                cancel = (match.end(), scope if negation else None, _WINDOWS[negation])
            elif kind in ("role_cue", "off_duty"):
                cue = (match.end(), kind)
            elif kind == "at_work":
                at_work.add(setting)
            elif kind not in ("place", "role") or (
                cancel[0] >= 0 and _close(text, cancel[0], match.start(), cancel[1], cancel[2])
            ):
                continue
            elif kind == "place":
                places.setdefault(setting, term)
            elif not (cue[0] >= 0 and _close(text, cue[0], match.start(), None, WINDOW)):
                roles.setdefault(setting, term)
            elif cue[1] == "role_cue":
                jobs.setdefault(setting, term)
    for setting in at_work & set(jobs):
        roles.setdefault(setting, jobs[setting])
    return _at_work(places, roles, at_work)


def read_texts(
    texts: np.ndarray, matcher: TermMatcher, scope: frozenset[str], settings: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """:func:`read_text` over many texts, as one object array per setting.

    Parameters
    ----------
    texts : numpy.ndarray
        Normalised texts.
    matcher : TermMatcher
        The vocabulary's matcher.
    scope : frozenset of str
        The ``negation_scope`` words.
    settings : tuple of str
        The settings to return arrays for.

    Returns
    -------
    tuple of (dict, dict)
        Setting → the place term of each text (``None`` where none), and the same for
        roles.

    Examples
    --------
    >>> m = TermMatcher.build({("place", "taxi"): ["taxi"]})
    >>> places, roles = read_texts(np.array(["in a taxi", ""], dtype=object), m,
    ...                            frozenset(), ("taxi",))
    >>> places["taxi"].tolist(), roles["taxi"].tolist()
    (['taxi', None], [None, None])
    """
    places = {s: np.full(len(texts), None, dtype=object) for s in settings}
    roles = {s: np.full(len(texts), None, dtype=object) for s in settings}
    with paused_gc():
        read = [read_text(t, matcher, scope) if t else None for t in texts]
    for i, found in enumerate(read):
        if found:
            found_places, found_roles = found
            for s, term in found_places.items():
                if s in places:
                    places[s][i] = term
            for s, term in found_roles.items():
                if s in roles:
                    roles[s][i] = term
    return places, roles
