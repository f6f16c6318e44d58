from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo._errors import BoundaryError
from geo.geography.areas import district_table, load_geography
from geo.geography.boundary_files import (
    import_boundaries,
    import_csp_lookup,
    read_boundary_file,
)


def test_default_boundary_set_covers_both_forces(default_geography):
    lsoas = default_geography.lsoas
    assert len(lsoas) == 1177  # ONS: 1,177 LSOA (2011) in the 16 districts
    assert lsoas.crs.to_epsg() == 27700
    assert lsoas["lsoa_code"].is_unique
    assert not lsoas[["district_code", "csp_code", "force"]].isna().any().any()
    per_force = lsoas.drop_duplicates("district_code").groupby("force").size().to_dict()
    assert per_force == {"Cambridgeshire": 6, "Hertfordshire": 10}
    st_albans = lsoas[lsoas["lsoa_name"].str.startswith("St Albans ")]
    assert set(st_albans["district_code"]) == {"E07000240"}
    # "Cambridge 001A" must not be confused with "East Cambridgeshire 001A"
    cambridge = lsoas[lsoas["district_name"] == "Cambridge"]
    assert cambridge["lsoa_name"].str.match(r"^Cambridge \d{3}[A-Z]$").all()
    assert len(cambridge) == 69


def test_districts_csps_and_forces_are_dissolved_from_lsoas(default_geography):
    districts = default_geography.districts
    assert len(districts) == 16
    assert districts["n_lsoa"].sum() == 1177
    assert len(default_geography.csps) == 16  # each CSP is its district here
    forces = default_geography.forces.set_index("force")
    assert set(forces.index) == {"Hertfordshire", "Cambridgeshire"}
    # Hertfordshire is about 1,643 km²; the super-generalised outline is within a few per cent
    assert forces.loc["Hertfordshire"].geometry.area / 1e6 == pytest.approx(1643, rel=0.05)


def test_locate_points_and_snap_near_the_edge(default_geography):
    geo = default_geography
    lsoa = geo.lsoas.iloc[10]
    inner = lsoa.geometry.representative_point()
    far = (0.0, 0.0)
    outside_area = geo.forces.union_all().buffer(100).exterior  # 100 m outside somewhere
    edge_x, edge_y = outside_area.coords[0]
    found = geo.locate(np.array([inner.x, far[0], edge_x]), np.array([inner.y, far[1], edge_y]))
    assert found.lsoa_index[0] == 10
    assert found.lsoa_index[1] == -1
    assert found.lsoa_index[2] >= 0
    assert 90 < found.snapped_m[2] <= 110
    strict = geo.locate(np.array([edge_x]), np.array([edge_y]), snap_m=50)
    assert strict.lsoa_index[0] == -1


def test_import_sharper_ons_lsoa_ward_and_district_files(tmp_path, open_data):
    bdir = open_data / "boundaries"
    lsoas = import_boundaries(tmp_path, bdir / "lsoa_2011_bgc_herts_cambs.geojson", "lsoa")
    assert len(lsoas) == 1177
    wards = import_boundaries(tmp_path, bdir / "wards_2013_bgc_herts_cambs.geojson", "ward")
    assert len(wards) == 333
    districts = import_boundaries(
        tmp_path, bdir / "lad_herts_cambs_dissolved_from_lsoa2011.geojson", "district"
    )
    assert len(districts) == 16
    geo = load_geography(tmp_path)
    assert geo.source == "imported from lsoa_2011_bgc_herts_cambs.geojson"
    assert geo.lsoas["ward_code"].notna().mean() > 0.99
    # the 20 m generalised file has many more vertices than the super-generalised default
    assert (
        geo.lsoas.count_coordinates().sum()
        > 3 * load_geography(None).lsoas.count_coordinates().sum()
    )
    assert set(geo.districts["district_code"]) == set(district_table()["district_code"])


def test_boundary_file_errors_name_the_problem(tmp_path, open_data):
    with pytest.raises(BoundaryError, match="no such file"):
        read_boundary_file(tmp_path / "missing.geojson", "lsoa")
    with pytest.raises(BoundaryError, match=r"a ward file needs a code column \(e.g. WD13CD\)"):
        read_boundary_file(open_data / "boundaries" / "lsoa_2011_bgc_herts_cambs.geojson", "ward")
    with pytest.raises(
        ValueError, match=r"'level' must be one of \('lsoa', 'ward', 'district'\); 'msoa' was given"
    ):
        read_boundary_file(open_data / "boundaries" / "lsoa_2011_bgc_herts_cambs.geojson", "msoa")


def test_csp_lookup_replaces_district_keys_with_e22_codes(tmp_path):
    lookup = tmp_path / "LAD23_CSP23_PFA23_EW_LU.csv"
    pd.DataFrame(
        {
            "LAD23CD": ["E07000103", "E07000008", "E09000001"],
            "LAD23NM": ["Watford", "Cambridge", "City of London"],
            "CSP23CD": ["E22000245", "E22000126", "E22000001"],
            "CSP23NM": ["Watford", "Cambridge", "City of London"],
            "PFA23CD": ["E23000026", "E23000023", "E23000034"],
            "PFA23NM": ["Hertfordshire", "Cambridgeshire", "London, City of"],
        }
    ).to_csv(lookup, index=False)
    stored = import_csp_lookup(tmp_path, lookup)
    assert len(stored) == 2  # City of London is outside the configured area
    geo = load_geography(tmp_path)
    watford = geo.lsoas[geo.lsoas["district_name"] == "Watford"]
    assert set(watford["csp_code"]) == {"E22000245"}
    assert set(watford["force_code"]) == {"E23000026"}
    dacorum = geo.lsoas[geo.lsoas["district_name"] == "Dacorum"]
    assert set(dacorum["csp_code"]) == {"E07000096"}  # not in the lookup: district key kept
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(BoundaryError, match="expected the ONS LAD→CSP→PFA lookup"):
        import_csp_lookup(tmp_path, Path(bad))
