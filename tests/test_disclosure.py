"""The disclosure rule: closed periods, suppression and rounding, published LSOA counts,
and the data layer's published figures (Trends, partner map) for the partner role."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely

from geo._errors import TensionmapError
from geo.disclosure import (
    ClosedPeriod,
    closed_period,
    last_closed_month,
    period_of_dates,
    publication,
    publishable,
    publishable_array,
    publishable_count,
    published_lsoa_counts,
    published_share,
)
from tests.conftest import ST_ALBANS_EN, incident, write_csv

# --- closed periods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "lag", "closed"),
    [
        (date(2019, 12, 8), 7, date(2019, 11, 1)),  # November ended 7 days ago: closed
        (date(2019, 12, 7), 7, date(2019, 10, 1)),  # 6 days and a bit: still open
        (date(2020, 1, 8), 7, date(2019, 12, 1)),  # across the year
        (date(2020, 1, 7), 7, date(2019, 11, 1)),
        (date(2019, 3, 1), 0, date(2019, 2, 1)),  # no lag: a month closes when it ends
        (date(2019, 3, 30), 30, date(2019, 1, 1)),  # February ended 29 days ago
        (date(2019, 3, 31), 30, date(2019, 2, 1)),  # … and now 30
    ],
)
def test_the_last_closed_month(today, lag, closed):
    assert last_closed_month(today, lag) == closed


def test_closed_periods_are_whole_closed_months():
    period = closed_period(date(2020, 1, 8), 7)
    assert (period.start, period.end, period.months) == (date(2019, 1, 1), date(2019, 12, 31), 12)
    assert period.label() == "January 2019 to December 2019"
    assert period.published_on == date(2020, 1, 8)
    assert period.describe() == (
        "January 2019 to December 2019, published 8 January 2020 "
        "(whole months, closed 7 days after they end)"
    )
    one = closed_period(date(2020, 1, 8), 7, months=1, end_month=date(2019, 2, 14))
    assert (one.start, one.end, one.label()) == (
        date(2019, 2, 1),
        date(2019, 2, 28),
        "February 2019",
    )
    stamps = pd.Series(["2018-12-31T23:59", "2019-01-01T00:00", "2019-12-31T23:59", "2020-01-01"])
    assert period.contains(stamps).tolist() == [False, True, True, False]
    with pytest.raises(TensionmapError, match="December 2019 is not closed on 2020-01-07"):
        closed_period(date(2020, 1, 7), 7, end_month=date(2019, 12, 1))
    with pytest.raises(TensionmapError, match="at least 1 month; 0 was given"):
        closed_period(date(2020, 1, 8), 7, months=0)
    with pytest.raises(TensionmapError, match="0 or more; -1 was given"):
        last_closed_month(date(2020, 1, 8), -1)


def test_periods_given_as_days_must_be_whole_closed_months():
    ok = period_of_dates(date(2019, 3, 1), date(2019, 5, 31), today=date(2019, 6, 8), lag_days=7)
    assert (ok.months, ok.label()) == (3, "March 2019 to May 2019")
    with pytest.raises(TensionmapError) as error:
        period_of_dates(date(2019, 3, 2), date(2019, 5, 30), today=date(2019, 7, 1), lag_days=7)
    message = str(error.value)  # every problem at once, each quoting the value
    assert "datetime.date(2019, 3, 2)" in message and "datetime.date(2019, 5, 30)" in message
    with pytest.raises(TensionmapError, match="May 2019 is not closed on 2019-06-07"):
        period_of_dates(date(2019, 3, 1), date(2019, 5, 31), today=date(2019, 6, 7), lag_days=7)


# --- suppression and rounding ------------------------------------------------------------------


def test_small_counts_are_suppressed_and_the_rest_rounded_to_5():
    assert [publishable(n) for n in range(16)] == [0] * 5 + [5] * 3 + [10] * 5 + [15] * 3
    assert publishable(10, k=10) == 10 and publishable(9, k=10) == 0
    for k in range(1, 11):  # never a published 1–4, whatever k
        values = set(publishable_array(np.arange(1000), k).tolist())
        assert not values & {1, 2, 3, 4} and all(v % 5 == 0 for v in values)
    assert publishable_count(4, 5) == "<5" and publishable_count(8, 5) == "10"
    assert published_share(10, 40, 5) == 25.0
    assert published_share(0, 400, 5) == "suppressed"  # the part is suppressed
    assert published_share(5, 15, 5) == "suppressed"  # the base is below 4 k


def test_published_lsoa_counts_use_only_the_period():
    frame = pd.DataFrame(
        {
            "recorded_at": ["2019-01-05"] * 8 + ["2019-12-31T23:00"] * 3 + ["2020-01-02"] * 9,
            "lsoa_code": ["A"] * 8 + ["B"] * 3 + ["B"] * 9,
        }
    )
    period = ClosedPeriod(date(2019, 1, 1), date(2019, 12, 31), 7)
    counts = published_lsoa_counts(frame, ["A", "B", "C"], period, k=5)
    assert counts.records.tolist() == [10, 0, 0]  # B's January 2020 records are not counted
    assert counts.to_frame().to_dict("list") == {
        "lsoa_code": ["A", "B", "C"],
        "records": [10, 0, 0],
    }


def test_the_published_span_ignores_records_a_partner_could_single_out():
    busy = [f"2019-0{m}-10" for m in range(1, 10) for _ in range(6)]
    base = publication(pd.Series(busy), today=date(2020, 1, 20), lag_days=7, k=5)
    assert base.span == ClosedPeriod(date(2019, 1, 1), date(2019, 9, 30), 7)
    assert base.window().label() == "October 2018 to September 2019"
    assert [w.label() for w in base.yearly_windows()] == ["October 2018 to September 2019"]
    longer = publication(pd.Series(["2017-10-01"] * 5 + busy), today=date(2020, 1, 20),
                         lag_days=7, k=5)  # fmt: skip
    assert [w.label() for w in longer.yearly_windows()] == [
        "October 2018 to September 2019",
        "October 2017 to September 2018",
    ]
    for extra in (["2019-11-02"] * 4, ["2020-01-03"] * 30, ["2015-06-01"]):
        # 4 records alone in a closed month, 30 in the open month, 1 long ago: no change
        more = publication(pd.Series(busy + extra), today=date(2020, 1, 20), lag_days=7, k=5)
        assert more == base
    empty = publication(pd.Series([], dtype=str), today=date(2020, 1, 20), lag_days=7, k=5)
    assert empty.span is None and empty.window().label() == "January 2019 to December 2019"


def test_school_points_depend_only_on_published_counts(default_geography):
    from geo.schools.high_risk import published_points

    geo = default_geography
    polygon = geo.lsoas.geometry.iloc[0]
    code = geo.lsoas["lsoa_code"].iloc[0]
    frame = pd.DataFrame({"recorded_at": ["2019-04-01"] * 12, "lsoa_code": [code] * 12})
    point = geo.lsoas.geometry.representative_point()
    inner = np.column_stack([point.x, point.y])
    periods = [closed_period(date(2020, 1, 8), 7), closed_period(date(2019, 1, 8), 7)]
    points = published_points(frame, geo, inner, periods, k=5)
    assert len(points) == 10 and set(points["recorded_at"]) == {"2019-12-31"}
    assert polygon.contains(shapely.Point(points[["easting", "northing"]].iloc[0].to_numpy()))
    fewer = published_points(frame.iloc[:11], geo, inner, periods, k=5)  # 11 → 10 as well
    pd.testing.assert_frame_equal(points, fewer)


# --- the data layer: what the partner role receives ---------------------------------------------


TODAY = date(2020, 1, 20)  # December 2019 is closed, January 2020 is open


def _rows() -> list[dict[str, str]]:
    rows = []
    for month in range(1, 13):
        for i in range(6 + month):  # race, at Watford Junction, 7–18 a month
            rows.append(incident(f"W{month:02d}{i:02d}", recorded_at=f"2019-{month:02d}-10T21:00"))
        for i in range(month % 4):  # religion, in St Albans, 0–3 a month: always suppressed
            rows.append(
                incident(
                    f"S{month:02d}{i:02d}",
                    recorded_at=f"2019-{month:02d}-12T10:00",
                    strands="religion",
                    latitude="",
                    longitude="",
                    location_type="Street",
                    **ST_ALBANS_EN,
                )
            )
    return rows


@pytest.fixture
def published_data(tmp_path, default_geography, monkeypatch):
    """The dashboard's data layer on a small workspace, as the partner role on ``TODAY``."""
    from dashboard import data
    from geo.config import Workspace
    from geo.ingest.incidents import ingest_incidents

    ws = Workspace.open(tmp_path / "ws")
    ingest_incidents(ws, write_csv(tmp_path / "a.csv", _rows()), geography=default_geography)
    monkeypatch.setattr("dashboard.data.access.current_role", lambda: "partner")

    def ingest(rows):
        ingest_incidents(ws, write_csv(tmp_path / "more.csv", rows), geography=default_geography)
        data.configure(ws, today=TODAY)  # a new data version, as the server sees it

    data.configure(ws, today=TODAY)
    yield data, ingest
    data.source._WORKSPACE = None


