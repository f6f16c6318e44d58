"""Partner heat maps: made from published LSOA counts of closed months only, so nothing
locates a single record more precisely than its LSOA, even across data versions."""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely

from geo._errors import TensionmapError
from geo.disclosure import publishable, published_lsoa_counts
from geo.export import write_frame
from geo.settings import partner_heatmap, write_html
from geo.settings.partner_maps import publishable_count

LONE = (540_000.0, 260_000.0)  # a single record far from everything else
TODAY = date(2019, 7, 1)  # May 2019 is closed (it ended more than 7 days ago), June is not
SETTING = ("public_transport",)


def _frame(geo, x, y, recorded_at) -> pd.DataFrame:
    areas = geo.areas_of(geo.locate(np.asarray(x, float), np.asarray(y, float)))
    n = len(areas)
    return pd.DataFrame(
        {
            "reference": [f"SECRETREF{i}" for i in range(n)],
            "recorded_at": recorded_at,
            "settings": "public_transport",
            "description": "secret text",
            "victim_key": "abc",
            "easting": x,
            "northing": y,
            **{c: areas[c].to_numpy() for c in ("lsoa_code", "csp_code", "district_code")},
            "ward_code": None,
        }
    )


@pytest.fixture(scope="module")
def records(default_geography):
    rng = np.random.default_rng(0)
    busy = 40
    x = np.r_[rng.normal(511_000, 150, busy), LONE[0]]
    y = np.r_[rng.normal(197_300, 150, busy), LONE[1]]
    return _frame(default_geography, x, y, "2019-05-01T22:00:00")


def _heat(records, geo, **kwargs):
    return partner_heatmap(records, geo, settings=SETTING, today=TODAY, **kwargs)


def _html(heat, geo, tmp_path, name="map.html", **kwargs) -> str:
    out = tmp_path / name
    write_html(heat, geo, str(out), **kwargs)
    return out.read_text(encoding="utf-8")


def _same(a, b) -> None:
    """Two heat maps are the same product: cells, shading, tables, period and rules."""
    assert a.cells.to_json() == b.cells.to_json()
    assert a.lsoas.to_json() == b.lsoas.to_json()
    pd.testing.assert_frame_equal(a.csp_table, b.csp_table)
    pd.testing.assert_frame_equal(a.area_table, b.area_table)
    assert (a.period, a.rules) == (b.period, b.rules)


def test_the_map_shows_the_last_closed_months_from_published_counts(records, default_geography):
    heat = _heat(records, default_geography)
    assert heat.period.startswith("June 2018 to May 2019, published 8 June 2019")
    assert "June 2018 to May 2019" not in heat.rules  # the rules are the same every month
    expected = published_lsoa_counts(
        records[records["recorded_at"] < "2019-06"],
        default_geography.lsoas["lsoa_code"],
        heat.published.period,
        k=5,
    )
    np.testing.assert_array_equal(heat.published.records, expected.records)
    assert set(heat.published.records) - {0} and not set(heat.published.records) & {1, 2, 3, 4}
    shaded = dict(zip(heat.lsoas["lsoa_code"], heat.lsoas["records"], strict=True))
    assert shaded == {c: n for c, n in zip(*expected.to_frame().to_numpy().T, strict=True) if n}


def test_a_single_record_cannot_be_recovered(records, default_geography, tmp_path):
    heat = _heat(records, default_geography)
    out = tmp_path / "heat.geojson"
    write_frame(heat.cells, out, layer="heat")
    cells = heat.cells
    assert len(cells) > 0
    # the lone record's LSOA has 1 record: suppressed, so nothing is drawn anywhere near it
    lone_lsoa = records["lsoa_code"].iloc[-1]
    assert lone_lsoa not in set(heat.lsoas["lsoa_code"])
    coords = shapely.get_coordinates(cells.geometry.to_numpy())
    assert np.hypot(coords[:, 0] - LONE[0], coords[:, 1] - LONE[1]).min() > 2000
    # … and the busy place is there
    assert cells.geometry.intersects(shapely.Point(511_000, 197_300)).any()
    # cells are 500 m squares on a fixed lattice
    bounds = cells.geometry.bounds
    np.testing.assert_allclose(bounds["maxx"] - bounds["minx"], 500)
    np.testing.assert_allclose(bounds["minx"] % 500, 0, atol=1e-6)
    # only aggregates: no reference, text, victim or date in the file
    text = out.read_text()
    for secret in ("SECRETREF0", "secret text", "abc", "2019-05-01", "victim", "reference"):
        assert secret not in text
    properties = json.loads(text)["features"][0]["properties"]
    assert set(properties) == {"intensity", "intensity_class"}


def test_tables_add_up_published_lsoa_counts(records, default_geography):
    heat = _heat(records, default_geography)
    table = heat.csp_table.set_index("csp")["records"]
    watford = records.loc[records["csp_code"] == "E07000103", "lsoa_code"].value_counts()
    assert table["Watford"] == str(sum(publishable(int(n)) for n in watford))
    assert set(table.drop("Watford")) == {"0"}  # the lone record's CSP among them
    assert heat.area_table["records"].astype(int).sum() == int(table["Watford"])
    assert publishable_count(3, 5) == "<5"
    assert publishable_count(12, 5) == "10"
    assert publishable_count(13, 5) == "15"


