"""Published counts: small counts suppressed, the rest rounded to the nearest 5.

A count below ``k`` (``small_count_threshold``, default 5) is published as 0 and shown
as ``<5``; every other count is rounded to the nearest multiple of :data:`ROUNDING_BASE`
(7 → 5, 8 → 10). No published count is ever 1–4. Shares and rates are computed from
published counts only, and suppressed when their base is small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.disclosure.periods import ClosedPeriod

#: Counts are rounded to a multiple of this.
ROUNDING_BASE = 5
#: A share or rate is shown only when its base has at least this many times ``k``
#: published records (20 at the default ``k`` of 5).
MIN_BASE_FACTOR = 4


def publishable(n: int, k: int = 5, base: int = ROUNDING_BASE) -> int:
    """A count as published: 0 below ``k``, otherwise rounded to the nearest ``base``.

    A count of ``k`` or more is never published below ``base``.

    Parameters
    ----------
    n : int
        The exact count.
    k : int, default 5
        The smallest count published (``small_count_threshold``).
    base : int, default 5
        Published counts are multiples of this.

    Returns
    -------
    int
        0 (suppressed) or a multiple of ``base``, at least ``base``.

    Examples
    --------
    >>> [publishable(n) for n in (0, 4, 5, 7, 8, 12, 13)]
    [0, 0, 5, 5, 10, 10, 15]
    """
    return int(publishable_array(np.array([n]), k, base)[0])


def publishable_array(counts: np.ndarray, k: int = 5, base: int = ROUNDING_BASE) -> np.ndarray:
    """:func:`publishable` of every count (integers in, integers out).

    Parameters
    ----------
    counts : numpy.ndarray
        Exact counts (any array-like of whole numbers).
    k : int, default 5
        The smallest count published.
    base : int, default 5
        Published counts are multiples of this.

    Returns
    -------
    numpy.ndarray
        The published counts, as 64-bit integers, aligned to ``counts``.

    Examples
    --------
    >>> publishable_array(np.array([3, 5, 7, 8, 22])).tolist()
    [0, 5, 5, 10, 20]
    >>> publishable_array(np.array([3, 9]), k=3, base=10).tolist()
    [10, 10]
    """
    n = np.asarray(counts, dtype=float)
    # n / base is never exactly x.5 for integer counts and base 5, so rounding is unambiguous
    rounded = np.maximum(base, base * np.floor(n / base + 0.5))
    return np.where(n < max(k, 1), 0, rounded).astype(np.int64)


def shown(published: int, k: int) -> int | str:
    """A published count as a table shows it.

    Parameters
    ----------
    published : int
        A published count (from :func:`publishable`).
    k : int
        The smallest count published.

    Returns
    -------
    int or str
        ``"<k"`` for 0 (fewer than ``k``, possibly none), otherwise the number.

    Examples
    --------
    >>> shown(0, 5), shown(15, 5)
    ('<5', 15)
    """
    return f"<{k}" if published == 0 else int(published)


def publishable_count(n: int, k: int, base: int = ROUNDING_BASE) -> str:
    """A raw count as partners see it: ``<k`` when small, else rounded to ``base``.

    Parameters
    ----------
    n : int
        The exact count.
    k : int
        The smallest count published.
    base : int, default 5
        Published counts are multiples of this.

    Returns
    -------
    str
        :func:`shown` of :func:`publishable`, as text.

    Examples
    --------
    >>> publishable_count(3, 5), publishable_count(13, 5)
    ('<5', '15')
    """
    return str(shown(publishable(n, k, base), k))


def published_share(part: int, base_count: int, k: int) -> float | str:
    """``part`` as a percentage of ``base_count``, both published counts.

    Parameters
    ----------
    part : int
        The published count of the part.
    base_count : int
        The published count of the whole.
    k : int
        The smallest count published; the whole must hold at least
        ``MIN_BASE_FACTOR * k`` (20 at ``k`` = 5).

    Returns
    -------
    float or str
        The percentage to one decimal, or ``"suppressed"`` when ``part`` is suppressed
        or the base is below ``4 k``.

    Examples
    --------
    >>> published_share(5, 40, 5)
    12.5
    >>> published_share(5, 15, 5), published_share(0, 40, 5)
    ('suppressed', 'suppressed')
    """
    if part == 0 or base_count < MIN_BASE_FACTOR * k:
        return "suppressed"
    return round(100.0 * part / base_count, 1)


@dataclass(frozen=True)
class PublishedCounts:
    """Published record counts per LSOA for one closed period, aligned to the LSOAs given.

    Made by :func:`published_lsoa_counts`.

    Parameters
    ----------
    lsoa_code : numpy.ndarray
        The LSOAs, in the order given.
    records : numpy.ndarray
        Per LSOA, 0 (suppressed: fewer than ``k``, possibly none) or a multiple of the
        rounding base, at least the base.
    period : ClosedPeriod
        The closed period counted.
    k : int
        The smallest count published.

    Examples
    --------
    >>> from datetime import date
    >>> period = ClosedPeriod(date(2019, 1, 1), date(2019, 12, 31), 7)
    >>> counts = PublishedCounts(np.array(["A", "B"]), np.array([10, 0]), period, 5)
    >>> counts.total
    10
    >>> counts.to_frame()
      lsoa_code  records
    0         A       10
    1         B        0
    """

    lsoa_code: np.ndarray
    records: np.ndarray
    period: ClosedPeriod
    k: int

    def to_frame(self) -> pd.DataFrame:
        """``lsoa_code`` and ``records``, one row per LSOA."""
        return pd.DataFrame({"lsoa_code": self.lsoa_code, "records": self.records})

    @property
    def total(self) -> int:
        """The sum of the published counts (suppressed LSOAs add nothing)."""
        return int(self.records.sum())


def published_lsoa_counts(
    records: pd.DataFrame,
    lsoa_codes: Sequence[str] | np.ndarray | pd.Series,
    period: ClosedPeriod,
    *,
    k: int,
    base: int = ROUNDING_BASE,
) -> PublishedCounts:
    """Records of ``period`` counted per LSOA, then suppressed and rounded.

    Records outside the period, or in no listed LSOA, are not counted.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``recorded_at`` (ISO text) and ``lsoa_code``.
    lsoa_codes : sequence of str
        The LSOAs to count, in the order wanted; an LSOA without records counts 0.
    period : ClosedPeriod
        The closed period to count.
    k : int
        The smallest count published.
    base : int, default 5
        Published counts are multiples of this.

    Returns
    -------
    PublishedCounts
        The published count of each LSOA of ``lsoa_codes``.

    Examples
    --------
    >>> from datetime import date
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
    """Counts of each value of ``keys`` over ``index`` (zeros included), published.

    Parameters
    ----------
    keys : pandas.Series
        One value per record (a CSP code, a strand, a period name).
    index : sequence
        The values to count, in the order wanted; values of ``keys`` not in it are
        left out.
    k : int
        The smallest count published.
    base : int, default 5
        Published counts are multiples of this.

    Returns
    -------
    pandas.Series
        The published count of each value of ``index``.

    Examples
    --------
    >>> keys = pd.Series(["E1"] * 8 + ["E2"] * 3 + ["E9"])
    >>> published_counts_by(keys, ["E1", "E2", "E3"], k=5).to_dict()
    {'E1': 10, 'E2': 0, 'E3': 0}
    """
    raw = keys.value_counts().reindex(pd.Index(index)).fillna(0)
    return pd.Series(publishable_array(raw.to_numpy(), k, base), index=raw.index)
