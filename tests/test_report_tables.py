"""The report tables (geo.report) on small hand-made frames: exact counts, published counts
suppressed and rounded, shares that add up, a planted repeat-victim rate recovered, and an
alert's timeline against the baseline the alert used."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo.disclosure import ClosedPeriod, Publication
from geo.report import (
    alert_timeline,
    closed_periods,
    crimes_and_incidents,
    csp_shares,
    records_by_lsoa,
    repeat_victims,
    strand_trend,
    strands_by_csp,
    top_offences,
)
from geo.tension import Evidence, Signal

NAMES = pd.Series({"W": "Watford", "S": "St Albans", "D": "Dacorum"}, name="csp_name")
#: 2019 published, December still open on the reference day.
PUBLISHED = Publication(
    last_closed=date(2019, 11, 1),
    span=ClosedPeriod(date(2019, 1, 1), date(2019, 11, 30), 7),
    lag_days=7,
    k=5,
)


def _records() -> pd.DataFrame:
    """23 records: Watford 16 (race, 2 with religion too), St Albans 6, Dacorum 1."""
    rows = []
    for i in range(16):  # Watford: race, Jan–Apr 2019, four a month
        strands = "race;religion" if i < 2 else "race"
        when = f"2019-{1 + i // 4:02d}-1{i % 4}T10:00"
        rows.append(("W", when, strands, "crime", "Harassment", "E01W"))
    for i in range(6):  # St Albans: religion, July 2019
        when = f"2019-07-0{1 + i}T10:00"
        rows.append(("S", when, "religion", "incident", "Criminal damage", "E01S"))
    rows.append(("D", "2020-02-01T10:00", "disability", "crime", "Assault", "E01D"))
    return pd.DataFrame(
        rows, columns=["csp_code", "recorded_at", "strands", "record_type", "offence", "lsoa_code"]
    )


def test_strand_trend_counts_markers_per_period():
    records = _records()
    years = strand_trend(records, "year").to_frame()
    assert years.to_dict("list") == {
        "period": ["2019", "2020"],
        "disability": [0, 1],
        "race": [16, 0],
        "religion": [8, 0],
        "all strand markers": [24, 1],
    }
    quarters = strand_trend(records, "quarter", strand="religion").to_frame()
    assert quarters.to_dict("list") == {
        "period": ["2019Q1", "2019Q3"],
        "religion": [2, 6],
        "all strand markers": [2, 6],
    }
    months = strand_trend(records, "month").to_frame()
    assert months["all strand markers"].sum() == 25  # 23 records, 2 with two strands
    with pytest.raises(KeyError):
        strand_trend(records, "week")


def test_published_trend_has_closed_periods_only_suppressed_and_rounded():
    trend = strand_trend(_records(), "quarter", publication=PUBLISHED)
    assert trend.published
    assert trend.to_frame().to_dict("list") == {
        "period": ["2019Q1", "2019Q2", "2019Q3"],  # Q4 holds December, still open
        "race": [10, "<5", "<5"],  # 12 → 10, 4 → suppressed
        "religion": ["<5", "<5", 5],  # 2, 0, 6
        "all strand markers": [15, "<5", 5],  # 14, 4, 6
    }
    months = strand_trend(_records(), "month", publication=PUBLISHED).to_frame()
    assert months["period"].tolist() == [f"2019-{m:02d}" for m in range(1, 12)]
    assert "race" not in months  # 4 a month: nothing of it is published
    assert "disability" not in months  # its one record is in 2020: not published
    assert closed_periods(PUBLISHED, "year") == []  # December 2019 is still open
    assert strand_trend(_records(), "year", publication=PUBLISHED).periods == ()


def test_csp_shares_add_up():
    shares = csp_shares(_records(), NAMES)
    assert shares.csp == ("Watford", "St Albans", "Dacorum")
    assert shares.records == (16, 6, 1) and sum(shares.records) == 23
    assert sum(r / 23 for r in shares.records) == pytest.approx(1.0)
    assert shares.share == (round(1600 / 23, 1), round(600 / 23, 1), round(100 / 23, 1))
    assert sum(shares.share) == pytest.approx(100, abs=0.15)
    published = csp_shares(_records(), NAMES, publication=PUBLISHED).to_frame()
    # 16 → 15 and 6 → 5 published; Dacorum's 2020 record is outside the span
    assert published.to_dict("list") == {
        "csp": ["Watford", "St Albans", "Dacorum"],
        "share_%": [75.0, 25.0, "suppressed"],
    }


def test_top_offences_and_record_types():
    offences = top_offences(_records(), n=2)
    assert offences.offence == ("Harassment", "Criminal damage")
    assert offences.records == (16, 6)
    types = crimes_and_incidents(_records()).to_frame()
    assert types.to_dict("list") == {"year": [2019, 2020], "crime": [16, 1], "incident": [6, 0]}
    span = ClosedPeriod(date(2019, 1, 1), date(2019, 12, 31), 7)
    whole_year = Publication(date(2019, 12, 1), span, 7, 5)
    published = crimes_and_incidents(_records(), publication=whole_year).to_frame()
    assert published.to_dict("list") == {"year": [2019], "crime": [15], "incident": [5]}
    top = top_offences(_records(), publication=whole_year)
    assert top.to_frame().to_dict("list") == {
        "offence": ["Harassment", "Criminal damage"], "records": [15, 5]}  # fmt: skip


def test_a_planted_repeat_victim_rate_is_recovered():
    rng = np.random.default_rng(7)
    rows = []
    for year, repeat in ((2018, 0.25), (2019, 0.4)):
        for v in range(400):
            times = 1 + (rng.integers(1, 3) if v < repeat * 400 else 0)  # 2 or 3 records
            for _ in range(times):
                rows.append((f"{year}-{rng.integers(1, 13):02d}-15", f"V{year}{v}"))
    rows.append(("2019-03-01", None))  # no victim pseudonym: left out
    records = pd.DataFrame(rows, columns=["recorded_at", "victim_key"])
    rates = repeat_victims(records)
    assert rates.years == (2018, 2019)
    assert rates.victims == (400, 400)
    assert rates.repeat_victims == (100, 160)
    assert rates.rate == (25.0, 40.0)
    assert rates.overall == pytest.approx(260 / 800)
    # the demo's own measure is the same one
    from geo.demo.planting import repeat_share

    demo = records.dropna().rename(columns={"recorded_at": "day", "victim_key": "victim_id"})
    assert repeat_share(demo) == round(260 / 800, 3)


def test_published_repeat_rates_come_from_published_counts():
    rows = [(f"2019-0{1 + v % 9}-02", f"V{v}") for v in range(40)]
    rows += [(f"2019-10-0{1 + v % 9}", f"V{v}") for v in range(12)]  # 12 of 40 repeat
    records = pd.DataFrame(rows, columns=["recorded_at", "victim_key"])
    span = ClosedPeriod(date(2019, 1, 1), date(2019, 12, 31), 7)
    rates = repeat_victims(records, publication=Publication(date(2019, 12, 1), span, 7, 5))
    assert (rates.victims, rates.repeat_victims) == ((40,), (10,))  # 12 → 10
    assert rates.to_frame().to_dict("list") == {"year": [2019], "repeat_victims_%": [25.0]}


def test_overview_tables():
    records = _records()
    counts = records_by_lsoa(records, ["E01W", "E01X", "E01S"], strand="religion")
    assert counts.to_frame().to_dict("list") == {
        "lsoa_code": ["E01W", "E01X", "E01S"], "records": [2, 0, 6]}  # fmt: skip
    assert sum(records_by_lsoa(records, ["E01W", "E01S", "E01D"]).records) == 23
    table = strands_by_csp(records, NAMES).to_frame()
    assert table.index.tolist() == ["Watford", "St Albans", "Dacorum"]
    assert table.loc["Watford"].to_dict() == {
        "disability": 0, "race": 16, "religion": 2, "all records": 16}  # fmt: skip
    assert table["all records"].sum() == 23


def test_alert_timeline_uses_the_alerts_baseline():
    signal = Signal(
        "religion", frozenset({"E01S"}), (0.0, 0.0), 400.0, date(2019, 7, 1), date(2019, 7, 10),
        6, 1.5, 0.001, "medium", (), Evidence(),
    )  # fmt: skip
    line = alert_timeline(signal, _records(), date(2019, 7, 10), days=14)
    assert len(line.days) == 14 and line.days[-1] == date(2019, 7, 10)
    assert sum(line.records) == 6 and line.records[-10:-4] == (1,) * 6
    assert line.expected == pytest.approx(0.15)  # 1.5 expected over its 10 days
    assert line.upper == 2.0  # Poisson(0.15): P(X <= 1) < 0.99 <= P(X <= 2)
    frame = line.to_frame()
    assert frame["records"].sum() == 6 and set(frame["expected"]) == {line.expected}
    race = Signal("race", frozenset({"E01S"}), (0.0, 0.0), 400.0, date(2019, 7, 1),
                  date(2019, 7, 10), 6, 0.0, 0.001, "medium", ())  # fmt: skip
    assert sum(alert_timeline(race, _records(), date(2019, 7, 10)).records) == 0
    assert alert_timeline(race, _records(), date(2019, 7, 10)).upper == 0.0
