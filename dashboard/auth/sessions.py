"""Sessions: who made a request, from a server-side session the store keeps.

A session is a random id in an HttpOnly, SameSite=Lax cookie (``Secure`` unless the
server listens on loopback only, see :func:`cookie_is_secure`); the store keeps only its
sha256 with the user's name, so a copy of the store signs no one in. Every request reads
the session and the user's role from the store: signing out, removing a user or changing
their role or password (``tensionmap users``) ends their sessions at once. A session ends
after the workspace's ``session_idle_minutes`` without a request and ``session_hours``
after sign-in; its last request time is written at most once a minute.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo import audit, store
from geo._errors import TensionmapError
from geo.config import Workspace
from geo.users import ROLES

COOKIE = "tensionmap_session"
#: How stale a session's stored last request time may get (one write a minute at most).
TOUCH_EVERY = timedelta(minutes=1)
#: Where the Flask app keeps the sign-in settings (:class:`Settings`).
EXTENSION = "tensionmap.auth"


@dataclass(frozen=True)
class SignedIn:
    """Who made the current request: from their session (``id_hash``) or :func:`act_as`."""

    user: str
    role: str
    id_hash: str = ""


@dataclass(frozen=True)
class Settings:
    """The engine, form key, session limits and cookie flag of one app."""

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


def secret_key(ws: Workspace) -> bytes:
    """The workspace's key for form tokens, made once (readable by its owner only)."""
    path = Path(ws.root) / ".session_key"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def app_settings() -> Settings:
    """The current app's sign-in settings (set by :func:`dashboard.auth.install`)."""
    found: Settings = flask.current_app.extensions[EXTENSION]
    return found


def utc_now() -> datetime:
    """Now, in UTC (the times sessions store)."""
    return datetime.now(UTC)


def hash_of(raw: str) -> str:
    """The sha256 a session id is stored as."""
    return hashlib.sha256(raw.encode()).hexdigest()


def address() -> str:
    """The request's source address (the reverse proxy's, behind one)."""
    return flask.request.remote_addr or ""


def end_session(id_hash: str, who: SignedIn | None, reason: str) -> None:
    """Delete the session ``id_hash`` and audit the sign-out of ``who`` with ``reason``."""
    with store.transaction(app_settings().engine) as conn:
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
    settings, id_hash = app_settings(), hash_of(raw)
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
    now = utc_now()
    last = datetime.fromisoformat(row.last_seen)
    if now - datetime.fromisoformat(row.created_at) > settings.lifetime:
        end_session(id_hash, who, "session_hours reached")
        return None
    if now - last > settings.idle:
        end_session(id_hash, who, "idle for session_idle_minutes")
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
        flask.g.tensionmap_who = _load() if EXTENSION in flask.current_app.extensions else None
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
