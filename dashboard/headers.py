"""HTTP hardening for the dashboard: security headers on every response, and 404 for
every path that is not a page, a Dash route, the login or logout, or a partner map.

Content-Security-Policy, one per kind of response:

* the Dash app: scripts from this origin plus the sha256 of each inline script Dash
  writes into its page (``app.csp_hashes()``: the renderer start-up and any clientside
  callbacks), no ``'unsafe-inline'`` or ``'unsafe-eval'`` for scripts. Styles allow
  ``'unsafe-inline'``: Dash components, Plotly and Leaflet set ``style`` attributes and
  add ``<style>`` elements at run time, which hashes cannot cover; a style cannot run
  code. Images may also come from ``data:``/``blob:`` URLs (Plotly's and Leaflet's
  icons) and from the workspace's ``tile_url`` server, if one is set. Framing: none.
* ``/partner-map/<setting>.html``: a self-contained folium page with Leaflet inlined;
  its inline scripts run by their sha256 (taken from the page as served), nothing is
  loaded from elsewhere, and only pages of this origin may frame it (the partner page's
  iframe).
* ``/login``: no scripts at all; its one ``<style>`` element by hash.

Referrer-Policy: ``no-referrer``, except on the HTML pages that hold the login and
sign-out forms (the login page and the app's pages), which get ``same-origin``: under
``no-referrer`` a browser sends ``Origin: null`` with a form's POST, and the forms'
cross-site check needs this site's own origin there. Other sites (a tile server, a link
followed) get no ``Referer`` either way.

Also ``X-Content-Type-Options: nosniff``,
``X-Frame-Options`` (DENY, SAMEORIGIN for the partner map), ``Cache-Control: no-store``
on everything but Dash's versioned bundles, and ``Strict-Transport-Security`` when the
cookies are ``Secure`` (served through HTTPS) or the request came over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

import dash
import flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.wrappers import Response

#: Static files whose URLs change with each version: browsers may keep them.
CACHEABLE = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")
HSTS = "max-age=31536000"

_INLINE_SCRIPT = re.compile(
    rb"<script(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']?application/json)[^>]*>(.*?)</script>",
    re.DOTALL | re.IGNORECASE,
)
_INLINE_STYLE = re.compile(rb"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def source_hashes(pattern: re.Pattern[bytes], page: bytes) -> list[str]:
    """CSP hash sources (``'sha256-…'``) of the inline elements ``pattern`` finds."""
    found = {base64.b64encode(hashlib.sha256(m.group(1)).digest()) for m in pattern.finditer(page)}
    return sorted(f"'sha256-{h.decode()}'" for h in found)


def tile_source(tile_url: str) -> str:
    """The CSP source of a tile server URL template (``{s}`` subdomains as ``*``)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    host = re.sub(r"\{s\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}" if parts.scheme in ("http", "https") and host else ""


def dash_policy(app: dash.Dash, tile_url: str = "") -> str:
    """The Content-Security-Policy of the Dash app's pages and responses."""
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tile_source(tile_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(app.csp_hashes()),
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def partner_map_policy(page: bytes, tile_url: str = "") -> str:
    """The policy of a partner map page: its own inline scripts, framed by this origin."""
    images = " ".join(filter(None, ["'self'", "data:", tile_source(tile_url)]))
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + (" ".join(source_hashes(_INLINE_SCRIPT, page)) or "'none'"),
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ]
    )


def login_policy(page: bytes) -> str:
    """The sign-in form's policy: no scripts, its own style, posts to this origin only."""
    styles = " ".join(source_hashes(_INLINE_STYLE, page)) or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


def page_paths(app: dash.Dash) -> set[str]:
    """The paths the app's registered pages answer."""
    return {str(p["path"]) for p in dash.page_registry.values()}


def install(app: dash.Dash, *, tile_url: str = "", secure: bool = False) -> None:
    """Add the 404 for unknown paths and the security headers to ``app``'s server.

    Parameters
    ----------
    app
        The Dash app, with its pages and callbacks (the CSP hashes its inline scripts).
    tile_url
        The workspace's ``tile_url`` setting: its server may send map images.
    secure
        Served over HTTPS (the cookies are ``Secure``): send ``Strict-Transport-Security``.
    """
    server = app.server

    @server.before_request
    def only_known_paths() -> None:
        """Unknown paths get 404, from anyone, before the sign-in check: Dash would
        otherwise answer any path with its app shell."""
        request = flask.request
        if request.routing_exception is not None:
            raise request.routing_exception
        rule = request.url_rule.rule if request.url_rule else ""
        if rule.endswith("<path:path>"):  # Dash's catch-all: only page paths may use it
            path = request.path.rstrip("/") or "/"
            if path not in page_paths(app):
                # a POST-only route (such as /logout) asked for with GET: say which method
                for other in server.url_map.iter_rules():
                    if other.rule == request.path and other.methods:
                        raise MethodNotAllowed(valid_methods=sorted(other.methods))
                flask.abort(404)

    @server.after_request
    def security_headers(response: Response) -> Response:
        path = flask.request.path
        headers = response.headers
        if path.startswith("/partner-map/") and response.status_code == 200:
            headers["Content-Security-Policy"] = partner_map_policy(response.get_data(), tile_url)
            headers["X-Frame-Options"] = "SAMEORIGIN"
        elif path == "/login":
            headers["Content-Security-Policy"] = login_policy(response.get_data())
            headers["X-Frame-Options"] = "DENY"
        else:
            # built for each response (microseconds): a clientside callback registered late
            # (Dash pages add one at the first request) adds an inline script and its hash
            headers["Content-Security-Policy"] = dash_policy(app, tile_url)
            headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        forms = response.mimetype == "text/html" and not path.startswith("/partner-map/")
        headers["Referrer-Policy"] = "same-origin" if forms else "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not path.startswith(CACHEABLE) or response.status_code != 200:
            headers["Cache-Control"] = "no-store"
        if secure or flask.request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response
