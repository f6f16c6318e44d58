"""Point 6 of the review: an append-only audit trail of who signed in (or failed to), what
they looked at, asked for and downloaded, who changed users and settings, and
`tensionmap audit` to export it; an auditor can answer "who looked at alerts in Watford
last week" from the export."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import requests
import sqlalchemy as sa

from geo import audit, store, users
from geo.cli import main
from geo.config import Workspace
from tests.security.conftest import sign_in
from tests.security.test_sessions import (
    HOTSPOTS,
    callback,
    engine_of,
    logout_token,
    new_user,
    signed_in,
)


def _day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def _alert_day(served) -> str:
    """A day on which the demo's tension monitor had alerts open."""
    engine = engine_of(served.root)
    with engine.connect() as conn:
        day = conn.execute(sa.select(sa.func.max(store.tension_alerts.c.raised_on))).scalar()
    engine.dispose()
    return str(day)


def _look_at_alerts(served, session, day: str) -> dict:
    """Open the tension page on ``day`` and select its first alert, as a browser does;
    returns the selected alert's row."""
    location = {("_pages_location", "pathname"): "/tension",
                ("_pages_location", "search"): f"?day={day}"}  # fmt: skip
    assert callback(served, session, "_pages_content", location).status_code == 200
    listed = callback(served, session, "tension-alerts.data", {("tension-day", "date"): day})
    assert listed.status_code == 200, listed.text[:300]
    rows = listed.json()["response"]["tension-alerts"]["data"]
    assert rows, f"no alerts open on {day}"
    chosen = {("tension-alerts", "selected_rows"): [0], ("tension-day", "date"): day}
    evidence = callback(served, session, "tension-evidence.children", chosen,
                        changed="tension-alerts.selected_rows")  # fmt: skip
    assert evidence.status_code == 200, evidence.text[:300]
    return rows[0]


def _trail(served, **filters) -> pd.DataFrame:
    engine = engine_of(served.root)
    frame = audit.read(engine, **filters)
    engine.dispose()
    return frame


def test_every_action_is_audited(served, monkeypatch):
    ws, base = Workspace.open(served.root, create=False), served.base
    name, password = new_user(served, "tactical", monkeypatch)
    assert sign_in(requests.Session(), base, name, "wrong-password").status_code == 401
    session = signed_in(served, name, password)
    day = _alert_day(served)
    alert = _look_at_alerts(served, session, day)
    download = {**HOTSPOTS, ("hot-download-button", "n_clicks"): 1, ("hot-format", "value"): "csv"}
    got = callback(served, session, "hot-download.data", download)
    assert got.status_code == 200 and "hotspots.csv" in got.text
    assert session.get(f"{base}/partner-map/nte.html", timeout=120).status_code == 200
    token = logout_token(served, session)
    session.post(f"{base}/logout", data={"csrf_token": token}, headers={"Origin": base})
    users.add_user(ws, name, "analyst", password)
    users.remove_user(ws, name)

    mine = _trail(served, user=name)
    assert list(mine["action"]) == [
        "sign_in_failure",
        "sign_in",
        "page_view",
        "data_request",
        "data_request",
        "download",
        "download",
        "sign_out",
    ]
    assert set(mine["address"]) == {"127.0.0.1"}
    assert set(mine["role"].iloc[1:]) == {"tactical"} and mine["role"].iloc[0] == ""
    assert all(datetime.fromisoformat(t).utcoffset() == timedelta(0) for t in mine["at"])
    detail = [json.loads(d) if d else {} for d in mine["detail"]]
    assert detail[0] == {"reason": "wrong"}
    assert mine["object"].iloc[2] == "/tension" and detail[2]["query"] == f"?day={day}"
    assert detail[3]["filters"] == {"tension-day.date": day}
    selected = detail[4]["filters"]
    assert selected["tension-day.date"] == day
    assert selected["tension-alerts.selected"][0]["alert_id"] == alert["alert_id"]
    assert selected["tension-alerts.selected"][0]["district"] == alert["district"]
    assert "tension-alerts.data" not in selected  # the table itself is never written
    assert mine["object"].iloc[5] == "hot-download.data"
    assert detail[5]["filename"] == "hotspots.csv"
    assert detail[5]["filters"]["hot-format.value"] == "csv"
    assert mine["object"].iloc[6] == "/partner-map/nte.html"
    assert detail[7] == {"reason": "signed out"}

    admin = _trail(served)
    admin = admin[admin["object"] == name]
    assert list(admin["action"]) == ["user_add", "user_change", "user_remove"]
    assert set(admin["address"]) == {"cli"} and set(admin["user"]) == {audit.cli_actor()["user"]}
    change = json.loads(admin["detail"].iloc[1])
    assert change["previous_role"] == "tactical" and change["role"] == "analyst"


