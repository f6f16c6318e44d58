import numpy as np
import pandas as pd
import pytest

from geo.geography.geocoder import geocode, normalise_postcode, to_bng, to_wgs84


def _frame(**cols):
    n = max(len(v) for v in cols.values())
    base = {c: [""] * n for c in ("latitude", "longitude", "easting", "northing", "postcode")}
    base.update(cols)
    return pd.DataFrame(base)


def test_every_real_school_lands_in_its_gias_district(open_data, default_geography):
    schools = pd.read_csv(open_data / "schools_gias_herts_cambs.csv", dtype=str)
    frame = _frame(easting=list(schools["Easting"]), northing=list(schools["Northing"]))
    out = geocode(frame, default_geography).frame
    inside = schools["DistrictAdministrative (code)"] != "E07000146"  # one school is in King's Lynn
    assert (out["reason"][~inside] == "outside_area").all()
    same = out["district_code"][inside] == schools["DistrictAdministrative (code)"][inside]
    assert same.mean() >= 0.99
    # LSOA agreement where GIAS's 2021 code is also a 2011 code (see README: geocoding accuracy)
    known = inside & schools["LSOA (code)"].isin(default_geography.lsoas["lsoa_code"])
    lsoa_same = (out["lsoa_code"][known] == schools["LSOA (code)"][known]).mean()
    assert lsoa_same > 0.8


def test_three_location_forms_and_priority(default_geography):
    frame = _frame(
        latitude=["51.663529", "", "", "51.663529"],
        longitude=["-0.396541", "", "", "-0.396541"],
        easting=["", "514700", "", "544705"],
        northing=["", "207200", "", "258430"],
        postcode=["", "", " cb2 1tn", ""],
    )
    out = geocode(frame, default_geography).frame
    assert list(out["geocode_method"]) == ["latlon", "bng", "postcode", "latlon"]
    assert list(out["district_name"]) == ["Watford", "St Albans", "Cambridge", "Watford"]
    assert out.loc[2, "easting"] == 544705.0  # ONSPD grid reference of CB2 1TN
    assert out["reason"].eq("").all()


@pytest.mark.parametrize(
    ("cols", "reason"),
    [
        ({"latitude": ["-0.39"], "longitude": ["51.66"]}, "swapped_latlon"),
        ({"latitude": ["0"], "longitude": ["0"]}, "zero_coordinates"),
        ({"easting": ["0"], "northing": ["0"]}, "zero_coordinates"),
        ({"latitude": ["40.7"], "longitude": ["-74.0"]}, "outside_grid"),
        ({"easting": ["900000"], "northing": ["207200"]}, "outside_grid"),
        ({"easting": ["207200"], "northing": ["514700"]}, "swapped_easting_northing"),
        ({"latitude": ["abc"], "longitude": ["-0.39"]}, "invalid_coordinates"),
        ({"latitude": ["51.6"]}, "incomplete_location"),
        ({"postcode": ["ZZ99 9ZZ"]}, "unknown_postcode"),
        ({"postcode": ["not a postcode"]}, "unknown_postcode"),
        ({"postcode": [""]}, "no_location"),
        ({"latitude": ["55.95"], "longitude": ["-3.19"]}, "outside_area"),  # Edinburgh
    ],
)
def test_reject_reasons(default_geography, cols, reason):
    out = geocode(_frame(**cols), default_geography).frame
    assert out.loc[0, "reason"] == reason
    assert out.loc[0, "detail"]
    assert np.isnan(out.loc[0, "easting"])


def test_round_trip_wgs84_bng():
    e, n = to_bng(np.array([-0.396541]), np.array([51.663529]))
    lon, lat = to_wgs84(e, n)
    assert lon[0] == pytest.approx(-0.396541, abs=1e-7)
    assert lat[0] == pytest.approx(51.663529, abs=1e-7)


def test_postcode_normalisation():
    assert list(normalise_postcode(pd.Series([" al1 3je", "AL13JE", None]))) == [
        "AL13JE",
        "AL13JE",
        "",
    ]
