"""The steering group's summary tables, exact or published.

Each CSP's share of the records, the top offences, and crimes against non-crime
incidents per year.

A published table counts only records of the published span's closed periods, each count
suppressed below ``k`` and rounded (:mod:`geo.disclosure`); its order and its shares come
from published counts only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.disclosure import Publication, published_counts_by, published_share, shown
from geo.report.trends import closed_periods
from geo.vocab import RECORD_TYPES


def _ordered(counts: pd.Series) -> pd.Series:
    """Largest published count first, ties by name: no order from unpublished detail."""
    counts = counts.sort_index(kind="stable")
    return counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")]


def _spanned(records: pd.DataFrame, publication: Publication) -> pd.DataFrame:
    span = publication.span
    return records[span.contains(records["recorded_at"])] if span else records.iloc[:0]


@dataclass(frozen=True)
class CspShares:
    """Each CSP's share of the records, largest first.

    Parameters
    ----------
    csp : tuple of str
        CSP names.
    records : tuple of int
        Records of each CSP (published counts for a published table).
    share : tuple
        Percent of all records, one decimal; ``suppressed`` in a published table where
        the count is suppressed or the total too small.
    published : bool
        Whether the figures are published ones.

    Examples
    --------
    >>> CspShares(("Watford",), (8,), (100.0,)).to_frame().to_dict("list")
    {'csp': ['Watford'], 'share_%': [100.0]}
    """

    csp: tuple[str, ...]
    records: tuple[int, ...]
    share: tuple[float | str, ...]
    published: bool = False

    def to_frame(self) -> pd.DataFrame:
        """``csp`` and ``share_%``, as the Trends page shows them."""
        return pd.DataFrame({"csp": list(self.csp), "share_%": list(self.share)})


def csp_shares(
    records: pd.DataFrame, names: pd.Series, *, publication: Publication | None = None
) -> CspShares:
    """Each CSP's share of the records (percent, one decimal), largest first.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``csp_code`` (and ``recorded_at`` for a published table).
    names : pandas.Series
        CSP name by CSP code: the CSPs a published table lists (a CSP with no record
        among them as 0, shown ``suppressed``).
    publication : geo.disclosure.Publication, optional
        Publish the table (records of the published span only, counts suppressed and
        rounded, shares of published counts); exact when ``None``.

    Returns
    -------
    CspShares
        The shares; ``.to_frame()`` gives ``csp`` and ``share_%``.

    Examples
    --------
    >>> records = pd.DataFrame({"csp_code": ["W", "W", "W", "S"]})
    >>> names = pd.Series({"W": "Watford", "S": "St Albans"})
    >>> shares = csp_shares(records, names)
    >>> shares.to_frame().to_dict("list")
    {'csp': ['Watford', 'St Albans'], 'share_%': [75.0, 25.0]}
    >>> shares.records
    (3, 1)
    """
    if publication is None:
        named = records["csp_code"].map(names)
        counts = named.value_counts()
        shares = (named.value_counts(normalize=True) * 100).round(1)
        return CspShares(
            tuple(str(c) for c in shares.index),
            tuple(int(counts[c]) for c in shares.index),
            tuple(float(v) for v in shares),
        )
    k, base = publication.k, publication.base
    spanned = _spanned(records, publication)
    listed = sorted(names)
    per_csp = _ordered(published_counts_by(spanned["csp_code"].map(names), listed, k=k, base=base))
    total = int(per_csp.sum())
    return CspShares(
        tuple(str(c) for c in per_csp.index),
        tuple(int(v) for v in per_csp),
        tuple(published_share(int(v), total, k) for v in per_csp),
        published=True,
    )


@dataclass(frozen=True)
class TopOffences:
    """The offences with most records, most first.

    Parameters
    ----------
    offence : tuple of str
        Offence names.
    records : tuple of int
        Records of each (published counts for a published table).
    published : bool
        Whether the figures are published ones.

    Examples
    --------
    >>> TopOffences(("Harassment",), (12,)).to_frame().to_dict("list")
    {'offence': ['Harassment'], 'records': [12]}
    """

    offence: tuple[str, ...]
    records: tuple[int, ...]
    published: bool = False

    def to_frame(self) -> pd.DataFrame:
        """``offence`` and ``records``."""
        return pd.DataFrame({"offence": list(self.offence), "records": list(self.records)})


def top_offences(
    records: pd.DataFrame, *, n: int = 10, publication: Publication | None = None
) -> TopOffences:
    """The ``n`` offences with most records.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``offence`` (and ``recorded_at`` for a published table).
    n : int, default 10
        How many offences.
    publication : geo.disclosure.Publication, optional
        Publish the table: records of the published span only, counts suppressed and
        rounded, offences with nothing published left out, ties ordered by name.

    Returns
    -------
    TopOffences
        The offences; ``.to_frame()`` gives ``offence`` and ``records``.

    Examples
    --------
    >>> records = pd.DataFrame({"offence": ["Harassment", "Criminal damage", "Harassment"]})
    >>> top_offences(records, n=1).to_frame().to_dict("list")
    {'offence': ['Harassment'], 'records': [2]}
    """
    if publication is None:
        counts = records["offence"].value_counts().head(n)
        return TopOffences(tuple(str(o) for o in counts.index), tuple(int(v) for v in counts))
    k, base = publication.k, publication.base
    spanned = _spanned(records, publication)
    offences = published_counts_by(
        spanned["offence"], sorted(spanned["offence"].dropna().unique()), k=k, base=base
    )
    offences = _ordered(offences[offences > 0]).head(n)
    return TopOffences(
        tuple(str(o) for o in offences.index), tuple(int(v) for v in offences), published=True
    )


@dataclass(frozen=True)
class RecordTypes:
    """Crimes and non-crime incidents per year.

    Parameters
    ----------
    years : tuple of int
        The years, oldest first.
    types : tuple of str
        The record types (``crime``, ``incident``).
    counts : tuple of tuple
        Per type, its records in each year (published counts, ``<k`` where suppressed,
        for a published table).
    published : bool
        Whether the figures are published ones.

    Examples
    --------
    >>> RecordTypes((2019,), ("crime", "incident"), ((7,), (2,))).to_frame().to_dict("list")
    {'year': [2019], 'crime': [7], 'incident': [2]}
    """

    years: tuple[int, ...]
    types: tuple[str, ...]
    counts: tuple[tuple[int | str, ...], ...]
    published: bool = False

    def to_frame(self) -> pd.DataFrame:
        """``year`` and one column per record type."""
        table = pd.DataFrame({"year": list(self.years)})
        for kind, counts in zip(self.types, self.counts, strict=True):
            table[kind] = list(counts)
        return table


def crimes_and_incidents(
    records: pd.DataFrame, *, publication: Publication | None = None
) -> RecordTypes:
    """Records per year and record type (crime or non-crime incident).

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``recorded_at`` and ``record_type``.
    publication : geo.disclosure.Publication, optional
        Publish the table: the closed years of the published span, both types, counts
        suppressed and rounded; exact counts of every year with records when ``None``.

    Returns
    -------
    RecordTypes
        The table; ``.to_frame()`` gives ``year`` and a column per type.

    Examples
    --------
    >>> records = pd.DataFrame({"recorded_at": ["2019-05-01", "2019-06-01", "2020-01-02"],
    ...                         "record_type": ["crime", "incident", "crime"]})
    >>> crimes_and_incidents(records).to_frame().to_dict("list")
    {'year': [2019, 2020], 'crime': [1, 1], 'incident': [1, 0]}
    """
    if publication is None:
        year = pd.to_datetime(records["recorded_at"]).dt.year
        table = pd.crosstab(year, records["record_type"])
        return RecordTypes(
            tuple(int(y) for y in table.index),
            tuple(str(c) for c in table.columns),
            tuple(tuple(int(v) for v in table[c]) for c in table.columns),
        )
    k, base = publication.k, publication.base
    years = closed_periods(publication, "year")
    year = records["recorded_at"].str.slice(0, 4)
    counts = []
    for kind in RECORD_TYPES:
        published = published_counts_by(year[records["record_type"] == kind], years, k=k, base=base)
        counts.append(tuple(shown(v, k) for v in published))
    return RecordTypes(tuple(int(y) for y in years), RECORD_TYPES, tuple(counts), published=True)
