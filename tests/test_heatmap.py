"""Partner heat maps: nothing that identifies a single record gets out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from geo._errors import TensionmapError
from geo.export import write_frame
from geo.heatmap import partner_heatmap, publishable_count

LONE = (540_000.0, 260_000.0)  # a single record far from everything else


@pytest.fixture(scope="module")
def records(default_geography):
    rng = np.random.default_rng(0)
    busy = 40
    x = np.r_[rng.normal(511_000, 150, busy), LONE[0]]
    y = np.r_[rng.normal(197_300, 150, busy), LONE[1]]
    found = default_geography.locate(x, y)
    areas = default_geography.areas_of(found)
    return pd.DataFrame(
        {
            "reference": [f"SECRETREF{i}" for i in range(busy + 1)],
            "recorded_at": "2019-05-01T22:00:00",
            "settings": "public_transport",
            "description": "secret text",
            "victim_key": "abc",
            "easting": x,
            "northing": y,
            **{c: areas[c].to_numpy() for c in ("lsoa_code", "csp_code", "district_code")},
            "ward_code": None,
        }
    )


def test_a_single_record_cannot_be_recovered(records, default_geography, tmp_path):
    heat = partner_heatmap(records, default_geography, settings=("public_transport",), cell_m=250)
    out = tmp_path / "heat.geojson"
    write_frame(heat.cells, out, layer="heat")
    cells = heat.cells
    assert len(cells) > 0
    # no output coordinate within a cell size of the lone record …
    coords = shapely.get_coordinates(cells.geometry.to_numpy())
    assert np.hypot(coords[:, 0] - LONE[0], coords[:, 1] - LONE[1]).min() > 250
    # … and the busy place is there
    assert cells.geometry.intersects(shapely.Point(511_000, 197_300)).any()
    # only aggregates: no reference, text, victim or date in the file
    text = out.read_text()
    for secret in ("SECRETREF0", "secret text", "abc", "2019-05-01", "victim", "reference"):
        assert secret not in text
    properties = json.loads(text)["features"][0]["properties"]
    assert set(properties) == {"intensity", "intensity_class"}


def test_tables_are_rounded_and_small_counts_suppressed(records, default_geography):
    heat = partner_heatmap(records, default_geography, settings=("public_transport",))
    table = heat.csp_table.set_index("csp")["records"]
    assert table["Watford"] == "40"
    assert set(table.drop("Watford")) <= {"<5"}  # the lone record's CSP among them
    assert publishable_count(3, 5) == "<5"
    assert publishable_count(12, 5) == "10"
    assert publishable_count(13, 5) == "15"


def test_minimums_are_enforced(records, default_geography):
    with pytest.raises(TensionmapError, match="bandwidth of at least 300 m"):
        partner_heatmap(records, default_geography, settings=("public_transport",), bandwidth_m=100)
    with pytest.raises(TensionmapError, match="cells of at least 200 m"):
        partner_heatmap(records, default_geography, settings=("public_transport",), cell_m=50)
    with pytest.raises(TensionmapError, match="no records in settings"):
        partner_heatmap(records, default_geography, settings=("taxi",))


def test_html_map_is_self_contained_and_holds_only_aggregates(records, default_geography, tmp_path):
    import re

    from geo.heatmap import write_html

    heat = partner_heatmap(records, default_geography, settings=("public_transport",))
    out = tmp_path / "partner.html"
    write_html(heat, default_geography, str(out))
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)  # Leaflet is inlined: opens offline
    assert not re.search(r"<link[^>]+href=\"http", html)
    assert "L.map(" in html and "Leaflet" in html
    assert heat.period in html and "No individual record is shown" in html
    assert "Open Government Licence" in html
    for secret in ("secret text", "SECRETREF0", "victim_key"):
        assert secret not in html