def test_a_record_moved_within_its_lsoa_changes_nothing(records, default_geography, tmp_path):
    geo = default_geography
    code = records["lsoa_code"].iloc[0]
    polygon = geo.lsoas.geometry[geo.lsoas["lsoa_code"] == code].iloc[0]
    start = shapely.Point(records[["easting", "northing"]].iloc[0].to_numpy())
    candidates = shapely.points(
        np.column_stack([np.random.default_rng(1).uniform(*polygon.bounds[::2], 500),
                         np.random.default_rng(2).uniform(*polygon.bounds[1::2], 500)])
    )  # fmt: skip
    inside = [p for p in candidates if polygon.contains(p) and p.distance(start) >= 150]
    moved = records.copy()
    moved.loc[0, ["easting", "northing"]] = [inside[0].x, inside[0].y]
    assert (
        geo.areas_of(geo.locate(np.array([inside[0].x]), np.array([inside[0].y])))[
            "lsoa_code"
        ].iloc[0]
        == code
    )
    before, after = _heat(records, geo), _heat(moved, geo)
    _same(before, after)
    assert _html(before, geo, tmp_path, "a.html") == _html(after, geo, tmp_path, "b.html")


def test_a_record_in_the_open_period_changes_nothing(records, default_geography, tmp_path):
    late = records.iloc[:1].assign(recorded_at="2019-06-28T10:00:00")  # June is still open
    more = pd.concat([records, late], ignore_index=True)
    before, after = _heat(records, default_geography), _heat(more, default_geography)
    _same(before, after)
    html = (_html(before, default_geography, tmp_path, "a.html"),
            _html(after, default_geography, tmp_path, "b.html"))  # fmt: skip
    assert html[0] == html[1]


def test_the_map_is_a_function_of_the_published_counts(records, default_geography, tmp_path):
    """Different records, same published LSOA counts: the same map, byte for byte."""
    counts = records["lsoa_code"].value_counts()
    code = next(c for c, n in counts.items() if n > 5 and publishable(n - 1) == publishable(n))
    fewer = records.drop(index=records.index[records["lsoa_code"] == code][0])
    before, after = _heat(records, default_geography), _heat(fewer, default_geography)
    _same(before, after)
    assert _html(before, default_geography, tmp_path, "a.html") == _html(
        after, default_geography, tmp_path, "b.html"
    )


def test_minimums_and_periods_are_enforced(records, default_geography):
    with pytest.raises(TensionmapError, match="bandwidth of at least 300 m; 100 m was given"):
        _heat(records, default_geography, bandwidth_m=100)
    with pytest.raises(TensionmapError, match="cells of at least 500 m; 250 m was given"):
        _heat(records, default_geography, cell_m=250)
    with pytest.raises(TensionmapError, match="June 2019 is not closed on 2019-07-01"):
        _heat(records, default_geography, start=date(2019, 1, 1), end=date(2019, 6, 30))
    with pytest.raises(TensionmapError, match=r"a month's first day; datetime\.date"):
        _heat(records, default_geography, start=date(2019, 1, 2), end=date(2019, 5, 31))
    chosen = _heat(records, default_geography, start=date(2019, 5, 1), end=date(2019, 5, 31))
    assert chosen.period.startswith("May 2019, published 8 June 2019")
    # no records in a setting: an empty map, not an error whose presence would tell
    taxi = partner_heatmap(records, default_geography, settings=("taxi",), today=TODAY)
    assert taxi.cells.empty and taxi.lsoas.empty and set(taxi.csp_table["records"]) == {"0"}


def test_html_map_is_self_contained_and_holds_only_aggregates(records, default_geography, tmp_path):
    heat = _heat(records, default_geography)
    html = _html(heat, default_geography, tmp_path)
    assert not re.search(r"<script[^>]+src=", html)  # Leaflet is inlined: opens offline
    assert not re.search(r"<link[^>]+href=\"http", html)
    assert "L.map(" in html and "Leaflet" in html
    assert "L.tileLayer" not in html and "openstreetmap" not in html.lower()  # no third party
    assert "Watford" in html and "Three Rivers" in html  # district names drawn as labels
    assert heat.period in html and "No individual record is shown" in html
    assert "Open Government Licence" in html
    for secret in ("secret text", "SECRETREF0", "victim_key"):
        assert secret not in html
    assert html == _html(heat, default_geography, tmp_path, "again.html")  # no random ids
    tiled = _html(
        heat,
        default_geography,
        tmp_path,
        "tiles.html",
        tile_url="https://t.example/{z}/{x}/{y}.png",
    )
    assert "L.tileLayer" in tiled and "https://t.example/{z}/{x}/{y}.png" in tiled


def test_the_heatmap_command_writes_the_published_map(tmp_path, default_geography):
    from geo.cli import main
    from geo.config import Workspace
    from geo.ingest.incidents import ingest_incidents
    from tests.conftest import incident, write_csv

    ws = Workspace.open(tmp_path / "ws")
    rows = [incident(f"R{i:03d}", recorded_at=f"2019-{1 + i % 12:02d}-10T21:00") for i in range(60)]
    ingest_incidents(ws, write_csv(tmp_path / "in.csv", rows), geography=default_geography)
    out = tmp_path / "map.html"
    code = main(["heatmap", "--setting", "public_transport", "--workspace", str(ws.root),
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "January 2019 to December 2019, published 8 January 2020" in html
    table = (tmp_path / "map-csp.csv").read_text()
    assert "Watford,60" in table
    assert main(["heatmap", "--setting", "taxi", "--workspace", str(ws.root),
                 "--from", "2019-01-02"]) == 2  # fmt: skip
