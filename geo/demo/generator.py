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
from typing import Any, cast

import numpy as np
import pandas as pd
import shapely

from geo.demo import calibration as cal
from geo.demo.places import DemoPlaces, load_places, residential_weights
from geo.demo.texts import (
    ABUSE,
    DESCRIPTIONS,
    INCIDENT_OFFENCE,
    LOCATION_TYPES,
    VAGUE_DESCRIPTIONS,
    VAGUE_LOCATION_TYPES,
    pick,
)
from geo.geocode import to_wgs84
from geo.geography import Geography

FORCES = ("hertfordshire", "cambridgeshire", "both")
STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")

#: Share of records per setting (every record gets exactly one generating setting).
SETTING_SHARE = {
    "residential": 0.30,
    "street": 0.19,
    "nte": 0.12,
    "public_transport": 0.10,
    "online": 0.08,
    "retail": 0.08,
    "school": 0.07,
    "taxi": 0.06,
}
#: Weight of Monday … Sunday per setting.
DOW_WEIGHT = {
    "nte": (0.3, 0.3, 0.4, 0.8, 1.8, 2.2, 0.8),
    "taxi": (0.4, 0.4, 0.5, 0.8, 1.6, 2.0, 0.9),
    "public_transport": (1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.6),
    "school": (1.2, 1.2, 1.2, 1.2, 1.2, 0.0, 0.0),
}
#: Hour-of-day weights per setting (00:00 first).
# fmt: off
HOUR_WEIGHT = {
    "nte": np.array([6, 5, 4, 2, .5, .1, .1, .1, .1, .1, .1, .2,
                     .5, .5, .5, .5, .5, .6, 1, 2, 3, 4, 5, 6]),
    "taxi": np.array([6, 6, 5, 4, 2, 1, .3, .3, .3, .3, .3, .3,
                      .5, .5, .5, .5, .5, .6, 1, 1.5, 2, 3, 4, 5]),
    "public_transport": np.array([.1, .1, .1, .1, .1, .3, 1, 3, 3.5, 1.5, 1, 1,
                                  1, 1, 1.2, 2.5, 3, 3, 2, 1.2, 1, .8, .5, .3]),
    "school": np.array([0, 0, 0, 0, 0, 0, 0, .2, 3, 1, .5, .5,
                        1, .5, .8, 3.5, 2, .3, 0, 0, 0, 0, 0, 0]),
    "residential": np.array([.5, .3, .2, .1, .1, .1, .2, .5, .8, 1, 1, 1.2,
                             1.2, 1.2, 1.3, 1.6, 1.8, 2, 2, 2, 1.8, 1.5, 1, .8]),
}
# fmt: on
#: Cambridgeshire CSP rate factors relative to population (no published split; cities higher).
CAMBS_CSP_FACTOR = {
    "Peterborough": 1.6,
    "Cambridge": 1.4,
    "Fenland": 1.0,
    "Huntingdonshire": 0.75,
    "East Cambridgeshire": 0.7,
    "South Cambridgeshire": 0.6,
}
#: Share of records that repeat an earlier victim (tuned so ~25 % of victims recur in a year).
REPEAT_SHARE = 0.36
VAGUE_SHARE = 0.25


@dataclass(frozen=True)
class Scenario:
    """Generated records (canonical columns) and the planted truth."""

    incidents: pd.DataFrame
    truth: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def write(self, out: Path) -> None:
        import json

        out.mkdir(parents=True, exist_ok=True)
        self.incidents.to_csv(out / "incidents.csv", index=False)
        (out / "truth.json").write_text(json.dumps(self.truth, indent=1), encoding="utf-8")


# ---------------------------------------------------------------------------------------
# budgets: how many records per force, period, record type and strand


@dataclass(frozen=True)
class Period:
    force: str
    label: str  # "2016" or "2016/17"
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive
    crimes: int
    incidents: int
    strand_share: dict[str, float]
    extrapolated: bool


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


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``total`` in proportion to ``shares``."""
    raw = total * shares / shares.sum()
    counts = np.floor(raw).astype(int)
    short = total - counts.sum()
    counts[np.argsort(raw - counts)[::-1][:short]] += 1
    return counts


def _systematic(n: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices drawn by systematic sampling: every run of consecutive days gets its
    expected share of the ``n`` to within one, so any calendar window (a month, a year
    cut from a financial year) keeps each group's calibrated share."""
    cdf = np.cumsum(weights) / weights.sum()
    points = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(cdf, points, side="right"), len(weights) - 1)


