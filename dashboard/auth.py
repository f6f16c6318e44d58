"""Sign-in for the dashboard: server-side sessions, a login form safe from cross-site
requests, and the audit of who signed in and what they asked for.

A session is a random id in an HttpOnly, SameSite=Lax cookie (``Secure`` unless the
server listens on loopback only, see :func:`cookie_is_secure`); the store keeps only its
sha256 with the user's name, so a copy of the store signs no one in. Every request reads
the session and the user's role from the store: signing out, removing a user or changing
their role or password (``tensionmap users``) ends their sessions at once. A session ends
after the workspace's ``session_idle_minutes`` without a request and ``session_hours``
after sign-in; its last request time is written at most once a minute.

The login and logout forms carry a token bound to a cookie (login) or the session
(logout), and a POST whose ``Origin`` or ``Referer`` names another site is refused.
A callback request without a session gets 403, never data.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import flask
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from werkzeug.wrappers import Response

from geo import audit, store
from geo._errors import TensionmapError
from geo.config import Workspace
from geo.users import ROLES, authenticate

log = logging.getLogger(__name__)

#: Paths served without a session (the login form, logout, and Dash's static bundles).
OPEN_PREFIXES = ("/login", "/logout", "/_dash-component-suites/", "/assets/", "/_favicon.ico")
COOKIE = "tensionmap_session"
#: Binds the login form's token to the browser that fetched the form.
LOGIN_COOKIE = "tensionmap_login"
#: How stale a session's stored last request time may get (one write a minute at most).
TOUCH_EVERY = timedelta(minutes=1)
_EXTENSION = "tensionmap.auth"

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


@dataclass(frozen=True)
class SignedIn:
    """Who made the current request: from their session (``id_hash``) or :func:`act_as`."""

    user: str
    role: str
    id_hash: str = ""


@dataclass(frozen=True)
class _Settings:
    engine: Engine
    secret: bytes
    idle: timedelta
    lifetime: timedelta
    secure: bool


def cookie_is_secure(
    host: str, *, secure_cookies: bool = False, insecure_cookies: bool = False
) -> bool:
    """Whether the session cookie gets the ``Secure`` flag (sent over HTTPS only).

    It does unless the server listens on a loopback address only (where a browser on the
    same machine talks plain HTTP) or ``insecure_cookies`` says otherwise; a server on
    loopback behind an HTTPS reverse proxy asks for it with ``secure_cookies``.

    Raises
    ------
    TensionmapError
        When both flags are given.

    Examples
    --------
    >>> cookie_is_secure("127.0.0.1"), cookie_is_secure("0.0.0.0")
    (False, True)
    """
    if secure_cookies and insecure_cookies:
        raise TensionmapError("give --secure-cookies or --insecure-cookies, not both.")
    if secure_cookies or insecure_cookies:
        return secure_cookies
    return not _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def _secret_key(ws: Workspace) -> bytes:
    """The workspace's key for form tokens, made once (readable by its owner only)."""
    path = Path(ws.root) / ".session_key"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def _settings() -> _Settings:
    found: _Settings = flask.current_app.extensions[_EXTENSION]
    return found


def _now() -> datetime:
    return datetime.now(UTC)


def _id_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _mac(purpose: str, binding: str) -> str:
    message = f"{purpose}:{binding}".encode()
    return hmac.new(_settings().secret, message, hashlib.sha256).hexdigest()


def address() -> str:
    """The request's source address (the reverse proxy's, behind one)."""
    return flask.request.remote_addr or ""


def _end(id_hash: str, who: SignedIn | None, reason: str) -> None:
    with store.transaction(_settings().engine) as conn:
        conn.execute(store.sessions.delete().where(store.sessions.c.id_hash == id_hash))
        if who is not None:
            audit.record_in(
                conn,
                "sign_out",
                user=who.user,
                role=who.role,
                address=address(),
                detail={"reason": reason},
            )


def _load() -> SignedIn | None:
    raw = flask.request.cookies.get(COOKIE, "")
    if not raw or len(raw) > 128:
        return None
    settings, id_hash = _settings(), _id_hash(raw)
    s, u = store.sessions, store.users
    query = (
        sa.select(s.c.user, s.c.created_at, s.c.last_seen, u.c.role)
        .select_from(s.join(u, u.c.name == s.c.user))
        .where(s.c.id_hash == id_hash)
    )
    with settings.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.role not in ROLES:  # ended, or the user was removed
        return None
    who = SignedIn(row.user, row.role, id_hash)
    now = _now()
    last = datetime.fromisoformat(row.last_seen)
    if now - datetime.fromisoformat(row.created_at) > settings.lifetime:
        _end(id_hash, who, "session_hours reached")
        return None
    if now - last > settings.idle:
        _end(id_hash, who, "idle for session_idle_minutes")
        return None
    if now - last >= TOUCH_EVERY:
        with store.transaction(settings.engine) as conn:
            conn.execute(s.update().where(s.c.id_hash == id_hash).values(last_seen=now.isoformat()))
    return who


