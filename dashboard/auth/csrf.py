"""Forms safe from cross-site requests: tokens bound to a cookie (sign-in) or the session
(sign-out), the ``Origin``/``Referer`` check, and redirects that stay on this site."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

import flask

from dashboard.auth.sessions import app_settings, signed_in

#: Binds the login form's token to the browser that fetched the form.
LOGIN_COOKIE = "tensionmap_login"


def mac(purpose: str, binding: str) -> str:
    message = f"{purpose}:{binding}".encode()
    return hmac.new(app_settings().secret, message, hashlib.sha256).hexdigest()


def logout_token() -> str:
    """The token the sign-out form must send back (bound to the current session)."""
    who = signed_in()
    return mac("logout", who.id_hash) if who and who.id_hash else ""


def safe_next(target: str) -> str:
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in target:
        return "/"
    return target


def same_origin() -> bool:
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
