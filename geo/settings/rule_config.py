"""The tagging rules: the shipped vocabulary plus a workspace's ``[tagging]`` additions.

:class:`TaggingRules` holds every table :func:`geo.settings.rules.tag_records` reads. Its
defaults come from ``geo/settings/vocabulary.csv`` (:mod:`geo.settings.vocabulary`); a
workspace adds to them in ``tensionmap.toml``::

    [tagging]
    station_distance_m = 150
    fuzzy_threshold = 90
    negations = ["not", "never"]          # replaces the defaults
    not_a_place = ["bus lane camera"]     # added: also role_cues, departures,
                                          # vague_location_types, job_nouns
    [tagging.keywords]                    # places named in the description
    taxi = ["uber", "ride-hailing"]
    [tagging.location_types]
    public_transport = ["transport hub"]
    [tagging.roles]                       # jobs (also read from occupation columns);
    taxi = ["chauffeur"]                  # [tagging.occupations] is the same table
    [tagging.at_work]                     # a role at work there
    taxi = ["airport run"]
    [tagging.abbreviations]
    "t/r" = "taxi rank"
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from geo._errors import WorkspaceError
from geo.settings.describe import Reading
from geo.settings.fuzzy import FUZZY_THRESHOLD, typo_targets
from geo.settings.matching import TermMatcher
from geo.settings.normalise import normalise_term
from geo.settings.vocabulary import load_vocabulary
from geo.vocab import SETTINGS

#: Settings a rule can give, in the order they are listed ("other" is never inferred).
SETTING_ORDER = tuple(s for s in SETTINGS if s != "other")

_SETTING_TABLES = {
    "location_types": "location_types",
    "keywords": "keywords",
    "occupations": "occupations",
    "roles": "occupations",
    "at_work": "at_work",
}
_WORD_LISTS = (
    "role_cues",
    "off_duty",
    "departures",
    "not_a_place",
    "vague_location_types",
    "job_nouns",
)
_NUMBERS = ("station_distance_m", "nte_distance_m", "school_distance_m", "fuzzy_threshold")
KNOWN_KEYS = (*_SETTING_TABLES, "abbreviations", "negations", *_WORD_LISTS, *_NUMBERS)


def _default(kind: str) -> dict[str, tuple[str, ...]]:
    return dict(load_vocabulary().by_setting[kind])


def _words(kind: str) -> tuple[str, ...]:
    return load_vocabulary().words[kind]


@dataclass(frozen=True)
class TaggingRules:
    """The rules :func:`~geo.settings.rules.tag_records` applies: vocabulary and distances.

    The defaults are the shipped vocabulary (:func:`~geo.settings.vocabulary.load_vocabulary`);
    build with :meth:`from_config` to add a workspace's own words and distances.

    Attributes
    ----------
    location_types, keywords, occupations : dict of str to tuple of str
        Per setting: location-type words, place words in descriptions, and role words
        (jobs, read in descriptions and in occupation columns).
    abbreviations : dict of str to str
        Abbreviations and misspellings → their expansion.
    negations, negation_scope, departures, role_cues, off_duty : tuple of str
        Cue words (see :mod:`geo.settings.matching`).
    not_a_place, job_nouns : tuple of str
        Cue words (see :mod:`geo.settings.matching`).
    at_work, name_suffixes : dict of str to tuple of str
        Per setting, words that put a role at work there, and words that make a place
        word a name (setting ``""``: a road; ``"nte"``: a pub).
    vague_location_types : tuple of str
        Location types that say nothing about the setting (proximity may then decide).
    fuzzy_threshold : float
        The similarity (0–100) from which a typo is corrected (:mod:`geo.settings.fuzzy`).
    station_distance_m, nte_distance_m, school_distance_m : float
        Distances of the proximity rules.

    Examples
    --------
    >>> rules = TaggingRules.from_config({"keywords": {"taxi": ["ride-hailing"]},
    ...                                   "nte_distance_m": 75})
    >>> rules.keywords["taxi"][-1], rules.nte_distance_m, rules.station_distance_m
    ('ride hailing', 75.0, 100.0)
    """

    location_types: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: _default("location_type")
    )
    keywords: dict[str, tuple[str, ...]] = field(default_factory=lambda: _default("place"))
    occupations: dict[str, tuple[str, ...]] = field(default_factory=lambda: _default("role"))
    abbreviations: dict[str, str] = field(default_factory=lambda: load_vocabulary().expansions)
    negations: tuple[str, ...] = field(default_factory=lambda: _words("negation"))
    negation_scope: tuple[str, ...] = field(default_factory=lambda: _words("negation_scope"))
    departures: tuple[str, ...] = field(default_factory=lambda: _words("departure"))
    role_cues: tuple[str, ...] = field(default_factory=lambda: _words("role_cue"))
    off_duty: tuple[str, ...] = field(default_factory=lambda: _words("off_duty"))
    not_a_place: tuple[str, ...] = field(default_factory=lambda: _words("not_a_place"))
    vague_location_types: tuple[str, ...] = field(
        default_factory=lambda: _words("vague_location_type")
    )
    at_work: dict[str, tuple[str, ...]] = field(default_factory=lambda: _default("at_work"))
    job_nouns: tuple[str, ...] = field(default_factory=lambda: _words("job_noun"))
    name_suffixes: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: _default("name_suffix")
    )
    fuzzy_threshold: float = FUZZY_THRESHOLD
    station_distance_m: float = 100.0
    nte_distance_m: float = 50.0
    school_distance_m: float = 100.0

    @classmethod
    def from_config(cls, table: dict[str, Any] | None) -> TaggingRules:
        """Build the rules from a workspace's ``[tagging]`` table, added to the defaults.

        Parameters
        ----------
        table : dict or None
            ``location_types.<setting>``, ``keywords.<setting>``, ``roles.<setting>``
            (or ``occupations.<setting>``) lists and ``abbreviations`` (term =
            expansion), added to the defaults; ``role_cues``, ``departures``,
            ``not_a_place`` and ``vague_location_types`` lists, added; ``negations``,
            replacing them; ``fuzzy_threshold`` and the three distances.

        Returns
        -------
        TaggingRules
            The defaults with the table's additions.

        Raises
        ------
        WorkspaceError
            If the table has an unknown key, names a setting that does not exist, or gives
            a word list that is not a list of words.
        """
        rules = cls()
        if not table:
            return rules
        unknown = sorted(set(table) - set(KNOWN_KEYS))
        if unknown:
            raise WorkspaceError(
                f"[tagging]: unknown key(s) {unknown}; known: {sorted(KNOWN_KEYS)}."
            )
        changes: dict[str, Any] = {}
        for key, attr in _SETTING_TABLES.items():
            merged = dict(changes.get(attr, getattr(rules, attr)))
            for setting, words in _table(table, key).items():
                if setting not in SETTING_ORDER:
                    raise WorkspaceError(
                        f"[tagging.{key}]: {setting!r} is not a setting; "
                        f"settings are {SETTING_ORDER}."
                    )
                new = tuple(map(normalise_term, _word_list(f"tagging.{key}.{setting}", words)))
                merged[setting] = (*merged.get(setting, ()), *new)
            changes[attr] = merged
        extra = {
            str(k).lower(): normalise_term(str(v))
            for k, v in _table(table, "abbreviations").items()
        }
        changes["abbreviations"] = {**rules.abbreviations, **extra}
        for key in _WORD_LISTS:
            if key in table:
                new = tuple(map(normalise_term, _word_list(f"tagging.{key}", table[key])))
                changes[key] = (*getattr(rules, key), *new)
        if "negations" in table:
            changes["negations"] = tuple(
                map(normalise_term, _word_list("tagging.negations", table["negations"]))
            )
        for key in _NUMBERS:
            if key in table:
                changes[key] = _number(key, table[key])
        return replace(rules, **changes)

    def all_terms(self) -> tuple[str, ...]:
        """Every location-type, place and role term, for typo targets.

        Returns
        -------
        tuple of str
            The terms (normalised), location types first.

        Examples
        --------
        >>> "taxi rank" in TaggingRules().all_terms()
        True
        """
        tables = (self.location_types, self.keywords, self.occupations)
        return tuple(t for table in tables for words in table.values() for t in words)

    @cached_property
    def reading(self) -> Reading:
        """How descriptions are read (built once per rules object)."""
        terms: dict[tuple[str, str], tuple[str, ...]] = {}
        for setting, words in self.keywords.items():
            terms[("place", setting)] = words
        for setting, words in self.occupations.items():
            terms[("role", setting)] = words
        for setting, words in self.at_work.items():
            terms[("at_work", setting)] = words
        for kind, words in (
            ("negation", self.negations),
            ("departure", self.departures),
            ("role_cue", self.role_cues),
            ("off_duty", self.off_duty),
            ("not_a_place", self.not_a_place),
        ):
            terms[(kind, "")] = (*terms.get((kind, ""), ()), *words)
        tails = {("job_noun", ""): self.job_nouns}
        tails.update({("name_suffix", s): w for s, w in self.name_suffixes.items()})
        return Reading(
            matcher=TermMatcher.build(terms, tails),
            scope=frozenset(self.negation_scope),
            abbreviations=self.abbreviations,
            targets=typo_targets(self.all_terms()),
            threshold=self.fuzzy_threshold,
            settings=SETTING_ORDER,
        )

    @cached_property
    def location_matcher(self) -> TermMatcher:
        """Location-type words, with the phrases that are not a place."""
        terms = {("place", s): w for s, w in self.location_types.items()}
        return TermMatcher.build({**terms, ("not_a_place", ""): self.not_a_place})

    @cached_property
    def occupation_matcher(self) -> TermMatcher:
        """Role words, for the occupation columns."""
        return TermMatcher.build({("role", s): w for s, w in self.occupations.items()})

    def keywords_flat(self) -> tuple[str, ...]:
        """Every place term of the description, all settings.

        Returns
        -------
        tuple of str
            The terms.
        """
        return tuple(t for words in self.keywords.values() for t in words)

    def roles_flat(self) -> tuple[str, ...]:
        """Every role term, all settings.

        Returns
        -------
        tuple of str
            The terms.
        """
        return tuple(t for words in self.occupations.values() for t in words)


def _table(table: dict[str, Any], key: str) -> dict[str, Any]:
    """A sub-table of ``[tagging]`` (empty if absent), refusing anything else."""
    value = table.get(key) or {}
    if not isinstance(value, dict):
        raise WorkspaceError(
            f"[tagging]: {key!r} must be a table ([tagging.{key}]); {value!r} was given."
        )
    return value


def _word_list(where: str, value: Any) -> list[str]:
    """A list of words from the config, refusing a bare string or a number."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise WorkspaceError(f"[{where}]: expected a list of words; {value!r} was given.")
    return list(value)


def _number(key: str, value: Any) -> float:
    """A number from the config, refusing anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorkspaceError(f"[tagging]: {key} must be a number; {value!r} was given.")
    return float(value)
