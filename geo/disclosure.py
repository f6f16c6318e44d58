"""Disclosure control that holds across data versions: what partner and prevention users
may be shown, whatever they compare it with.

The rule
--------
Everything the ``partner`` and ``prevention`` roles see (the partner heat maps, their
tables and the downloadable HTML map, and the Trends and Schools figures for those
roles) is published, and a published figure is made in three steps, in this order:

1. **Closed periods only.** A calendar month is *closed* once it ended at least
   ``publication_lag_days`` days ago (workspace setting, default 7): November closes on
   the 8th of December. Records of the open period (the current month and a month that
   ended less than the lag ago) are left out of every published figure, so ingesting,
   correcting or deleting a recent record changes nothing a partner sees.
2. **Counted by area and period.** Records are counted per area (the LSOA for maps and
   schools; the CSP, or the whole workspace, for Trends) and per closed period.
3. **Small counts suppressed, the rest rounded.** A count below ``small_count_threshold``
   (``k``, default 5) is published as 0 (shown as ``<5``); every other count is rounded
   to the nearest 5 (7 → 5, 8 → 10). No published count is ever 1–4.

Everything else is computed **only from published counts**, never from records:

- the partner heat maps show the published LSOA counts of the **last 12 closed months**
  (shaded LSOAs), and a heat layer that spreads each LSOA's published count evenly over
  the LSOA's polygon on a 100 m raster, smooths it with a quartic kernel (500 m by
  default) and shows it on a grid of 500 m cells, densities rounded to 2 significant
  figures. Their CSP and station or area tables add up published LSOA counts (an LSOA
  with fewer than ``k`` records adds nothing);
- the Schools plan for the prevention role places each LSOA's published count of each
  12-month closed period at the LSOA's inner point and scores, ranks and plans from
  those points (and its high-risk residential areas from published residential counts);
- Trends for the partner and prevention roles count strand markers per CSP and closed
  month, quarter or year (whole closed quarters and years only), suppressed and rounded;
  shares and rates are computed from published counts, and suppressed when their base
  is below ``4 k`` published records.

Because every figure is a function of published (LSOA or CSP) counts of closed periods,
adding, changing or deleting a single record can at most change the published count of
its own area and closed period: moving a record within its LSOA, or adding one to the
open period, changes no byte of what a partner sees, and comparing two versions of a
map never places a record more precisely than its LSOA.

The 12-month window ends at the latest closed month in which the workspace as a whole
holds at least ``k`` records (its published monthly total is not suppressed): the last
closed month in a live workspace; the last month of data in a historical one such as
the demo (2014–2019). Tactical and analyst users keep exact figures on their own pages;
the partner page shows the same published product to every role.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo._errors import TensionmapError

#: Counts are rounded to a multiple of this.
ROUNDING_BASE = 5
#: Months a partner map covers.
MAP_MONTHS = 12
#: A share or rate is shown only when its base has at least this many times ``k``
#: published records (20 at the default ``k`` of 5).
MIN_BASE_FACTOR = 4


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, when negative) ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    """The last day of ``month``'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def last_closed_month(today: date, lag_days: int) -> date:
    """The first day of the latest month that ended at least ``lag_days`` days before
    ``today``.

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
    """Whole calendar months from ``start`` (a first day) to ``end`` (a last day), all
    closed under a publication lag of ``lag_days``."""

    start: date
    end: date
    lag_days: int

    @property
    def published_on(self) -> date:
        """The first day the period may be published: ``lag_days`` after it ended."""
        return self.end + timedelta(days=1 + self.lag_days)

    @property
    def months(self) -> int:
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

    Raises
    ------
    TensionmapError
        Unless ``start`` is a first and ``end`` a last day of a month, ``start`` is not
        after ``end``, and ``end``'s month is closed on ``today``.
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


def publishable(n: int, k: int = 5, base: int = ROUNDING_BASE) -> int:
    """A count as published: 0 below ``k``, otherwise rounded to the nearest ``base``
    (never below ``base``).

    Examples
    --------
    >>> [publishable(n) for n in (0, 4, 5, 7, 8, 12, 13)]
    [0, 0, 5, 5, 10, 10, 15]
    """
    return int(publishable_array(np.array([n]), k, base)[0])


def publishable_array(counts: np.ndarray, k: int = 5, base: int = ROUNDING_BASE) -> np.ndarray:
    """:func:`publishable` of every count (integers in, integers out)."""
    n = np.asarray(counts, dtype=float)
    # n / base is never exactly x.5 for integer counts and base 5, so rounding is unambiguous
    rounded = np.maximum(base, base * np.floor(n / base + 0.5))
    return np.where(n < max(k, 1), 0, rounded).astype(np.int64)


def shown(published: int, k: int) -> int | str:
    """A published count as a table shows it: ``<k`` for 0 (fewer than ``k``, possibly
    none), otherwise the number."""
    return f"<{k}" if published == 0 else int(published)


def publishable_count(n: int, k: int, base: int = ROUNDING_BASE) -> str:
    """A raw count as partners see it: ``<k`` when small, else rounded to ``base``."""
    return str(shown(publishable(n, k, base), k))


def published_share(part: int, base_count: int, k: int) -> float | str:
    """``part`` as a percentage of ``base_count`` (both published), one decimal; the
    string ``suppressed`` when ``part`` is suppressed or the base is below ``4 k``."""
    if part == 0 or base_count < MIN_BASE_FACTOR * k:
        return "suppressed"
    return round(100.0 * part / base_count, 1)


@dataclass(frozen=True)
class Publication:
    """What may be published: the closed months from the first to the last whose
    workspace-wide published record count is not suppressed (``span``; ``None`` when no
    closed month has ``k`` records), under ``lag_days`` and ``k``. Hashable, so it keys
    caches: it changes when the published period does."""

    last_closed: date
    span: ClosedPeriod | None
    lag_days: int
    k: int
    base: int = ROUNDING_BASE

    def window(self, months: int = MAP_MONTHS) -> ClosedPeriod:
        """The ``months`` closed months ending at the span's last month (the last closed
        month when nothing is published yet)."""
        end = month_start(self.span.end) if self.span else self.last_closed
        return ClosedPeriod(add_months(end, 1 - months), month_end(end), self.lag_days)

    def yearly_windows(self) -> list[ClosedPeriod]:
        """Consecutive 12-month closed periods ending at the window's end, newest first,
        back to the one holding the span's first month."""
        newest = self.window(12)
        first = self.span.start if self.span else newest.start
        out = [newest]
        while out[-1].start > first:
            previous = out[-1]
            end = add_months(previous.start, -1)
            out.append(ClosedPeriod(add_months(end, -11), month_end(end), self.lag_days))
        return out


