"""Login for the dashboard: users and roles from the workspace (``tensionmap users``).

Every request except the login page needs a signed session cookie (HttpOnly, SameSite=Lax,
``Secure`` when ``secure_cookies`` is set, as behind a force's HTTPS reverse proxy) that
expires ``session_hours`` after login, checked on the server on every request. A
callback request without a session gets 403, never data.
"""

from __future__ import annotations

import html
import secrets
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import flask
from werkzeug.wrappers import Response

from geo.config import Workspace
from geo.users import ROLES, check_password

#: Paths served without a session (the login form and Dash's static bundles).
OPEN_PREFIXES = ("/login", "/_dash-component-suites/", "/assets/", "/_favicon.ico")

_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tensionmap: sign in</title>
<style>body{{font-family:sans-serif;margin:4rem auto;max-width:22rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0}}input{{padding:.4rem}}
.error{{color:#b00020}}</style></head>
<body><h1>tensionmap</h1>
<form method="post" action="{root}/login">
<input type="hidden" name="next" value="{next}">
<label>User name <input name="name" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"
required></label>
<button type="submit">Sign in</button>
<p class="error">{error}</p>
</form></body></html>"""


def _secret_key(ws: Workspace) -> bytes:
    """The workspace's session signing key, made once (readable by its owner only)."""
    path = Path(ws.root) / ".session_key"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def current_role() -> str | None:
    """The signed-in user's role, or ``None`` (no session, or it has expired)."""
    if not flask.has_request_context():
        return None
    session = flask.session
    lifetime = flask.current_app.permanent_session_lifetime.total_seconds()
    if session.get("role") not in ROLES or time.time() - session.get("since", 0) > lifetime:
        return None
    return str(session["role"])


def current_user() -> str | None:
    return str(flask.session.get("user")) if current_role() else None


def _safe_next(target: str) -> str:
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return target


def install(
    server: flask.Flask, ws: Workspace, *, session_hours: float = 8, secure_cookies: bool = False
) -> None:
    server.secret_key = _secret_key(ws)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_NAME="tensionmap_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=session_hours),
    )

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Response | str:
        request = flask.request
        target = _safe_next(request.values.get("next", "/"))
        if request.method == "GET":
            return _FORM.format(root=request.script_root, next=html.escape(target), error="")
        user = check_password(ws, request.form.get("name", ""), request.form.get("password", ""))
        if user is None:
            page = _FORM.format(
                root=request.script_root,
                next=html.escape(target),
                error="Wrong user name or password.",
            )
            return flask.Response(page, status=401)
        flask.session.clear()
        flask.session.permanent = True
        flask.session.update(user=user.name, role=user.role, since=time.time())
        return flask.redirect(request.script_root + target)

    @server.route("/logout")
    def logout() -> Response:
        flask.session.clear()
        return flask.redirect(flask.request.script_root + "/login")

    @server.before_request
    def require_login() -> Response | None:
        path = flask.request.path
        if path.startswith(OPEN_PREFIXES) or current_role() is not None:
            return None
        if path.startswith("/_dash"):
            return flask.Response("sign in first", status=403)
        root = flask.request.script_root
        return flask.redirect(f"{root}/login?next={flask.request.full_path.rstrip('?')}")
