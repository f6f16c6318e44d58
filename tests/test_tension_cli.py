"""`tensionmap tension` as the tactical lead uses it each morning, `--replay`, and
`tensionmap triggers`, on a demo workspace with planted episodes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from tests.conftest import demo_workspace, write_csv


@pytest.fixture(scope="module")
def cambs(tmp_path_factory, default_geography, open_data):
    root = tmp_path_factory.mktemp("tension")
    ws, truth = demo_workspace(
        root,
        default_geography,
        open_data,
        seed=1,
        force="cambridgeshire",
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
    )
    religion = next(e for e in truth["episodes"] if e["strand"] == "religion")
    return ws, religion


def _covers(row: dict, episode: dict) -> bool:
    centre = episode["centre"]
    distance = np.hypot(
        row["centre_easting"] - centre["easting"], row["centre_northing"] - centre["northing"]
    )
    return bool(distance <= max(row["radius_m"], 600))


def test_the_daily_monitor_keeps_an_alert_across_mornings(cambs, tmp_path, capsys):
    ws, episode = cambs
    onset = date.fromisoformat(episode["onset"])
    csp = episode["csp_code"]
    trigger = onset - timedelta(days=2)
    args = ["--workspace", str(ws.root)]
    assert main(["triggers", "add", str(trigger), "Mosque vandalised", "--scope", "local",
                 "--area", csp, *args]) == 0  # fmt: skip
    assert main(["triggers", *args]) == 0
    assert f"{trigger} Mosque vandalised (local, {csp})" in capsys.readouterr().out

    first = tmp_path / "day1.csv"
    day1 = onset + timedelta(days=1)
    assert main(["tension", "--as-of", str(day1), "--out", str(first), *args]) == 0
    out = capsys.readouterr().out
    assert f"alert(s) open on {day1}" in out
    rows = pd.read_csv(first).to_dict("records")
    alert = next(r for r in rows if r["strand"] == "religion" and _covers(r, episode))
    assert alert["level"] in ("medium", "high")
    assert alert["methods"].startswith("space-time permutation scan")
    assert alert["victims"] >= 3 and alert["observed"] >= 3
    assert f"it follows Mosque vandalised (local, {trigger})" in alert["explanation"]
    assert "reference" not in alert and "references" not in alert

    # the next morning carries on: same id, updated, not a new alert
    second = tmp_path / "day2.json"
    day2 = day1 + timedelta(days=1)
    assert main(["tension", "--as-of", str(day2), "--out", str(second), *args]) == 0
    capsys.readouterr()
    again = pd.read_json(second).to_dict("records")
    same = next(r for r in again if r["alert_id"] == alert["alert_id"])
    assert str(same["raised_on"])[:10] == str(alert["raised_on"])[:10]
    assert str(same["updated_on"])[:10] == str(day2)
    assert same["observed"] >= alert["observed"]

    # an earlier morning is read back from the store, not recomputed
    assert main(["tension", "--as-of", str(day1), *args]) == 0
    out = capsys.readouterr().out
    assert "was analysed before" in out and alert["alert_id"] in out

    # the rules each run used are kept with it, for readers such as the dashboard
    from geo.tension.monitor import rules_on
    from geo.tension.rules import AlertRules

    assert rules_on(ws, day2) == AlertRules()
    assert rules_on(ws, onset - timedelta(days=400)) == AlertRules()  # no run then: defaults


def test_replay_lists_every_state_change(cambs, tmp_path, capsys):
    ws, episode = cambs
    onset = date.fromisoformat(episode["onset"])
    out = tmp_path / "changes.csv"
    first, last = onset - timedelta(days=1), onset + timedelta(days=9)
    assert (
        main(
            [
                "tension",
                "--workspace",
                str(ws.root),
                "--strand",
                "religion",
                "--replay",
                str(first),
                str(last),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert f"state change(s) from {first} to {last}" in capsys.readouterr().out
    changes = pd.read_csv(out)
    assert {"alert_id", "raised_on", "updated_on", "level", "strand", "csp", "district",
            "area_codes", "centre_easting", "centre_northing", "radius_m", "start", "end",
            "observed", "expected", "p_value", "recurrence_interval_days", "methods",
            "explanation", "change"} <= set(changes.columns)  # fmt: skip
    episode_rows = changes[[_covers(r, episode) for r in changes.to_dict("records")]]
    ids = episode_rows["alert_id"].unique()
    assert len(ids) == 1  # one alert for the whole episode
    history = episode_rows["change"].tolist()
    assert history[0] == "raised" and set(history) <= {"raised", "updated", "escalated", "closed"}
    assert (episode_rows["updated_on"].is_monotonic_increasing) and len(history) > 1


def test_tension_errors(cambs, tmp_path, capsys):
    ws, _ = cambs
    args = ["--workspace", str(ws.root)]
    assert main(["tension", *args]) == 2
    assert "give --as-of DATE or --replay FROM TO" in capsys.readouterr().err
    assert main(["tension", "--replay", "2019-06-05", "2019-06-01", *args]) == 2
    assert "--replay ends (2019-06-01) before it starts (2019-06-05)" in capsys.readouterr().err
    assert main(["tension", "--as-of", "2019-06-05", "--replications", "99", *args]) == 2
    assert (
        "with 99 replications the smallest p-value is 1/100, so no cluster can reach a "
        "recurrence interval of 365 days (medium): use at least 364 replications"
    ) in capsys.readouterr().err
    bad = write_csv(
        tmp_path / "events.csv",
        [
            {"date": "2016-06-24", "name": "EU referendum result", "scope": "national"},
            {"date": "24/06/2016", "name": "twice", "scope": "national"},
        ],
    )
    assert main(["triggers", "import", str(bad), *args]) == 2
    assert f"{bad}, line 3, column date: '24/06/2016' is not a date" in capsys.readouterr().err
    assert main(["triggers", *args]) == 0
    assert "EU referendum" not in capsys.readouterr().out  # all or nothing
    assert main(["triggers", "add", "2019-01-01", "Local march", "--scope", "local", *args]) == 2
    assert "a local trigger event needs --area" in capsys.readouterr().err
