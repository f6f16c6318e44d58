"""Tension alerts from the daily prospective space-time permutation scan.

Each day (``as_of``) the scan runs over the last ``study_days`` of records, per strand and
for all strands together, with circles up to ``max_radius_m`` around LSOA centres and
windows of 1 … ``max_days`` days ending that day. A cluster becomes a signal by its
recurrence interval (how often a cluster this unusual would arise by chance under daily
analysis; 1 / p days), then its evidence adjusts the level:

- ``high``: recurrence interval ≥ 365 days and at least ``high_min_records`` records; or
  a ``medium`` cluster with at least ``violent_for_high`` violent offences or at least two
  records in each of ``spread_for_high`` strands.
- ``medium``: recurrence interval ≥ 365 days, from at least ``min_victims`` different
  victims (fewer: ``low``; one person's repeat reports are a safeguarding matter, not
  community tension).
- ``low``: recurrence interval ≥ 20 days; the noisy tier, for analysts, not for escalation.

A signal for all strands together that mostly (``all_share``) repeats a strand's own signal
in the same areas is dropped: the strand's signal says it better.

An alert keeps its id while the episode goes on: a later day's signal of the same strand
that shares an area with an open alert updates it (counts grow, the level can rise);
an alert with no signal for ``close_after_days`` days closes. Every state change is kept
(``Alert.history``). Alerts raised within ``trigger_window_days`` after a trigger event
(national, or local to the alert's CSP or district) name it. The weekly baseline of the
alert's CSP and strand (:func:`geo.tension.baseline.last_seven_days`) is attached as
evidence, and named as a second method when it is exceeded too.

Monte Carlo is sequential (after Besag & Clifford 1991): a day stops after the block of
100 replicates by which ``SEQUENTIAL_STOP`` have beaten its best cluster (so its p is
above 0.01 and it is never ``medium``, which needs p ≤ 1 / ``medium_days``); a cluster
that could matter gets all ``replications``, with exactly the p-value of a full run
(``sequential=False`` runs them all every time).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from geo._errors import TensionmapError
from geo.geography import Geography
from geo.tension.baseline import last_seven_days
from geo.tension.stscan import space_time_scan

STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
LEVELS = ("low", "medium", "high")
#: Replicates beating the best cluster after which a day's Monte Carlo stops.
SEQUENTIAL_STOP = 10
SCAN = "space-time permutation scan"
BASELINE = "weekly baseline"

#: Words in an offence that make it a violent one (ONS "violence against the person",
#: robbery and arson; public order offences are not counted).
VIOLENT_WORDS = (
    "assault",
    "wounding",
    "grievous",
    "bodily harm",
    "affray",
    "violent disorder",
    "robbery",
    "arson",
    "threats to kill",
    "murder",
    "manslaughter",
)


@dataclass(frozen=True)
class AlertRules:
    low_days: float = 20.0
    #: 365, not 100: six scans a day (five strands and all) make 100-day clusters about
    #: every three weeks per force by chance; benchmarks/eval_tension.py measured
    #: 3.3 medium+ false alarms per force-year at 100 (max 10), 0.95 at 365 (max 3)
    medium_days: float = 365.0
    high_days: float = 365.0
    high_min_records: int = 10
    min_victims: int = 3
    violent_for_high: int = 3
    spread_for_high: int = 3
    all_share: float = 0.8
    max_radius_m: float = 3000.0
    max_days: int = 28
    study_days: int = 730
    min_records: int = 3
    close_after_days: int = 3
    replications: int = 999
    sequential: bool = True
    trigger_window_days: int = 14

    def check(self) -> None:
        """Refuse rules under which no cluster can reach ``medium``."""
        if self.replications + 1 < self.medium_days:
            raise TensionmapError(
                f"with {self.replications} replications the smallest p-value is "
                f"1/{self.replications + 1}, so no cluster can reach a recurrence interval of "
                f"{self.medium_days:g} days (medium): use at least "
                f"{int(np.ceil(self.medium_days)) - 1} replications (default 999)."
            )

    def level(self, recurrence_days: float, observed: int, evidence: Evidence) -> str | None:
        if recurrence_days >= self.high_days and observed >= self.high_min_records:
            level = "high"
        elif recurrence_days >= self.medium_days:
            level = "medium"
        elif recurrence_days >= self.low_days:
            return "low"
        else:
            return None
        if evidence.victims < self.min_victims:
            return "low"
        if level == "medium" and (
            evidence.violent >= self.violent_for_high
            or sum(n >= 2 for n in evidence.strands.values()) >= self.spread_for_high
        ):
            return "high"
        return level


@dataclass(frozen=True)
class Evidence:
    """What the records in a cluster are: for the explanation and the tactical lead."""

    victims: int = 0
    repeat_victims: int = 0
    violent: int = 0
    strands: dict[str, int] = field(default_factory=dict)
    settings: dict[str, int] = field(default_factory=dict)
    offences: dict[str, int] = field(default_factory=dict)
    baseline_observed: float | None = None
    baseline_expected: float | None = None
    baseline_exceedance: float | None = None

    @classmethod
    def of(cls, chosen: pd.DataFrame) -> Evidence:
        victim_column = "victim_key" if "victim_key" in chosen else "victim_id"
        victims = chosen[victim_column] if victim_column in chosen else pd.Series(dtype=object)
        known = victims.dropna()
        known = known[known.astype(str) != ""]
        per_victim = known.value_counts()
        offences = chosen["offence"].fillna("").astype(str) if "offence" in chosen else None
        violent = (
            int(offences.str.lower().str.contains("|".join(VIOLENT_WORDS)).sum())
            if offences is not None
            else 0
        )

        def tally(column: str) -> dict[str, int]:
            if column not in chosen:
                return {}
            values = chosen[column].fillna("").astype(str).str.split(";").explode()
            return dict(Counter(v for v in values if v).most_common())

        return cls(
            victims=int(len(per_victim) + (len(victims) - len(known))),
            repeat_victims=int((per_victim > 1).sum()),
            violent=violent,
            strands=tally("strands"),
            settings=tally("settings"),
            offences=dict(Counter(offences[offences != ""]).most_common(5))
            if offences is not None
            else {},
        )


@dataclass(frozen=True)
class Signal:
    strand: str
    lsoas: frozenset[str]
    centre: tuple[float, float]
    radius_m: float
    start: date
    end: date
    observed: int
    expected: float
    p_value: float
    level: str
    references: tuple[str, ...]
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def methods(self) -> str:
        exceedance = self.evidence.baseline_exceedance
        return SCAN + (f"; {BASELINE}" if exceedance is not None and exceedance > 1 else "")


@dataclass(frozen=True)
class TriggerEvent:
    """An external event that can raise tension (``scope`` national, or local to ``area``:
    a CSP or district code or name)."""

    day: date
    name: str
    scope: str = "national"
    area: str | None = None

    def applies_to(self, csp: tuple[str, str], district: tuple[str, str]) -> bool:
        return self.scope == "national" or (self.area or "") in (*csp, *district)


@dataclass(frozen=True)
class Change:
    day: date
    change: str  # raised, updated, escalated, closed
    level: str
    signal: Signal


@dataclass
class Alert:
    alert_id: str
    raised_on: date
    updated_on: date
    signal: Signal
    level: str
    last_seen: date
    closed_on: date | None = None
    history: list[Change] = field(default_factory=list)


def _lsoa_points(geo: Geography) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    codes = geo.lsoas["lsoa_code"].to_numpy()
    inner = geo.lsoas.geometry.representative_point()
    xy = np.column_stack([inner.x, inner.y])
    return codes, xy, pd.Series(np.arange(len(codes)), index=codes)


def _strand_records(window: pd.DataFrame, strand: str) -> pd.DataFrame:
    if strand == "all":
        return window
    return window[window["strands"].fillna("").str.contains(strand)]


def daily_signals(
    records: pd.DataFrame,
    geo: Geography,
    as_of: date,
    *,
    rules: AlertRules,
    seed: int = 0,
    strands: tuple[str, ...] = (*STRANDS, "all"),
) -> list[Signal]:
    """Signals on ``as_of`` from records recorded up to that day."""
    day = pd.Timestamp(as_of)
    start = day - pd.Timedelta(days=rules.study_days - 1)
    when = pd.to_datetime(records["recorded_at"]).dt.normalize()
    window = records[(when >= start) & (when <= day)]
    when = when[window.index]
    codes, xy, position = _lsoa_points(geo)
    signals: list[Signal] = []
    for strand in strands:
        chosen = _strand_records(window, strand)
        if len(chosen) < rules.min_records:
            continue
        recent = when[chosen.index] > day - pd.Timedelta(days=rules.max_days)
        if recent.sum() < rules.min_records:
            continue
        used = np.unique(position[chosen["lsoa_code"]].to_numpy())
        local = pd.Series(np.arange(len(used)), index=used)
        loc = local[position[chosen["lsoa_code"]].to_numpy()].to_numpy()
        pts = xy[used]
        distances = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))

        scan = space_time_scan(
            loc,
            when[chosen.index],
            distances,
            codes[used],
            analysis_date=day,
            study_start=start,
            max_radius=rules.max_radius_m,
            max_days=rules.max_days,
            min_cases=rules.min_records,
            replications=rules.replications,
            seed=seed,
            max_clusters=3,
            stop_after=SEQUENTIAL_STOP if rules.sequential else None,
        )
        for cluster in scan.clusters:
            if cluster.recurrence_interval_days < rules.low_days:
                continue
            members = set(cluster.members)
            inside = chosen[
                chosen["lsoa_code"].isin(members).to_numpy()
                & (when[chosen.index] >= cluster.start).to_numpy()
            ]
            evidence = Evidence.of(inside)
            level = rules.level(cluster.recurrence_interval_days, cluster.observed, evidence)
            if level is None:
                continue
            centre = xy[position[cluster.centre]]
            signals.append(
                Signal(
                    strand,
                    frozenset(members),
                    (float(centre[0]), float(centre[1])),
                    cluster.radius,
                    cluster.start.date(),
                    cluster.end.date(),
                    cluster.observed,
                    cluster.expected,
                    cluster.p_value,
                    level,
                    tuple(inside["reference"].astype(str)),
                    evidence,
                )
            )
    signals = _drop_repeated_all(signals, rules)
    data_start = pd.to_datetime(records["recorded_at"]).min()
    return [_with_baseline(s, records, geo, day, data_start) for s in signals]


def _drop_repeated_all(signals: list[Signal], rules: AlertRules) -> list[Signal]:
    """Leave out an all-strands signal that mostly repeats one strand's signal there."""
    kept = []
    for s in signals:
        if s.strand == "all" and s.observed:
            top, count = max(s.evidence.strands.items(), key=lambda kv: kv[1], default=("", 0))
            if count / s.observed >= rules.all_share and any(
                o.strand == top and o.lsoas & s.lsoas for o in signals
            ):
                continue
        kept.append(s)
    return kept


