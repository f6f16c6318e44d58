"""The synthetic-but-calibrated demo scenario: who, what, where and when, with known truth.

Volumes are fixed, not drawn: each force's published totals per year and strand (and
Hertfordshire's CSP shares) are met exactly at scale 1, and randomness decides only
which records fall where and when. Planted truth is made by *moving* records that the
budget already contains (into a hotspot LSOA, or into an episode's place and weeks), so
planting never disturbs the calibration.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo._errors import TensionmapError
from geo.demo import calibration as cal
from geo.demo.builder import SETTING_SHARE, Period, ScenarioBuilder
from geo.demo.force import plan_force, scenario_force
from geo.demo.places import load_places, residential_weights
from geo.demo.planting import plant_episodes, plant_hotspots, plant_repeats
from geo.demo.seed_periods import seed_periods
from geo.demo.texts import (
    ABUSE,
    DESCRIPTIONS,
    INCIDENT_OFFENCE,
    LOCATION_TYPES,
    VAGUE_DESCRIPTIONS,
    VAGUE_LOCATION_TYPES,
    pick,
)
from geo.geography.areas import Geography
from geo.geography.geocoder import to_wgs84

FORCES = ("hertfordshire", "cambridgeshire", "both")

VAGUE_SHARE = 0.25


@dataclass(frozen=True)
class Scenario:
    """Generated records (canonical columns) and the planted truth.

    Attributes
    ----------
    incidents
        The records as a canonical incidents CSV would hold them (``reference``,
        ``recorded_at``, ``strands``, coordinates, ``description``, ``victim_id`` …).
    truth
        What was planted and how: ``seed``, the range and scale, ``hotspots``,
        ``episodes`` and ``repeat_victims`` (with the references of the records moved),
        each record's generating ``settings``, ``extrapolated_periods`` and ``notes``.
    notes
        What stands in for missing open data, and which periods are extrapolated.

    Examples
    --------
    >>> scenario = Scenario(pd.DataFrame({"reference": ["HC-2019-0000000"]}), {"seed": 0})
    >>> len(scenario.incidents), scenario.truth["seed"], scenario.notes
    (1, 0, [])
    """

    incidents: pd.DataFrame
    truth: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def write(self, out: Path) -> None:
        """Write ``incidents.csv`` and ``truth.json`` to the folder ``out`` (made if needed)."""
        import json

        out.mkdir(parents=True, exist_ok=True)
        self.incidents.to_csv(out / "incidents.csv", index=False)
        (out / "truth.json").write_text(json.dumps(self.truth, indent=1), encoding="utf-8")


def generate(
    geo: Geography,
    *,
    seed: int = 0,
    force: str = "both",
    start: date = date(2014, 1, 1),
    end: date = date(2019, 12, 31),
    scale: float = 1.0,
    open_data: Path | None = None,
    episodes: bool = True,
    records_per_year: int | None = None,
    geography_dir: Path | None = None,
    places_table: pd.DataFrame | None = None,
    say: Callable[[str], None] | None = None,
) -> Scenario:
    """Generate the demo scenario.

    Parameters
    ----------
    geo
        The boundary set (the default or an imported one, or a workspace's area).
    seed
        Everything, including the planted truth, is reproducible from it.
    force
        ``hertfordshire``, ``cambridgeshire`` or ``both``: the seed forces, calibrated to
        their published figures. Any other police force of England and Wales, in any
        spelling :func:`~geo.geography.national.find_force` accepts, is calibrated to
        national figures (:mod:`geo.demo.force`); ``geo`` must hold its LSOAs.
    start, end
        Inclusive date range.
    scale
        Multiplies every volume (1.0 = the published figures).
    open_data
        Folder with the seed forces' real places and Census population; synthetic
        stand-ins otherwise.
    episodes
        Plant the tension episodes (``False`` gives the null scenario on which false
        alarms are counted).
    records_per_year
        For a force other than the seed forces: records a year instead of the national
        rate.
    geography_dir
        For a force other than the seed forces: the workspace's ``geography/`` folder,
        for its imported Census residents.
    places_table
        For a force other than the seed forces: the workspace's ``places`` table (real
        places); synthetic places when ``None``.
    say
        Where progress lines go (``None``: nowhere).

    Returns
    -------
    Scenario
        The records and the planted truth.

    Raises
    ------
    TensionmapError
        (a ``ValueError``) For an unknown force (the message names the closest ones), a
        range that ends before it starts, a scale or records a year that are not
        positive, or records a year asked of a seed force.

    Examples
    --------
    A quarter at half the published volumes, on the default boundaries (which the
    generator reads from the package's data files, hence skipped here):

    >>> from geo.geography.areas import load_geography
    >>> scenario = generate(load_geography(None), start=date(2019, 1, 1),
    ...                     end=date(2019, 3, 31), scale=0.5)  # doctest: +SKIP
    >>> len(scenario.incidents), len(scenario.truth["hotspots"])  # doctest: +SKIP
    (495, 6)
    >>> scenario.truth["extrapolated_periods"]  # doctest: +SKIP
    ['Hertfordshire 2018/19']

    Any other force, on its own LSOAs at the national rate:

    >>> warks = load_geography(area={"forces": ["Warwickshire"]})  # doctest: +SKIP
    >>> scenario = generate(warks, force="Warwickshire Police", start=date(2019, 1, 1),
    ...                     end=date(2019, 12, 31), records_per_year=800)  # doctest: +SKIP
    >>> len(scenario.incidents), scenario.truth["force"]  # doctest: +SKIP
    (800, 'Warwickshire')

    The arguments are checked before anything is drawn:

    >>> try:
    ...     generate(None, force="Kentt")
    ... except TensionmapError as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    No police force area in England and Wales is called 'Kentt'.
    Did you mean 'Kent' or 'Gwent'?
    """
    force = scenario_force(force)
    seeded = check_arguments(force, start, end, records_per_year, scale=scale)
    rng = np.random.default_rng(seed)
    progress = _Progress(say)
    if seeded:
        weights, weight_source = residential_weights(geo, open_data)
        places = load_places(geo, open_data, weights)
        about: dict[str, Any] = {"residential_weights": weight_source}
        prefixes, notes = cal.SEED_PREFIXES, list(places.notes)
    else:
        plan = plan_force(
            geo, force, first=start.year, last=end.year, geography_dir=geography_dir,
            places_table=places_table, records_per_year=records_per_year,
        )  # fmt: skip
        geo, places, force = plan.geo, plan.places, plan.force
        about = dict(plan.about)
        prefixes, notes = {plan.force: plan.prefix}, [*plan.notes, *places.notes]
        progress.say(
            f"  {force}: {len(geo.lsoas):,} LSOAs, {plan.about['residents']:,.0f} residents"
        )
    b = ScenarioBuilder(geo, places, rng, pd.Timestamp(start), pd.Timestamp(end), scale)
    periods = seed_periods(force, start, end) if seeded else plan.periods
    truth: dict[str, Any] = {
        "seed": seed,
        "force": force,
        "from": str(start),
        "to": str(end),
        "scale": scale,
        **about,
    }
    return _draw(b, periods, truth, prefixes, notes, episodes=episodes, progress=progress)


def check_arguments(
    force: str,
    start: date | None,
    end: date | None,
    records_per_year: int | None,
    *,
    scale: float = 1.0,
) -> bool:
    """Check a scenario's arguments before anything is drawn or imported.

    Parameters
    ----------
    force : str
        The generator's name of the force (see :func:`geo.demo.force.scenario_force`).
    start, end : datetime.date or None
        The range (``None``: the default).
    records_per_year : int or None
        Records a year asked for.
    scale : float, default 1.0
        The volume multiplier.

    Returns
    -------
    bool
        Whether ``force`` is a seed force (calibrated to published figures).

    Raises
    ------
    TensionmapError
        (a ``ValueError``) For a range that ends before it starts, a scale or records a
        year that are not positive, or records a year asked of a seed force.

    Examples
    --------
    >>> check_arguments("both", None, None, None), check_arguments("Kent", None, None, 900)
    (True, False)
    >>> try:
    ...     check_arguments("hertfordshire", None, None, 900)
    ... except TensionmapError as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    records a year cannot be asked of 'hertfordshire': its volumes are its published
    figures (use --scale).
    """
    if start is not None and end is not None and end < start:
        raise TensionmapError(f"the range ends ({end}) before it starts ({start}).")
    if scale <= 0:
        raise TensionmapError(f"'scale' must be positive; {scale!r} was given.")
    if records_per_year is not None and records_per_year <= 0:
        raise TensionmapError(
            f"'records_per_year' must be positive; {records_per_year!r} was given."
        )
    if force in FORCES and records_per_year is not None:
        raise TensionmapError(
            f"records a year cannot be asked of {force!r}: its volumes are its published "
            "figures (use --scale)."
        )
    return force in FORCES


class _Progress:
    """Progress lines with the time each step took, when there is somewhere to say them."""

    def __init__(self, say: Callable[[str], None] | None) -> None:
        self._say = say
        self._t = time.perf_counter()

    def say(self, line: str) -> None:
        if self._say is not None:
            self._say(line)

    def done(self, step: str) -> None:
        now = time.perf_counter()
        self.say(f"  {step}: {now - self._t:.1f} s")
        self._t = now


def _draw(
    b: ScenarioBuilder,
    periods: list[Period],
    truth: dict[str, Any],
    prefixes: dict[str, str],
    notes: list[str],
    *,
    episodes: bool,
    progress: _Progress,
) -> Scenario:
    """Draw the records of ``periods``, plant the truth, and write them as a canonical CSV."""
    records = pd.concat([b.records_for(p, b.scale) for p in periods], ignore_index=True)
    records = records.sort_values(["day", "force"], kind="stable").reset_index(drop=True)
    progress.done(f"{len(records):,} records over {len(periods)} period(s)")
    records["x"], records["y"] = b.locate(records)
    records["minute"] = b.times(records["setting"])
    progress.done("places and times")
    truth["hotspots"] = plant_hotspots(b, records)
    truth["episodes"] = plant_episodes(b, records) if episodes else []
    truth["repeat_victims"] = plant_repeats(b, records)
    progress.done("planted hotspots, episodes and repeat victims")
    _keep_inside(b.geo, records)
    incidents = _canonical(records, b.rng, prefixes)
    references = incidents["reference"].to_numpy()
    for planted in (*truth["hotspots"], *truth["episodes"]):
        planted["references"] = references[planted.pop("rows")].tolist()
    truth["settings"] = {
        s: incidents.loc[records["setting"] == s, "reference"].tolist() for s in SETTING_SHARE
    }
    truth["extrapolated_periods"] = [f"{p.force} {p.label}" for p in periods if p.extrapolated]
    if truth["extrapolated_periods"]:
        notes.append(
            "extrapolated along the national series (no published local figure): "
            + ", ".join(truth["extrapolated_periods"])
        )
    truth["notes"] = notes
    progress.done("records written")
    return Scenario(incidents, truth, notes)


def _keep_inside(geo: Geography, records: pd.DataFrame) -> None:
    """Jitter can push a point past the county edge; pull such points back to their LSOA."""
    found = geo.locate(records["x"].to_numpy(), records["y"].to_numpy(), snap_m=0)
    outside = ~found.located
    if outside.any():
        near = geo.locate(
            records["x"].to_numpy()[outside], records["y"].to_numpy()[outside], snap_m=5000
        )
        inner = shapely.point_on_surface(
            geo.lsoas.geometry.to_numpy()[np.maximum(near.lsoa_index, 0)]
        )
        records.loc[outside, "x"] = shapely.get_x(inner)
        records.loc[outside, "y"] = shapely.get_y(inner)


def _canonical(
    records: pd.DataFrame, rng: np.random.Generator, prefixes: dict[str, str]
) -> pd.DataFrame:
    """The records as a canonical incidents CSV frame."""
    n = len(records)
    when = records["day"] + pd.to_timedelta(records["minute"], unit="m")
    prefix = records["force"].map(prefixes).to_numpy()
    ref = [
        f"{p}-{d:%Y}-{i:07d}" for i, (p, d) in enumerate(zip(prefix, records["day"], strict=True))
    ]
    setting = records["setting"].to_numpy()
    primary = records["strands"].str.split(";").str[0].to_numpy()
    location_type = np.empty(n, dtype=object)
    description = np.empty(n, dtype=object)
    for s in SETTING_SHARE:
        rows = np.flatnonzero(setting == s)
        location_type[rows] = pick(rng, LOCATION_TYPES[s], len(rows))
        templates = pick(rng, DESCRIPTIONS[s], len(rows))
        description[rows] = [
            t.format(abuse=ABUSE[p]) for t, p in zip(templates, primary[rows], strict=True)
        ]
        if s in VAGUE_DESCRIPTIONS:
            vague = rows[rng.random(len(rows)) < VAGUE_SHARE]
            location_type[vague] = pick(rng, VAGUE_LOCATION_TYPES, len(vague))
            description[vague] = [
                VAGUE_DESCRIPTIONS[s].format(abuse=ABUSE[p], route=int(r))
                for p, r in zip(primary[vague], rng.integers(1, 400, len(vague)), strict=True)
            ]
    crime_offences = {**cal.TOP_CRIMES, **cal.OTHER_CRIMES}
    names = np.array(list(crime_offences), dtype=object)
    weights = np.array(list(crime_offences.values()), dtype=float)
    aggravated = np.array([o.startswith(cal.AGGRAVATED) for o in names])
    offence = np.empty(n, dtype=object)
    is_crime = records["record_type"].to_numpy() == "crime"
    race_faith = np.isin(primary, ("race", "religion"))
    for allowed, rows in (
        (np.ones(len(names), bool), np.flatnonzero(is_crime & race_faith)),
        (~aggravated, np.flatnonzero(is_crime & ~race_faith)),
    ):
        w = weights * allowed
        offence[rows] = names[rng.choice(len(names), len(rows), p=w / w.sum())]
    incident_rows = np.flatnonzero(~is_crime)
    offence[incident_rows] = [INCIDENT_OFFENCE[p] for p in primary[incident_rows]]
    lon, lat = to_wgs84(records["x"].to_numpy(), records["y"].to_numpy())
    as_bng = rng.random(n) < 0.5  # half the rows give easting/northing, half WGS84
    return pd.DataFrame(
        {
            "reference": ref,
            "recorded_at": when.dt.strftime("%Y-%m-%dT%H:%M"),
            "record_type": records["record_type"],
            "offence": offence,
            "strands": records["strands"],
            "latitude": np.where(as_bng, "", np.round(lat, 6).astype(str)),
            "longitude": np.where(as_bng, "", np.round(lon, 6).astype(str)),
            "easting": np.where(as_bng, np.round(records["x"]).astype(int).astype(str), ""),
            "northing": np.where(as_bng, np.round(records["y"]).astype(int).astype(str), ""),
            "location_type": location_type,
            "online": np.where(setting == "online", "yes", "no"),
            "description": description,
            "victim_id": records["victim_id"],
        }
    )
