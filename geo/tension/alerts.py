"""Tension alerts from the daily prospective space-time permutation scan.

Each day (``as_of``) the scan runs over the last ``study_days`` of records, per strand and
for all strands together, with circles up to ``max_radius_m`` around LSOA centres and
windows of 1 … ``max_days`` days ending that day. A cluster becomes a signal by its
recurrence interval (how often a cluster this unusual would arise by chance under daily
analysis; 1 / p days):

| level | recurrence interval | and |
|---|---|---|
| ``high`` | ≥ 365 days | at least ``high_min_records`` records |
| ``medium`` | ≥ 100 days | |
| ``low`` | ≥ 20 days | the noisy tier: for analysts, not for escalation |

An alert keeps its id while the episode goes on: a later day's signal of the same strand
that shares an area with an open alert updates it (counts grow, the level can rise);
an alert with no signal for ``close_after_days`` days closes.

Monte Carlo is sequential: 99 replications first, and only days whose best cluster could
still reach the ``low`` tier go on to the full ``replications`` (SaTScan's early
termination idea; ``sequential=False`` runs them all every time).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.geography import Geography
from geo.tension.stscan import space_time_scan

STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class AlertRules:
    low_days: float = 20.0
    medium_days: float = 100.0
    high_days: float = 365.0
    high_min_records: int = 10
    max_radius_m: float = 3000.0
    max_days: int = 28
    study_days: int = 730
    min_records: int = 3
    close_after_days: int = 3
    replications: int = 999
    sequential: bool = True

    def level(self, recurrence_days: float, observed: int) -> str | None:
        if recurrence_days >= self.high_days and observed >= self.high_min_records:
            return "high"
        if recurrence_days >= self.medium_days:
            return "medium"
        if recurrence_days >= self.low_days:
            return "low"
        return None


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


@dataclass
class Alert:
    alert_id: str
    raised_on: date
    updated_on: date
    signal: Signal
    level: str
    last_seen: date
    closed_on: date | None = None
    history: list[str] = field(default_factory=list)


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
    codes = geo.lsoas["lsoa_code"].to_numpy()
    inner = geo.lsoas.geometry.representative_point()
    xy = np.column_stack([inner.x, inner.y])
    position = pd.Series(np.arange(len(codes)), index=codes)
    signals: list[Signal] = []
    for strand in strands:
        chosen = (
            window if strand == "all" else window[window["strands"].fillna("").str.contains(strand)]
        )
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

        def run(replications: int, loc=loc, used=used, distances=distances, chosen=chosen):
            return space_time_scan(
                loc,
                when[chosen.index],
                distances,
                codes[used],
                analysis_date=day,
                study_start=start,
                max_radius=rules.max_radius_m,
                max_days=rules.max_days,
                min_cases=rules.min_records,
                replications=replications,
                seed=seed,
                max_clusters=3,
            )

        if rules.sequential:
            scan = run(99)
            if not scan.clusters or scan.clusters[0].p_value > 0.1:
                continue  # cannot reach the low tier (p <= 0.05): skip the full run
        scan = run(rules.replications)
        refs = chosen["reference"].to_numpy()
        for cluster in scan.clusters:
            level = rules.level(cluster.recurrence_interval_days, cluster.observed)
            if level is None:
                continue
            members = set(cluster.members)
            inside = (
                chosen["lsoa_code"].isin(members).to_numpy()
                & (when[chosen.index] >= cluster.start).to_numpy()
            )
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
                    tuple(refs[inside]),
                )
            )
    return signals


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
            open_alerts.append(
                Alert(
                    f"T{next_id:05d}",
                    today,
                    today,
                    signal,
                    signal.level,
                    today,
                    history=[f"{today} raised {signal.level}"],
                )
            )
            next_id += 1
        elif match.last_seen != today:
            level = max(match.level, signal.level, key=LEVELS.index)
            if level != match.level:
                match.history.append(f"{today} escalated to {level}")
            match.signal = replace(
                signal,
                lsoas=signal.lsoas | match.signal.lsoas,
                start=min(signal.start, match.signal.start),
            )
            match.level, match.updated_on, match.last_seen = level, today, today
    closed = [a for a in open_alerts if (today - a.last_seen).days >= rules.close_after_days]
    for alert in closed:
        alert.closed_on = today
        alert.history.append(f"{today} closed")
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
) -> list[Alert]:
    """Run the daily analysis for every day in [first, last], each day seeing only records
    up to that day; returns every alert raised (open or closed)."""
    rules = rules or AlertRules()
    open_alerts: list[Alert] = []
    everything: list[Alert] = []
    next_id = 1
    day = first
    while day <= last:
        signals = daily_signals(records, geo, day, rules=rules, seed=seed, strands=strands)
        before = {a.alert_id for a in open_alerts}
        open_alerts, _closed, next_id = update_alerts(open_alerts, signals, day, rules, next_id)
        everything += [a for a in open_alerts if a.alert_id not in before]
        day += timedelta(days=1)
    return everything


def alert_rows(alerts: list[Alert], geo: Geography) -> pd.DataFrame:
    """The CLI contract's columns (references are for the tactical role only)."""
    names = geo.lsoas.set_index("lsoa_code")
    rows = []
    for a in alerts:
        s = a.signal
        csp = names["csp_name"].reindex(sorted(s.lsoas)).mode()
        district = names["district_name"].reindex(sorted(s.lsoas)).mode()
        rows.append(
            {
                "alert_id": a.alert_id,
                "raised_on": a.raised_on,
                "updated_on": a.updated_on,
                "level": a.level,
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
                "methods": "space-time permutation scan",
                "explanation": (
                    f"{s.observed} {s.strand.replace('_', ' ')} records in {len(s.lsoas)} area(s) "
                    f"within {s.radius_m:.0f} m since {s.start} against {s.expected:.1f} expected; "
                    "a cluster this unusual arises by chance about once in "
                    f"{1 / s.p_value:.0f} days."
                ),
                "closed_on": a.closed_on,
            }
        )
    return pd.DataFrame(rows)