def _with_baseline(
    signal: Signal,
    records: pd.DataFrame,
    geo: Geography,
    day: pd.Timestamp,
    data_start: pd.Timestamp,
) -> Signal:
    """Attach the weekly baseline of the signal's CSP and strand."""
    csp = geo.lsoas.loc[geo.lsoas["lsoa_code"].isin(signal.lsoas), "csp_code"].mode()
    if csp.empty:
        return signal
    in_csp = records["lsoa_code"].isin(
        geo.lsoas.loc[geo.lsoas["csp_code"] == csp.iloc[0], "lsoa_code"]
    )
    when = pd.to_datetime(_strand_records(records[in_csp], signal.strand)["recorded_at"])
    base = last_seven_days(when[when <= day + pd.Timedelta(days=1)], day, data_start=data_start)
    if base is None:
        return signal
    evidence = replace(
        signal.evidence,
        baseline_observed=base.observed,
        baseline_expected=round(base.expected, 2),
        baseline_exceedance=round(base.exceedance, 2),
    )
    return replace(signal, evidence=evidence)


def update_alerts(
    open_alerts: list[Alert], signals: list[Signal], today: date, rules: AlertRules, next_id: int
) -> tuple[list[Alert], list[Alert], int]:
    """Match today's signals to open alerts (same strand, a shared area). Returns (still
    open, closed today, next id)."""
    for signal in sorted(signals, key=lambda s: -LEVELS.index(s.level)):
        match = next(
            (
                a
                for a in open_alerts
                if a.signal.strand == signal.strand and a.signal.lsoas & signal.lsoas
            ),
            None,
        )
        if match is None:
            alert = Alert(f"T{next_id:05d}", today, today, signal, signal.level, today)
            alert.history.append(Change(today, "raised", signal.level, signal))
            open_alerts.append(alert)
            next_id += 1
        elif match.last_seen != today:
            level = max(match.level, signal.level, key=LEVELS.index)
            merged = replace(
                signal,
                lsoas=signal.lsoas | match.signal.lsoas,
                start=min(signal.start, match.signal.start),
            )
            change = "escalated" if level != match.level else "updated"
            match.history.append(Change(today, change, level, merged))
            match.signal, match.level = merged, level
            match.updated_on, match.last_seen = today, today
    closed = [a for a in open_alerts if (today - a.last_seen).days >= rules.close_after_days]
    for alert in closed:
        alert.closed_on = today
        alert.history.append(Change(today, "closed", alert.level, alert.signal))
    still_open = [a for a in open_alerts if a not in closed]
    return still_open, closed, next_id


