"""Settings tagging: which settings each record is in, with the reason each was given.

Settings are public transport, night-time economy, taxi, online, school, residential,
street and retail (:data:`SETTING_ORDER`); the words behind the rules are in
:mod:`geo.settings.words`.

Rule families, strongest evidence first:

1. ``location_type`` vocabulary (``Bus``, ``Railway station``, ``Takeaway`` …);
2. keywords and phrases in ``description``, with simple negation handled ("not on the
   bus" does not tag public transport);
3. victim or suspect occupation, when an export maps those columns (taxi driver, door
   staff, takeaway staff …);
4. the ``online`` flag;
5. proximity, used only when the record's own words name no setting (a vague location
   type such as "Street" and no keyword): within ``station_distance_m`` of a rail or bus
   station → public transport; within ``nte_distance_m`` of night-time-economy premises
   during NTE hours → NTE; within ``school_distance_m`` of a school during school hours
   on a term day → school.

NTE hours: 20:00–04:00 on nights starting Thursday, Friday or Saturday, and on eves of
bank holidays (England and Wales). Every rule is configurable in the workspace's
``tensionmap.toml`` under ``[tagging]``; reasons read ``rule:evidence``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from geo._errors import WorkspaceError
from geo.settings.hours import in_nte_hours, in_school_hours
from geo.settings.places import Places, nearest_within
from geo.settings.words import (
    KEYWORDS,
    LOCATION_TYPES,
    NEGATIONS,
    OCCUPATIONS,
    VAGUE_LOCATION_TYPES,
)
from geo.vocab import SETTINGS

#: Settings a rule can give, in the order they are listed ("other" is never inferred).
SETTING_ORDER = tuple(s for s in SETTINGS if s != "other")
#: Settings a record's own words can name (all but the catch-all "street" and "other").
SPECIFIC_SETTINGS = tuple(s for s in SETTINGS if s not in ("street", "other"))


@dataclass(frozen=True)
class TaggingRules:
    """The rules :func:`tag_records` applies: word tables, negations and distances.

    The defaults are :mod:`geo.settings.words`' tables; build with :meth:`from_config` to
    add a workspace's own words and distances.

    Attributes
    ----------
    location_types, keywords, occupations : dict of str to tuple of str
        Per setting, the location types, description keywords and occupations naming it.
    negations : tuple of str
        Words that cancel a keyword up to three words after them ("not on the bus").
    station_distance_m : float
        Records with a vague location this close to a station are public transport.
    nte_distance_m : float
        … this close to NTE premises, in NTE hours, are night-time economy.
    school_distance_m : float
        … this close to a school, in school hours, are school.

    Examples
    --------
    >>> rules = TaggingRules.from_config({"keywords": {"taxi": ["uber"]}, "nte_distance_m": 75})
    >>> rules.keywords["taxi"][-1], rules.nte_distance_m, rules.station_distance_m
    ('uber', 75.0, 100.0)
    """

    location_types: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(LOCATION_TYPES))
    keywords: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(KEYWORDS))
    occupations: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(OCCUPATIONS))
    negations: tuple[str, ...] = NEGATIONS
    station_distance_m: float = 100.0
    nte_distance_m: float = 50.0
    school_distance_m: float = 100.0

    @classmethod
    def from_config(cls, table: dict[str, Any] | None) -> TaggingRules:
        """Build the rules from a workspace's ``[tagging]`` table, added to the defaults.

        Parameters
        ----------
        table : dict or None
            ``location_types.<setting>``, ``keywords.<setting>`` and
            ``occupations.<setting>`` (lists added to the defaults), ``negations``
            (replacing them) and the three distances.

        Returns
        -------
        TaggingRules
            The defaults with the table's additions.

        Raises
        ------
        WorkspaceError
            If the table has an unknown key, or names a setting that does not exist.
        """
        rules = cls()
        if not table:
            return rules
        known = {
            "location_types",
            "keywords",
            "occupations",
            "negations",
            "station_distance_m",
            "nte_distance_m",
            "school_distance_m",
        }
        unknown = sorted(set(table) - known)
        if unknown:
            raise WorkspaceError(f"[tagging]: unknown key(s) {unknown}; known: {sorted(known)}.")
        changes: dict[str, Any] = {}
        for key in ("location_types", "keywords", "occupations"):
            merged = dict(getattr(rules, key))
            for setting, words in (table.get(key) or {}).items():
                if setting not in SETTING_ORDER:
                    raise WorkspaceError(
                        f"[tagging.{key}]: {setting!r} is not a setting; "
                        f"settings are {SETTING_ORDER}."
                    )
                merged[setting] = (*merged.get(setting, ()), *map(str, words))
            changes[key] = merged
        if "negations" in table:
            changes["negations"] = tuple(map(str, table["negations"]))
        for key in ("station_distance_m", "nte_distance_m", "school_distance_m"):
            if key in table:
                changes[key] = float(table[key])
        return replace(rules, **changes)


def _alternation(words: tuple[str, ...]) -> str:
    """One regex alternation of ``words``, longest first."""
    parts = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    # plain words are escaped; entries with regex syntax (\d) are used as written
    return "|".join(p if "\\" in p else re.escape(p) for p in parts)


@cache
def _patterns(words: tuple[str, ...], negations: tuple[str, ...]) -> tuple[str, str]:
    """The regexes of a word mentioned, and of a word mentioned after a negation."""
    alt = _alternation(words)
    positive = rf"\b(?:{alt})\b"
    negated = rf"\b(?:{_alternation(negations)})\s+(?:\w+\s+){{0,3}}?(?:{alt})\b"
    return positive, negated


def _first_match(text: pd.Series, words: tuple[str, ...]) -> pd.Series:
    """The first of ``words`` in each text, as a whole word (missing where none)."""
    alt = _alternation(words)
    return text.str.extract(rf"\b({alt})\b", expand=False)


class _Reasons:
    """The first reason found for each setting of each record.

    A later rule never overrides an earlier one: the rule families are applied strongest
    evidence first.
    """

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self.by_setting: dict[str, pd.Series] = {
            s: pd.Series(None, index=index, dtype=object) for s in SETTING_ORDER
        }

    def give(self, setting: str, mask: np.ndarray | pd.Series, why: pd.Series | str) -> None:
        """Give ``setting`` to the ``mask`` records that lack it, for the reason ``why``."""
        current = self.by_setting[setting]
        mask = pd.Series(np.asarray(mask, dtype=bool), index=self.index) & current.isna()
        if mask.any():
            current[mask] = why[mask] if isinstance(why, pd.Series) else why

    def to_frame(self) -> pd.DataFrame:
        """The ``settings`` and ``setting_reasons`` columns."""
        table = pd.DataFrame(self.by_setting)
        present = table.notna().to_numpy()
        names = np.array(SETTING_ORDER, dtype=object)
        settings = [";".join(names[row]) for row in present]
        reasons = [
            json.dumps(
                {s: r for s, r in zip(SETTING_ORDER, values, strict=True) if isinstance(r, str)}
            )
            for values in table.itertuples(index=False, name=None)
        ]
        return pd.DataFrame({"settings": settings, "setting_reasons": reasons}, index=self.index)


def _text(records: pd.DataFrame, column: str) -> pd.Series:
    """A column as lower-case text, empty where missing (and everywhere if absent)."""
    if column not in records:
        return pd.Series("", index=records.index, dtype=object)
    return records[column].fillna("").astype(str).str.lower()


def _by_location_type(reasons: _Reasons, location: pd.Series, rules: TaggingRules) -> None:
    """Rule 1: the location type names the setting (matched once per distinct type)."""
    distinct = pd.Series(location.unique())
    for setting in SETTING_ORDER:
        hit = _first_match(distinct, rules.location_types.get(setting, ()))
        found = location.map(dict(zip(distinct, hit, strict=True)))
        reasons.give(setting, found.notna(), "location_type:" + _blank(found))


def _by_description(reasons: _Reasons, description: pd.Series, rules: TaggingRules) -> None:
    """Rule 2: a keyword in the description, unless negated."""
    for setting in SETTING_ORDER:
        words = rules.keywords.get(setting, ())
        if not words:
            continue
        positive, negated = _patterns(tuple(words), rules.negations)
        cleaned = description.str.replace(negated, " ", regex=True)  # drop negated mentions
        found = cleaned.str.extract(f"({positive})", expand=False)
        reasons.give(setting, found.notna(), "description:" + _blank(found).str.strip())


def _by_occupation(reasons: _Reasons, records: pd.DataFrame, rules: TaggingRules) -> None:
    """Rule 3: the victim's or suspect's occupation."""
    for column in ("victim_occupation", "suspect_occupation"):
        occupation = _text(records, column)
        for setting, words in rules.occupations.items():
            found = _first_match(occupation, words)
            reasons.give(setting, found.notna(), f"{column}:" + _blank(found))


def _by_online_flag(reasons: _Reasons, records: pd.DataFrame) -> None:
    """Rule 4: the ``online`` flag."""
    if "online" in records:
        flag = records["online"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        reasons.give("online", flag, "online_flag:true")


def _by_proximity(
    reasons: _Reasons, records: pd.DataFrame, vague: np.ndarray, rules: TaggingRules, places: Places
) -> None:
    """Rule 5: near a station at any time; NTE premises and schools only in their hours."""
    if not ({"easting", "northing"} <= set(records.columns) and vague.any()):
        return
    xy = records[["easting", "northing"]].to_numpy(dtype=float)
    rows = np.flatnonzero(np.isfinite(xy).all(axis=1) & vague)

    def give_near(setting: str, rule: str, near: np.ndarray, d: np.ndarray) -> None:
        mask = np.zeros(len(records), dtype=bool)
        mask[rows[near]] = True
        reasons.give(setting, mask, _distance_reason(rule, rows, d, reasons.index))

    near_station, d = nearest_within(xy[rows], places.stations, rules.station_distance_m)
    give_near("public_transport", "near_station", near_station, d)
    if "recorded_at" not in records:
        return
    when = pd.to_datetime(records["recorded_at"].iloc[rows])
    timed = (
        records["time_known"].iloc[rows].fillna(False).to_numpy(dtype=bool)
        if "time_known" in records
        else np.ones(len(rows), dtype=bool)
    )
    near_nte, d = nearest_within(xy[rows], places.nte, rules.nte_distance_m)
    give_near("nte", "near_nte_premises_in_nte_hours", near_nte & timed & in_nte_hours(when), d)
    near_school, d = nearest_within(xy[rows], places.schools, rules.school_distance_m)
    in_hours = near_school & timed & in_school_hours(when)
    give_near("school", "near_school_in_school_hours", in_hours, d)


def tag_records(
    records: pd.DataFrame,
    *,
    rules: TaggingRules | None = None,
    places: Places | None = None,
) -> pd.DataFrame:
    """Tag each record with its settings, and the reason each setting was given.

    The rule families apply strongest evidence first (see the module docstring); the
    first reason found for a setting is kept.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with any of ``location_type``, ``description``, ``online``,
        ``recorded_at``, ``time_known``, ``easting``, ``northing``,
        ``victim_occupation`` and ``suspect_occupation``; absent columns are simply not
        evidence.
    rules : TaggingRules, optional
        The rules (the defaults if not given).
    places : Places, optional
        Stations, NTE premises and schools for the proximity rules (none if not given).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``records``: ``settings`` (``;``-joined, in :data:`SETTING_ORDER`) and
        ``setting_reasons`` (a JSON object, setting → ``rule:evidence``).

    Examples
    --------
    >>> records = pd.DataFrame({
    ...     "location_type": ["Railway station", "Street"],
    ...     "description": ["", "The taxi driver was abused by a fare."]})
    >>> tags = tag_records(records)
    >>> tags["settings"].tolist()
    ['public_transport', 'taxi;street']
    >>> tags.loc[1, "setting_reasons"]
    '{"taxi": "description:taxi", "street": "location_type:street"}'
    """
    rules = rules or TaggingRules()
    places = places or Places.none()
    reasons = _Reasons(records.index)
    location = _text(records, "location_type").str.strip()
    _by_location_type(reasons, location, rules)
    _by_description(reasons, _text(records, "description"), rules)
    _by_occupation(reasons, records, rules)
    _by_online_flag(reasons, records)
    vague = location.isin(VAGUE_LOCATION_TYPES).to_numpy() & ~_named_by_words(reasons.by_setting)
    _by_proximity(reasons, records, vague, rules, places)
    return reasons.to_frame()


def _blank(found: pd.Series) -> pd.Series:
    """Matched words as text, empty where nothing matched (whatever dtype came back)."""
    return found.astype(object).where(found.notna(), "").astype(str)


def _named_by_words(reason: dict[str, pd.Series]) -> np.ndarray:
    """Records whose own words already name a specific setting.

    Location type other than 'street', keywords, occupation or the online flag:
    proximity must not add to them.
    """
    named = np.zeros(len(next(iter(reason.values()))), dtype=bool)
    for s in SPECIFIC_SETTINGS:
        named |= reason[s].notna().to_numpy()
    return named


def _distance_reason(rule: str, rows: np.ndarray, d: np.ndarray, idx: pd.Index) -> pd.Series:
    """``rule:<metres>m`` for the ``rows`` with a finite distance, empty elsewhere."""
    out = pd.Series("", index=idx, dtype=object)
    finite = np.isfinite(d)
    out.iloc[rows[finite]] = pd.Series([f"{rule}:{v:.0f}m" for v in d[finite]], dtype=object)
    return out
