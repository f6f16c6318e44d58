"""Sign-in for the dashboard: server-side sessions, a login form safe from cross-site
requests, and the audit of who signed in and what they asked for.

:mod:`~dashboard.auth.sessions` (who made a request, from a session the store keeps),
:mod:`~dashboard.auth.csrf` (form tokens, the same-origin check, safe redirects),
:mod:`~dashboard.auth.sign_in` (the forms, the session check and :func:`install`) and
:mod:`~dashboard.auth.audit_trail` (what signed-in users asked for).
"""

from dashboard.auth.audit_trail import ROW_FIELDS, audit_selected_rows, callback_filters
from dashboard.auth.csrf import LOGIN_COOKIE, logout_token
from dashboard.auth.sessions import (
    COOKIE,
    TOUCH_EVERY,
    SignedIn,
    act_as,
    address,
    cookie_is_secure,
    current_role,
    current_user,
    signed_in,
)
from dashboard.auth.sign_in import OPEN_PREFIXES, install

__all__ = [
    "COOKIE", "LOGIN_COOKIE", "OPEN_PREFIXES", "ROW_FIELDS", "TOUCH_EVERY", "SignedIn",
    "act_as", "address", "audit_selected_rows", "callback_filters", "cookie_is_secure",
    "current_role", "current_user", "install", "logout_token", "signed_in",
]  # fmt: skip
