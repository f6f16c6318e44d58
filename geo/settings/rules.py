"""Settings tagging: which settings each record is in, with the reason each was given.

Settings are public transport, night-time economy, taxi, online, school, residential,
street and retail (:data:`SETTING_ORDER`). The words behind the rules are the vocabulary
table ``geo/settings/vocabulary.csv`` (:mod:`geo.settings.vocabulary`), extended by a
workspace's ``[tagging]`` table (:class:`~geo.settings.rule_config.TaggingRules`).

Text is normalised first (case, punctuation, ``O/S``, ``B/STOP``, ``STN``, ``PH``:
:mod:`geo.settings.normalise`), typos are corrected (:mod:`geo.settings.fuzzy`), then read
left to right with negations, departures and role cues (:mod:`geo.settings.matching`).

Each reason reads ``family:evidence``. The families, strongest evidence first (a setting
keeps the first reason found):

``location_type``
    the location type names the setting (``location_type:railway station``);
``description``
    a place named in the description (``description:bus stop``), or a role at work there
    (``description:taxi driver`` when a fare or passenger is mentioned). When the location type
    names a different specific setting, **the text wins**: the location type's setting is
    dropped and the reason says so, ``description:bus (overrides location type
    'Dwelling')``. "Street" and the other vague types are never overridden;
``description~typo``
    the same, found only after a typo was corrected (``description~typo:nightclub``);
``description~role``
    a job or relation in the description (``taxi driver``, ``bouncer``, ``neighbour``),
    only when neither the text nor the location type names a place of another specific
    setting, and never as someone's job ("works as a taxi driver", "off-duty bus
    driver"): a taxi driver abused at home is residential;
``victim_occupation``, ``suspect_occupation``
    the occupation columns' role words, under the same condition;
``online_flag``
    the ``online`` flag (``online_flag:true``);
``near_station``, ``near_nte_premises_in_nte_hours``, ``near_school_in_school_hours``
    proximity (``near_station:60m``), only when the record's own words name no specific
    setting and its location type is vague: within ``station_distance_m`` of a rail or
    bus station at any time; within ``nte_distance_m`` of NTE premises in NTE hours;
    within ``school_distance_m`` of a school in school hours on a term day.

NTE hours: 20:00–04:00 on nights starting Thursday, Friday or Saturday, and on eves of
bank holidays (England and Wales). Negation: "not on the bus", "never takes the train" and
"got off the bus and walked home" do not tag public transport (the last says where the
victim came from, not where it happened; "abused on the bus, got off" still does). A
place word followed by a job noun is a role ("pub landlord"), by a road or pub word a name
("Station Road" is no place, "the Railway Arms" is NTE): :mod:`geo.settings.matching`.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from geo.settings.describe import read_descriptions
from geo.settings.hours import in_nte_hours, in_school_hours
from geo.settings.matching import TermMatcher
from geo.settings.normalise import normalise
from geo.settings.places import Places, nearest_within
from geo.settings.rule_config import SETTING_ORDER, TaggingRules

__all__ = ["SETTING_ORDER", "SPECIFIC_SETTINGS", "TaggingRules", "tag_records"]

#: Settings a record's own words can name (all but the catch-all "street" and "other").
SPECIFIC_SETTINGS = tuple(s for s in SETTING_ORDER if s != "street")


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
        """The ``settings`` and ``setting_reasons`` columns (JSON as :func:`json.dumps`)."""
        n = len(self.index)
        names = np.full(n, "", dtype=object)
        pairs = np.full(n, "", dtype=object)
        for s in SETTING_ORDER:
            values = self.by_setting[s].to_numpy(dtype=object)
            has = np.array([isinstance(v, str) for v in values], dtype=bool)
            if not has.any():
                continue
            escaped = {v: json.dumps(v) for v in set(values[has])}
            names[has] += s + ";"
            pairs[has] += np.array([f'"{s}": {escaped[v]}, ' for v in values[has]], dtype=object)
        settings = [x[:-1] for x in names]
        reasons = ["{" + x[:-2] + "}" for x in pairs]
        return pd.DataFrame({"settings": settings, "setting_reasons": reasons}, index=self.index)


def _column(records: pd.DataFrame, column: str) -> pd.Series:
    """A column as text, empty where missing (and everywhere if absent)."""
    if column not in records:
        return pd.Series("", index=records.index, dtype=object)
    return records[column].fillna("").astype(str)


def _first_terms(
    values: pd.Series, matcher: TermMatcher, kind: str, abbreviations: dict[str, str]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per setting, the first ``kind`` term of each value (read once per distinct value)."""
    codes, uniques = pd.factorize(values, sort=False)
    text = normalise(pd.Series(uniques, dtype=object), abbreviations).to_numpy(dtype=object)
    found: dict[str, np.ndarray] = {
        s: np.full(len(text), None, dtype=object) for s in SETTING_ORDER
    }
    for i, t in enumerate(text):
        for term in matcher.pattern.findall(t):
            for k, setting in matcher.meaning(term):
                if k == kind and setting in found and found[setting][i] is None:
                    found[setting][i] = term
    return {s: a[codes] for s, a in found.items()}, text[codes]


