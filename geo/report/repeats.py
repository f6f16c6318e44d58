"""Repeat victims: the share of victims with more than one record in a calendar year.

A victim is counted once per year they have a record in; they *repeat* in a year when
they have two or more records in it. Records without a victim pseudonym are left out.
Only the rates leave the dashboard: the pseudonyms are reduced to counts here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.disclosure import Publication, publishable_array, published_share
from geo.report.trends import closed_periods


@dataclass(frozen=True)
class RepeatVictims:
    """Victims and repeat victims per year, and the rate.

    Parameters
    ----------
    years : tuple of int
        The years, oldest first.
    victims : tuple of int
        Victims with a record in each year (published counts for a published table).
    repeat_victims : tuple of int
        Of those, victims with more than one record in the year (published likewise).
    rate : tuple
        ``repeat_victims`` as a percentage of ``victims``, one decimal; ``suppressed``
        in a published table where either count is suppressed or the base too small.
    published : bool
        Whether the figures are published ones.

    Attributes
    ----------
    overall : float
        Repeat victims over victims, all years together (a share, not a percentage).

    Examples
    --------
    >>> rates = RepeatVictims((2019, 2020), (4, 6), (1, 3), (25.0, 50.0))
    >>> rates.to_frame().to_dict("list")
    {'year': [2019, 2020], 'repeat_victims_%': [25.0, 50.0]}
    >>> rates.overall
    0.4
    """

    years: tuple[int, ...]
    victims: tuple[int, ...]
    repeat_victims: tuple[int, ...]
    rate: tuple[float | str, ...]
    published: bool = False

    @property
    def overall(self) -> float:
        """Repeat victims over victims, all years together (0 with no victim)."""
        victims = sum(self.victims)
        return sum(self.repeat_victims) / victims if victims else 0.0

    def to_frame(self) -> pd.DataFrame:
        """``year`` and ``repeat_victims_%``: the rates only."""
        return pd.DataFrame({"year": list(self.years), "repeat_victims_%": list(self.rate)})


def repeat_victims(
    records: pd.DataFrame,
    *,
    victim: str = "victim_key",
    when: str = "recorded_at",
    publication: Publication | None = None,
) -> RepeatVictims:
    """The share of victims with more than one record in a calendar year, per year.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with a victim pseudonym and when they were recorded.
    victim : str, default "victim_key"
        The column of victim pseudonyms (missing ones are left out).
    when : str, default "recorded_at"
        The column of when each record was recorded (ISO text or datetimes).
    publication : geo.disclosure.Publication, optional
        Publish the rates: the closed years of the published span only, victims and
        repeat victims suppressed and rounded before the rate is taken from them; exact
        rates of every year with victims when ``None``.

    Returns
    -------
    RepeatVictims
        Per year the victims, repeat victims and rate; ``.to_frame()`` gives the rates.

    Examples
    --------
    >>> records = pd.DataFrame({
    ...     "recorded_at": ["2019-01-02", "2019-03-04", "2019-05-06", "2019-07-08", "2019-09-01"],
    ...     "victim_key": ["a", "a", "b", "c", None]})
    >>> rates = repeat_victims(records)
    >>> rates.victims, rates.repeat_victims, rates.rate
    ((3,), (1,), (33.3,))
    """
    frame = records[records[victim].notna()]
    if publication is None:
        year = pd.to_datetime(frame[when]).dt.year
        per = frame.assign(year=year).groupby(["year", victim]).size()
        victims = per.groupby(level="year").size()
        repeats = (per > 1).groupby(level="year").sum().reindex(victims.index, fill_value=0)
        rate = (per > 1).groupby(level="year").mean().mul(100).round(1)
        return RepeatVictims(
            tuple(int(y) for y in victims.index),
            tuple(int(v) for v in victims),
            tuple(int(r) for r in repeats),
            tuple(float(r) for r in rate),
        )
    k, base = publication.k, publication.base
    years = closed_periods(publication, "year")
    keys = frame[when].astype(str).str.slice(0, 4)
    frame = frame.assign(year=keys)[keys.isin(years)]
    per = frame.groupby(["year", victim]).size()
    victims = per.groupby(level="year").size().reindex(years, fill_value=0)
    repeats = (per > 1).groupby(level="year").sum().reindex(years, fill_value=0)
    published_victims = publishable_array(victims.to_numpy(), k, base)
    published_repeats = publishable_array(repeats.to_numpy(), k, base)
    return RepeatVictims(
        tuple(int(y) for y in years),
        tuple(int(v) for v in published_victims),
        tuple(int(r) for r in published_repeats),
        tuple(
            published_share(int(r), int(v), k)
            for r, v in zip(published_repeats, published_victims, strict=True)
        ),
        published=True,
    )
