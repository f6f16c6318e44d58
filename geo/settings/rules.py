"""Settings tagging: public transport, night-time economy, taxi, online, school, … with
the reason each setting was given.

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
from geo.vocab import SETTINGS

#: Settings a rule can give, in the order they are listed ("other" is never inferred).
SETTING_ORDER = tuple(s for s in SETTINGS if s != "other")
#: Settings a record's own words can name (all but the catch-all "street" and "other").
SPECIFIC_SETTINGS = tuple(s for s in SETTINGS if s not in ("street", "other"))

LOCATION_TYPES: dict[str, tuple[str, ...]] = {
    "public_transport": (
        "bus",
        "bus station",
        "bus stop",
        "coach",
        "train",
        "railway",
        "railway station",
        "rail",
        "tram",
        "guided bus",
        "guided busway",
        "platform",
        "underground",
    ),
    "taxi": ("taxi", "private hire", "private hire vehicle", "minicab", "taxi rank"),
    "nte": (
        "pub",
        "bar",
        "nightclub",
        "night club",
        "licensed premises",
        "takeaway",
        "take away",
        "late-night refreshment",
        "late night refreshment",
        "restaurant",
    ),
    "school": (
        "school",
        "college",
        "academy",
        "school gate",
        "school gates",
        "outside school gates",
    ),
    "online": ("online", "internet", "social media", "email", "text message"),
    "residential": ("dwelling", "house", "home", "flat", "flats", "residential", "garden"),
    "street": ("street", "road", "footpath", "park", "car park", "public place"),
    "retail": ("shop", "supermarket", "store", "retail", "shopping centre", "petrol station"),
}

KEYWORDS: dict[str, tuple[str, ...]] = {
    "public_transport": (
        "bus",
        "buses",
        "coach",
        "train",
        "railway",
        "rail station",
        "railway station",
        "platform",
        "tram",
        "bus station",
        "bus stop",
        "busway",
        r"number \d+ bus",
    ),
    "taxi": ("taxi", "taxis", "private hire", "minicab", "cab driver", "taxi rank"),
    "nte": (
        "pub",
        "nightclub",
        "night club",
        "takeaway",
        "take-away",
        "kebab shop",
        "door staff",
        "doorman",
        "bouncer",
        "licensed premises",
        "behind the bar",
        "late-night",
        "late night",
    ),
    "online": (
        "social media",
        "online",
        "facebook",
        "twitter",
        "instagram",
        "whatsapp",
        "tiktok",
        "snapchat",
        "email",
        "text message",
        "posted",
    ),
    "school": ("school", "pupil", "pupils", "playground", "school gates", "college"),
    "residential": (
        "front door",
        "letterbox",
        "neighbour",
        "outside their home",
        "her home",
        "his home",
    ),
    "retail": ("shop staff", "supermarket", "shopper", "checkout", "shopping centre"),
    "street": ("walking along the road", "in the park", "along the road"),
}

OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "taxi": ("taxi driver", "private hire driver", "cab driver", "minicab driver"),
    "nte": ("door staff", "doorman", "door supervisor", "bouncer", "takeaway staff", "bar staff"),
    "public_transport": ("bus driver", "train guard", "ticket inspector", "rail staff"),
}

NEGATIONS = ("not", "no", "never", "wasn't", "weren't", "didn't", "rather than", "instead of")
#: Location types that say nothing about the setting: proximity may then decide.
VAGUE_LOCATION_TYPES = ("", "street", "other", "public place", "unknown", "n/a")


@dataclass(frozen=True)
class TaggingRules:
    """The rule tables; build with :meth:`from_config` to apply a workspace's additions."""

    location_types: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(LOCATION_TYPES))
    keywords: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(KEYWORDS))
    occupations: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(OCCUPATIONS))
    negations: tuple[str, ...] = NEGATIONS
    station_distance_m: float = 100.0
    nte_distance_m: float = 50.0
    school_distance_m: float = 100.0

    @classmethod
    def from_config(cls, table: dict[str, Any] | None) -> TaggingRules:
        """Defaults extended by a ``[tagging]`` table: ``location_types.<setting>``,
        ``keywords.<setting>``, ``occupations.<setting>`` (lists added to the defaults),
        ``negations`` and the three distances."""
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
    parts = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    # plain words are escaped; entries with regex syntax (\d) are used as written
    return "|".join(p if "\\" in p else re.escape(p) for p in parts)


@cache
def _patterns(words: tuple[str, ...], negations: tuple[str, ...]) -> tuple[str, str]:
    alt = _alternation(words)
    positive = rf"\b(?:{alt})\b"
    negated = rf"\b(?:{_alternation(negations)})\s+(?:\w+\s+){{0,3}}?(?:{alt})\b"
    return positive, negated


def _first_match(text: pd.Series, words: tuple[str, ...]) -> pd.Series:
    alt = _alternation(words)
    return text.str.extract(rf"\b({alt})\b", expand=False)


