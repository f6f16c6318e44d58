"""What may be published: the span of closed months whose workspace total is published.

The 12-month window of the partner maps ends at the latest closed month in which the
workspace as a whole holds at least ``k`` records: the last closed month in a live
workspace; the last month of data in a historical one such as the demo (2014–2019).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.disclosure.counts import ROUNDING_BASE, publishable_array
from geo.disclosure.periods import (
    MAP_MONTHS,
    ClosedPeriod,
    add_months,
    last_closed_month,
    month_end,
    month_start,
)


@dataclass(frozen=True)
class Publication:
    """What may be published, under a publication lag and a small-count threshold.

    The span runs over the closed months from the first to the last whose
    workspace-wide published record count is not suppressed. Hashable, so it keys
    caches: it changes when the published period does. Made by :func:`publication`.

    Parameters
    ----------
    last_closed : datetime.date
        The first day of the last closed month.
    span : ClosedPeriod or None
        The published span; ``None`` when no closed month has ``k`` records.
    lag_days : int
        Days a month must have ended before it is closed.
    k : int
        The smallest count published.
    base : int, default 5
        Published counts are multiples of this.

    Examples
    --------
    >>> span = ClosedPeriod(date(2014, 1, 1), date(2019, 12, 31), 7)
    >>> published = Publication(date(2024, 5, 1), span, lag_days=7, k=5)
    >>> published.window().label()
    'January 2019 to December 2019'
    >>> [p.label() for p in published.yearly_windows()][-1]
    'January 2014 to December 2014'
    """

    last_closed: date
    span: ClosedPeriod | None
    lag_days: int
    k: int
    base: int = ROUNDING_BASE

    def window(self, months: int = MAP_MONTHS) -> ClosedPeriod:
        """The ``months`` closed months ending at the span's last month.

        The last closed month when nothing is published yet.
        """
        end = month_start(self.span.end) if self.span else self.last_closed
        return ClosedPeriod(add_months(end, 1 - months), month_end(end), self.lag_days)

    def yearly_windows(self) -> list[ClosedPeriod]:
        """Consecutive 12-month closed periods ending at the window's end, newest first.

        They go back to the one holding the span's first month.
        """
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

    Parameters
    ----------
    recorded_at : pandas.Series
        The records' ISO timestamps.
    today : datetime.date
        The day of publication.
    lag_days : int
        Days a month must have ended before it is closed.
    k : int
        The smallest count published.
    base : int, default 5
        Published counts are multiples of this.

    Returns
    -------
    Publication
        The span of published closed months (``None`` when there is none).

    Examples
    --------
    >>> when = pd.Series(["2019-01-05"] * 6 + ["2019-02-01"] + ["2019-03-09"] * 5)
    >>> published = publication(when, today=date(2019, 4, 8), lag_days=7, k=5)
    >>> published.span.label()
    'January 2019 to March 2019'
    >>> publication(when, today=date(2019, 4, 7), lag_days=7, k=5).span.label()
    'January 2019'
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
