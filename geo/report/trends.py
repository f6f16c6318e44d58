"""Strand markers per period: the steering group's trend table, exact or published.

Like the published FOI tables; a published table has closed periods only, small counts
suppressed and the rest rounded.

A record marked with two strands counts once for each (a *strand marker*); the
``all strand markers`` column adds them up.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.disclosure import Publication, publishable_array, shown
from geo.vocab import MONITORED_STRANDS

#: The periods a trend table is counted by.
PERIODS: tuple[str, ...] = ("year", "quarter", "month")
#: The column that adds up the strand markers of a period.
ALL_MARKERS = "all strand markers"


def period_keys(recorded_at: pd.Series, period: str) -> pd.Series:
    """The period of each record as a trend table names it.

    ``2019``, ``2019Q3`` or ``2019-07``.

    Parameters
    ----------
    recorded_at : pandas.Series
        When each record was recorded (ISO text or datetimes).
    period : str
        One of :data:`PERIODS`.

    Returns
    -------
    pandas.Series
        The period names, aligned to ``recorded_at``.

    Examples
    --------
    >>> when = pd.Series(["2019-07-01T10:00", "2020-01-31T23:00"])
    >>> period_keys(when, "quarter").tolist()
    ['2019Q3', '2020Q1']
    >>> period_keys(when, "year").tolist()
    ['2019', '2020']
    """
    when = pd.to_datetime(recorded_at)
    if period == "year":
        return when.dt.year.astype(str)
    return when.dt.to_period("Q" if period == "quarter" else "M").astype(str)


def closed_periods(publication: Publication, period: str) -> list[str]:
    """The closed periods of the published span, oldest first.

    The periods (as :func:`period_keys` names them) that overlap the published span and
    whose every month is closed.

    Parameters
    ----------
    publication : geo.disclosure.Publication
        What may be published.
    period : str
        One of :data:`PERIODS`.

    Returns
    -------
    list of str
        The closed periods; none when nothing is published.

    Examples
    --------
    >>> from datetime import date
    >>> from geo.disclosure import ClosedPeriod
    >>> span = ClosedPeriod(date(2019, 1, 1), date(2019, 8, 31), 7)
    >>> published = Publication(date(2019, 8, 1), span, 7, 5)
    >>> closed_periods(published, "quarter")
    ['2019Q1', '2019Q2']
    >>> closed_periods(published, "year")
    []
    """
    span = publication.span
    if span is None:
        return []
    last = pd.Period(publication.last_closed, freq="M")
    freq = {"year": "Y", "quarter": "Q", "month": "M"}[period]
    spans = pd.period_range(span.start, span.end, freq=freq)
    return [str(p) for p in spans if p.asfreq("M", how="end") <= last]


@dataclass(frozen=True)
class StrandTrend:
    """Strand markers per period (rows) and strand (columns).

    Parameters
    ----------
    period : str
        What a row is: ``year``, ``quarter`` or ``month``.
    periods : tuple of str
        The rows, oldest first.
    strands : tuple of str
        The strand columns.
    counts : tuple of tuple
        Per strand, its markers in each period: whole numbers, or for a published table
        published counts (``<k`` where suppressed).
    totals : tuple
        All strand markers of each period (published like ``counts``).
    published : bool
        Whether the figures are published ones.

    Examples
    --------
    >>> trend = StrandTrend("year", ("2019",), ("race",), ((3,),), (3,), False)
    >>> trend.to_frame().to_dict("list")
    {'period': ['2019'], 'race': [3], 'all strand markers': [3]}
    """

    period: str
    periods: tuple[str, ...]
    strands: tuple[str, ...]
    counts: tuple[tuple[int | str, ...], ...]
    totals: tuple[int | str, ...]
    published: bool = False

    def to_frame(self) -> pd.DataFrame:
        """The table as the Trends page shows it.

        ``period``, one column per strand and ``all strand markers``.
        """
        table = pd.DataFrame({"period": list(self.periods)})
        for strand, counts in zip(self.strands, self.counts, strict=True):
            table[strand] = list(counts)
        table[ALL_MARKERS] = list(self.totals)
        return table


def _markers(records: pd.DataFrame, period: str, strand: str) -> pd.DataFrame:
    """One row per strand marker, with the period of its record."""
    key = period_keys(records["recorded_at"], period)
    markers = records.assign(period=key.to_numpy(), strand=records["strands"].str.split(";"))
    markers = markers.explode("strand")
    return markers[markers["strand"] == strand] if strand else markers


def strand_trend(
    records: pd.DataFrame,
    period: str = "year",
    *,
    strand: str = "",
    publication: Publication | None = None,
) -> StrandTrend:
    """Strand markers per period and strand, exact or published.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``recorded_at`` and ``strands`` (``;``-separated).
    period : str, default "year"
        One of :data:`PERIODS`.
    strand : str, optional
        Count only this strand (every strand when empty).
    publication : geo.disclosure.Publication, optional
        Publish the table: only the closed periods of the published span, each count
        suppressed below ``k`` and rounded, and a strand with nothing published left
        out (monitored strands first). Exact counts of every period with records when
        ``None``.

    Returns
    -------
    StrandTrend
        The table; ``.to_frame()`` gives it as a frame.

    Raises
    ------
    KeyError
        When ``period`` is not one of :data:`PERIODS`.

    Examples
    --------
    >>> records = pd.DataFrame({
    ...     "recorded_at": ["2019-01-05", "2019-02-01", "2020-03-01"],
    ...     "strands": ["race", "race;religion", "religion"]})
    >>> strand_trend(records, "year").to_frame().to_dict("list")
    {'period': ['2019', '2020'], 'race': [2, 0], 'religion': [1, 1], 'all strand markers': [3, 1]}
    """
    if period not in PERIODS:
        raise KeyError(period)
    markers = _markers(records, period, strand)
    if publication is None:
        table = pd.crosstab(markers["period"], markers["strand"])
        strands = tuple(str(c) for c in table.columns)
        return StrandTrend(
            period,
            tuple(str(p) for p in table.index),
            strands,
            tuple(tuple(int(v) for v in table[s]) for s in table.columns),
            tuple(int(v) for v in table.sum(axis=1)),
        )
    keys = closed_periods(publication, period)
    markers = markers[markers["period"].isin(keys)]
    raw = pd.crosstab(markers["period"], markers["strand"]).reindex(keys, fill_value=0)
    k, base = publication.k, publication.base
    counts = pd.DataFrame(
        publishable_array(raw.to_numpy(), k, base), index=raw.index, columns=raw.columns
    )
    order = [s for s in MONITORED_STRANDS if s in counts] + sorted(
        set(counts.columns) - set(MONITORED_STRANDS)
    )
    kept = [s for s in order if counts[s].any()]  # nothing published: not a column
    totals = publishable_array(raw.sum(axis=1).to_numpy(), k, base)
    return StrandTrend(
        period,
        tuple(keys),
        tuple(kept),
        tuple(tuple(shown(v, k) for v in counts[s]) for s in kept),
        tuple(shown(v, k) for v in totals),
        published=True,
    )
