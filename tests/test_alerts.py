"""Tension alerts: planted episodes are alerted within days, alerts persist, escalate and close."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from geo.demo.generator import generate
from geo.geography.geocoder import geocode
from geo.tension.evaluate import detection_delay
from geo.tension.lifecycle import Alert, update_alerts
from geo.tension.rules import AlertRules
from geo.tension.signals import Signal, daily_signals


def _signal(strand: str, lsoas: set[str], level: str, day: date) -> Signal:
    return Signal(strand, frozenset(lsoas), (0.0, 0.0), 500.0, day, day, 5, 1.0, 0.001, level, ())


def test_alerts_persist_escalate_and_close():
    rules = AlertRules(close_after_days=2)
    d0 = date(2024, 5, 1)
    alerts, closed, next_id = update_alerts(
        [], [_signal("race", {"A", "B"}, "low", d0)], d0, rules, 1
    )
    assert [a.alert_id for a in alerts] == ["T00001"] and next_id == 2
    d1 = d0 + timedelta(days=1)
    alerts, closed, next_id = update_alerts(
        alerts,
        [_signal("race", {"B", "C"}, "medium", d1), _signal("religion", {"B"}, "low", d1)],
        d1,
        rules,
        next_id,
    )
    race = next(a for a in alerts if a.signal.strand == "race")
    assert race.alert_id == "T00001" and race.level == "medium"  # same episode, escalated
    assert race.signal.lsoas == {"A", "B", "C"}
    assert len(alerts) == 2  # a different strand is a different alert
    d3 = d1 + timedelta(days=2)
    alerts, closed, _ = update_alerts(alerts, [], d3, rules, next_id)
    assert {a.alert_id for a in closed} == {"T00001", "T00002"} and alerts == []
    race = next(a for a in closed if a.alert_id == "T00001")  # alerts are frozen: the new state
    assert isinstance(race, Alert)
    assert [(c.day, c.change, c.level) for c in race.history] == [
        (d0, "raised", "low"),
        (d1, "escalated", "medium"),
        (d3, "closed", "medium"),
    ]


@pytest.mark.slow
def test_planted_episodes_are_alerted_within_days(default_geography, open_data):
    scenario = generate(
        default_geography,
        seed=0,
        force="cambridgeshire",
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        open_data=open_data,
    )
    records = scenario.incidents.copy()
    located = geocode(
        records[["latitude", "longitude", "easting", "northing"]].assign(postcode=""),
        default_geography,
    ).frame
    records["lsoa_code"] = located["lsoa_code"]
    episodes = scenario.truth["episodes"]
    assert {e["strand"] for e in episodes} == {"race", "religion", "sexual_orientation"}
    delays = [detection_delay(records, default_geography, e, rules=AlertRules()) for e in episodes]
    assert all(d is not None and d <= 4 for d in delays), delays
    # and a day before onset none of them is signalled yet
    for e in episodes:
        before = date.fromisoformat(e["onset"]) - timedelta(days=1)
        signals = daily_signals(
            records, default_geography, before, rules=AlertRules(), strands=(e["strand"],)
        )
        centre = np.array([e["centre"]["easting"], e["centre"]["northing"]])
        assert not [
            s
            for s in signals
            if s.level != "low" and np.hypot(*(np.array(s.centre) - centre)) <= s.radius_m
        ]


def test_regraded_gives_the_level_under_other_rules():
    from geo.tension.evaluate import regraded
    from geo.tension.signals import Evidence

    d0 = date(2024, 5, 1)
    three = Evidence(victims=3)
    quiet = replace(_signal("race", {"A"}, "low", d0), p_value=0.04, evidence=three)
    loud = replace(_signal("race", {"A"}, "medium", d0), p_value=0.005, evidence=three)
    ran = AlertRules(medium_days=100)
    alerts, _, _ = update_alerts([], [quiet], d0, ran, 1)
    d1 = d0 + timedelta(days=1)
    alerts, _, _ = update_alerts(alerts, [loud], d1, ran, 2)
    (alert,) = alerts
    assert alert.level == "medium"
    assert regraded(alert, ran) == "medium"  # the same rules: the level it reached
    assert regraded(alert, replace(ran, min_victims=4)) == "low"  # 3 victims is too few
    assert regraded(alert, AlertRules(medium_days=365)) == "low"  # once in 200 days
    assert regraded(alert, AlertRules(low_days=250, medium_days=365)) is None


def test_updates_leave_the_callers_alerts_as_they_were():
    rules = AlertRules(close_after_days=2)
    d0 = date(2024, 5, 1)
    first, _, _ = update_alerts([], [_signal("race", {"A"}, "low", d0)], d0, rules, 1)
    d1 = d0 + timedelta(days=1)
    second, _, _ = update_alerts(first, [_signal("race", {"A"}, "medium", d1)], d1, rules, 2)
    assert first[0].level == "low" and len(first[0].history) == 1  # untouched
    assert second[0].level == "medium" and len(second[0].history) == 2


def test_strands_are_matched_as_whole_markers():
    import pandas as pd

    from geo.tension.signals import strand_records

    records = pd.DataFrame({"strands": ["transgender", "gender", "race;gender", "race", None]})
    assert strand_records(records, "gender").index.tolist() == [1, 2]
    assert strand_records(records, "transgender").index.tolist() == [0]
    assert len(strand_records(records, "all")) == 5


def test_rules_round_trip_through_json():
    rules = AlertRules(medium_days=200.0, min_victims=4)
    assert AlertRules.from_json(rules.to_json()) == rules
    assert AlertRules.from_json(None) == AlertRules()
    assert AlertRules.from_json('{"medium_days": 100.0, "retired_rule": 1}').medium_days == 100.0
