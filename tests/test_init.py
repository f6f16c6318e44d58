"""``tensionmap init``: a workspace's area is a setting, and its geography follows it.

For a force, a list of CSPs and a region of three forces, the LSOAs the workspace's
geography holds are those the national lookup gives, force by force; a workspace with no
area keeps today's Hertfordshire and Cambridgeshire."""

from __future__ import annotations

import numpy as np
import pytest

from geo.cli import main
from geo.config import Workspace
from geo.geography import load_geography, national_areas
from geo.geography.areas import district_table
from geo.geography.workspace_area import area_setting, area_table
from geo.hotspots.aggregate import build_units


@pytest.fixture(scope="module")
def national():
    return national_areas()


def _init(tmp_path, *args: str) -> Workspace:
    root = tmp_path / "ws"
    assert main(["init", "--workspace", str(root), *args]) == 0
    return Workspace.open(root, create=False)


def _per_force(frame) -> dict[str, int]:
    return frame.groupby("force").size().to_dict()


def test_init_for_one_force(tmp_path, national, capsys):
    ws = _init(tmp_path, "--force", "west-yorkshire")
    assert ws.config.area == {"forces": ["West Yorkshire"]}
    assert '[area]\nforces = ["West Yorkshire"]\n' in (ws.root / "tensionmap.toml").read_text()
    assert "West Yorkshire: 1,388 LSOAs, 5 CSPs, 5 districts" in capsys.readouterr().out
    geo = load_geography(ws.geography_dir)
    expected = national[national["force"] == "West Yorkshire"]
    assert sorted(geo.lsoas["lsoa_code"]) == sorted(expected["lsoa_code"])
    assert _per_force(geo.lsoas) == {"West Yorkshire": 1_388}
    assert geo.lsoas.geometry.notna().all() and geo.lsoas.crs.to_epsg() == 27700
    assert set(geo.lsoas["force_code"]) == {"E23000010"}
    assert geo.lsoas["ward_code"].str.startswith("E05").all()
    assert len(geo.forces) == 1 and len(geo.csps) == 5 and len(geo.districts) == 5
    # wards dissolved from the LSOAs by the best-fit lookup: the ward unit works
    assert sorted(geo.wards["ward_code"]) == sorted(expected["ward_code"].unique())
    units = build_units(geo, "ward", np.full(len(geo.lsoas), 1_000.0))
    assert len(units) == expected["ward_code"].nunique()
    assert units.frame["population"].sum() == 1_000.0 * 1_388
    # a point in central Leeds is located in its LSOA, with the national hierarchy
    found = geo.areas_of(geo.locate(np.array([430_000.0]), np.array([433_500.0])))
    assert found.loc[0, ["district_name", "force"]].tolist() == ["Leeds", "West Yorkshire"]
    assert found.loc[0, "ward_code"].startswith("E05")


def test_init_for_a_list_of_csps(tmp_path, national):
    ws = _init(tmp_path, "--csp", "south worcester", "--csp", "Cwm Taf", "--csp", "DORSET")
    assert ws.config.area == {"csps": ["South Worcester", "Cwm Taf", "Dorset"]}
    geo = load_geography(ws.geography_dir)
    chosen = national[national["csp_name"].isin(["South Worcester", "Cwm Taf", "Dorset"])]
    assert sorted(geo.lsoas["lsoa_code"]) == sorted(chosen["lsoa_code"])
    assert _per_force(geo.lsoas) == _per_force(chosen)
    assert _per_force(geo.lsoas) == {"West Mercia": 186, "South Wales": 190, "Dorset": 249}
    # CSPs spanning several districts: one CSP polygon each, districts kept apart
    assert geo.csps.set_index("csp_name")["n_lsoa"].to_dict() == {
        "South Worcester": 186, "Cwm Taf": 190, "Dorset": 249,
    }  # fmt: skip
    districts = geo.lsoas.groupby("csp_name")["district_name"].nunique().to_dict()
    assert districts == {"South Worcester": 3, "Cwm Taf": 2, "Dorset": 2}


