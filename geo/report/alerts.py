"""The timeline of a tension alert, against the baseline the alert itself used.

Records per day in the alert's areas and strand.

The alert's signal is a space-time permutation scan cluster (:mod:`geo.tension.stscan`):
``expected`` records in its areas over its days (``start`` to ``end``) if those areas kept
their usual share of the recent records. Spread over those days, that is the areas'
usual count per day; the usual range is its Poisson 99 % quantile. The timeline shows the
same baseline the alert was graded against, not a separate long-run mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from scipy import stats

from geo.tension.signals import Signal, strand_records

#: Days a timeline covers, ending on the day asked for (eight weeks).
TIMELINE_DAYS = 56


@dataclass(frozen=True)
class AlertTimeline:
    """Records per day in an alert's areas and strand, and the usual range.

    Parameters
    ----------
    days : tuple of datetime.date
        The days, oldest first.
    records : tuple of int
        Records on each day.
    expected : float
        Usual records per day: the alert's expected count spread over its days.
    upper : float
        The top of the usual range: the 99 % Poisson quantile of ``expected``.

    Examples
    --------
    >>> line = AlertTimeline((date(2019, 7, 1),), (4,), 0.5, 3.0)
    >>> line.to_frame().to_dict("list")["records"]
    [4]
    """

    days: tuple[date, ...]
    records: tuple[int, ...]
    expected: float
    upper: float

    def to_frame(self) -> pd.DataFrame:
        """``day``, ``records``, ``expected`` and ``upper``, one row per day."""
        return pd.DataFrame(
            {
                "day": list(self.days),
                "records": list(self.records),
                "expected": self.expected,
                "upper": self.upper,
            }
        )


def usual_per_day(signal: Signal) -> float:
    """The alert's expected records per day in its areas.

    The scan's expected count of the cluster, spread over the cluster's days.

    Parameters
    ----------
    signal : geo.tension.Signal
        The alert's signal (as it stood on the day shown).

    Returns
    -------
    float
        Expected records per day.

    Examples
    --------
    >>> s = Signal("race", frozenset({"E01"}), (0.0, 0.0), 500.0, date(2019, 7, 1),
    ...            date(2019, 7, 4), 9, 2.0, 0.001, "medium", ())
    >>> usual_per_day(s)
    0.5
    """
    days = (signal.end - signal.start).days + 1
    return signal.expected / max(days, 1)


def alert_timeline(
    signal: Signal, records: pd.DataFrame, day: date, *, days: int = TIMELINE_DAYS
) -> AlertTimeline:
    """Records per day in an alert's areas and strand, with the baseline the alert used.

    The ``days`` days up to ``day`` are shown.

    Parameters
    ----------
    signal : geo.tension.Signal
        The alert's signal (its areas, strand, days and expected count).
    records : pandas.DataFrame
        Records with ``recorded_at``, ``lsoa_code`` and ``strands``.
    day : datetime.date
        The last day shown.
    days : int, default 56
        How many days are shown.

    Returns
    -------
    AlertTimeline
        The daily counts, the usual count per day and the top of the usual range.

    Examples
    --------
    >>> s = Signal("race", frozenset({"E01"}), (0.0, 0.0), 500.0, date(2019, 7, 1),
    ...            date(2019, 7, 4), 3, 2.0, 0.001, "medium", ())
    >>> records = pd.DataFrame({
    ...     "recorded_at": ["2019-07-03T10:00", "2019-07-04T11:00", "2019-07-04T12:00"],
    ...     "lsoa_code": ["E01", "E01", "E02"], "strands": ["race", "race;religion", "race"]})
    >>> line = alert_timeline(s, records, date(2019, 7, 4), days=3)
    >>> line.records, line.expected, line.upper
    ((0, 1, 1), 0.5, 3.0)
    """
    here = strand_records(records[records["lsoa_code"].isin(signal.lsoas)], signal.strand)
    when = pd.to_datetime(here["recorded_at"]).dt.normalize()
    end = pd.Timestamp(day)
    shown = pd.date_range(end - pd.Timedelta(days=days - 1), end, freq="D")
    daily = when.value_counts().reindex(shown, fill_value=0)
    usual = usual_per_day(signal)
    upper = float(stats.poisson.ppf(0.99, usual)) if usual > 0 else 0.0
    return AlertTimeline(tuple(d.date() for d in shown), tuple(int(v) for v in daily), usual, upper)