def signed_in() -> SignedIn | None:
    """The current request's user and role (read once per request), or ``None``."""
    if not flask.has_request_context():
        return None
    if "tensionmap_who" not in flask.g:
        flask.g.tensionmap_who = _load() if _EXTENSION in flask.current_app.extensions else None
    who: SignedIn | None = flask.g.tensionmap_who
    return who


def act_as(user: str, role: str) -> None:
    """Act as ``user`` with ``role`` for the rest of this request context, without a
    session: for tests and in-process tools (no HTTP request can reach it)."""
    flask.g.tensionmap_who = SignedIn(user, role)


def current_role() -> str | None:
    """The signed-in user's role, or ``None`` (no session, or it has ended)."""
    who = signed_in()
    return who.role if who else None


def current_user() -> str | None:
    who = signed_in()
    return who.user if who else None


def logout_token() -> str:
    """The token the sign-out form must send back (bound to the current session)."""
    who = signed_in()
    return _mac("logout", who.id_hash) if who and who.id_hash else ""


def _safe_next(target: str) -> str:
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in target:
        return "/"
    return target


def _same_origin() -> bool:
    """False when the browser says the form came from another site (``Origin``, else
    ``Referer``); requests that send neither header (not browsers) pass."""
    request = flask.request
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    ours = {request.host.lower()}
    if request.headers.get("X-Forwarded-Host"):  # behind a proxy that rewrites Host
        ours.add(request.headers["X-Forwarded-Host"].split(",")[0].strip().lower())
    return urlsplit(source).netloc.lower() in ours  # "null" has no netloc: refused


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
    response.set_cookie(name, value, httponly=True, secure=_settings().secure, path=path, **extra)
    return response


