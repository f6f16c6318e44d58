from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo._errors import TensionmapError
from geo.geography.population import lsoa_population
from geo.hotspots.aggregate import Filters, build_units, count_by_unit, expected_counts


@pytest.fixture(scope="module")
def population(default_geography):
    return lsoa_population(default_geography)[0]


@pytest.fixture(scope="module")
def records(default_geography):
    """Records at the inner points of 40 LSOAs (three at the first)."""
    lsoas = default_geography.lsoas.iloc[[*range(40), 0, 0]]
    inner = lsoas.geometry.representative_point()
    n = len(lsoas)
    return pd.DataFrame(
        {
            "recorded_at": ["2018-01-01T10:00:00"] * (n - 1) + ["2019-06-01T10:00:00"],
            "strands": ["race"] * (n - 2) + ["religion", "race;religion"],
            "settings": ["street"] * n,
            "record_type": ["crime"] * n,
            "force": lsoas["force"].to_numpy(),
            "lsoa_code": lsoas["lsoa_code"].to_numpy(),
            "district_code": lsoas["district_code"].to_numpy(),
            "csp_code": lsoas["csp_code"].to_numpy(),
            "easting": inner.x.to_numpy(),
            "northing": inner.y.to_numpy(),
        }
    )


@pytest.mark.parametrize("unit", ["lsoa", "district", "csp", "grid:1000", "hex:8"])
def test_every_record_counted_and_zero_units_kept(default_geography, population, records, unit):
    points = (records["easting"].to_numpy(), records["northing"].to_numpy())
    units = build_units(default_geography, unit, population, points=points)
    counts = count_by_unit(units, records, default_geography)
    assert counts.sum() == len(records)
    assert (counts == 0).any()
    assert units.frame.crs.to_epsg() == 27700
    assert units.frame["area_code"].is_unique
    # cells holding records but no postcode count one resident each
    assert units.frame["population"].sum() == pytest.approx(population.sum(), rel=1e-3)


def test_lsoa_counts_and_expected(default_geography, population, records):
    units = build_units(default_geography, "lsoa", population)
    counts = count_by_unit(units, records, default_geography)
    first = units.frame["area_code"] == records["lsoa_code"].iloc[0]
    assert counts[first.to_numpy()][0] == 3
    expected = expected_counts(units.frame["population"].to_numpy(), counts.sum())
    assert expected.sum() == pytest.approx(len(records))
    assert len(units) == 1177


def test_filters(records):
    assert len(Filters(strands=("religion",)).apply(records)) == 2
    assert len(Filters(start=date(2019, 1, 1)).apply(records)) == 1
    assert len(Filters(end=date(2018, 12, 31)).apply(records)) == len(records) - 1
    assert (
        len(Filters(force="cambridgeshire").apply(records))
        == (records["force"] == "Cambridgeshire").sum()
    )
    assert len(Filters(settings=("nte",)).apply(records)) == 0


def test_unit_errors(default_geography, population):
    with pytest.raises(TensionmapError, match="unit 'ward' needs wards"):
        build_units(default_geography, "ward", population)
    with pytest.raises(ValueError, match=r"'unit' must be one of .*'msoa' was given"):
        build_units(default_geography, "msoa", population)
    with pytest.raises(TensionmapError, match="smaller than 100 m"):
        build_units(default_geography, "grid:50", population)


def test_grid_cells_are_squares_of_the_given_size(default_geography, population):
    units = build_units(default_geography, "grid:2000", population)
    assert np.allclose(units.frame.geometry.area, 4_000_000)