def _strand_lists(
    n: int, share: dict[str, float], multi: int, rng: np.random.Generator
) -> list[str]:
    """``n`` strand cells with marker shares ``share``; ``multi`` of them carry race+religion."""
    markers = _largest_remainder(n + multi, np.array([share[s] for s in STRANDS]))
    counts = dict(zip(STRANDS, markers, strict=True))
    multi = min(multi, counts["race"], counts["religion"])
    cells = ["race;religion"] * multi
    counts["race"] -= multi
    counts["religion"] -= multi
    for s in STRANDS:
        cells += [s] * int(counts[s])
    cells = cells[:n] + ["race"] * max(0, n - len(cells))
    return list(rng.permutation(np.array(cells, dtype=object)))


# ---------------------------------------------------------------------------------------
# the generator


@dataclass
class _Builder:
    geo: Geography
    places: DemoPlaces
    rng: np.random.Generator
    start: pd.Timestamp
    end: pd.Timestamp
    scale: float = 1.0

    def csp_shares(self, force: str) -> tuple[np.ndarray, np.ndarray]:
        lsoas = self.geo.lsoas
        table = (
            pd.DataFrame(
                {
                    "csp": lsoas["csp_code"],
                    "name": lsoas["csp_name"],
                    "force": lsoas["force"],
                    "w": self.places.residential_weight,
                }
            )
            .groupby(["csp", "name", "force"], as_index=False)["w"]
            .sum()
        )
        table = table[table["force"] == force]
        if force == "Hertfordshire":
            fixed = table["name"].map(cal.HERTS_CSP_SHARE)
            rest = 1 - sum(cal.HERTS_CSP_SHARE.values())
            free = fixed.isna()
            fixed[free] = rest * table.loc[free, "w"] / table.loc[free, "w"].sum()
            share = fixed.to_numpy(float)
        else:
            share = (table["w"] * table["name"].map(CAMBS_CSP_FACTOR).fillna(1.0)).to_numpy(float)
        return table["csp"].to_numpy(), share / share.sum()

    def day_weights(
        self, period: Period, setting: str, strand: str
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        days = pd.date_range(max(period.start, self.start), min(period.end, self.end), freq="D")
        w = (
            np.asarray(cal.MONTH_WEIGHT)[days.month - 1]
            * np.asarray(DOW_WEIGHT.get(setting, (1,) * 7))[days.day_of_week]
        )
        for first, last, strands, mult in cal.TRIGGER_EVENTS:
            if strands is None or strand in strands:
                inside = (days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))
                w = np.where(inside, w * mult, w)
        if setting == "school":  # no school in August
            w = np.where(days.month == 8, 0.0, w)
        return days, w

    def records_for(self, period: Period, scale: float) -> pd.DataFrame:
        """The records of one period (pro-rated when the range cuts it)."""
        full = pd.date_range(period.start, period.end, freq="D")
        inside = full[(full >= self.start) & (full <= self.end)]
        if len(inside) == 0:
            return pd.DataFrame()
        fraction = len(inside) / len(full)
        csps, csp_share = self.csp_shares(period.force)
        frames = []
        for record_type, total in (("crime", period.crimes), ("incident", period.incidents)):
            n = round(total * scale * fraction)
            if n == 0:
                continue
            multi = round(n * (0.02 if period.force == "Hertfordshire" else 0.025))
            strands = _strand_lists(n, period.strand_share, multi, self.rng)
            csp = np.repeat(csps, _largest_remainder(n, csp_share))
            frames.append(
                pd.DataFrame(
                    {
                        "force": period.force,
                        "period": period.label,
                        "record_type": record_type,
                        "strands": strands,
                        "csp_code": self.rng.permutation(csp),
                    }
                )
            )
        records = pd.concat(frames, ignore_index=True)
        settings = np.array(list(SETTING_SHARE), dtype=object)
        records["setting"] = settings[
            self.rng.choice(len(settings), len(records), p=list(SETTING_SHARE.values()))
        ]
        records["day"] = pd.NaT
        religion = records["strands"].str.contains("religion")
        keys = [
            records["setting"],
            religion,
            records["strands"],
            records["csp_code"],
            records["record_type"],
        ]
        for key, idx in records.groupby(keys).groups.items():
            setting, is_religion = cast(tuple[str, bool, str, str, str], key)[:2]
            days, w = self.day_weights(period, setting, "religion" if is_religion else "race")
            records.loc[idx, "day"] = self.rng.permutation(days[_systematic(len(idx), w, self.rng)])
        return records

    def times(self, settings: pd.Series) -> np.ndarray:
        minutes = np.zeros(len(settings), dtype=np.int64)
        for setting, idx in settings.groupby(settings).groups.items():
            w = HOUR_WEIGHT.get(str(setting), HOUR_WEIGHT["residential"])
            hours = self.rng.choice(24, len(idx), p=w / w.sum())
            minutes[settings.index.get_indexer(idx)] = hours * 60 + self.rng.integers(
                0, 60, len(idx)
            )
        return minutes

    def points_in_lsoas(self, lsoa_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Uniform random points inside the given LSOAs (rejection sampling, vectorised)."""
        geoms = self.geo.lsoas.geometry.to_numpy()[lsoa_index]
        bounds = shapely.bounds(geoms)
        x = np.full(len(lsoa_index), np.nan)
        y = np.full(len(lsoa_index), np.nan)
        todo = np.arange(len(lsoa_index))
        for _ in range(50):
            if not todo.size:
                break
            b = bounds[todo]
            cx = self.rng.uniform(b[:, 0], b[:, 2])
            cy = self.rng.uniform(b[:, 1], b[:, 3])
            ok = shapely.contains_xy(geoms[todo], cx, cy)
            x[todo[ok]], y[todo[ok]] = cx[ok], cy[ok]
            todo = todo[~ok]
        if todo.size:  # thin slivers: fall back to the LSOA's inner point
            inner = shapely.point_on_surface(geoms[todo])
            x[todo], y[todo] = shapely.get_x(inner), shapely.get_y(inner)
        return x, y

    def residential_lsoas(self, csp_codes: np.ndarray) -> np.ndarray:
        lsoa_csp = self.geo.lsoas["csp_code"].to_numpy()
        out = np.zeros(len(csp_codes), dtype=np.int64)
        for csp in np.unique(csp_codes):
            rows = np.flatnonzero(csp_codes == csp)
            pool = np.flatnonzero(lsoa_csp == csp)
            w = self.places.residential_weight[pool]
            out[rows] = pool[self.rng.choice(len(pool), len(rows), p=w / w.sum())]
        return out

    def locate(self, records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        n = len(records)
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        setting = records["setting"].to_numpy()
        csp = records["csp_code"].to_numpy()
        kind_of = {
            "public_transport": "rail_station",
            "nte": "nte",
            "taxi": "taxi_rank",
            "school": "school",
            "street": "nte",
            "retail": "nte",
        }
        spread = {
            "public_transport": 80.0,
            "nte": 60.0,
            "taxi": 100.0,
            "school": 80.0,
            "street": 300.0,
            "retail": 250.0,
        }
        for s, kind in kind_of.items():
            rows = np.flatnonzero(setting == s)
            if s == "public_transport":  # a third at bus stations
                bus = rows[self.rng.random(len(rows)) < 0.33]
                self._near_places(bus, csp, "bus_station", 60.0, x, y)
                rows = np.setdiff1d(rows, bus)
            self._near_places(rows, csp, kind, spread[s], x, y)
        home = np.flatnonzero(np.isnan(x))
        hx, hy = self.points_in_lsoas(self.residential_lsoas(csp[home]))
        x[home], y[home] = hx, hy
        return x, y

    def _near_places(
        self, rows: np.ndarray, csp: np.ndarray, kind: str, sd: float, x: np.ndarray, y: np.ndarray
    ) -> None:
        places = self.places.by_kind[kind]
        for code in np.unique(csp[rows]):
            sub = rows[csp[rows] == code]
            pool = places[places["csp_code"] == code]
            if pool.empty:
                continue  # no such place in this CSP: falls back to a residential location
            pick_ = self.rng.integers(0, len(pool), len(sub))
            x[sub] = pool["x"].to_numpy()[pick_] + self.rng.normal(0, sd, len(sub))
            y[sub] = pool["y"].to_numpy()[pick_] + self.rng.normal(0, sd, len(sub))


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
    b = _Builder(geo, places, rng, pd.Timestamp(start), pd.Timestamp(end), scale)
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
    from geo.demo.planting import plant_episodes, plant_hotspots, plant_repeats

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
