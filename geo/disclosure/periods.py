"""Closed periods: whole calendar months that ended at least the publication lag ago.

A month is *closed* once it ended ``lag_days`` days ago (workspace setting
``publication_lag_days``, default 7): November closes on the 8th of December. Only
closed periods are ever published.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from geo._errors import TensionmapError

#: Months a partner map covers.
MAP_MONTHS = 12


def month_start(day: date) -> date:
    """The first day of ``day``'s month.

    Parameters
    ----------
    day : datetime.date
        Any day.

    Returns
    -------
    datetime.date
        The first day of the same month.

    Examples
    --------
    >>> month_start(date(2019, 11, 23))
    datetime.date(2019, 11, 1)
    """
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, when negative) ``month``.

    Parameters
    ----------
    month : datetime.date
        A day of the month to start from (only its year and month count).
    months : int
        How many months to move: forward when positive, back when negative.

    Returns
    -------
    datetime.date
        The first day of the month reached.

    Examples
    --------
    >>> add_months(date(2019, 11, 1), 2)
    datetime.date(2020, 1, 1)
    >>> add_months(date(2019, 11, 15), -11)
    datetime.date(2018, 12, 1)
    """
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    """The last day of ``month``'s month.

    Parameters
    ----------
    month : datetime.date
        Any day of the month.

    Returns
    -------
    datetime.date
        The month's last day (leap years included).

    Examples
    --------
    >>> month_end(date(2020, 2, 1))
    datetime.date(2020, 2, 29)
    """
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def last_closed_month(today: date, lag_days: int) -> date:
    """The first day of the latest month that ended at least ``lag_days`` days ago.

    Parameters
    ----------
    today : datetime.date
        The day of publication.
    lag_days : int
        Days a month must have ended before it is closed (0 or more).

    Returns
    -------
    datetime.date
        The first day of the last closed month.

    Raises
    ------
    TensionmapError
        When ``lag_days`` is negative.

    Examples
    --------
    >>> last_closed_month(date(2019, 12, 8), 7)  # November ended 7 days ago
    datetime.date(2019, 11, 1)
    >>> last_closed_month(date(2019, 12, 7), 7)
    datetime.date(2019, 10, 1)
    """
    if lag_days < 0:
        raise TensionmapError(f"publication_lag_days must be 0 or more; {lag_days!r} was given.")
    return add_months(month_start(today - timedelta(days=lag_days)), -1)


@dataclass(frozen=True)
class ClosedPeriod:
    """Whole calendar months, all closed under a publication lag.

    Build one with :func:`closed_period` or :func:`period_of_dates`, which check that
    the months are closed.

    Parameters
    ----------
    start : datetime.date
        The first day of the first month.
    end : datetime.date
        The last day of the last month.
    lag_days : int
        The publication lag the months are closed under.

    Examples
    --------
    >>> period = ClosedPeriod(date(2019, 1, 1), date(2019, 12, 31), 7)
    >>> period.months, period.published_on
    (12, datetime.date(2020, 1, 8))
    >>> period.describe()  # doctest: +NORMALIZE_WHITESPACE
    'January 2019 to December 2019, published 8 January 2020
    (whole months, closed 7 days after they end)'
    >>> period.contains(pd.Series(["2018-12-31T23:59", "2019-06-01"])).tolist()
    [False, True]
    """

    start: date
    end: date
    lag_days: int

    @property
    def published_on(self) -> date:
        """The first day the period may be published: ``lag_days`` after it ended."""
        return self.end + timedelta(days=1 + self.lag_days)

    @property
    def months(self) -> int:
        """How many calendar months the period covers."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def label(self) -> str:
        """``January 2019 to December 2019`` (``March 2019`` for one month)."""
        first, last = f"{self.start:%B %Y}", f"{self.end:%B %Y}"
        return first if first == last else f"{first} to {last}"

    def describe(self) -> str:
        """The label with when it became publishable, as the maps and tables state it."""
        return (
            f"{self.label()}, published {self.published_on.day} {self.published_on:%B %Y} "
            f"(whole months, closed {self.lag_days} days after they end)"
        )

    def contains(self, recorded_at: pd.Series) -> pd.Series:
        """Which ISO timestamps fall in the period."""
        day = recorded_at.astype(str).str.slice(0, 10)
        return (day >= self.start.isoformat()) & (day <= self.end.isoformat())


def closed_period(
    today: date, lag_days: int, *, months: int = MAP_MONTHS, end_month: date | None = None
) -> ClosedPeriod:
    """The ``months`` whole months ending at ``end_month`` (default: the last closed month).

    Parameters
    ----------
    today : datetime.date
        The day of publication.
    lag_days : int
        Days a month must have ended before it is closed.
    months : int, default 12
        How many months the period covers (at least 1).
    end_month : datetime.date, optional
        Any day of the period's last month; that month must be closed on ``today``.

    Returns
    -------
    ClosedPeriod
        The period, from the first day of its first month to the last of its last.

    Raises
    ------
    TensionmapError
        When ``months`` is below 1 or ``end_month`` is not closed on ``today``.

    Examples
    --------
    >>> period = closed_period(date(2020, 1, 8), 7)
    >>> period.label(), period.published_on
    ('January 2019 to December 2019', datetime.date(2020, 1, 8))
    >>> closed_period(date(2020, 1, 7), 7).label()
    'December 2018 to November 2019'
    """
    if months < 1:
        raise TensionmapError(f"a closed period needs at least 1 month; {months!r} was given.")
    last = last_closed_month(today, lag_days)
    end = month_start(end_month) if end_month else last
    if end > last:
        raise TensionmapError(
            f"{end:%B %Y} is not closed on {today.isoformat()}: months close {lag_days} days "
            f"after they end, so the latest closed month is {last:%B %Y}."
        )
    return ClosedPeriod(add_months(end, 1 - months), month_end(end), lag_days)


def period_of_dates(start: date, end: date, *, today: date, lag_days: int) -> ClosedPeriod:
    """The closed period ``start`` to ``end`` given as days (a CLI's ``--from``/``--to``).

    Parameters
    ----------
    start : datetime.date
        The first day of a month.
    end : datetime.date
        The last day of a month, not before ``start``.
    today : datetime.date
        The day of publication.
    lag_days : int
        Days a month must have ended before it is closed.

    Returns
    -------
    ClosedPeriod
        The months from ``start`` to ``end``.

    Raises
    ------
    TensionmapError
        Unless ``start`` is a first and ``end`` a last day of a month, ``start`` is not
        after ``end``, and ``end``'s month is closed on ``today``.

    Examples
    --------
    >>> period_of_dates(date(2019, 4, 1), date(2019, 6, 30), today=date(2020, 1, 8),
    ...                 lag_days=7).label()
    'April 2019 to June 2019'
    >>> period_of_dates(date(2019, 4, 2), date(2019, 6, 30), today=date(2020, 1, 8),
    ...                 lag_days=7)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo._errors.TensionmapError: the period must start on a month's first day; ...
    """
    problems = []
    if start != month_start(start):
        problems.append(f"the period must start on a month's first day; {start!r} was given")
    if end != month_end(end):
        problems.append(f"the period must end on a month's last day; {end!r} was given")
    if start > end:
        problems.append(f"the start {start!r} is after the end {end!r}")
    if problems:
        raise TensionmapError("; ".join(problems) + ".")
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return closed_period(today, lag_days, months=months, end_month=end)