def _login() -> Response:
    request = flask.request
    root = request.script_root
    target = _safe_next(request.values.get("next", "/"))
    binding = request.cookies.get(LOGIN_COOKIE, "")
    if request.method == "GET":
        fresh = not re.fullmatch(r"[\w-]{43}", binding)
        binding = secrets.token_urlsafe(32) if fresh else binding
        page = _form(target, _mac("login", binding))
        if fresh:
            _set_cookie(page, LOGIN_COOKIE, binding, path=f"{root}/login", samesite="Strict")
        return page
    token = request.form.get("csrf_token", "")
    if not _same_origin():
        return flask.Response("this form was sent from another site", status=403)
    if not binding or not hmac.compare_digest(token, _mac("login", binding)):
        return flask.Response("the sign-in form has expired: reload the page", status=400)
    name = request.form.get("name", "")[:64]
    attempt = authenticate(_settings().engine, name, request.form.get("password", ""))
    token = _mac("login", binding)
    if attempt.user is None:
        detail: dict[str, Any] = {"reason": attempt.outcome}
        if attempt.locked_for is not None:
            minutes = max(1, round(attempt.locked_for.total_seconds() / 60))
            detail["locked_minutes"] = minutes
        audit.record(
            _settings().engine, "sign_in_failure", user=name, address=address(), detail=detail
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
    settings, now = _settings(), _now()
    raw = secrets.token_urlsafe(32)
    old = flask.request.cookies.get(COOKIE, "")
    s = store.sessions
    with store.transaction(settings.engine) as conn:
        if old:  # rotation: the id a browser had before signing in is never signed in
            conn.execute(s.delete().where(s.c.id_hash == _id_hash(old)))
        # sessions whose cookie never came back after they ended (ISO times sort as times)
        conn.execute(
            s.delete().where(
                (s.c.created_at < (now - settings.lifetime).isoformat())
                | (s.c.last_seen < (now - settings.idle).isoformat())
            )
        )
        conn.execute(
            s.insert().values(
                id_hash=_id_hash(raw),
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
    if not _same_origin():
        return flask.Response("this form was sent from another site", status=403)
    who = signed_in()
    if who is not None:
        if not hmac.compare_digest(flask.request.form.get("csrf_token", ""), logout_token()):
            return flask.Response("the sign-out form has expired: reload the page", status=400)
        _end(who.id_hash, who, "signed out")
    response = flask.redirect(root + "/login")
    response.delete_cookie(COOKIE, path=root or "/", secure=_settings().secure, httponly=True)
    return response


def _require_login() -> Response | None:
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
    server.extensions[_EXTENSION] = _Settings(
        engine=store.connect(ws.database_url),
        secret=_secret_key(ws),
        idle=timedelta(minutes=idle),
        lifetime=timedelta(hours=hours),
        secure=secure_cookies,
    )
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    server.before_request(_require_login)
    server.after_request(_audit_request)


# --- the audit of what signed-in users asked for -----------------------------------------

#: Fields of table rows and click data that say which alert or area was looked at.
ROW_FIELDS = ("alert_id", "level", "strand", "csp", "district", "area_code", "area_name")
#: Callback properties never audited: table contents, figures, layouts, map clicks.
_SKIPPED_PROPS = frozenset({"data", "children", "figure", "clickData", "hoverData"})
_MAX_VALUE = 100


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _short(value: Any) -> Any:
    return value[:_MAX_VALUE] if isinstance(value, str) else value


def _picked(value: Any, depth: int = 0) -> dict[str, Any]:
    """The :data:`ROW_FIELDS` found in a dict (e.g. a map click's feature properties)."""
    found: dict[str, Any] = {}
    if isinstance(value, dict) and depth < 4:
        for k, v in value.items():
            if k in ROW_FIELDS and _scalar(v):
                found[k] = _short(v)
            elif isinstance(v, dict | list):
                found.update(_picked(v, depth + 1))
    elif isinstance(value, list) and depth < 4:
        for v in value[:5]:
            found.update(_picked(v, depth + 1))
    return found


def callback_filters(body: dict[str, Any]) -> dict[str, Any]:
    """What a callback request asked for: its scalar input and state values (and short
    lists of them), and the identifying fields of clicked map features; never table data,
    figures or coordinates.
    """
    items: list[dict[str, Any]] = []
    given = [body.get(key) for key in ("inputs", "state")]
    for item in [i for part in given if isinstance(part, list) for i in part]:
        items += item if isinstance(item, list) else [item]
    values: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        ident = item.get("id")
        ident = ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True)
        prop, value = str(item.get("property")), item.get("value")
        if prop in ("clickData", "selectedData"):
            picked = _picked(value)
            if picked:
                values[f"{ident}.{prop}"] = picked
        if prop in _SKIPPED_PROPS:
            continue
        if _scalar(value):
            values[f"{ident}.{prop}"] = _short(value)
        elif isinstance(value, list) and len(value) <= 20 and all(map(_scalar, value)):
            values[f"{ident}.{prop}"] = [_short(v) for v in value]
    return values


#: Tables whose selected rows the audit names: table id -> the table's rows as the server
#: holds them, from the request's filters (see :func:`audit_selected_rows`).
_TABLES: dict[str, Callable[[dict[str, Any]], pd.DataFrame]] = {}


def audit_selected_rows(table: str, rows: Callable[[dict[str, Any]], pd.DataFrame]) -> None:
    """Name the rows a user selects in ``table`` in the audit trail, by their
    :data:`ROW_FIELDS` (an alert's id and district, say).

    Parameters
    ----------
    table
        The DataTable's id; its ``selected_rows`` are indexes into ``rows(filters)``.
    rows
        The table's rows as the server built them for the request's filters (the values
        :func:`callback_filters` found): the browser's copy is never read back.
    """
    _TABLES[table] = rows


def _selected(filters: dict[str, Any]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for table, rows in _TABLES.items():
        chosen = filters.get(f"{table}.selected_rows")
        if not chosen or not isinstance(chosen, list):
            continue
        frame = rows(filters)
        fields = [f for f in ROW_FIELDS if f in frame.columns]
        named[f"{table}.selected"] = [
            {f: _short(frame[f].iloc[i]) for f in fields}
            for i in chosen[:5]
            if isinstance(i, int) and 0 <= i < len(frame)
        ]
    return named


def _callback_record(response: Response) -> tuple[str, str, dict[str, Any]]:
    """The action, object and detail of a callback request."""
    body = flask.request.get_json(silent=True, cache=True) or {}
    output = str(body.get("output", ""))[:200] if isinstance(body, dict) else ""
    if response.status_code >= 400:  # refused: its values were not of the page's own
        return "data_request", output, {"status": response.status_code}
    filters = callback_filters(body) if isinstance(body, dict) else {}
    detail: dict[str, Any] = {"status": response.status_code, "filters": filters}
    if "_pages_content" in output:
        path = filters.get("_pages_location.pathname") or "/"
        query = filters.get("_pages_location.search") or ""
        return "page_view", str(path), {"status": response.status_code, "query": query}
    if response.status_code == 200 and _TABLES:  # the alert (row) the user looked at
        try:
            filters.update(_selected(filters))
        except (LookupError, ValueError, TypeError, PermissionError):
            log.exception("the audit could not name the selected rows")
            filters["selected"] = "not resolved"
    # a dcc.Download's `data` is a dict with a file name; a table's `data` is a list
    if ".data" in output and response.status_code == 200:
        found = re.search(rb'"filename":\s*"([^"\\]{1,200})"', response.get_data())
        if found:
            detail["filename"] = found.group(1).decode(errors="replace")
            return "download", output, detail
    return "data_request", output, detail


def _audit_request(response: Response) -> Response:
    """Write what a signed-in user asked for; no data leaves without its audit row."""
    who = flask.g.get("tensionmap_who")
    path = flask.request.path
    if who is None or not who.id_hash:
        return response
    if path == "/_dash-update-component":
        action, thing, detail = _callback_record(response)
    elif path.startswith("/partner-map/"):
        action, thing, detail = "download", path, {"status": response.status_code}
    else:
        return response
    try:
        audit.record(
            _settings().engine,
            action,
            user=who.user,
            role=who.role,
            address=address(),
            object=thing,
            detail=detail,
        )
    except sa.exc.SQLAlchemyError:
        log.exception("the audit trail could not be written; the response is withheld")
        return flask.Response("the audit trail is unavailable; try again", status=503)
    return response
