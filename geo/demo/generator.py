"""The synthetic-but-calibrated demo scenario: who, what, where and when, with known truth.

Volumes are fixed, not drawn: each force's published totals per year and strand (and
Hertfordshire's CSP shares) are met exactly at scale 1, and randomness decides only
which records fall where and when. Planted truth is made by *moving* records that the
budget already contains (into a hotspot LSOA, or into an episode's place and weeks), so
planting never disturbs the calibration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.demo import calibration as cal
from geo.demo.builder import SETTING_SHARE, Period, ScenarioBuilder
from geo.demo.places import load_places, residential_weights
from geo.demo.planting import plant_episodes, plant_hotspots, plant_repeats
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
from geo.vocab import MONITORED_STRANDS as STRANDS

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


# ---------------------------------------------------------------------------------------
# budgets: how many records per force, period, record type and strand


def _cambs_periods(first: int, last: int) -> list[Period]:
    out = []
    for year in range(first, last + 1):
        ref = min(max(year, min(cal.CAMBS_CRIMES)), max(cal.CAMBS_CRIMES))
        ratio = cal.national_ratio(year, ref)
        crimes = cal.CAMBS_CRIMES[ref] * ratio
        markers = {s: cal.CAMBS_MARKERS[s][ref] for s in STRANDS}
        total = sum(markers.values())
        out.append(
            Period(
                "Cambridgeshire",
                str(year),
                pd.Timestamp(year, 1, 1),
                pd.Timestamp(year, 12, 31),
                crimes=round(crimes),
                incidents=round(crimes * cal.INCIDENT_SHARE / (1 - cal.INCIDENT_SHARE)),
                strand_share={s: m / total for s, m in markers.items()},
                extrapolated=year not in cal.CAMBS_CRIMES,
            )
        )
    return out


def _herts_periods(first: int, last: int) -> list[Period]:
    out = []
    for year in range(first, last + 1):  # financial years starting in April of `year`
        ref = min(max(year, min(cal.HERTS_REPORTS)), max(cal.HERTS_REPORTS))
        reports = cal.HERTS_REPORTS[ref] * cal.national_ratio(year, ref)
        share = dict(cal.HERTS_STRAND_SHARE)
        if year == 2017:  # the 2017 attacks: faith hate up by half that year
            share["religion"] *= 1.5
        norm = sum(share.values())
        out.append(
            Period(
                "Hertfordshire",
                f"{year}/{(year + 1) % 100:02d}",
                pd.Timestamp(year, 4, 1),
                pd.Timestamp(year + 1, 3, 31),
                crimes=round(reports * (1 - cal.INCIDENT_SHARE)),
                incidents=round(reports * cal.INCIDENT_SHARE),
                strand_share={s: v / norm for s, v in share.items()},
                extrapolated=year not in cal.HERTS_REPORTS,
            )
        )
    return out


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
) -> Scenario:
    """Generate the demo scenario.

    Parameters
    ----------
    geo
        The boundary set (the default or an imported one).
    seed
        Everything, including the planted truth, is reproducible from it.
    force
        ``hertfordshire``, ``cambridgeshire`` or ``both``.
    start, end
        Inclusive date range.
    scale
        Multiplies every volume (1.0 = the published figures).
    open_data
        Folder with the real places and Census population; synthetic stand-ins otherwise.
    episodes
        Plant the tension episodes (``False`` gives the null scenario on which false
        alarms are counted).

    Returns
    -------
    Scenario
        The records and the planted truth.

    Raises
    ------
    ValueError
        For an unknown force, a range that ends before it starts, or a scale that is
        not positive.

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

    The arguments are checked before anything is drawn:

    >>> generate(None, force="kent")
    Traceback (most recent call last):
    ...
    ValueError: 'force' must be one of ('hertfordshire', 'cambridgeshire', 'both'); ...
    """
    if force not in FORCES:
        raise ValueError(f"'force' must be one of {FORCES}; {force!r} was given.")
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start}).")
    if scale <= 0:
        raise ValueError(f"'scale' must be positive; {scale!r} was given.")
    rng = np.random.default_rng(seed)
    weights, weight_source = residential_weights(geo, open_data)
    places = load_places(geo, open_data, weights)
    b = ScenarioBuilder(geo, places, rng, pd.Timestamp(start), pd.Timestamp(end), scale)
    periods: list[Period] = []
    if force in ("cambridgeshire", "both"):
        periods += _cambs_periods(start.year, end.year)
    if force in ("hertfordshire", "both"):
        periods += _herts_periods(
            start.year - (1 if start.month < 4 else 0), end.year - (1 if end.month < 4 else 0)
        )
    records = pd.concat([b.records_for(p, scale) for p in periods], ignore_index=True)
    records = records.sort_values(["day", "force"], kind="stable").reset_index(drop=True)
    records["x"], records["y"] = b.locate(records)
    records["minute"] = b.times(records["setting"])
    truth: dict[str, Any] = {
        "seed": seed,
        "force": force,
        "from": str(start),
        "to": str(end),
        "scale": scale,
        "residential_weights": weight_source,
    }
    truth["hotspots"] = plant_hotspots(b, records)
    truth["episodes"] = plant_episodes(b, records) if episodes else []
    truth["repeat_victims"] = plant_repeats(b, records)
    _keep_inside(geo, records)
    incidents = _canonical(records, rng)
    references = incidents["reference"].to_numpy()
    for planted in (*truth["hotspots"], *truth["episodes"]):
        planted["references"] = references[planted.pop("rows")].tolist()
    truth["settings"] = {
        s: incidents.loc[records["setting"] == s, "reference"].tolist() for s in SETTING_SHARE
    }
    truth["extrapolated_periods"] = [f"{p.force} {p.label}" for p in periods if p.extrapolated]
    notes = list(places.notes)
    if truth["extrapolated_periods"]:
        notes.append(
            "extrapolated along the national series (no published local figure): "
            + ", ".join(truth["extrapolated_periods"])
        )
    truth["notes"] = notes
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


def _canonical(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The records as a canonical incidents CSV frame."""
    n = len(records)
    when = records["day"] + pd.to_timedelta(records["minute"], unit="m")
    prefix = np.where(records["force"] == "Hertfordshire", "HC", "CC")
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
