"""Point 8 of the review, over HTTP: security headers on the login page, the app's pages,
callback responses and downloads; Secure cookies off loopback; 404 for unknown paths;
and nothing an anonymous visitor receives names the software or its versions."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re

import pytest
import requests

from dashboard.auth import cookie_is_secure
from geo.cli import main
from tests.security.conftest import copy_workspace, csrf_token, serve
from tests.security.test_sessions import HOTSPOTS, callback

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL)


def _policy(response: requests.Response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive -> sources."""
    parts = [p.split() for p in response.headers["Content-Security-Policy"].split(";")]
    return {p[0]: p[1:] for p in parts if p}


def _common(response: requests.Response) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    # pages with a form send their own origin with its POST (no-referrer would make it
    # "null"); nothing sends a Referer to another site
    html = headers["Content-Type"].startswith("text/html")
    forms = html and "/partner-map/" not in response.url
    assert headers["Referrer-Policy"] == ("same-origin" if forms else "no-referrer")
    assert headers["Cache-Control"] == "no-store"
    assert "Server" not in headers


def _hashes_of_inline_scripts(page: str) -> set[str]:
    """CSP hashes of the scripts a browser would run (not those in HTML comments, such as
    Dash's warning for Internet Explorer, or JSON data)."""
    page = re.sub(r"<!--.*?-->", "", page, flags=re.DOTALL)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for attributes, body in INLINE_SCRIPT.findall(page)
        if "application/json" not in attributes
    }


def test_the_login_page_runs_no_script_and_cannot_be_framed(served):
    response = requests.get(f"{served.base}/login", timeout=60)
    _common(response)
    policy = _policy(response)
    assert policy["default-src"] == ["'none'"] and "script-src" not in policy
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script" not in response.text


def test_a_page_allows_only_dashs_own_inline_scripts(served):
    tactical = served.login("tactical")
    page = tactical.get(f"{served.base}/tension?day=2018-09-20", timeout=60)
    assert page.status_code == 200
    _common(page)
    policy = _policy(page)
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert _hashes_of_inline_scripts(page.text) <= set(scripts)  # each inline script runs
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert page.headers["X-Frame-Options"] == "DENY"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        _common(tactical.get(f"{served.base}{path}", timeout=60))


def test_callbacks_and_downloads_are_not_stored(served):
    analyst = served.login("analyst")
    _common(callback(served, analyst, "hot-layers.children", HOTSPOTS))
    clicked = {**HOTSPOTS, ("hot-download-button", "n_clicks"): 1, ("hot-format", "value"): "csv"}
    download = callback(served, analyst, "hot-download.data", clicked)
    assert "hotspots.csv" in download.text
    _common(download)
    partner_map = analyst.get(f"{served.base}/partner-map/nte.html", timeout=120)
    assert partner_map.status_code == 200
    _common(partner_map)
    policy = _policy(partner_map)
    assert policy["frame-ancestors"] == ["'self'"]  # the partner page's iframe only
    assert partner_map.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert _hashes_of_inline_scripts(partner_map.text) == set(policy["script-src"])


def test_unknown_paths_are_not_found_for_anyone(served):
    anonymous, analyst = requests.Session(), served.login("analyst")
    for who in (anonymous, analyst):
        for path in ("/loginx", "/tension/extra", "/admin", "/.env", "/_dash-layoutx"):
            response = who.get(f"{served.base}{path}", allow_redirects=False, timeout=60)
            assert response.status_code == 404, (path, response.status_code)
            assert "_dash-component-suites" not in response.text
        assert who.get(f"{served.base}/logout", timeout=60).status_code == 405
    assert analyst.get(f"{served.base}/hotspots", timeout=60).status_code == 200
    assert analyst.get(f"{served.base}/", timeout=60).status_code == 200


def test_anonymous_visitors_learn_no_versions(served):
    versions = {importlib.metadata.version(p) for p in
                ("dash", "flask", "werkzeug", "waitress", "plotly", "dash-leaflet")}  # fmt: skip
    names = re.compile(r"dash|flask|werkzeug|waitress|plotly|python|react", re.IGNORECASE)
    anonymous, base = requests.Session(), served.base
    form = anonymous.get(f"{base}/login", timeout=60)
    answers = [
        form,
        anonymous.get(f"{base}/", allow_redirects=False, timeout=60),
        anonymous.get(f"{base}/tension?day=2018-09-20", allow_redirects=False, timeout=60),
        anonymous.get(f"{base}/nothing-here", timeout=60),
        anonymous.get(f"{base}/_dash-layout", timeout=60),
        anonymous.post(f"{base}/_dash-update-component", json={}, timeout=60),
        anonymous.get(f"{base}/logout", timeout=60),
        anonymous.post(f"{base}/login", data={"name": "x", "password": "y"}, timeout=60),
        anonymous.post(f"{base}/login", timeout=60,
                       data={"name": f"nobody-{id(form)}", "password": "a-wrong-password",
                             "csrf_token": csrf_token(form.text)}),
    ]  # fmt: skip
    for response in answers:
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert not [v for v in versions if v in seen], (response.url, response.status_code)
        assert not names.search(seen), (response.url, names.search(seen))


def test_the_cookie_is_secure_unless_on_loopback():
    assert not cookie_is_secure("127.0.0.1") and not cookie_is_secure("localhost")
    assert not cookie_is_secure("::1") and not cookie_is_secure("[::1]")
    assert cookie_is_secure("0.0.0.0") and cookie_is_secure("10.1.2.3")
    assert cookie_is_secure("dashboard.force.police.uk")  # a name may resolve anywhere
    assert cookie_is_secure("127.0.0.1", secure_cookies=True)  # behind a local proxy
    assert not cookie_is_secure("0.0.0.0", insecure_cookies=True)
    with pytest.raises(ValueError, match="not both"):
        cookie_is_secure("0.0.0.0", secure_cookies=True, insecure_cookies=True)
    assert main(["serve", "--secure-cookies", "--insecure-cookies"]) == 2


def test_cookies_are_secure_on_a_public_interface(served, tmp_path):
    copy = copy_workspace(served.root, tmp_path / "ws")
    with serve(copy, "--host", "0.0.0.0") as public:
        form = requests.get(f"{public.base}/login", timeout=60)
        assert "Secure" in form.headers["Set-Cookie"]
        assert form.headers["Strict-Transport-Security"].startswith("max-age=")
        login_cookie = form.headers["Set-Cookie"].split(";")[0]
        response = requests.post(  # a client over HTTPS would send the Secure cookie back
            f"{public.base}/login",
            data={"name": "partner", "password": "partner-demo", "next": "/",
                  "csrf_token": csrf_token(form.text)},
            headers={"Origin": public.base, "Cookie": login_cookie},
            allow_redirects=False,
            timeout=120,
        )  # fmt: skip
        assert response.status_code == 302
        session_cookie = response.headers["Set-Cookie"]
        assert "tensionmap_session=" in session_cookie and "Secure" in session_cookie
    loopback = requests.get(f"{served.base}/login", timeout=60)
    assert "Secure" not in loopback.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in loopback.headers
