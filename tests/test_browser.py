"""Real-browser tests: Debian's headless Chromium driven by Playwright against
`tensionmap serve`'s WSGI server on the demo workspace. Each role signs in, opens its
pages, changes a filter and checks what is shown; screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
import threading
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


def _signed_in(browser, server: str, role: str):
    from geo.demo.run import demo_password

    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/")
    assert "/login" in page.url
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", demo_password(role))
    page.click("button[type=submit]")
    page.wait_for_selector("#sign-out")
    assert f"({role})" in page.inner_text("header")
    return page


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
    page.wait_for_function("location.search.includes('strand=religion')", timeout=90_000)
    assert "LSOA areas" in page.inner_text("#hot-summary")
    _shot(page, "hotspots")
    page.goto(f"{server}/tension")
    page.wait_for_selector("#not-allowed")


def test_prevention_team_plans_workshops(browser, server):
    page = _signed_in(browser, server, "prevention")
    page.goto(f"{server}/schools")
    page.wait_for_function(
        "document.querySelector('#schools-summary')?.innerText.includes('reach')"
    )
    page.fill("#schools-budget", "30")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('#schools-summary')?.innerText.includes(\"plan's 30 schools\")"
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
    page.wait_for_function("location.search.includes('setting=nte')", timeout=90_000)
    page.wait_for_function(
        "document.querySelector('#partner-rules')?.innerText.includes('No individual record')"
    )
    _shot(page, "partner")
    page.goto(f"{server}/trends")
    page.wait_for_selector("#trends-chart .main-svg")
    page.get_by_label("quarter").check()
    page.wait_for_function("document.querySelector('#trends-table')?.innerText.includes('Q4')")
    _shot(page, "trends")
    page.goto(f"{server}/tension")
    page.wait_for_selector("#not-allowed")
