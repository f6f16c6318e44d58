"""The sign-in and sign-out forms, the session check before every request, and
:func:`install`, which adds them (and the audit of requests) to the app's server.

The login and logout forms carry a token bound to a cookie (login) or the session
(logout), and a POST whose ``Origin`` or ``Referer`` names another site is refused.
A callback request without a session gets 403, never data.
"""

from __future__ import annotations

import hmac
import html
import re
import secrets
from datetime import timedelta
from typing import Any

import flask
from werkzeug.wrappers import Response

from dashboard.auth.audit_trail import audit_request
from dashboard.auth.csrf import LOGIN_COOKIE, logout_token, mac, safe_next, same_origin
from dashboard.auth.sessions import (
    COOKIE,
    EXTENSION,
    Settings,
    address,
    app_settings,
    end_session,
    hash_of,
    secret_key,
    signed_in,
    utc_now,
)
from geo import audit, store
from geo.config import Workspace
from geo.users import authenticate

#: Paths served without a session (the login form, logout, and Dash's static bundles).
OPEN_PREFIXES = ("/login", "/logout", "/_dash-component-suites/", "/assets/", "/_favicon.ico")

STYLE = (
    "body{font-family:sans-serif;margin:4rem auto;max-width:22rem}"
    "label,input,button{display:block;width:100%;margin:.4rem 0}input{padding:.4rem}"
    ".error{color:#b00020}"
)
_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tensionmap: sign in</title>
<style>{style}</style></head>
<body><h1>tensionmap</h1>
<form method="post" action="{root}/login">
<input type="hidden" name="next" value="{next}">
<input type="hidden" name="csrf_token" value="{token}">
<label>User name <input name="name" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"
required></label>
<button type="submit">Sign in</button>
<p class="error">{error}</p>
</form></body></html>"""


def _form(target: str, token: str, error: str = "", status: int = 200) -> Response:
    page = _FORM.format(
        style=STYLE,
        root=flask.request.script_root,
        next=html.escape(target),
        token=token,
        error=html.escape(error),
    )
    return flask.Response(page, status=status, mimetype="text/html")


def _set_cookie(response: Response, name: str, value: str, *, path: str, **extra: Any) -> Response:
    response.set_cookie(
        name, value, httponly=True, secure=app_settings().secure, path=path, **extra
    )
    return response


def _login() -> Response:
    request = flask.request
    root = request.script_root
    target = safe_next(request.values.get("next", "/"))
    binding = request.cookies.get(LOGIN_COOKIE, "")
    if request.method == "GET":
        fresh = not re.fullmatch(r"[\w-]{43}", binding)
        binding = secrets.token_urlsafe(32) if fresh else binding
        page = _form(target, mac("login", binding))
        if fresh:
            _set_cookie(page, LOGIN_COOKIE, binding, path=f"{root}/login", samesite="Strict")
        return page
    token = request.form.get("csrf_token", "")
    if not same_origin():
        return flask.Response("this form was sent from another site", status=403)
    if not binding or not hmac.compare_digest(token, mac("login", binding)):
        return flask.Response("the sign-in form has expired: reload the page", status=400)
    name = request.form.get("name", "")[:64]
    attempt = authenticate(app_settings().engine, name, request.form.get("password", ""))
    token = mac("login", binding)
    if attempt.user is None:
        detail: dict[str, Any] = {"reason": attempt.outcome}
        if attempt.locked_for is not None:
            minutes = max(1, round(attempt.locked_for.total_seconds() / 60))
            detail["locked_minutes"] = minutes
        audit.record(
            app_settings().engine, "sign_in_failure", user=name, address=address(), detail=detail
        )
        if attempt.locked_for is None:
            return _form(target, token, "Wrong user name or password.", 401)
        page = _form(
            target,
            token,
            f"Too many failed sign-ins: this user name is locked for {minutes} more "
            f"minute{'s' if minutes != 1 else ''}.",
            429,
        )
        page.headers["Retry-After"] = str(int(attempt.locked_for.total_seconds()) + 1)
        return page
    return _start(attempt.user.name, attempt.user.role, target)


def _start(user: str, role: str, target: str) -> Response:
    """A new session (a new id, whatever cookie came in) and the redirect into the app."""
    settings, now = app_settings(), utc_now()
    raw = secrets.token_urlsafe(32)
    old = flask.request.cookies.get(COOKIE, "")
    s = store.sessions
    with store.transaction(settings.engine) as conn:
        if old:  # rotation: the id a browser had before signing in is never signed in
            conn.execute(s.delete().where(s.c.id_hash == hash_of(old)))
        # sessions whose cookie never came back after they ended (ISO times sort as times)
        conn.execute(
            s.delete().where(
                (s.c.created_at < (now - settings.lifetime).isoformat())
                | (s.c.last_seen < (now - settings.idle).isoformat())
            )
        )
        conn.execute(
            s.insert().values(
                id_hash=hash_of(raw),
                user=user,
                created_at=now.isoformat(),
                last_seen=now.isoformat(),
                address=address()[:64],
            )
        )
        audit.record_in(
            conn, "sign_in", user=user, role=role, address=address(), detail={"next": target}
        )
    root = flask.request.script_root
    response = flask.redirect(root + target)
    lifetime = int(settings.lifetime.total_seconds())
    return _set_cookie(response, COOKIE, raw, path=root or "/", samesite="Lax", max_age=lifetime)


def _logout() -> Response:
    root = flask.request.script_root
    if not same_origin():
        return flask.Response("this form was sent from another site", status=403)
    who = signed_in()
    if who is not None:
        if not hmac.compare_digest(flask.request.form.get("csrf_token", ""), logout_token()):
            return flask.Response("the sign-out form has expired: reload the page", status=400)
        end_session(who.id_hash, who, "signed out")
    response = flask.redirect(root + "/login")
    response.delete_cookie(COOKIE, path=root or "/", secure=app_settings().secure, httponly=True)
    return response


def require_login() -> Response | None:
    path = flask.request.path
    if path.startswith(OPEN_PREFIXES) or signed_in() is not None:
        return None
    if path.startswith("/_dash"):
        return flask.Response("sign in first", status=403)
    root = flask.request.script_root
    return flask.redirect(f"{root}/login?next={flask.request.full_path.rstrip('?')}")


def install(
    server: flask.Flask,
    ws: Workspace,
    *,
    idle_minutes: float | None = None,
    session_hours: float | None = None,
    secure_cookies: bool = False,
) -> None:
    """Add sign-in, sign-out and the session check to ``server``.

    Parameters
    ----------
    server
        The Dash app's Flask server.
    ws
        The workspace: its store holds users, sessions and the audit trail.
    idle_minutes, session_hours
        Session limits; default: the workspace's ``session_idle_minutes`` and
        ``session_hours``.
    secure_cookies
        Mark cookies ``Secure`` (:func:`cookie_is_secure` decides it for a server).
    """
    hours = ws.config.session_hours if session_hours is None else session_hours
    idle = ws.config.session_idle_minutes if idle_minutes is None else idle_minutes
    server.extensions[EXTENSION] = Settings(
        engine=store.connect(ws.database_url),
        secret=secret_key(ws),
        idle=timedelta(minutes=idle),
        lifetime=timedelta(hours=hours),
        secure=secure_cookies,
    )
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    server.before_request(require_login)
    server.after_request(audit_request)
