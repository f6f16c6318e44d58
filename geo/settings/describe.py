"""What each record's description says: the places and roles it names, and its typos.

The description goes through :func:`geo.settings.normalise.normalise`, then
:func:`geo.settings.fuzzy.correct_typos`, then :func:`geo.settings.matching.read_texts`.
Each distinct description is read once (records repeat templates and pasted text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.settings.fuzzy import correct_typos
from geo.settings.matching import TermMatcher, read_texts
from geo.settings.normalise import normalise


@dataclass(frozen=True)
class TextEvidence:
    """Per record and setting, the place and role terms its description names.

    Attributes
    ----------
    places, roles : dict of str to numpy.ndarray
        Setting → the term found in each record (``None`` where none).
    typo : dict of str to numpy.ndarray
        Setting → whether the place term was found only after a typo was corrected.

    Examples
    --------
    >>> from geo.settings.rules import TaggingRules
    >>> ev = read_descriptions(pd.Series(["IP o/s the chippy", "on the trian"]),
    ...                        TaggingRules().reading)
    >>> ev.places["nte"].tolist(), ev.places["public_transport"].tolist()
    (['chip shop', None], [None, 'train'])
    >>> ev.typo["public_transport"].tolist()
    [False, True]
    """

    places: dict[str, np.ndarray]
    roles: dict[str, np.ndarray]
    typo: dict[str, np.ndarray]


@dataclass(frozen=True)
class Reading:
    """How descriptions are read: the tables behind each step.

    Attributes
    ----------
    matcher : TermMatcher
        Places, roles and cues.
    scope : frozenset of str
        Words that may stand between a negation and its place.
    abbreviations : dict of str to str
        Abbreviations and misspellings → expansions.
    targets : tuple of str
        Vocabulary words typos are corrected to.
    threshold : float
        The fuzzy threshold.
    settings : tuple of str
        The settings to read.

    Examples
    --------
    >>> from geo.settings.rules import TaggingRules
    >>> TaggingRules().reading.threshold
    80.0
    """

    matcher: TermMatcher
    scope: frozenset[str]
    abbreviations: Mapping[str, str]
    targets: tuple[str, ...]
    threshold: float
    settings: tuple[str, ...]


def read_descriptions(description: pd.Series, reading: Reading) -> TextEvidence:
    """Read every description (each distinct text once).

    Parameters
    ----------
    description : pandas.Series
        Free text, missing allowed.
    reading : Reading
        The tables (``TaggingRules.reading``).

    Returns
    -------
    TextEvidence
        Aligned to ``description``.

    Examples
    --------
    >>> from geo.settings.rules import TaggingRules
    >>> ev = read_descriptions(pd.Series(["abused at b/stop", "IP works as a cabbie, at home"]),
    ...                        TaggingRules().reading)
    >>> ev.places["public_transport"].tolist()[0]
    'bus stop'
    """
    codes, uniques = pd.factorize(description.fillna("").astype(str), sort=False)
    text = normalise(pd.Series(uniques, dtype=object), reading.abbreviations)
    fixed, changed = correct_typos(text, reading.targets, threshold=reading.threshold)
    values = fixed.to_numpy(dtype=object)
    places, roles = read_texts(values, reading.matcher, reading.scope, reading.settings)
    original = text.to_numpy(dtype=object)
    rows = np.flatnonzero(changed)
    typo = {}
    for s, found in places.items():
        flag = np.zeros(len(values), dtype=bool)
        for i in rows:
            term = found[i]
            flag[i] = term is not None and f" {term} " not in f" {original[i]} "
        typo[s] = flag[codes]
    return TextEvidence(
        places={s: a[codes] for s, a in places.items()},
        roles={s: a[codes] for s, a in roles.items()},
        typo=typo,
    )
