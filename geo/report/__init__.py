"""Reports: the trend and summary tables the dashboard, the demo and report packs share.

Each is a small frozen result with ``.to_frame()``.

:mod:`~geo.report.trends` (strand markers per year, quarter or month),
:mod:`~geo.report.summary` (CSP shares, top offences, crimes against non-crime
incidents), :mod:`~geo.report.repeats` (the repeat-victim rate),
:mod:`~geo.report.areas` (records per LSOA, strand markers per CSP) and
:mod:`~geo.report.alerts` (an alert's timeline against the baseline it used). Each table
is exact, or published (closed periods, small counts suppressed, the rest rounded) when
given a :class:`~geo.disclosure.Publication`.
"""

from geo.report.alerts import AlertTimeline, alert_timeline, usual_per_day
from geo.report.areas import LsoaRecords, StrandsByCsp, records_by_lsoa, strands_by_csp
from geo.report.repeats import RepeatVictims, repeat_victims
from geo.report.summary import (
    CspShares,
    RecordTypes,
    TopOffences,
    crimes_and_incidents,
    csp_shares,
    top_offences,
)
from geo.report.trends import PERIODS, StrandTrend, closed_periods, period_keys, strand_trend

__all__ = [
    "PERIODS", "AlertTimeline", "CspShares", "LsoaRecords", "RecordTypes", "RepeatVictims",
    "StrandTrend", "StrandsByCsp", "TopOffences", "alert_timeline", "closed_periods",
    "crimes_and_incidents", "csp_shares", "period_keys", "records_by_lsoa", "repeat_victims",
    "strand_trend", "strands_by_csp", "top_offences", "usual_per_day",
]  # fmt: skip
