"""Dashboard users: a name, a role and a salted scrypt hash of the password (never the
password itself). Roles decide what the dashboard's data layer hands out:

| role | sees |
|---|---|
| ``tactical`` | everything, including alert evidence and record references |
| ``analyst`` | hotspots, schools, partner maps and trends (no record references) |
| ``prevention`` | schools and trends |
| ``partner`` | disclosure-controlled partner heat maps and trends only |
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from geo import store
from geo._errors import TensionmapError
from geo.config import Workspace

ROLES = ("tactical", "analyst", "prevention", "partner")
MIN_PASSWORD = 10
# scrypt cost (OWASP: N=2**17, r=8, p=1); tests may lower it
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class User:
    name: str
    role: str


def _hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(
        password.encode(), salt=salt, dklen=64, maxmem=64 * 2**20, **_SCRYPT
    ).hex()


def add_user(ws: Workspace, name: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise TensionmapError(f"role must be one of {', '.join(ROLES)}; got {role!r}.")
    if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise TensionmapError(f"user name {name!r}: use letters, digits, '.', '-' or '_'.")
    if len(password) < MIN_PASSWORD:
        raise TensionmapError(f"the password must have at least {MIN_PASSWORD} characters.")
    salt = secrets.token_bytes(16)
    engine = store.connect(ws.database_url)
    try:
        with store.transaction(engine) as conn:
            t = store.users
            conn.execute(t.delete().where(t.c.name == name))
            conn.execute(
                t.insert().values(
                    name=name,
                    role=role,
                    salt=salt.hex(),
                    password_hash=_hash(password, salt),
                    created_at=store.now(),
                )
            )
    finally:
        engine.dispose()


def remove_user(ws: Workspace, name: str) -> bool:
    engine = store.connect(ws.database_url)
    try:
        with store.transaction(engine) as conn:
            done = conn.execute(store.users.delete().where(store.users.c.name == name))
            return bool(done.rowcount)
    finally:
        engine.dispose()


def list_users(ws: Workspace) -> list[User]:
    engine = store.connect(ws.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(store.users.c.name, store.users.c.role).order_by(store.users.c.name)
            ).all()
    finally:
        engine.dispose()
    return [User(r.name, r.role) for r in rows]


def check_password(ws: Workspace, name: str, password: str) -> User | None:
    """The user if the password is right, else ``None`` (same work either way)."""
    engine = store.connect(ws.database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(store.users).where(store.users.c.name == name)).first()
    finally:
        engine.dispose()
    salt = bytes.fromhex(row.salt) if row else b"\0" * 16
    given = _hash(password, salt)
    if row is None or not hmac.compare_digest(given, row.password_hash):
        return None
    return User(row.name, row.role)
