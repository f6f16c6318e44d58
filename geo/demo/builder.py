"""The scenario builder: what the generator and the planting share.

The draw of places, days and times, and the calibrated budgets per force and period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import shapely

from geo.demo import calibration as cal
from geo.demo.places import DemoPlaces
from geo.geography.areas import Geography
from geo.vocab import MONITORED_STRANDS as STRANDS

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
#: Published CSP shares per force (the rest of its CSPs share the remainder by residents).
PUBLISHED_CSP_SHARE = {"Hertfordshire": cal.HERTS_CSP_SHARE}
#: CSP rate factors per force; a force without any shares its records by residents alone.
CSP_RATE_FACTOR = {"Cambridgeshire": CAMBS_CSP_FACTOR}
#: Share of records that repeat an earlier victim (tuned so ~25 % of victims recur in a year).
REPEAT_SHARE = 0.36


@dataclass(frozen=True)
class Period:
    """One force's published period (a calendar or financial year) and its budget.

    Attributes
    ----------
    force
        ``Hertfordshire`` or ``Cambridgeshire``.
    label
        ``2016`` (a calendar year) or ``2016/17`` (a financial year).
    start, end
        The first and last day (inclusive).
    crimes, incidents
        Hate crimes and non-crime hate incidents in the period at scale 1.
    strand_share
        Share of strand markers per strand.
    extrapolated
        Whether the volumes are extrapolated along the national series.
    multi_share
        Share of records that carry two strands (race and religion).

    Examples
    --------
    >>> period = Period("Hertfordshire", "2016/17", pd.Timestamp(2016, 4, 1),
    ...                 pd.Timestamp(2017, 3, 31), crimes=1400, incidents=490,
    ...                 strand_share={"race": 0.8, "religion": 0.2}, extrapolated=True)
    >>> (period.end - period.start).days + 1
    365
    """

    force: str
    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    crimes: int
    incidents: int
    strand_share: dict[str, float]
    extrapolated: bool
    multi_share: float = 0.025


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``total`` in proportion to ``shares``."""
    raw = total * shares / shares.sum()
    counts = np.floor(raw).astype(int)
    short = total - counts.sum()
    counts[np.argsort(raw - counts)[::-1][:short]] += 1
    return counts


def _systematic(n: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices drawn by systematic sampling, in proportion to ``weights``.

    Every run of consecutive days gets its expected share of the ``n`` to within one, so
    any calendar window (a month, a year cut from a financial year) keeps each group's
    calibrated share.
    """
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
class ScenarioBuilder:
    """Draws the records of a scenario: budgets per period, places, days and times.

    Attributes
    ----------
    geo
        The boundary set (LSOAs with CSP and force).
    places
        The places records are drawn near, and residential weights per LSOA.
    rng
        The one random generator every draw uses (the scenario is reproducible from it).
    start, end
        The scenario's first and last day; periods they cut are pro-rated.
    scale
        Multiplies every volume (1.0 = the published figures).

    Examples
    --------
    A year of Cambridgeshire records on a 5 × 5 lattice of 500 m "LSOAs" with synthetic
    places:

    >>> import geopandas as gpd, shapely
    >>> from geo.demo.places import load_places
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 2500, 500), np.arange(0, 2500, 500)))
    >>> codes = [f"L{i:02d}" for i in range(25)]
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": codes, "lsoa_name": codes, "district_code": "D1", "csp_code": "C1",
    ...      "district_name": "Cambridge", "csp_name": "Cambridge", "force": "Cambridgeshire"},
    ...     geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700"))
    >>> builder = ScenarioBuilder(geo, load_places(geo, None, np.full(25, 1500.0)),
    ...                           np.random.default_rng(0), pd.Timestamp(2019, 1, 1),
    ...                           pd.Timestamp(2019, 12, 31))
    >>> period = Period("Cambridgeshire", "2019", pd.Timestamp(2019, 1, 1),
    ...                 pd.Timestamp(2019, 12, 31), crimes=100, incidents=35,
    ...                 strand_share={s: 0.2 for s in STRANDS}, extrapolated=False)
    >>> records = builder.records_for(period, 1.0)
    >>> records["record_type"].value_counts().to_dict()
    {'crime': 100, 'incident': 35}
    >>> records["x"], records["y"] = builder.locate(records)
    >>> records[["setting", "x", "y"]].head(3).round()
           setting       x       y
    0          nte   200.0  1235.0
    1          nte   196.0   516.0
    2  residential  2429.0   874.0
    """

    geo: Geography
    places: DemoPlaces
    rng: np.random.Generator
    start: pd.Timestamp
    end: pd.Timestamp
    scale: float = 1.0

    def csp_shares(self, force: str) -> tuple[np.ndarray, np.ndarray]:
        """The force's CSP codes and each one's share of its records (published or weighted)."""
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
        published = PUBLISHED_CSP_SHARE.get(force)
        if published is not None:
            fixed = table["name"].map(published)
            rest = 1 - sum(published.values())
            free = fixed.isna()
            fixed[free] = rest * table.loc[free, "w"] / table.loc[free, "w"].sum()
            share = fixed.to_numpy(float)
        else:  # by residents, times a force's own rate factors where it has them
            factor = table["name"].map(CSP_RATE_FACTOR.get(force, {})).astype(float)
            share = (table["w"] * factor.fillna(1.0)).to_numpy(float)
        return table["csp"].to_numpy(), share / share.sum()

    def day_weights(
        self, period: Period, setting: str, strand: str
    ) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """The period's days in range and their weights (season, weekday, trigger events)."""
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
            multi = round(n * period.multi_share)
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
        religion = records["strands"].str.contains("religion")
        keys = [
            records["setting"],
            religion,
            records["strands"],
            records["csp_code"],
            records["record_type"],
        ]
        weights: dict[tuple[str, bool], tuple[pd.DatetimeIndex, np.ndarray]] = {}
        day = np.empty(len(records), dtype="datetime64[ns]")
        for key, idx in records.groupby(keys).indices.items():
            setting, is_religion = cast(tuple[str, bool, str, str, str], key)[:2]
            if (setting, is_religion) not in weights:  # the same for every CSP and strand
                strand = "religion" if is_religion else "race"
                weights[setting, is_religion] = self.day_weights(period, setting, strand)
            days, w = weights[setting, is_religion]
            day[idx] = self.rng.permutation(days[_systematic(len(idx), w, self.rng)])
        records["day"] = day
        return records

    def times(self, settings: pd.Series) -> np.ndarray:
        """A minute of the day for each record, by its setting's hour weights."""
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
        """An LSOA of each record's CSP, drawn by residential weight."""
        lsoa_csp = self.geo.lsoas["csp_code"].to_numpy()
        out = np.zeros(len(csp_codes), dtype=np.int64)
        for csp in np.unique(csp_codes):
            rows = np.flatnonzero(csp_codes == csp)
            pool = np.flatnonzero(lsoa_csp == csp)
            w = self.places.residential_weight[pool]
            out[rows] = pool[self.rng.choice(len(pool), len(rows), p=w / w.sum())]
        return out

    def locate(self, records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """BNG points for records: near a place of their setting, else inside a home LSOA."""
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
