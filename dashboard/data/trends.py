"""The Trends page's tables (every role): strand markers per period, CSP shares, top
offences, crimes against non-crime incidents and the repeat-victim rate, from
:mod:`geo.report`; published (closed periods, suppressed, rounded) for the partner and
prevention roles."""

from __future__ import annotations

import pandas as pd

from dashboard.data.access import require
from dashboard.data.source import (
    all_records,
    cached,
    csp_names,
    data_version,
    in_csp,
    published_or_exact,
    victims,
)
from geo.disclosure import Publication
from geo.report import (
    PERIODS,
    crimes_and_incidents,
    csp_shares,
    repeat_victims,
    strand_trend,
    top_offences,
)


@cached(maxsize=128)
def cached_trend(
    version: int, period: str, strand: str, csp: str, published: Publication | None
) -> pd.DataFrame:
    """:func:`trend_table` for data ``version``, unchecked (for warming the cache)."""
    chosen = in_csp(all_records(), csp)  # force level: every record, located or not
    return strand_trend(chosen, period, strand=strand, publication=published).to_frame()


def trend_table(period: str = "year", strand: str = "", csp: str = "") -> pd.DataFrame:
    """Strand markers per period (rows) and strand (columns), like the published FOI
    tables; for the partner and prevention roles only whole closed periods, counts
    suppressed below ``k`` (shown ``<k``) and rounded to 5."""
    require("trends")
    if period not in PERIODS:
        raise KeyError(period)
    return cached_trend(data_version(), period, strand, csp, published_or_exact()).copy()


@cached(maxsize=64)
def cached_summary(
    version: int, csp: str, published: Publication | None
) -> dict[str, pd.DataFrame]:
    """:func:`trend_summary` for data ``version``, unchecked (for warming the cache)."""
    chosen = in_csp(all_records(), csp)  # force level: every record, located or not
    names = csp_names()
    listed = names.loc[[csp]] if csp else names
    return {
        "csp_shares": csp_shares(chosen, listed, publication=published).to_frame(),
        "top_offences": top_offences(chosen, publication=published).to_frame(),
        "crime_vs_incident": crimes_and_incidents(chosen, publication=published).to_frame(),
        "repeat_victim_rate": repeat_victims(
            in_csp(victims(), csp), publication=published
        ).to_frame(),
    }


def trend_summary(csp: str = "") -> dict[str, pd.DataFrame]:
    """CSP shares, top offences, crimes against non-crime incidents and the repeat-victim
    rate; published (closed periods, suppressed, rounded, shares of published counts)
    for the partner and prevention roles."""
    require("trends")
    source = cached_summary(data_version(), csp, published_or_exact())
    return {k: v.copy() for k, v in source.items()}