def replay(
    records: pd.DataFrame,
    geo: Geography,
    first: date,
    last: date,
    *,
    rules: AlertRules | None = None,
    seed: int = 0,
    strands: tuple[str, ...] = (*STRANDS, "all"),
    open_alerts: list[Alert] | None = None,
    next_id: int = 1,
    progress: Any = None,
) -> tuple[list[Alert], int]:
    """Run the daily analysis for every day in [first, last], each day seeing only records
    up to that day, carrying on from ``open_alerts``. Returns every alert that was open at
    some point (their ``history`` holds each state change) and the next free id."""
    rules = rules or AlertRules()
    still_open = list(open_alerts or [])
    everything = list(still_open)
    day = first
    while day <= last:
        signals = daily_signals(records, geo, day, rules=rules, seed=seed, strands=strands)
        before = {a.alert_id for a in still_open}
        still_open, _closed, next_id = update_alerts(still_open, signals, day, rules, next_id)
        everything += [a for a in still_open if a.alert_id not in before]
        if progress is not None:
            progress(day)
        day += timedelta(days=1)
    return everything, next_id


def linked_events(
    alert: Alert, events: list[TriggerEvent], rules: AlertRules, geo: Geography
) -> list[TriggerEvent]:
    """Trigger events the alert followed within ``trigger_window_days``."""
    areas = geo.lsoas[geo.lsoas["lsoa_code"].isin(alert.signal.lsoas)]
    csp = tuple(areas[["csp_code", "csp_name"]].mode().iloc[0]) if len(areas) else ("", "")
    district = (
        tuple(areas[["district_code", "district_name"]].mode().iloc[0]) if len(areas) else ("", "")
    )
    return [
        e
        for e in events
        if 0 <= (alert.raised_on - e.day).days <= rules.trigger_window_days
        and e.applies_to(csp, district)
    ]


