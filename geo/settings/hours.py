"""When a setting is open: night-time-economy hours, school hours and bank holidays.

Bank holidays are those of England and Wales, with substitute days.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from dateutil.easter import easter

NTE_START_DAYS = (3, 4, 5)  # Thursday, Friday, Saturday evenings


NTE_HOURS = (20, 4)  # 20:00 to 04:00 the next morning


def bank_holidays(year: int) -> set[date]:
    """List the bank holidays of England and Wales in a year, with substitute days.

    New Year's Day, Good Friday, Easter Monday, the early May, spring and summer bank
    holidays, Christmas Day and Boxing Day (one-off holidays are not included).

    Parameters
    ----------
    year : int
        The year.

    Returns
    -------
    set of datetime.date
        The eight days.

    Examples
    --------
    >>> sorted(bank_holidays(2021))[-2:]
    [datetime.date(2021, 12, 27), datetime.date(2021, 12, 28)]
    >>> date(2024, 3, 29) in bank_holidays(2024)
    True
    """
    days: set[date] = set()

    def monday_substitute(d: date, taken: set[date]) -> date:
        """The first weekday from ``d`` not already ``taken``."""
        while d.weekday() >= 5 or d in taken:
            d += timedelta(days=1)
        return d

    days.add(monday_substitute(date(year, 1, 1), set()))
    e = easter(year)
    days |= {e - timedelta(days=2), e + timedelta(days=1)}
    may = date(year, 5, 1)
    days.add(may + timedelta(days=(7 - may.weekday()) % 7))  # early May: first Monday
    for month in (5, 8):  # spring and summer: last Monday
        last = date(year, month, 31)
        days.add(last - timedelta(days=last.weekday()))
    christmas = monday_substitute(date(year, 12, 25), set())
    days |= {christmas, monday_substitute(date(year, 12, 26), {christmas})}
    return days


def in_nte_hours(when: pd.Series) -> np.ndarray:
    """Tell whether each time is in night-time-economy hours.

    20:00–04:00 on nights starting Thursday, Friday or Saturday, or on the eve of a bank
    holiday. A time after midnight belongs to the night that started the evening before.

    Parameters
    ----------
    when : pandas.Series
        Datetimes (local time).

    Returns
    -------
    numpy.ndarray
        Boolean per time.

    Examples
    --------
    Friday night, into Saturday morning; a Monday night; the Sunday before a bank holiday:

    >>> when = pd.to_datetime(pd.Series(
    ...     ["2024-03-08 23:30", "2024-03-09 02:00", "2024-03-11 23:30", "2024-05-05 22:00"]))
    >>> in_nte_hours(when)
    array([ True,  True, False,  True])
    """
    hour = when.dt.hour.to_numpy()
    evening = hour >= NTE_HOURS[0]
    early = hour < NTE_HOURS[1]
    night_start = (when - pd.to_timedelta(np.where(early, 1, 0), unit="D")).dt.normalize()
    years = range(int(when.dt.year.min()) - 1, int(when.dt.year.max()) + 2) if len(when) else []
    eves = {pd.Timestamp(d - timedelta(days=1)) for y in years for d in bank_holidays(y)}
    start_ok = night_start.dt.day_of_week.isin(NTE_START_DAYS) | night_start.isin(eves)
    return ((evening | early) & start_ok.to_numpy()).astype(bool)


def in_school_hours(when: pd.Series) -> np.ndarray:
    """Tell whether each time is in school hours on a likely term day.

    08:00–16:00 Monday to Friday, except in August, the Christmas fortnight, the Easter
    fortnight and on bank holidays.

    Parameters
    ----------
    when : pandas.Series
        Datetimes (local time).

    Returns
    -------
    numpy.ndarray
        Boolean per time.

    Examples
    --------
    A Monday morning and evening in March, a Monday in August, a Saturday:

    >>> when = pd.to_datetime(pd.Series(
    ...     ["2024-03-11 10:00", "2024-03-11 17:00", "2024-08-12 10:00", "2024-03-16 10:00"]))
    >>> in_school_hours(when)
    array([ True, False, False, False])
    """
    day = when.dt.normalize()
    weekday = when.dt.day_of_week.to_numpy() < 5
    hours = (when.dt.hour >= 8).to_numpy() & (when.dt.hour < 16).to_numpy()
    month, dom = when.dt.month.to_numpy(), when.dt.day.to_numpy()
    christmas = ((month == 12) & (dom >= 20)) | ((month == 1) & (dom <= 3))
    years = range(int(when.dt.year.min()), int(when.dt.year.max()) + 1) if len(when) else []
    easter_days = {
        pd.Timestamp(easter(y)) + pd.Timedelta(days=k) for y in years for k in range(-7, 8)
    }
    holidays = {pd.Timestamp(d) for y in years for d in bank_holidays(y)}
    off = day.isin(easter_days | holidays).to_numpy()
    return weekday & hours & (month != 8) & ~christmas & ~off
