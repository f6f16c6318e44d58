"""The dashboard on the demo workspace, through HTTP as a browser drives it: sign-in,
sessions, and every callback as every role, asserting what each role may receive."""

from __future__ import annotations

import re

import pytest

from geo.demo.run import demo_password
from geo.users import ROLES
from tests.dashboard_payloads import payload

PAGES = {  # page -> roles that may use it
    "overview": {"tactical", "analyst"},
    "tension": {"tactical"},
    "hotspots": {"tactical", "analyst"},
    "schools": {"tactical", "analyst", "prevention"},
    "partner": {"tactical", "analyst", "partner"},
    "trends": set(ROLES),
    "review": {"tactical", "analyst"},
}
PREFIX_PAGE = {"overview-": "overview", "tension-": "tension", "hot-": "hotspots",
               "schools-": "schools", "partner-": "partner", "trends-": "trends",
               "review-": "review"}  # fmt: skip
REFERENCE = re.compile(r"\b[A-Z]{2}-\d{4}-\d{7}\b")
PSEUDONYM = re.compile(r"\b[0-9a-f]{32}\b")

pytestmark = pytest.mark.slow


def _sign_in(client, name: str, password: str, next: str = "/"):
    """Post the login form as a browser does, with the form's CSRF token."""
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    data = {"name": name, "password": password, "next": next, "csrf_token": token[1]}
    return client.post("/login", data=data)


def _client(app, role: str | None):
    client = app.server.test_client()
    if role:
        assert _sign_in(client, role, demo_password(role)).status_code == 302
    return client


@pytest.fixture(scope="module")
def sensitive(demo_built):
    """Descriptions and victim keys from the store: no callback of a non-tactical role may
    return any of them."""
    from geo.config import Workspace
    from geo.store import connect, read_incidents

    engine = connect(Workspace.open(demo_built[0]).database_url)
    frame = read_incidents(engine)
    engine.dispose()
    return {
        "descriptions": frame["description"].dropna().drop_duplicates().head(200).tolist(),
        "victims": frame["victim_key"].dropna().head(200).tolist(),
    }


def _dependencies(app) -> list[dict]:
    client = _client(app, "tactical")
    return [
        d for d in client.get("/_dash-dependencies").get_json() if "_pages_dummy" not in d["output"]
    ]


@pytest.fixture(scope="module")
def known(dashboard_app):
    from dashboard import auth, data

    with dashboard_app.server.test_request_context():
        auth.act_as("tactical", "tactical")
        days = data.monitor_days()
        hot = data.hotspot_table(unit="district")
    area = hot["area_code"].iloc[0]
    return {
        ("tension-day", "date"): days[-1],
        ("tension-replay", "value"): len(days) - 1,
        ("tension-alerts", "selected_rows"): [0],
        ("hot-method", "value"): "risk_class",
        ("hot-unit", "value"): "district",
        ("hot-strand", "value"): "",
        ("hot-setting", "value"): "",
        ("hot-csp", "value"): "",
        ("hot-from", "start_date"): "",
        ("hot-from", "end_date"): "",
        ("hot-class", "clickData"): {"properties": {"area_code": area}},
        ("hot-download-button", "n_clicks"): 1,
        ("hot-format", "value"): "csv",
        ("schools-budget", "value"): 20,
        ("schools-phase", "value"): "",
        ("partner-setting", "value"): "nte",
        ("partner-download-button", "n_clicks"): 1,
        ("trends-period", "value"): "year",
        ("trends-csp", "value"): "",
        ("overview-strand", "value"): "race",
        ("_pages_location", "pathname"): "/",
        ("_pages_location", "search"): "",
    }


def test_sign_in_is_required_and_sessions_are_safe(dashboard_app):
    anonymous = _client(dashboard_app, None)
    response = anonymous.get("/tension?day=2019-01-01")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/tension?day=2019-01-01"
    assert anonymous.get("/_dash-layout").status_code == 403
    assert anonymous.get("/_dash-dependencies").status_code == 403
    assert anonymous.post("/_dash-update-component", json={}).status_code == 403
    wrong = _sign_in(anonymous, "partner", "guess-guess")
    assert wrong.status_code == 401 and b"Wrong user name or password." in wrong.data
    assert _sign_in(anonymous, "nobody", "x" * 12).status_code == 401
    no_token = {"name": "partner", "password": "partner-demo", "next": "/"}
    assert anonymous.post("/login", data=no_token).status_code == 400
    ok = _sign_in(anonymous, "partner", "partner-demo", next="https://evil.example/")
    assert ok.status_code == 302 and ok.headers["Location"] == "/"  # no open redirect
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert anonymous.get("/_dash-layout").status_code == 200
    _age_session(dashboard_app, anonymous, hours=9)  # signed in 9 hours ago: ended
    assert anonymous.get("/_dash-layout").status_code == 403
    assert anonymous.get("/logout").status_code == 405
    assert anonymous.post("/logout").status_code == 302


