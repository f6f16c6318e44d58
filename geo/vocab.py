"""Controlled vocabularies: strands, settings, record types and their synonyms.

Strands outside the five monitored ones (e.g. ``misogyny``) are accepted when the
workspace configures them, so areas can track extra strands without code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MONITORED_STRANDS: tuple[str, ...] = (
    "race",
    "religion",
    "sexual_orientation",
    "disability",
    "transgender",
)

#: Words seen in police exports, mapped to the canonical strand.
STRAND_SYNONYMS: dict[str, str] = {
    "race": "race",
    "racist": "race",
    "racial": "race",
    "racially": "race",
    "ethnicity": "race",
    "nationality": "race",
    "race/ethnicity": "race",
    "religion": "religion",
    "religious": "religion",
    "faith": "religion",
    "faith/religion": "religion",
    "religion/belief": "religion",
    "antisemitic": "religion",
    "islamophobic": "religion",
    "sexual_orientation": "sexual_orientation",
    "sexual orientation": "sexual_orientation",
    "sexualorientation": "sexual_orientation",
    "homophobic": "sexual_orientation",
    "homophobia": "sexual_orientation",
    "biphobic": "sexual_orientation",
    "disability": "disability",
    "disabled": "disability",
    "disablist": "disability",
    "learning disability": "disability",
    "learning_disability": "disability",
    "transgender": "transgender",
    "transphobic": "transgender",
    "transphobia": "transgender",
    "gender identity": "transgender",
    "gender_identity": "transgender",
    "trans": "transgender",
}

SETTINGS: tuple[str, ...] = (
    "public_transport",
    "nte",
    "taxi",
    "online",
    "school",
    "residential",
    "street",
    "retail",
    "other",
)

#: Settings a CSP partner's heat map is drawn for (transport, licensing, taxi licensing).
PARTNER_SETTINGS: tuple[str, ...] = ("public_transport", "nte", "taxi")

#: How settings read in titles and legends.
SETTING_LABELS: dict[str, str] = {
    "public_transport": "public transport",
    "nte": "night-time economy",
    "taxi": "taxis",
    "online": "online",
    "school": "schools",
    "residential": "residential",
    "street": "street",
    "retail": "retail",
    "other": "other",
}

#: Hot spot classes at 99/95/90 % confidence, hottest first (Gi*, excess and emerging).
HOTSPOT_CLASSES: tuple[str, ...] = (
    "hot_99", "hot_95", "hot_90", "not_significant", "cold_90", "cold_95", "cold_99",
)  # fmt: skip
#: The classes a map, a school score and a count of "hot spots" treat as hot.
HOT_CLASSES: tuple[str, ...] = ("hot_95", "hot_99")
#: The classes counted as cold (emerging hot spot analysis).
COLD_CLASSES: tuple[str, ...] = ("cold_95", "cold_99")
#: Local Moran's I quadrants (high-high … low-high) and not significant.
LISA_CLASSES: tuple[str, ...] = ("HH", "LL", "HL", "LH", "ns")

RECORD_TYPES: tuple[str, ...] = ("crime", "incident")
#: Context crime read from data.police.uk: not a hate record, kept for denominators.
CONTEXT_RECORD_TYPE = "context"

RECORD_TYPE_SYNONYMS: dict[str, str] = {
    "crime": "crime",
    "c": "crime",
    "hate crime": "crime",
    "incident": "incident",
    "i": "incident",
    "non-crime": "incident",
    "non crime": "incident",
    "non-crime incident": "incident",
    "hate incident": "incident",
    "nchi": "incident",
}

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", ""})

_STRAND_SPLIT = re.compile(r"\s*[;|]\s*")


def slug(word: str) -> str:
    """Lower-case a word, joining its parts with ``_``: the key a strand or setting is kept under.

    Parameters
    ----------
    word : str
        A word as written in an export or a configuration file.

    Returns
    -------
    str
        Lower-case letters and digits, runs of anything else replaced by one ``_``, with
        no ``_`` at either end.

    Examples
    --------
    >>> slug("Alternative Subculture")
    'alternative_subculture'
    >>> slug(" Race/Ethnicity ")
    'race_ethnicity'
    """
    return re.sub(r"[^a-z0-9]+", "_", word.strip().lower()).strip("_")


def parse_strands(raw: str, extra: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Split a ``;``-separated strands cell into canonical strands.

    Words are matched through :data:`STRAND_SYNONYMS` (``Racist`` → ``race``); a word that
    is not a synonym but, slugged, is one of ``extra`` is kept as that strand.

    Parameters
    ----------
    raw : str
        The cell, e.g. ``"Racist; faith"`` (``|`` separates too).
    extra : iterable of str, optional
        Extra strands the workspace accepts (already slugged, e.g. ``"misogyny"``).

    Returns
    -------
    strands : list of str
        Canonical strands in first-seen order, without repeats.
    unknown : list of str
        The words not recognised, as written.

    Examples
    --------
    >>> parse_strands("Racist; faith; racial")
    (['race', 'religion'], [])
    >>> parse_strands("Misogyny | goth", extra=["misogyny"])
    (['misogyny'], ['goth'])
    """
    extras = set(extra)
    strands: list[str] = []
    unknown: list[str] = []
    for word in _STRAND_SPLIT.split(raw.strip()):
        if not word:
            continue
        key = word.strip().lower()
        canonical = STRAND_SYNONYMS.get(key) or STRAND_SYNONYMS.get(slug(key))
        if canonical is None and slug(key) in extras:
            canonical = slug(key)
        if canonical is None:
            unknown.append(word)
        elif canonical not in strands:
            strands.append(canonical)
    return strands, unknown