def _everything(data) -> list[object]:
    out: list[object] = [data.date_range()]
    for period in data.PERIODS:
        out.append(data.trend_table(period).to_json())
    for value in data.trend_summary("").values():
        out.append(value.to_json())
    heat = data.partner_map("public_transport")
    out += [heat["html"], heat["csp_table"].to_json(), heat["area_table"].to_json()]
    return out


def test_trends_for_partners_are_published(published_data, monkeypatch):
    data, _ = published_data
    assert data.date_range() == ("2019-01-01", "2019-12-31")
    months = data.trend_table("month")
    assert months["period"].tolist() == [f"2019-{m:02d}" for m in range(1, 13)]
    assert months["race"].tolist() == [5, 10, 10, 10, 10, 10, 15, 15, 15, 15, 15, 20]
    assert "religion" not in months  # 0–3 a month: nothing of it is published
    assert months["all strand markers"].iloc[0] == 10  # 7 race + 1 religion = 8 → 10
    years = data.trend_table("year")
    assert years.to_dict("list") == {"period": ["2019"], "race": [150], "religion": [20],
                                     "all strand markers": [170]}  # fmt: skip
    summary = data.trend_summary("")
    shares = summary["csp_shares"].set_index("csp")["share_%"]
    assert shares["Watford"] == round(100 * 150 / 170, 1) and shares["St Albans"] == 11.8
    assert shares["Dacorum"] == "suppressed"
    assert summary["crime_vs_incident"].to_dict("list") == {
        "year": [2019], "crime": [170], "incident": ["<5"]}  # fmt: skip
    # every victim is new: no repeats is a suppressed count, so the rate is suppressed
    assert summary["repeat_victim_rate"].to_dict("list") == {
        "year": [2019], "repeat_victims_%": ["suppressed"]}  # fmt: skip
    published = [v for t in (months, years) for c in t.columns[1:] for v in t[c]]
    assert not [v for v in published if isinstance(v, int) and 1 <= v <= 4]
    # the analyst keeps the exact figures on Trends
    monkeypatch.setattr("dashboard.data.access.current_role", lambda: "analyst")
    assert data.trend_table("month")["race"].tolist() == [6 + m for m in range(1, 13)]


def test_a_record_in_the_open_period_changes_nothing(published_data):
    data, ingest = published_data
    before = _everything(data)
    ingest([incident("OPEN1", recorded_at="2020-01-15T21:00")])  # January 2020: still open
    assert _everything(data) == before


def test_a_record_that_moves_no_published_count_changes_nothing(published_data):
    data, ingest = published_data
    before = _everything(data)
    # a 17th race record in October at the station: October 16 → 17, Q4 51 → 52, 2019
    # 150 → 151, the station's LSOA 150 → 151, all still published as 15, 50, 150, 150
    ingest([incident("OCT17", recorded_at="2019-10-20T08:00")])
    assert _everything(data) == before