def tag_records(
    records: pd.DataFrame,
    *,
    rules: TaggingRules | None = None,
    places: Places | None = None,
) -> pd.DataFrame:
    """Settings and reasons for each record.

    ``records`` may have ``location_type``, ``description``, ``online``, ``recorded_at``,
    ``time_known``, ``easting``, ``northing``, ``victim_occupation``,
    ``suspect_occupation``; absent columns are simply not evidence.

    Returns a frame aligned to ``records`` with ``settings`` (``;``-joined, in
    :data:`SETTING_ORDER`) and ``setting_reasons`` (JSON object setting → reason).
    """
    rules = rules or TaggingRules()
    places = places or Places.none()
    idx = records.index
    n = len(records)

    def text(col: str) -> pd.Series:
        if col not in records:
            return pd.Series("", index=idx, dtype=object)
        return records[col].fillna("").astype(str).str.lower()

    reason: dict[str, pd.Series] = {
        s: pd.Series(None, index=idx, dtype=object) for s in SETTING_ORDER
    }

    def give(setting: str, mask: np.ndarray | pd.Series, why: pd.Series | str) -> None:
        current = reason[setting]
        mask = pd.Series(np.asarray(mask, dtype=bool), index=idx) & current.isna()
        if mask.any():
            current[mask] = why[mask] if isinstance(why, pd.Series) else why

    location = text("location_type").str.strip()
    description = text("description")
    distinct_loc = pd.Series(location.unique())
    for setting in SETTING_ORDER:
        hit = _first_match(distinct_loc, rules.location_types.get(setting, ()))
        lookup = dict(zip(distinct_loc, hit, strict=True))
        found = location.map(lookup)
        give(setting, found.notna(), "location_type:" + _blank(found))
    for setting in SETTING_ORDER:
        words = rules.keywords.get(setting, ())
        if not words:
            continue
        positive, negated = _patterns(tuple(words), rules.negations)
        cleaned = description.str.replace(negated, " ", regex=True)  # drop negated mentions
        found = cleaned.str.extract(f"({positive})", expand=False)
        give(setting, found.notna(), "description:" + _blank(found).str.strip())
    for column in ("victim_occupation", "suspect_occupation"):
        occupation = text(column)
        for setting, words in rules.occupations.items():
            found = _first_match(occupation, words)
            give(setting, found.notna(), f"{column}:" + _blank(found))
    if "online" in records:
        flag = records["online"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        give("online", flag, "online_flag:true")

    vague = location.isin(VAGUE_LOCATION_TYPES).to_numpy() & ~_named_by_words(reason)
    if {"easting", "northing"} <= set(records.columns) and vague.any():
        xy = records[["easting", "northing"]].to_numpy(dtype=float)
        located = np.isfinite(xy).all(axis=1) & vague
        rows = np.flatnonzero(located)
        when = (
            pd.to_datetime(records["recorded_at"].iloc[rows]) if "recorded_at" in records else None
        )
        timed = (
            records["time_known"].iloc[rows].fillna(False).to_numpy(dtype=bool)
            if "time_known" in records
            else np.ones(len(rows), dtype=bool)
        )
        near_station, d = nearest_within(xy[rows], places.stations, rules.station_distance_m)
        mask = np.zeros(n, dtype=bool)
        mask[rows[near_station]] = True
        give("public_transport", mask, _distance_reason("near_station", rows, d, idx))
        if when is not None:
            near_nte, d = nearest_within(xy[rows], places.nte, rules.nte_distance_m)
            mask = np.zeros(n, dtype=bool)
            mask[rows[near_nte & timed & in_nte_hours(when)]] = True
            give("nte", mask, _distance_reason("near_nte_premises_in_nte_hours", rows, d, idx))
            near_school, d = nearest_within(xy[rows], places.schools, rules.school_distance_m)
            mask = np.zeros(n, dtype=bool)
            mask[rows[near_school & timed & in_school_hours(when)]] = True
            give("school", mask, _distance_reason("near_school_in_school_hours", rows, d, idx))

    table = pd.DataFrame(reason)
    present = table.notna().to_numpy()
    names = np.array(SETTING_ORDER, dtype=object)
    settings = [";".join(names[row]) for row in present]
    reasons = [
        json.dumps({s: r for s, r in zip(SETTING_ORDER, values, strict=True) if isinstance(r, str)})
        for values in table.itertuples(index=False, name=None)
    ]
    return pd.DataFrame({"settings": settings, "setting_reasons": reasons}, index=idx)


def _blank(found: pd.Series) -> pd.Series:
    """Matched words as text, empty where nothing matched (whatever dtype came back)."""
    return found.astype(object).where(found.notna(), "").astype(str)


def _named_by_words(reason: dict[str, pd.Series]) -> np.ndarray:
    """Records whose own words (location type other than 'street', keywords, occupation,
    online flag) already name a specific setting: proximity must not add to them."""
    named = np.zeros(len(next(iter(reason.values()))), dtype=bool)
    for s in SPECIFIC_SETTINGS:
        named |= reason[s].notna().to_numpy()
    return named


def _distance_reason(rule: str, rows: np.ndarray, d: np.ndarray, idx: pd.Index) -> pd.Series:
    out = pd.Series("", index=idx, dtype=object)
    finite = np.isfinite(d)
    out.iloc[rows[finite]] = pd.Series([f"{rule}:{v:.0f}m" for v in d[finite]], dtype=object)
    return out
