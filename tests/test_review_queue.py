"""The review queue in the dashboard, in-process on a copy of the demo workspace: who may
use it, the round trip correct → stored → wins at retag → audited, values the server did
not list refused, and partner maps that follow corrected tags."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from geo import audit, store
from geo.config import Workspace
from geo.demo.run import demo_password
from geo.settings.retag import retag
from geo.settings.review import correct, latest_corrections
from tests.dashboard_payloads import payload

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reviewed(demo_built, tmp_path_factory):
    """A copy of the demo, re-tagged (confidences and the queue filled), served in-process."""
    from dashboard import data
    from dashboard.app import create_app

    root = tmp_path_factory.mktemp("review") / "ws"
    shutil.copytree(demo_built[0], root)
    ws = Workspace.open(root)
    retag(ws)
    app = create_app(ws)
    yield ws, app
    data.configure(Workspace.open(demo_built[0]))  # the session's app serves the demo again


def _client(app, role: str):
    client = app.server.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    signed = client.post("/login", data={"name": role, "password": demo_password(role),
                                         "next": "/", "csrf_token": token})  # fmt: skip
    assert signed.status_code == 302
    return client


def _deps(client) -> dict[str, dict]:
    deps = client.get("/_dash-dependencies").get_json()
    return {d["output"]: d for d in deps}


def _layout(client, deps, path: str):
    router = next(d for o, d in deps.items() if "_pages_content" in o)
    body = payload(router, {("_pages_location", "pathname"): path,
                            ("_pages_location", "search"): ""})  # fmt: skip
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_json()["response"]["_pages_content"]["children"]


def _find(tree, component_id):
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        return next((f for v in tree.values() if (f := _find(v, component_id))), None)
    if isinstance(tree, list):
        return next((f for v in tree if (f := _find(v, component_id))), None)
    return None


SAVE_OUTPUT = "..review-message.children...review-table.data...review-table.selected_rows.."


def _save(client, deps, *, row_ids, settings, button="review-save"):
    body = payload(deps[SAVE_OUTPUT], {
        ("review-confirm", "n_clicks"): 1 if button == "review-confirm" else None,
        ("review-save", "n_clicks"): 1 if button == "review-save" else None,
        ("review-table", "selected_row_ids"): row_ids, ("review-settings", "value"): settings,
    })  # fmt: skip
    body["changedPropIds"] = [f"{button}.n_clicks"]
    return client.post("/_dash-update-component", json=body)


def test_only_analysts_and_tactical_leads_may_use_the_queue(reviewed):
    _, app = reviewed
    for role in ("partner", "prevention"):
        client = _client(app, role)
        deps = _deps(client)
        assert '"nav-review"' not in client.get("/_dash-layout").get_data(as_text=True)
        assert _find(_layout(client, deps, "/review"), "not-allowed") is not None
        response = _save(client, deps, row_ids=[1], settings=["taxi"])
        assert response.status_code == 403
        assert f"the {role} role may not use the review page" in response.get_data(as_text=True)
    for role in ("analyst", "tactical"):
        client = _client(app, role)
        assert '"nav-review"' in client.get("/_dash-layout").get_data(as_text=True)
        table = _find(_layout(client, _deps(client), "/review"), "review-table")
        assert table is not None and len(table["data"]) > 0


def test_correct_is_stored_wins_at_retag_and_is_audited(reviewed):
    ws, app = reviewed
    client = _client(app, "analyst")
    deps = _deps(client)
    table = _find(_layout(client, deps, "/review"), "review-table")
    rows = table["data"]
    confidences = [r["confidence"] for r in rows]
    assert confidences == sorted(confidences)  # least sure first
    first, second = rows[0], rows[1]
    shown = client.post("/_dash-update-component", json=payload(
        deps["..review-settings.value...review-record.children.."],
        {("review-table", "selected_row_ids"): [first["id"]]},
    ))  # fmt: skip
    assert shown.status_code == 200 and first["reference"] in shown.get_data(as_text=True)
    wanted = ["residential"] if "residential" not in first["settings"] else ["street"]
    saved = _save(client, deps, row_ids=[first["id"]], settings=wanted)
    assert saved.status_code == 200, saved.get_data(as_text=True)[:300]
    answer = saved.get_json()["response"]
    assert f"Saved: {first['reference']} is {wanted[0]}." == answer["review-message"]["children"]
    assert first["id"] not in [r["id"] for r in answer["review-table"]["data"]]
    confirmed = _save(client, deps, row_ids=[second["id"]], settings=[], button="review-confirm")
    assert confirmed.status_code == 200
    assert f"Confirmed: {second['reference']}" in confirmed.get_data(as_text=True)
    again = _save(client, deps, row_ids=[first["id"]], settings=["taxi"])  # no longer listed
    assert again.status_code == 400 and "'row id' must be one of" in again.get_data(as_text=True)
    retag(ws)  # corrections win over the rules and the model
    engine = store.connect(ws.database_url)
    stored = store.read_incidents(engine, located_only=False).set_index("reference")
    assert stored.loc[first["reference"], "settings"] == wanted[0]
    assert stored.loc[second["reference"], "settings"] == (second["settings"] or None)
    assert stored.loc[first["reference"], "setting_confidence"] == 1.0
    trail = audit.read(engine)
    engine.dispose()
    rows_audited = trail[trail["action"] == "setting_correction"]
    assert len(rows_audited) == 2 and set(rows_audited["user"]) == {"analyst"}
    detail = json.loads(rows_audited["detail"].iloc[0])
    assert detail["after"] == wanted[0] and detail["before"] == first["settings"]
    assert first["reference"] not in rows_audited["detail"].iloc[0]


def test_values_the_server_did_not_list_are_refused(reviewed):
    ws, app = reviewed
    client = _client(app, "tactical")
    deps = _deps(client)
    rows = _find(_layout(client, deps, "/review"), "review-table")["data"]
    engine = store.connect(ws.database_url)
    listed = {r["id"] for r in rows}
    every = store.read_incidents(engine, located_only=False)["id"]
    stored_before = len(latest_corrections(engine))
    outside = int(next(i for i in every if i not in listed))
    cases = {
        "a record not in the queue": ([outside], ["taxi"], "'row id' must be one of"),
        "an unknown setting": ([rows[0]["id"]], ["bus"], "'setting' must be one of"),
        "a setting twice": ([rows[0]["id"]], ["taxi", "taxi"], "names a setting twice"),
        "a reference for an id": ([rows[0]["reference"]], ["taxi"], "'row id' must be one of"),
        "two rows": ([rows[0]["id"], rows[1]["id"]], ["taxi"], "at most one row id"),
        "settings not a list": ([rows[0]["id"]], "taxi", "must be a list of settings"),
    }
    for label, (row_ids, settings, message) in cases.items():
        response = _save(client, deps, row_ids=row_ids, settings=settings)
        assert response.status_code == 400, label
        assert message in response.get_data(as_text=True), label
    body = payload(deps[SAVE_OUTPUT], {
        ("review-confirm", "n_clicks"): None, ("review-save", "n_clicks"): 1,
        ("review-table", "selected_row_ids"): [rows[0]["id"]], ("review-settings", "value"): [],
    })  # fmt: skip
    body["changedPropIds"] = ["review-save.n_clicks"]
    forged = client.post("/_dash-update-component", json=body,
                         headers={"Origin": "https://evil.example"})  # fmt: skip
    assert forged.status_code == 403 and "this site's own page" in forged.get_data(as_text=True)
    nothing = _save(client, deps, row_ids=[], settings=["taxi"])
    assert "Select a record in the table first." in nothing.get_data(as_text=True)
    assert len(latest_corrections(engine)) == stored_before  # nothing was written
    engine.dispose()


def test_partner_maps_follow_corrected_tags_after_retag(reviewed):
    from dashboard import auth, data

    ws, app = reviewed
    with app.server.test_request_context():
        auth.act_as("analyst", "partner")
        window = data.publication().window()
        before = {s: data.partner_map(s)["csp_table"] for s in ("nte", "taxi")}
    engine = store.connect(ws.database_url)
    frame = store.read_incidents(engine, located_only=False)
    day = frame["recorded_at"].astype(str).str.slice(0, 10)
    inside = day.between(window.start.isoformat(), window.end.isoformat())
    nte_only = frame[inside & frame["settings"].eq("nte") & frame["csp_code"].notna()]
    csp = nte_only["csp_code"].value_counts().index[0]
    moved = nte_only[nte_only["csp_code"] == csp].head(10)
    for reference, source in zip(moved["reference"], moved["source"], strict=True):
        correct(engine, reference, ["taxi"], user="ana", role="analyst", address="test",
                source=source)  # fmt: skip
    engine.dispose()
    retag(ws)  # a batch of its own: the data version moves on
    data.configure(ws)  # forget the cached version (trusted for VERSION_TTL seconds)
    with app.server.test_request_context():
        auth.act_as("analyst", "partner")
        after = {s: data.partner_map(s)["csp_table"] for s in ("nte", "taxi")}
    total = {k: {s: int(t["records"].sum()) for s, t in v.items()}
             for k, v in (("before", before), ("after", after))}  # fmt: skip
    # published counts are rounded and small ones suppressed: ten records move visibly
    assert total["after"]["taxi"] >= total["before"]["taxi"] + 5
    assert total["after"]["nte"] <= total["before"]["nte"] - 5


@pytest.mark.browser
def test_an_analyst_confirms_a_record_in_a_real_browser(reviewed):
    import threading
    import time

    import waitress
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, FLAGS

    ws, app = reviewed
    wsgi = waitress.create_server(app.server, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=wsgi.run, daemon=True).start()
    base = f"http://127.0.0.1:{wsgi.effective_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            page = browser.new_page()
            page.set_default_timeout(90_000)
            page.goto(f"{base}/review")
            page.fill("input[name=name]", "analyst")
            page.fill("input[name=password]", demo_password("analyst"))
            page.click("button[type=submit]")
            page.wait_for_selector("#review-table td")
            reference = page.inner_text("#review-table tbody tr:nth-child(2) td:nth-child(2)")
            page.locator("#review-table input[type=radio]").first.check()
            deadline = time.monotonic() + 90
            while reference not in page.inner_text("#review-record"):
                assert time.monotonic() < deadline, "the record was not shown"
                page.wait_for_timeout(250)
            page.click("#review-confirm")
            while "Confirmed:" not in page.inner_text("#review-message"):
                assert time.monotonic() < deadline + 90, "no confirmation shown"
                page.wait_for_timeout(250)
            assert reference in page.inner_text("#review-message")
            browser.close()
    finally:
        wsgi.close()
    engine = store.connect(ws.database_url)
    kept = latest_corrections(engine)
    engine.dispose()
    assert reference in set(kept["reference"])