def test_init_for_a_region_of_three_forces(tmp_path, national):
    ws = _init(
        tmp_path, "--force", "Bedfordshire Police", "--force", "cambridgeshire",
        "--force", "HERTFORDSHIRE",
    )  # fmt: skip
    assert ws.config.area == {"forces": ["Bedfordshire", "Cambridgeshire", "Hertfordshire"]}
    geo = load_geography(ws.geography_dir)
    region = national[national["force"].isin(["Bedfordshire", "Cambridgeshire", "Hertfordshire"])]
    assert _per_force(geo.lsoas) == _per_force(region)
    assert _per_force(geo.lsoas) == {
        "Bedfordshire": 381,
        "Cambridgeshire": 487,
        "Hertfordshire": 690,
    }
    assert sorted(geo.lsoas["lsoa_code"]) == sorted(region["lsoa_code"])
    # Hertfordshire and Cambridgeshire are the 1,177 LSOAs of the default geography
    default = load_geography(None).lsoas
    herts_cambs = geo.lsoas[geo.lsoas["force"] != "Bedfordshire"]
    assert sorted(herts_cambs["lsoa_code"]) == sorted(default["lsoa_code"])


def test_england_and_wales(tmp_path, national):
    ws = _init(tmp_path, "--england-and-wales")
    assert ws.config.area == {"england_and_wales": True}
    lsoas = load_geography(ws.geography_dir).lsoas
    assert len(lsoas) == 34_753
    assert lsoas["force_code"].nunique() == 43
    assert lsoas.geometry.notna().all()


def test_no_area_is_todays_geography(tmp_path):
    ws = Workspace.open(tmp_path / "plain")
    assert ws.config.area == {}
    geo = load_geography(ws.geography_dir)
    assert geo is not None and len(geo.lsoas) == 1_177
    assert sorted(geo.lsoas["force"].unique()) == ["Cambridgeshire", "Hertfordshire"]
    assert "ward_code" not in geo.lsoas.columns and geo.wards is None
    # CSP keys stay the district codes of boundaries/districts.csv
    assert set(geo.lsoas["csp_code"]) == set(district_table()["csp_code"])


def test_init_again_replaces_the_area_and_keeps_other_settings(tmp_path):
    ws = _init(tmp_path, "--force", "kent")
    path = ws.root / "tensionmap.toml"
    path.write_text(
        path.read_text().replace("small_count_threshold = 5", "small_count_threshold = 10")
    )
    ws = _init(tmp_path, "--district", "St Albans", "--district", "E07000096")
    assert ws.config.area == {"districts": ["St Albans", "Dacorum"]}
    assert ws.config.small_count_threshold == 10
    assert path.read_text().count("\n[area]\n") == 1
    assert _per_force(load_geography(ws.geography_dir).lsoas) == {"Hertfordshire": 181}


def test_an_unknown_force_is_refused_with_the_closest_names(tmp_path, capsys):
    code = main(["init", "--workspace", str(tmp_path / "ws"), "--force", "West Yorks"])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "error: No police force area in England and Wales is called 'West Yorks'. "
        "Did you mean 'West Yorkshire' or 'South Yorkshire'?"
    )
    assert not (tmp_path / "ws").exists()


def test_init_needs_an_area(tmp_path, capsys):
    assert main(["init", "--workspace", str(tmp_path / "ws")]) == 2
    assert "at least one force, CSP or district" in capsys.readouterr().err


def test_an_area_setting_is_checked():
    with pytest.raises(ValueError, match="either the national view or names"):
        area_setting(forces=["Kent"], england_and_wales=True)
    with pytest.raises(ValueError, match=r"'\[area\] key' must be one of"):
        area_table({"force": ["Kent"]})
    with pytest.raises(ValueError, match="must be a list of names"):
        area_table({"forces": "Kent"})