def _age_session(app, client, *, hours: float) -> None:
    """Move the stored sign-in time of ``client``'s session ``hours`` back."""
    import hashlib
    from datetime import UTC, datetime, timedelta

    from geo import store

    raw = client.get_cookie("tensionmap_session").value
    engine = app.server.extensions["tensionmap.auth"].engine
    then = (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
    with store.transaction(engine) as conn:
        sessions = store.sessions
        conn.execute(
            sessions.update()
            .where(sessions.c.id_hash == hashlib.sha256(raw.encode()).hexdigest())
            .values(created_at=then)
        )


@pytest.mark.parametrize("role", ROLES)
def test_every_callback_as_every_role(dashboard_app, known, sensitive, role):
    client = _client(dashboard_app, role)
    layout = client.get("/_dash-layout").get_data(as_text=True)
    for page, roles in PAGES.items():
        assert (f'"nav-{page}"' in layout) == (role in roles), page
    for dep in _dependencies(dashboard_app):
        output = dep["output"].strip(".")
        page = next((p for pre, p in PREFIX_PAGE.items() if output.startswith(pre)), None)
        response = client.post("/_dash-update-component", json=payload(dep, known, default=None))
        body = response.get_data(as_text=True)
        if page is not None and role not in PAGES[page]:
            assert response.status_code == 403, (role, dep["output"])
            assert f"the {role} role may not use the {page} page" in body
            continue
        assert response.status_code in (200, 204), (role, dep["output"], body[:500])
        if output == "hot-info.children":  # a click on a district gives its figures
            assert "count: " in body and "smr: " in body
        if role == "tactical" or page == "review":  # the review queue shows records
            continue
        assert not REFERENCE.search(body), (role, dep["output"])
        assert not PSEUDONYM.search(body), (role, dep["output"])
        assert not [d for d in sensitive["descriptions"] if d in body], (role, dep["output"])
        assert not [v for v in sensitive["victims"] if v in body]
        if role == "partner":
            assert '"easting"' not in body and '"latitude"' not in body


@pytest.mark.parametrize("role", ROLES)
def test_pages_a_role_cannot_use_say_so(dashboard_app, known, role):
    client = _client(dashboard_app, role)
    dep = next(d for d in _dependencies(dashboard_app) if "_pages_content" in d["output"])
    for page, roles in PAGES.items():
        path = "/" if page == "overview" else f"/{'hotspots' if page == 'hotspots' else page}"
        body = client.post(
            "/_dash-update-component",
            json=payload(dep, {**known, ("_pages_location", "pathname"): path}, default=None),
        ).get_data(as_text=True)
        if page == "overview" and role not in roles:
            assert '"welcome"' in body
        else:
            assert ('"not-allowed"' in body) == (role not in roles), (role, page)


def test_the_tactical_lead_sees_the_evidence(dashboard_app, known):
    client = _client(dashboard_app, "tactical")
    dep = next(d for d in _dependencies(dashboard_app) if "tension-evidence" in d["output"])
    body = client.post("/_dash-update-component", json=payload(dep, known, default=None)).get_data(
        as_text=True
    )
    assert "tension-evidence-panel" in body and "Records per day here" in body
    assert REFERENCE.search(body)  # the record references are there for this role only
    assert "victims:" in body and "history:" in body


def test_data_access_and_figure_builders(dashboard_app):
    from dashboard import auth, data, figures

    with dashboard_app.server.test_request_context():
        auth.act_as("analyst", "analyst")
        religion = data.lsoa_counts("religion")
        every = data.lsoa_counts(None)
        assert 0 < religion["records"].sum() < every["records"].sum() == 19258
        assert len(every) == 1177  # zero-count LSOAs included
        drawn = figures.lsoa_map(religion, title="religion", tile_url="", map_id="t")
        leaflet = drawn.children[1]
        features = [f for layer in leaflet.children[1:] for f in layer.data["features"]]
        assert len(features) == 1177  # every LSOA drawn once, in one colour class
        assert "records" in features[0]["properties"]["tooltip"]
        assert data.csp_strand_table()["all records"].sum() == 19258
        assert "description" not in data.incidents().columns
        assert data.trend_table("year")["all strand markers"].sum() >= 19258
        with pytest.raises(data.ForbiddenError, match="the analyst role may not use the tension"):
            data.open_alerts("2019-01-01")
        auth.act_as("analyst", "partner")
        with pytest.raises(data.ForbiddenError):
            data.hotspot_table()
        heat = data.partner_map("taxi")
        assert set(heat["csp_table"].columns) == {"csp", "records"}
        assert "No individual record is shown" in heat["rules"]


def test_the_partner_map_page_is_role_checked(dashboard_app, sensitive):
    assert _client(dashboard_app, None).get("/partner-map/nte.html").status_code == 302
    assert _client(dashboard_app, "prevention").get("/partner-map/nte.html").status_code == 403
    partner = _client(dashboard_app, "partner")
    page = partner.get("/partner-map/nte.html")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "No individual record is shown" in body and not REFERENCE.search(body)
    assert not [d for d in sensitive["descriptions"] if d in body]
    assert partner.get("/partner-map/schools.html").status_code == 404