def test_the_trail_holds_no_descriptions_victims_or_coordinates(served, monkeypatch):
    name, password = new_user(served, "tactical", monkeypatch)
    _look_at_alerts(served, signed_in(served, name, password), _alert_day(served))
    engine = engine_of(served.root)
    incidents = store.read_incidents(engine)
    with engine.connect() as conn:
        text = json.dumps([list(r) for r in conn.execute(sa.select(store.audit)).all()])
    engine.dispose()
    assert not [d for d in incidents["description"].dropna().unique() if d in text]
    assert not [v for v in incidents["victim_key"].dropna().unique() if v in text]
    for key in ("latitude", "longitude", "easting", "northing", "centre_", "radius"):
        assert key not in text, key


def test_the_trail_is_append_only(tmp_path):
    engine = store.connect(Workspace.open(tmp_path / "ws").database_url)
    audit.record(engine, "sign_in", user="someone", address="10.0.0.1")
    for statement in ("DELETE FROM audit", "UPDATE audit SET user = 'x'"):
        refused = pytest.raises(sa.exc.DatabaseError, match="append-only")
        with refused, store.transaction(engine) as conn:
            conn.execute(sa.text(statement))
    with pytest.raises(ValueError, match="'audit action' must be one of"):
        audit.record(engine, "looked_around")
    audit.record(engine, "data_request", detail={"latitude": 51.6, "q": "x" * 5000})
    kept = json.loads(audit.read(engine)["detail"].iloc[-1])
    assert kept == {"q": "x" * audit.MAX_TEXT}
    engine.dispose()


def test_the_export_answers_who_looked_at_alerts_on_a_day(served, monkeypatch, tmp_path):
    day = _alert_day(served)
    looker, password = new_user(served, "tactical", monkeypatch)
    bystander, other_password = new_user(served, "tactical", monkeypatch)
    alert = _look_at_alerts(served, signed_in(served, looker, password), day)
    signed_in(served, bystander, other_password)  # signs in, looks at no alert
    formula = f"=HYPERLINK(1)-{os.getpid()}"
    sign_in(requests.Session(), served.base, formula, "wrong-password")

    every = tmp_path / "audit.csv"
    args = ["audit", "--workspace", str(served.root), "--out", str(every)]
    assert main([*args, "--from", _day(-1), "--to", _day(1)]) == 0
    frame = pd.read_csv(every, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns) == ["at", "user", "role", "address", "action", "object", "detail"]
    looked = frame[
        (frame["action"] == "data_request")
        & frame["detail"].str.contains(f'"tension-day.date": "{day}"', regex=False)
        & frame["detail"].str.contains(f'"district": "{alert["district"]}"', regex=False)
    ]
    assert looker in set(looked["user"]) and bystander not in set(looked["user"])
    assert "'" + formula in set(frame["user"])  # a spreadsheet will not run it

    only = tmp_path / "looker.csv"
    assert main([*args[:-1], str(only), "--user", looker]) == 0
    theirs = pd.read_csv(only, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(theirs["user"]) == {looker} and "sign_in" in set(theirs["action"])
    before = tmp_path / "before.csv"
    assert main([*args[:-1], str(before), "--user", looker, "--to", _day(-2)]) == 0
    assert len(pd.read_csv(before)) == 0
    assert main([*args[:-1], str(tmp_path / "audit.xlsx")]) == 2  # CSV only

    exported = _trail(served, user=audit.cli_actor()["user"])
    assert "download" in set(exported["action"])  # exporting the trail is audited too


def test_a_changed_settings_file_is_audited_without_its_values(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    status = ["status", "--workspace", str(ws.root)]
    assert main(status) == 0 and main(status) == 0
    engine = store.connect(ws.database_url)
    first = audit.read(engine)
    assert list(first["action"]) == ["settings_change"]  # the first look, not the second
    assert first["address"].iloc[0] == "cli"
    config = ws.root / "tensionmap.toml"
    secret = "tile-key-0a1b2c3d4e"
    config.write_text(
        config.read_text()
        .replace("small_count_threshold = 5", "small_count_threshold = 10")
        .replace('tile_url = ""', f'tile_url = "https://tiles.example/{{z}}/{{x}}/{{y}}.png?k={secret}"')
    )  # fmt: skip
    assert main(status) == 0
    changes = audit.read(engine)
    engine.dispose()
    assert list(changes["action"]) == ["settings_change"] * 2
    detail = json.loads(changes["detail"].iloc[1])
    assert detail["changed"] == ["small_count_threshold", "tile_url"]
    assert secret not in changes["detail"].iloc[1]


def test_serve_checks_the_settings_file_when_it_starts(served):
    import hashlib

    sha = hashlib.sha256((served.root / "tensionmap.toml").read_bytes()).hexdigest()
    seen = _trail(served)
    seen = seen[seen["action"] == "settings_change"]
    assert sha in "".join(seen["detail"]) and set(seen["address"]) == {"cli"}
