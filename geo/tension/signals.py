"""Signals of emerging tension on one day: space-time clusters, their evidence and baseline.

Each day (``as_of``) the prospective space-time permutation scan runs over the last
``study_days`` of records, per strand and for all strands together, with circles up to
``max_radius_m`` around LSOA centres and windows of 1 … ``max_days`` days ending that
day. A signal for all strands together that
mostly (``all_share``) repeats a strand's own signal in the same areas is dropped: the
strand's signal says it better. The weekly baseline of the signal's CSP and strand
(:func:`geo.tension.baseline.last_seven_days`) is attached as evidence, and named as a
second method when it is exceeded too.

Monte Carlo is sequential (after Besag & Clifford 1991): a day stops after the block of
100 replicates by which ``SEQUENTIAL_STOP`` have beaten its best cluster (so its p is
above 0.01 and it is never ``medium``, which needs p ≤ 1 / ``medium_days``); a cluster
that could matter gets all ``replications``, with exactly the p-value of a full run
(``sequential=False`` runs them all every time).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from geo.geography.areas import Geography
from geo.tension.baseline import last_seven_days
from geo.tension.rules import SEQUENTIAL_STOP, AlertRules
from geo.tension.stscan import space_time_scan
from geo.vocab import MONITORED_STRANDS as STRANDS  # the name geo.tension exports

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
class Evidence:
    """What the records in a cluster are: for the explanation and the tactical lead.

    Attributes
    ----------
    victims
        Different victims (a record without a victim key counts as one).
    repeat_victims
        Victims with more than one record in the cluster.
    violent
        Violent offences (see :data:`VIOLENT_WORDS`).
    strands, settings
        Records per strand and per setting, most common first.
    offences
        The five most common offences and their records.
    baseline_observed, baseline_expected, baseline_exceedance
        The weekly baseline of the cluster's CSP and strand, once attached.

    Examples
    --------
    >>> records = pd.DataFrame({
    ...     "victim_id": ["V1", "V1", "V2"], "strands": ["race", "race;religion", "race"],
    ...     "offence": ["Common assault", "Malicious communications", "Common assault"]})
    >>> evidence = Evidence.of(records)
    >>> evidence.victims, evidence.repeat_victims, evidence.violent, evidence.strands
    (2, 1, 2, {'race': 3, 'religion': 1})
    """

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
        """The evidence of the records ``chosen`` (``victim_key`` or ``victim_id``, …)."""
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
    """A cluster of one day graded as a tension signal (made by :func:`daily_signals`).

    Attributes
    ----------
    strand
        The strand scanned, or ``all``.
    lsoas
        The LSOA codes of the cluster.
    centre
        BNG easting and northing of the centre LSOA's inner point.
    radius_m
        The circle's radius in metres.
    start, end
        The window's first day and the day analysed.
    observed, expected
        Records in the cluster, and those expected if where and when were independent.
    p_value
        Monte Carlo p-value (1 / the recurrence interval in days).
    level
        ``low``, ``medium`` or ``high`` (:class:`~geo.tension.rules.AlertRules`).
    references
        The references of the records in the cluster (for the tactical role only).
    evidence
        What the records are (:class:`Evidence`).

    Examples
    --------
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"),
    ...                 Evidence(victims=13, baseline_exceedance=1.63))
    >>> signal.methods  # the weekly baseline is exceeded too
    'space-time permutation scan; weekly baseline'
    """

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
        """The scan, and the weekly baseline when it is exceeded too."""
        exceedance = self.evidence.baseline_exceedance
        return SCAN + (f"; {BASELINE}" if exceedance is not None and exceedance > 1 else "")


def _lsoa_points(geo: Geography) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    codes = geo.lsoas["lsoa_code"].to_numpy()
    return codes, geo.inner_points, pd.Series(np.arange(len(codes)), index=codes)


def strand_records(records: pd.DataFrame, strand: str) -> pd.DataFrame:
    """The records marked with ``strand``; every record for ``"all"``.

    A strand is a whole ``;``-separated marker, so ``gender`` is not ``transgender``.

    Parameters
    ----------
    records
        Records with ``strands`` (``;``-separated markers).
    strand
        The strand, or ``all``.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``records``.

    Examples
    --------
    >>> records = pd.DataFrame({"reference": ["A", "B", "C"],
    ...                         "strands": ["race", "transgender", "gender; race"]})
    >>> strand_records(records, "gender")
      reference       strands
    2         C  gender; race
    >>> len(strand_records(records, "all"))
    3
    """
    if strand == "all":
        return records
    marker = rf"(?:^|;)\s*{re.escape(strand)}\s*(?:;|$)"
    return records[records["strands"].fillna("").str.contains(marker, regex=True)]


def daily_signals(
    records: pd.DataFrame,
    geo: Geography,
    as_of: date,
    *,
    rules: AlertRules,
    seed: int = 0,
    strands: tuple[str, ...] = (*STRANDS, "all"),
) -> list[Signal]:
    """Signals on ``as_of`` from records recorded up to that day.

    Parameters
    ----------
    records
        Records with ``reference``, ``recorded_at``, ``lsoa_code`` and ``strands``
        (``victim_id`` or ``victim_key``, ``offence`` and ``settings`` for the evidence).
    geo
        The boundary set (LSOA inner points and CSPs).
    as_of
        The day analysed: windows end on it, later records are not seen.
    rules
        The scan's settings and the grading.
    seed
        Seed for the Monte Carlo replications.
    strands
        The strands scanned, ``all`` for every record together.

    Returns
    -------
    list of Signal
        The day's signals of level ``low`` or above, each with its evidence and the
        weekly baseline of its CSP and strand.

    Examples
    --------
    A 5 × 5 lattice of 500 m "LSOAs", 400 records over eighteen months, and twelve more in
    the middle square in the last three days:

    >>> import geopandas as gpd, shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1", "csp_code": "C1",
    ...      "district_name": "Watford", "csp_name": "Watford", "force": "Hertfordshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2018-01-01") + pd.to_timedelta(
    ...     np.r_[rng.integers(0, 546, 400), [543, 544, 545] * 4], unit="D")
    >>> records = pd.DataFrame({
    ...     "reference": [f"R{i}" for i in range(412)], "recorded_at": days.astype(str),
    ...     "lsoa_code": np.array(codes)[np.r_[rng.integers(0, 25, 400), [12] * 12]],
    ...     "strands": "race", "victim_id": [f"V{i}" for i in range(412)]})
    >>> [signal] = daily_signals(records, geo, date(2019, 6, 30),
    ...                          rules=AlertRules(replications=499), strands=("race",))
    >>> sorted(signal.lsoas), signal.start, signal.observed, signal.p_value, signal.level
    (['L12'], datetime.date(2019, 6, 28), 13, 0.002, 'high')
    """
    day = pd.Timestamp(as_of)
    start = day - pd.Timedelta(days=rules.study_days - 1)
    when = pd.to_datetime(records["recorded_at"]).dt.normalize()
    window = records[(when >= start) & (when <= day)]
    when = when[window.index]
    codes, xy, position = _lsoa_points(geo)
    signals: list[Signal] = []
    for strand in strands:
        chosen = strand_records(window, strand)
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
    when = pd.to_datetime(strand_records(records[in_csp], signal.strand)["recorded_at"])
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
