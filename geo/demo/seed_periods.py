"""The seed forces' budgets: Hertfordshire and Cambridgeshire's published periods.

Cambridgeshire's calendar years and Hertfordshire's financial years, each with its
published volumes and strand mix (:mod:`geo.demo.calibration`), extrapolated along the
national series outside the published years.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from geo.demo import calibration as cal
from geo.demo.builder import Period
from geo.vocab import MONITORED_STRANDS as STRANDS


def _cambs_periods(first: int, last: int) -> list[Period]:
    out = []
    for year in range(first, last + 1):
        ref = min(max(year, min(cal.CAMBS_CRIMES)), max(cal.CAMBS_CRIMES))
        ratio = cal.national_ratio(year, ref)
        crimes = cal.CAMBS_CRIMES[ref] * ratio
        markers = {s: cal.CAMBS_MARKERS[s][ref] for s in STRANDS}
        total = sum(markers.values())
        out.append(
            Period(
                "Cambridgeshire",
                str(year),
                pd.Timestamp(year, 1, 1),
                pd.Timestamp(year, 12, 31),
                crimes=round(crimes),
                incidents=round(crimes * cal.INCIDENT_SHARE / (1 - cal.INCIDENT_SHARE)),
                strand_share={s: m / total for s, m in markers.items()},
                extrapolated=year not in cal.CAMBS_CRIMES,
            )
        )
    return out


def _herts_periods(first: int, last: int) -> list[Period]:
    out = []
    for year in range(first, last + 1):  # financial years starting in April of `year`
        ref = min(max(year, min(cal.HERTS_REPORTS)), max(cal.HERTS_REPORTS))
        reports = cal.HERTS_REPORTS[ref] * cal.national_ratio(year, ref)
        share = dict(cal.HERTS_STRAND_SHARE)
        if year == 2017:  # the 2017 attacks: faith hate up by half that year
            share["religion"] *= 1.5
        norm = sum(share.values())
        out.append(
            Period(
                "Hertfordshire",
                f"{year}/{(year + 1) % 100:02d}",
                pd.Timestamp(year, 4, 1),
                pd.Timestamp(year + 1, 3, 31),
                crimes=round(reports * (1 - cal.INCIDENT_SHARE)),
                incidents=round(reports * cal.INCIDENT_SHARE),
                strand_share={s: v / norm for s, v in share.items()},
                extrapolated=year not in cal.HERTS_REPORTS,
                multi_share=0.02,
            )
        )
    return out


def seed_periods(force: str, start: date, end: date) -> list[Period]:
    """The seed forces' published periods that the range touches.

    Parameters
    ----------
    force : str
        ``hertfordshire``, ``cambridgeshire`` or ``both``.
    start, end : datetime.date
        The scenario's first and last day.

    Returns
    -------
    list of Period
        Cambridgeshire's calendar years, then Hertfordshire's financial years, each with
        its budget at scale 1 (pro-rated later where the range cuts it).

    Examples
    --------
    >>> periods = seed_periods("both", date(2019, 1, 1), date(2019, 12, 31))
    >>> [(p.label, p.crimes) for p in periods]
    [('2019', 1012), ('2018/19', 1954), ('2019/20', 1987)]
    """
    periods: list[Period] = []
    if force in ("cambridgeshire", "both"):
        periods += _cambs_periods(start.year, end.year)
    if force in ("hertfordshire", "both"):
        periods += _herts_periods(
            start.year - (1 if start.month < 4 else 0), end.year - (1 if end.month < 4 else 0)
        )
    return periods
