"""Real-browser tests: Debian's headless Chromium driven by Playwright against
`tensionmap serve`'s WSGI server on the demo workspace. Each role signs in, opens its
pages, changes a filter and checks what is shown; screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def server(dashboard_app):
    import waitress

    wsgi = waitress.create_server(dashboard_app.server, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{wsgi.effective_port}"
    wsgi.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


#: Reports each Content-Security-Policy violation, in every frame, as a console error.
REPORT_CSP = """document.addEventListener('securitypolicyviolation', e => console.error(
    'CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')))"""


def _signed_in(browser, server: str, role: str, console: list[str] | None = None):
    """A page signed in as the demo user of ``role`` through the login form (which sends
    its CSRF token); console errors, CSP violations included, go to ``console``."""
    from geo.demo.run import demo_password

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script(REPORT_CSP)
    page = context.new_page()
    if console is not None:
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: console.append(str(error)))
    page.set_default_timeout(60_000)
    page.goto(f"{server}/")
    assert "/login" in page.url
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", demo_password(role))
    page.click("button[type=submit]")
    page.wait_for_selector("#sign-out")
    assert f"({role})" in page.inner_text("header")
    return page


def _wait_until(page, expression: str, *, timeout: float = 60_000) -> None:
    """Poll a JavaScript expression from here until it is true: page.wait_for_function
    would compile it with eval inside the page, which the dashboard's CSP refuses."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:g} s: {expression}")
        page.wait_for_timeout(250)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_wrong_password_is_refused(browser, server):
    page = browser.new_context().new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=name]", "tactical")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "Wrong user name or password." in page.inner_text("body")


def test_the_pages_run_under_the_content_security_policy(browser, server):
    """Every page, a chart, the maps and the partner page's framed map draw with no
    Content-Security-Policy violation."""
    console: list[str] = []
    page = _signed_in(browser, server, "tactical", console)
    for path, drawn in [
        ("/", "#overview-map-leaflet path.leaflet-interactive"),
        ("/hotspots", "#hot-leaflet path.leaflet-interactive"),
        ("/schools", "#schools-leaflet path.leaflet-interactive"),
        ("/trends", "#trends-chart .main-svg"),
        ("/tension", "#tension-alerts td"),
    ]:
        page.goto(f"{server}{path}")
        page.wait_for_selector(drawn)
    page.locator("#tension-alerts input[type=radio]").first.click()
    page.wait_for_selector("#tension-timeline .main-svg")
    page.goto(f"{server}/partner")
    framed = page.frame_locator("#partner-frame")
    framed.locator(".leaflet-container path.leaflet-interactive").first.wait_for()
    page.wait_for_load_state("networkidle")
    # only violations fail here: dash-leaflet throws "reading 'equals'" when a page with a
    # map is left, with or without the policy
    violations = [m for m in console if "Content Security Policy" in m or "CSP" in m]
    assert violations == [], violations


def test_sign_out_is_a_form_that_ends_the_session(browser, server):
    page = _signed_in(browser, server, "partner")
    page.click("#sign-out")
    page.wait_for_url("**/login")
    page.goto(f"{server}/trends")
    assert "/login" in page.url  # the session is over, not just the cookie gone
    assert page.context.request.get(f"{server}/logout").status == 405


def test_tactical_lead_clicks_an_alert(browser, server):
    page = _signed_in(browser, server, "tactical")
    page.goto(f"{server}/tension")
    page.wait_for_selector("#tension-alerts td")
    assert "Records from" in page.inner_text("#footer")
    assert "Open Government Licence" in page.inner_text("#footer")
    page.locator("#tension-alerts input[type=radio]").first.click()
    panel = page.wait_for_selector("#tension-evidence-panel")
    text = panel.inner_text()
    assert "victims:" in text and "records:" in text and "history:" in text
    page.wait_for_selector("#tension-timeline .main-svg")
    assert "day=" in page.url
    _shot(page, "tension")


