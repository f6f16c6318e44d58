"""National geography shipped in the package: every LSOA of England and Wales with its
ward, district, CSP and police force area (ONS, December 2019), deprivation ranks, and
force / CSP / district names found however a user writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo._errors import TensionmapError
from geo.geography.national import (
    find_csp,
    find_district,
    find_force,
    national_areas,
    police_forces,
)

ROOT = Path(__file__).resolve().parent.parent

# The 15 CSPs of the December 2019 lookup that span several districts, with their
# districts (checked in ../shared/data/national/lad19_csp19_pfa19_ew.csv). Dorset CSP
# holds Dorset and the Christchurch LSOAs of Bournemouth, Christchurch and Poole.
MULTI_DISTRICT_CSPS = {
    "Cwm Taf": ["Merthyr Tydfil", "Rhondda Cynon Taf"],
    "Dartford and Gravesham": ["Dartford", "Gravesham"],
    "Daventry and South Northamptonshire": ["Daventry", "South Northamptonshire"],
    "Dorset": ["Bournemouth, Christchurch and Poole", "Dorset"],
    "East and Mid Devon": ["East Devon", "Mid Devon"],
    "North Devon": ["North Devon", "Torridge"],
    "North Hampshire": ["Basingstoke and Deane", "Hart", "Rushmoor"],
    "North Worcestershire": ["Bromsgrove", "Redditch", "Wyre Forest"],
    "North Yorkshire": [
        "Craven", "Hambleton", "Harrogate", "Richmondshire", "Ryedale", "Scarborough", "Selby",
    ],
    "Somerset": ["Mendip", "Sedgemoor", "Somerset West and Taunton", "South Somerset"],
    "South Devon and Dartmoor": ["South Hams", "Teignbridge", "West Devon"],
    "South Nottinghamshire": ["Broxtowe", "Gedling", "Rushcliffe"],
    "South Warwickshire": ["Stratford-on-Avon", "Warwick"],
    "South Worcester": ["Malvern Hills", "Worcester", "Wychavon"],
    "Western Suffolk": ["Babergh", "Mid Suffolk", "West Suffolk"],
}  # fmt: skip


@pytest.fixture(scope="module")
def areas():
    return national_areas()


def test_every_lsoa_of_england_and_wales(areas):
    assert len(areas) == 34_753
    assert areas["lsoa_code"].is_unique
    assert areas["lsoa_code"].str[0].value_counts().to_dict() == {"E": 32_844, "W": 1_909}
    # every level filled for every LSOA
    assert areas.drop(columns="deprivation_rank").eq("").sum().sum() == 0
    assert areas.isna().sum().sum() == 0
    assert areas["ward_code"].nunique() == 8_023
    assert areas["district_code"].nunique() == 339
    assert areas["csp_code"].nunique() == 314


def test_the_lookup_holds_the_43_territorial_force_areas(areas):
    # 39 in England (E23), 4 in Wales (W15); no British Transport Police, no PSNI
    codes = areas["force_code"].drop_duplicates()
    assert len(codes) == 43
    assert codes.str[0].value_counts().to_dict() == {"E": 39, "W": 4}
    per_force = areas["force"].value_counts()
    assert per_force["Metropolitan Police"] == 4_829
    assert per_force["London, City of"] == 6
    # the two seed forces hold the 1,177 LSOAs of today's default geography
    assert per_force["Hertfordshire"] + per_force["Cambridgeshire"] == 1_177


def test_the_15_csps_spanning_several_districts(areas):
    districts = areas.groupby("csp_name")["district_name"].agg(lambda s: sorted(set(s)))
    assert districts[districts.str.len() > 1].to_dict() == MULTI_DISTRICT_CSPS


def test_districts_split_between_csps_follow_their_2011_names(areas):
    bcp = areas[areas["district_name"] == "Bournemouth, Christchurch and Poole"]
    assert bcp.groupby("csp_name").size().to_dict() == {
        "Bournemouth": 110,
        "Dorset": 30,
        "Poole": 93,
    }
    christchurch = bcp[bcp["lsoa_name"].str.startswith("Christchurch ")]
    assert set(christchurch["csp_name"]) == {"Dorset"}
    east_suffolk = areas[areas["district_name"] == "East Suffolk"]
    by_csp = east_suffolk.groupby("csp_name")["lsoa_name"].agg(lambda s: set(s.str[:5]))
    assert by_csp.to_dict() == {"Suffolk Coastal": {"Suffo"}, "Waveney": {"Waven"}}


def test_known_lsoas(areas):
    row = areas.set_index("lsoa_code")
    city = row.loc["E01000001"]
    assert city[["lsoa_name", "ward_name", "district_name", "csp_name"]].tolist() == [
        "City of London 001A", "Aldersgate", "City of London", "City of London",
    ]  # fmt: skip
    assert city[["force_code", "force"]].tolist() == ["E23000034", "London, City of"]
    st_albans = row.loc["E01023727"]
    assert st_albans[["district_name", "force"]].tolist() == ["St Albans", "Hertfordshire"]
    malvern = row[row["district_name"] == "Malvern Hills"].iloc[0]
    assert (malvern["csp_name"], malvern["force"]) == ("South Worcester", "West Mercia")
    anglesey = row.loc["W01000001"]
    assert (anglesey["force"], anglesey["deprivation_index"]) == ("North Wales", "WIMD 2019")
    assert anglesey["deprivation_rank"] == 885
    assert city["deprivation_rank"] == 29_199


def test_deprivation_rank_for_every_lsoa(areas):
    assert areas["deprivation_rank"].notna().all()
    index = areas.groupby(areas["lsoa_code"].str[0])["deprivation_index"].agg(set)
    assert index.to_dict() == {"E": {"IMD 2019"}, "W": {"WIMD 2019"}}
    # ranks run from 1 (most deprived) to the number of LSOAs of each country
    ranks = areas.groupby("deprivation_index")["deprivation_rank"].agg(["min", "max"])
    assert ranks.loc["IMD 2019"].tolist() == [1, 32_844]
    assert ranks.loc["WIMD 2019"].tolist() == [1, 1_909]


def test_police_forces_with_police_uk_names():
    forces = police_forces()
    assert len(forces) == 43
    assert forces["slug"].is_unique and forces["police_uk_name"].is_unique
    assert forces.notna().all().all()
    by_slug = forces.set_index("slug")
    assert by_slug.loc["hertfordshire", "police_uk_name"] == "Hertfordshire Constabulary"
    assert by_slug.loc["metropolitan", "force"] == "Metropolitan Police"
    assert by_slug.loc["west-yorkshire"].tolist() == [
        "E23000010", "West Yorkshire", "West Yorkshire Police",
    ]  # fmt: skip


def test_a_force_found_by_any_of_its_names():
    found = {find_force(n) for n in ("west-yorkshire", "West Yorkshire Police", "WEST YORKSHIRE")}
    assert len(found) == 1
    force = found.pop()
    assert (force.level, force.code, force.name) == ("force", "E23000010", "West Yorkshire")
    assert find_force("Hertfordshire Constabulary").name == "Hertfordshire"
    assert find_force("metropolitan").name == "Metropolitan Police"
    assert find_force("Metropolitan Police Service").code == "E23000001"
    assert find_force("City of London Police").name == "London, City of"
    assert find_force("devon-and-cornwall").name == "Devon & Cornwall"
    assert find_force("Dyfed-Powys Police").code == "W15000004"


def test_every_force_is_found_by_each_of_its_names():
    for force in police_forces().itertuples():
        for name in (force.force, force.slug, force.police_uk_name, force.force_code):
            assert find_force(name.upper()).code == force.force_code


def test_csp_and_district_found_case_insensitively():
    assert find_csp("SOUTH WORCESTER").code == "E22000332"
    assert find_csp("E22000332").name == "South Worcester"
    assert find_district("malvern hills").code == "E07000235"
    assert find_district("St Albans").code == "E07000240"


def test_an_unknown_name_gets_the_closest_matches():
    with pytest.raises(TensionmapError) as error:
        find_force("West Yorks")
    assert str(error.value) == (
        "No police force area in England and Wales is called 'West Yorks'. "
        "Did you mean 'West Yorkshire' or 'South Yorkshire'?"
    )
    with pytest.raises(TensionmapError) as error:
        find_csp("South Worcs")
    assert str(error.value) == (
        "No Community Safety Partnership in England and Wales is called 'South Worcs'. "
        "Did you mean 'South Worcester' or 'South Bucks' or 'Southwark'?"
    )
    with pytest.raises(TensionmapError, match=r"called 'Atlantis'\. Give its ONS name"):
        find_force("Atlantis")


def test_the_national_tables_never_read_the_shared_folder():
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "geo" / "geography").glob("*.py")]
    assert not [s for s in sources if "shared/data" in s]


def test_the_shipped_tables_are_small():
    folder = ROOT / "geo" / "_national"
    sizes = {p.name: p.stat().st_size for p in folder.iterdir() if p.suffix in {".gz", ".csv"}}
    assert set(sizes) == {
        "lsoa_hierarchy.csv.gz",
        "districts.csv",
        "deprivation.csv.gz",
        "postcode_counts.csv.gz",  # postcodes per LSOA, the residents proxy
        "district_postcode_areas.csv",  # the postcode areas that cover each district
    }
    assert sum(sizes.values()) < 1_000_000