def _row(
    alert: Alert, signal: Signal, level: str, names: pd.DataFrame, events: list[TriggerEvent]
) -> dict[str, Any]:
    s, e = signal, signal.evidence
    csp = names["csp_name"].reindex(sorted(s.lsoas)).mode()
    district = names["district_name"].reindex(sorted(s.lsoas)).mode()
    where = district.iloc[0] if len(district) else "the area"
    trigger = "".join(
        f"; it follows {t.name} ({t.scope}, {t.day}) by {(alert.raised_on - t.day).days} days"
        for t in events
    )
    violence = f", {e.violent} of them violent" if e.violent else ""
    what = (
        "records of all strands" if s.strand == "all" else f"{s.strand.replace('_', ' ')} records"
    )
    expected = f"{s.expected:.1f}" if s.expected >= 1 else f"{s.expected:.2f}"
    peak = next((c.day for c in alert.history if c.level == level), None)
    since = f"; {level} since {peak}" if level != s.level and peak else ""
    return {
        "alert_id": alert.alert_id,
        "raised_on": alert.raised_on,
        "updated_on": alert.updated_on,
        "level": level,
        "strand": s.strand,
        "csp": csp.iloc[0] if len(csp) else "",
        "district": district.iloc[0] if len(district) else "",
        "area_codes": ";".join(sorted(s.lsoas)),
        "centre_easting": round(s.centre[0]),
        "centre_northing": round(s.centre[1]),
        "radius_m": round(s.radius_m),
        "start": s.start,
        "end": s.end,
        "observed": s.observed,
        "expected": round(s.expected, 2),
        "p_value": s.p_value,
        "recurrence_interval_days": round(1 / s.p_value),
        "methods": s.methods,
        "victims": e.victims,
        "repeat_victims": e.repeat_victims,
        "violent": e.violent,
        "strands_seen": ";".join(f"{k}:{v}" for k, v in e.strands.items()),
        "settings_seen": ";".join(f"{k}:{v}" for k, v in e.settings.items()),
        "baseline_exceedance": e.baseline_exceedance,
        "trigger_events": ";".join(f"{t.day} {t.name}" for t in events),
        "explanation": (
            f"{s.observed} {what} against {expected} expected, from {e.victims} victims"
            f"{violence}, within {s.radius_m:.0f} m in {where} since {s.start}, a cluster "
            f"that arises by chance about once in {1 / s.p_value:.0f} days{since}{trigger}."
        ),
        "closed_on": alert.closed_on,
    }