def test_analyst_filters_hotspots(browser, server):
    page = _signed_in(browser, server, "analyst")
    page.goto(f"{server}/hotspots")
    page.wait_for_selector("#hot-summary")
    page.wait_for_selector("#hot-leaflet path.leaflet-interactive")  # boundaries without tiles
    page.click("#hot-strand")
    page.keyboard.type("religion")
    page.keyboard.press("Enter")
    # Dash writes filters to the URL with the history API: poll it, not navigation events
    _wait_until(page, "location.search.includes('strand=religion')", timeout=90_000)
    assert "LSOA areas" in page.inner_text("#hot-summary")
    _shot(page, "hotspots")
    page.goto(f"{server}/tension")
    page.wait_for_selector("#not-allowed")


def test_prevention_team_plans_workshops(browser, server):
    page = _signed_in(browser, server, "prevention")
    page.goto(f"{server}/schools")
    _wait_until(page, "document.querySelector('#schools-summary')?.innerText.includes('reach')")
    page.fill("#schools-budget", "30")
    page.keyboard.press("Enter")
    _wait_until(
        page,
        "document.querySelector('#schools-summary')?.innerText.includes(\"plan's 30 schools\")",
    )
    assert "budget=30" in page.url
    assert "indicator" in page.inner_text("body")
    _shot(page, "schools")


def test_partner_sees_only_heat_maps_and_trends(browser, server):
    page = _signed_in(browser, server, "partner")
    nav = page.inner_text("header nav")
    assert "Partner heat maps" in nav and "Trends" in nav and "Tension" not in nav
    page.goto(f"{server}/partner")
    page.wait_for_selector("#partner-csp td")
    page.get_by_label("Night-time economy").check()
    _wait_until(page, "location.search.includes('setting=nte')", timeout=90_000)
    _wait_until(
        page, "document.querySelector('#partner-rules')?.innerText.includes('No individual record')"
    )
    _shot(page, "partner")
    page.goto(f"{server}/trends")
    page.wait_for_selector("#trends-chart .main-svg")
    page.get_by_label("quarter").check()
    _wait_until(page, "document.querySelector('#trends-table')?.innerText.includes('Q4')")
    _shot(page, "trends")
    page.goto(f"{server}/tension")
    page.wait_for_selector("#not-allowed")


def test_every_page_asks_only_this_server(browser, server):
    """No request, tiles included, goes to another host: a tile server would learn which
    areas officers look at. Without one, district outlines and names orient the reader."""
    page = _signed_in(browser, server, "tactical")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path, drawn in [
        ("/", "#overview-map-leaflet path.leaflet-interactive"),
        ("/tension", "#tension-map-leaflet path.leaflet-interactive"),
        ("/hotspots", "#hot-leaflet path.leaflet-interactive"),
        ("/schools", "#schools-leaflet path.leaflet-interactive"),
        ("/partner", "#partner-csp td"),
        ("/trends", "#trends-chart .main-svg"),
    ]:
        page.goto(f"{server}{path}")
        page.wait_for_selector(drawn)
        page.wait_for_load_state("networkidle")
        if path == "/hotspots":
            page.wait_for_selector("#hot-leaflet .district-label")
            _shot(page, "hotspots-without-tiles")
    elsewhere = [u for u in requested if not u.startswith((f"{server}/", "data:", "blob:"))]
    assert elsewhere == []
    assert any("/_dash-update-component" in u for u in requested)


def test_a_click_on_a_hotspot_passes_the_server_checks(browser, server):
    """What the browser really sends for a click on a map area (the feature, its bounds)
    is a shape the server accepts, and the area's figures come back."""
    page = _signed_in(browser, server, "analyst")
    page.goto(f"{server}/hotspots?unit=district")
    area = page.wait_for_selector("#hot-leaflet path.leaflet-interactive[fill='#b2182b']")
    area.dispatch_event("click")
    _wait_until(page, "document.querySelector('#hot-info')?.innerText.includes('smr: ')")
    assert "count: " in page.inner_text("#hot-info")
