"""Settings tagging: each rule family, negation, time windows across midnight, proximity."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geo._errors import WorkspaceError
from geo.settings import (
    Places,
    TaggingRules,
    bank_holidays,
    in_nte_hours,
    in_school_hours,
    tag_records,
)


def _tag(rows: list[dict], **kwargs) -> pd.DataFrame:
    return tag_records(pd.DataFrame(rows), **kwargs)


def _settings(out: pd.DataFrame) -> list[str]:
    return list(out["settings"])


def test_location_type_vocabulary():
    out = _tag(
        [
            {"location_type": "Railway station"},
            {"location_type": "Private hire vehicle"},
            {"location_type": "Takeaway"},
            {"location_type": "Petrol station"},
            {"location_type": "Dwelling"},
            {"location_type": "School"},
        ]
    )
    assert _settings(out) == ["public_transport", "taxi", "nte", "retail", "residential", "school"]
    assert json.loads(out["setting_reasons"][0]) == {
        "public_transport": "location_type:railway station"
    }


def test_description_keywords_and_negation():
    out = _tag(
        [
            {
                "location_type": "Street",
                "description": "Whilst on the number 42 bus the victim was abused.",
            },
            {
                "location_type": "Street",
                "description": "The victim was not on the bus; he was walking home.",
            },
            {"location_type": "", "description": "The taxi driver was abused by a fare."},
            {"location_type": "", "description": "Abusive messages were posted on Facebook."},
            {
                "location_type": "",
                "description": "He said he never takes the train, then shouted abuse.",
            },
        ]
    )
    settings = _settings(out)
    assert "public_transport" in settings[0]
    assert "public_transport" not in settings[1]
    assert "taxi" in settings[2]
    assert "online" in settings[3]
    assert "public_transport" not in settings[4]
    assert json.loads(out["setting_reasons"][0])["public_transport"].startswith("description:")


def test_occupation_columns_and_online_flag():
    out = _tag(
        [
            {"victim_occupation": "Taxi driver"},
            {"suspect_occupation": "door staff"},
            {"online": True},
            {"online": False},
        ]
    )
    assert _settings(out) == ["taxi", "nte", "online", ""]


def test_nte_hours_cross_midnight_and_bank_holiday_eves():
    when = pd.Series(
        pd.to_datetime(
            [
                "2019-06-07 23:30",  # Friday night
                "2019-06-08 02:30",  # early Saturday: still Friday night
                "2019-06-09 02:30",  # early Sunday: Saturday night
                "2019-06-10 02:30",  # early Monday: Sunday night, not NTE
                "2019-06-05 22:00",  # Wednesday evening, not NTE
                "2019-08-25 22:00",  # Sunday before the summer bank holiday: an eve
                "2019-06-07 04:30",  # after 04:00
            ]
        )
    )
    assert list(in_nte_hours(when)) == [True, True, True, False, False, True, False]
    assert pd.Timestamp("2019-08-26").date() in bank_holidays(2019)
    assert pd.Timestamp("2020-12-28").date() in bank_holidays(2020)  # Boxing Day substitute


def test_school_hours_on_term_days():
    when = pd.Series(
        pd.to_datetime(
            [
                "2019-03-05 08:45",
                "2019-03-09 10:00",
                "2019-08-06 10:00",
                "2019-03-05 18:00",
                "2019-12-24 10:00",
                "2019-04-23 10:00",
            ]
        )
    )
    assert list(in_school_hours(when)) == [True, False, False, False, False, False]


def test_proximity_with_bng_distances_only_for_vague_records():
    station = np.array([[510_000.0, 200_000.0]])
    pub = np.array([[520_000.0, 210_000.0]])
    school = np.array([[530_000.0, 220_000.0]])
    places = Places(stations=station, nte=pub, schools=school)
    rows = [
        {
            "location_type": "Street",
            "easting": 510_060,
            "northing": 200_000,
            "recorded_at": "2019-03-05T10:00:00",
            "time_known": True,
        },  # 60 m from the station
        {
            "location_type": "Street",
            "easting": 510_160,
            "northing": 200_000,
            "recorded_at": "2019-03-05T10:00:00",
            "time_known": True,
        },  # 160 m: too far
        {
            "location_type": "Dwelling",
            "easting": 510_010,
            "northing": 200_000,
            "recorded_at": "2019-03-05T10:00:00",
            "time_known": True,
        },  # says where it was
        {
            "location_type": "",
            "easting": 520_030,
            "northing": 210_000,
            "recorded_at": "2019-06-07T23:30:00",
            "time_known": True,
        },  # near a pub, Friday night
        {
            "location_type": "",
            "easting": 520_030,
            "northing": 210_000,
            "recorded_at": "2019-06-05T14:00:00",
            "time_known": True,
        },  # near a pub, Wednesday afternoon
        {
            "location_type": "",
            "easting": 530_050,
            "northing": 220_000,
            "recorded_at": "2019-03-05T08:45:00",
            "time_known": True,
        },  # near a school at the gates
        {
            "location_type": "",
            "easting": 530_050,
            "northing": 220_000,
            "recorded_at": "2019-03-05T00:00:00",
            "time_known": False,
        },  # time unknown
    ]
    out = _tag(rows, places=places)
    assert _settings(out) == [
        "public_transport;street",
        "street",
        "residential",
        "nte",
        "",
        "school",
        "",
    ]
    assert json.loads(out["setting_reasons"][0])["public_transport"] == "near_station:60m"


def test_rules_from_workspace_config():
    rules = TaggingRules.from_config({"keywords": {"taxi": ["uber"]}, "station_distance_m": 50})
    out = _tag([{"description": "abused by an Uber passenger"}], rules=rules)
    assert _settings(out) == ["taxi"]
    assert rules.station_distance_m == 50
    with pytest.raises(WorkspaceError, match="'trains' is not a setting"):
        TaggingRules.from_config({"keywords": {"trains": ["x"]}})
    with pytest.raises(WorkspaceError, match=r"unknown key\(s\) \['distance'\]"):
        TaggingRules.from_config({"distance": 3})