def alert_rows(
    alerts: list[Alert],
    geo: Geography,
    events: list[TriggerEvent] | None = None,
    rules: AlertRules | None = None,
) -> pd.DataFrame:
    """The CLI contract's columns, one row per alert in its latest state (the references
    of its records are for the tactical role only and are not among them)."""
    names = geo.lsoas.set_index("lsoa_code")
    rules = rules or AlertRules()
    return pd.DataFrame(
        [
            _row(a, a.signal, a.level, names, linked_events(a, events or [], rules, geo))
            for a in alerts
        ]
    )


def change_rows(
    alerts: list[Alert],
    geo: Geography,
    events: list[TriggerEvent] | None = None,
    rules: AlertRules | None = None,
) -> pd.DataFrame:
    """One row per state change (raised, updated, escalated, closed), in date order."""
    names = geo.lsoas.set_index("lsoa_code")
    rules = rules or AlertRules()
    rows = []
    for a in alerts:
        linked = linked_events(a, events or [], rules, geo)
        for c in a.history:
            row = _row(a, c.signal, c.level, names, linked)
            row["updated_on"], row["change"] = c.day, c.change
            rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["updated_on", "alert_id"], kind="stable").reset_index(drop=True)


def to_json(alert: Alert) -> str:
    """An alert's whole state (for the store)."""
    return json.dumps(asdict(alert), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def from_json(text: str) -> Alert:
    raw = json.loads(text)

    def signal(d: dict[str, Any]) -> Signal:
        return Signal(
            d["strand"],
            frozenset(d["lsoas"]),
            (float(d["centre"][0]), float(d["centre"][1])),
            d["radius_m"],
            date.fromisoformat(d["start"]),
            date.fromisoformat(d["end"]),
            d["observed"],
            d["expected"],
            d["p_value"],
            d["level"],
            tuple(d["references"]),
            Evidence(**d["evidence"]),
        )

    def day(v: str | None) -> date | None:
        return date.fromisoformat(v) if v else None

    return Alert(
        raw["alert_id"],
        date.fromisoformat(raw["raised_on"]),
        date.fromisoformat(raw["updated_on"]),
        signal(raw["signal"]),
        raw["level"],
        date.fromisoformat(raw["last_seen"]),
        day(raw["closed_on"]),
        [
            Change(date.fromisoformat(c["day"]), c["change"], c["level"], signal(c["signal"]))
            for c in raw["history"]
        ],
    )