def _reason(index: pd.Index, mask: np.ndarray, *parts: np.ndarray | str) -> pd.Series:
    """The concatenated ``parts`` on the ``mask`` rows (empty elsewhere)."""
    out = np.full(len(index), "", dtype=object)
    rows = np.flatnonzero(mask)
    if len(rows):
        joined: np.ndarray | str = ""
        for p in parts:
            joined = joined + (p[rows] if isinstance(p, np.ndarray) else p)
        out[rows] = joined
    return pd.Series(out, index=index, dtype=object)


def _by_words(reasons: _Reasons, records: pd.DataFrame, rules: TaggingRules) -> np.ndarray:
    """Location type, description and occupations; returns the vague-location mask."""
    raw_location = _column(records, "location_type").str.strip()
    location, location_text = _first_terms(
        raw_location, rules.location_matcher, "place", rules.abbreviations
    )
    text = read_descriptions(_column(records, "description"), rules.reading)
    n = len(records)
    text_names = np.zeros(n, dtype=bool)
    for s in SPECIFIC_SETTINGS:
        text_names |= pd.notna(text.places[s])
    overridden = np.zeros(n, dtype=bool)
    named: dict[str, np.ndarray] = {}
    for s in SETTING_ORDER:
        has_loc = pd.notna(location[s])
        has_text = pd.notna(text.places[s])
        if s in SPECIFIC_SETTINGS:
            dropped = has_loc & text_names & ~has_text
            overridden |= dropped
            has_loc &= ~dropped
        reasons.give(s, has_loc, _reason(records.index, has_loc, "location_type:", location[s]))
        named[s] = has_loc | has_text
    quoted = " (overrides location type '" + raw_location.to_numpy(dtype=object) + "')"
    note = np.where(overridden, quoted, "").astype(object)
    for s in SETTING_ORDER:
        has_text = pd.notna(text.places[s])
        family = np.where(text.typo[s], "description~typo:", "description:").astype(object)
        suffix = note if s in SPECIFIC_SETTINGS else ""
        reasons.give(s, has_text, _reason(records.index, has_text, family, text.places[s], suffix))
    _by_roles(reasons, records, rules, text.roles, named)
    return np.isin(location_text, np.array(rules.vague_location_types, dtype=object))


def _by_roles(
    reasons: _Reasons,
    records: pd.DataFrame,
    rules: TaggingRules,
    roles: dict[str, np.ndarray],
    named: dict[str, np.ndarray],
) -> None:
    """Role words in the description, then the occupation columns, where no other place is named."""
    other_named = {
        s: np.logical_or.reduce([named[o] for o in SPECIFIC_SETTINGS if o != s])
        for s in SPECIFIC_SETTINGS
    }
    for s in SPECIFIC_SETTINGS:
        has = pd.notna(roles[s]) & ~other_named[s]
        reasons.give(s, has, _reason(records.index, has, "description~role:", roles[s]))
    for column in ("victim_occupation", "suspect_occupation"):
        if column not in records:
            continue
        found, _ = _first_terms(
            _column(records, column), rules.occupation_matcher, "role", rules.abbreviations
        )
        for s in SPECIFIC_SETTINGS:
            has = pd.notna(found[s]) & ~other_named[s]
            reasons.give(s, has, _reason(records.index, has, f"{column}:", found[s]))


def _by_online_flag(reasons: _Reasons, records: pd.DataFrame) -> None:
    """The ``online`` flag."""
    if "online" in records:
        flag = records["online"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        reasons.give("online", flag, "online_flag:true")


def _by_proximity(
    reasons: _Reasons, records: pd.DataFrame, vague: np.ndarray, rules: TaggingRules, places: Places
) -> None:
    """Near a station at any time; NTE premises and schools only in their hours."""
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
    r"""Tag each record with its settings, and the reason each setting was given.

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
        ``setting_reasons`` (a JSON object, setting → ``family:evidence``).

    Examples
    --------
    >>> records = pd.DataFrame({
    ...     "location_type": ["Railway station", "Street", "Dwelling", "Dwelling"],
    ...     "description": ["", "The taxi driver was abused by a male.",
    ...                     "IP abused on the B/STOP", "IP works as a taxi driver"]})
    >>> tags = tag_records(records)
    >>> tags["settings"].tolist()
    ['public_transport', 'taxi;street', 'public_transport', 'residential']
    >>> tags.loc[1, "setting_reasons"]
    '{"taxi": "description~role:taxi driver", "street": "location_type:street"}'
    >>> tags.loc[2, "setting_reasons"]
    '{"public_transport": "description:bus stop (overrides location type \'Dwelling\')"}'
    """
    rules = rules or TaggingRules()
    places = places or Places.none()
    reasons = _Reasons(records.index)
    vague = _by_words(reasons, records, rules)
    _by_online_flag(reasons, records)
    _by_proximity(reasons, records, vague & ~_named_by_words(reasons.by_setting), rules, places)
    return reasons.to_frame()


def _named_by_words(reason: dict[str, pd.Series]) -> np.ndarray:
    """Records whose own words already name a specific setting.

    Location type other than 'street', keywords, roles, occupation or the online flag:
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
