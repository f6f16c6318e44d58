"""Tension alerts: planted episodes are alerted within days, alerts persist, escalate and close."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from geo.demo.generator import generate
from geo.geocode import geocode
from geo.tension.alerts import Alert, AlertRules, Signal, daily_signals, update_alerts
from geo.tension.evaluate import detection_delay


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