def publication(
    recorded_at: pd.Series, *, today: date, lag_days: int, k: int, base: int = ROUNDING_BASE
) -> Publication:
    """The :class:`Publication` of records with timestamps ``recorded_at`` on ``today``.

    The span's ends depend only on published monthly workspace totals, so one record
    alone in a month (or in the open period) cannot move them.
    """
    last = last_closed_month(today, lag_days)
    months = pd.Series(recorded_at.astype(str).str.slice(0, 7))
    months = months[months <= f"{last:%Y-%m}"]
    totals = months.value_counts()
    published = totals[publishable_array(totals.to_numpy(), k, base) > 0]
    if published.empty:
        return Publication(last, None, lag_days, k, base)
    first_month = date.fromisoformat(min(published.index) + "-01")
    last_month = date.fromisoformat(max(published.index) + "-01")
    span = ClosedPeriod(first_month, month_end(last_month), lag_days)
    return Publication(last, span, lag_days, k, base)


@dataclass(frozen=True)
class PublishedCounts:
    """Published record counts per LSOA for one closed period, aligned to the LSOAs given.

    ``records`` holds 0 (suppressed: fewer than ``k``, possibly none) or a multiple of
    the rounding base, at least the base.
    """

    lsoa_code: np.ndarray
    records: np.ndarray
    period: ClosedPeriod
    k: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"lsoa_code": self.lsoa_code, "records": self.records})

    @property
    def total(self) -> int:
        return int(self.records.sum())


def published_lsoa_counts(
    records: pd.DataFrame,
    lsoa_codes: Sequence[str] | np.ndarray | pd.Series,
    period: ClosedPeriod,
    *,
    k: int,
    base: int = ROUNDING_BASE,
) -> PublishedCounts:
    """Records (``recorded_at``, ``lsoa_code``) of ``period`` counted per LSOA of
    ``lsoa_codes``, then suppressed below ``k`` and rounded to ``base``.

    Records outside the period, or in no listed LSOA, are not counted.

    Examples
    --------
    >>> frame = pd.DataFrame({"recorded_at": ["2019-03-02T10:00"] * 7 + ["2019-12-30"],
    ...                       "lsoa_code": ["A"] * 7 + ["B"]})
    >>> p = ClosedPeriod(date(2019, 1, 1), date(2019, 12, 31), 7)
    >>> published_lsoa_counts(frame, ["A", "B", "C"], p, k=5).records.tolist()
    [5, 0, 0]
    """
    codes = np.asarray(lsoa_codes, dtype=object)
    if len(records):
        records = records[period.contains(records["recorded_at"]).to_numpy()]
    raw = (
        records["lsoa_code"].value_counts().reindex(codes).fillna(0).to_numpy()
        if len(records)
        else np.zeros(len(codes))
    )
    return PublishedCounts(codes, publishable_array(raw, k, base), period, k)


def published_counts_by(
    keys: pd.Series, index: Sequence[object], *, k: int, base: int = ROUNDING_BASE
) -> pd.Series:
    """Counts of each value of ``keys`` over ``index`` (zeros included), published."""
    raw = keys.value_counts().reindex(pd.Index(index)).fillna(0)
    return pd.Series(publishable_array(raw.to_numpy(), k, base), index=raw.index)
