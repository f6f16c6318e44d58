"""Dashboard users: a name, a role and a salted scrypt hash of the password (never the
password itself). Roles decide what the dashboard's data layer hands out:

| role | sees |
|---|---|
| ``tactical`` | everything, including alert evidence and record references |
| ``analyst`` | hotspots, schools, partner maps and trends (no record references) |
| ``prevention`` | schools and trends |
| ``partner`` | disclosure-controlled partner heat maps and trends only |

Each hash carries its own cost (``scrypt$17$8$1$<base64>`` for N=2**17, r=8, p=1), so the
cost can rise: a hash below today's cost is replaced at the user's next sign-in. Rows
written before the cost was stored hold 128 hex digits and were hashed at N=2**14.

Sign-in is throttled per user name given, whether or not such a user exists (so the
lock says nothing about which names exist): after :data:`MAX_FAILURES` failures within
:data:`FAILURE_WINDOW` the name is refused, right password or not, for :data:`LOCK_TIME`.

Adding a user again (a new role or password), or removing one, ends all their dashboard
sessions at once and is written to the audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo import audit, store
from geo._errors import TensionmapError
from geo.config import Workspace

ROLES = ("tactical", "analyst", "prevention", "partner")
MIN_PASSWORD = 10

#: scrypt cost of new hashes (OWASP: N=2**17, r=8, p=1). The test hook: tests lower it
#: with ``monkeypatch.setitem(geo.users._SCRYPT, "n", 2**10)``; every hash keeps its own
#: cost, so a server at the full cost still checks such hashes and upgrades them.
_SCRYPT = {"n": 2**17, "r": 8, "p": 1}
#: The cost of hashes stored before the cost was (128 hex digits, no ``scrypt$``).
LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
#: Each hash at N=2**17 needs 128 MiB: at most two at once, whatever the server's threads.
_HASHING = threading.BoundedSemaphore(2)

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
#: Serialises the read-count-write of one server's failure counts.
_THROTTLE = threading.Lock()


@dataclass(frozen=True)
class User:
    name: str
    role: str


@dataclass(frozen=True)
class Attempt:
    """The outcome of a sign-in: the user when it succeeded, else why not.

    ``outcome`` is ``"ok"``, ``"wrong"`` (unknown name or wrong password, never said
    which) or ``"locked"``; ``locked_for`` is the time left on the lock, if any.
    """

    outcome: str
    user: User | None = None
    locked_for: timedelta | None = None


def _scrypt(password: str, salt: bytes, cost: dict[str, int]) -> bytes:
    n, r, p = cost["n"], cost["r"], cost["p"]
    # OpenSSL needs 128*r*(N + p + 2) bytes; the MiB on top is headroom
    maxmem = 128 * r * (n + p + 2) + 2**20
    with _HASHING:
        return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=64, maxmem=maxmem)


def _encode(cost: dict[str, int], digest: bytes) -> str:
    text = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return f"scrypt${cost['n'].bit_length() - 1}${cost['r']}${cost['p']}${text}"


def _decode(stored: str) -> tuple[dict[str, int], bytes]:
    """The cost and digest of a stored hash (either format)."""
    if not stored.startswith("scrypt$"):
        return dict(LEGACY_SCRYPT), bytes.fromhex(stored)
    _, log_n, r, p, text = stored.split("$")
    digest = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return {"n": 2 ** int(log_n), "r": int(r), "p": int(p)}, digest


def hash_password(password: str) -> tuple[str, str]:
    """A new salt (hex) and the self-describing hash of ``password`` at today's cost."""
    salt = secrets.token_bytes(16)
    return salt.hex(), _encode(_SCRYPT, _scrypt(password, salt, _SCRYPT))


def _verify(password: str, salt_hex: str, stored: str) -> bool:
    cost, digest = _decode(stored)
    return hmac.compare_digest(_scrypt(password, bytes.fromhex(salt_hex), cost), digest)


def needs_upgrade(stored: str) -> bool:
    """Whether ``stored`` was hashed below today's cost."""
    return _decode(stored)[0] != _SCRYPT


def _actor(actor: dict[str, str] | None) -> dict[str, str]:
    return actor if actor is not None else audit.cli_actor()


def end_sessions(conn: Connection, name: str) -> int:
    """End every dashboard session of user ``name``; returns how many there were."""
    done = conn.execute(store.sessions.delete().where(store.sessions.c.user == name))
    return int(done.rowcount or 0)


def add_user(
    ws: Workspace, name: str, role: str, password: str, *, actor: dict[str, str] | None = None
) -> None:
    """Add a user, or give an existing one a new role and password.

    Either way the user's open dashboard sessions end, and the audit trail records a
    ``user_add`` or ``user_change`` by ``actor`` (default: this OS account, at ``cli``).

    Raises
    ------
    TensionmapError
        For an unknown role, a name with other characters than letters, digits, '.',
        '-' and '_', or a password shorter than :data:`MIN_PASSWORD`.
    """
    if role not in ROLES:
        raise TensionmapError(f"role must be one of {', '.join(ROLES)}; got {role!r}.")
    if (
        not name
        or len(name) > 64
        or not name.replace("-", "").replace("_", "").replace(".", "").isalnum()
    ):
        raise TensionmapError(f"user name {name!r}: use letters, digits, '.', '-' or '_'.")
    if len(password) < MIN_PASSWORD:
        raise TensionmapError(f"the password must have at least {MIN_PASSWORD} characters.")
    salt, hashed = hash_password(password)
    engine = store.connect(ws.database_url)
    try:
        with store.transaction(engine) as conn:
            t = store.users
            before = conn.execute(sa.select(t.c.role).where(t.c.name == name)).scalar()
            conn.execute(t.delete().where(t.c.name == name))
            conn.execute(
                t.insert().values(
                    name=name, role=role, salt=salt, password_hash=hashed, created_at=store.now()
                )
            )
            ended = end_sessions(conn, name)
            detail: dict[str, Any] = {"role": role, "sessions_ended": ended}
            if before is not None:
                detail.update(previous_role=before, password_changed=True)
            action = "user_add" if before is None else "user_change"
            audit.record_in(conn, action, **_actor(actor), object=name, detail=detail)
    finally:
        engine.dispose()


def remove_user(ws: Workspace, name: str, *, actor: dict[str, str] | None = None) -> bool:
    """Remove user ``name`` and end their sessions; ``False`` when there was no such user."""
    engine = store.connect(ws.database_url)
    try:
        with store.transaction(engine) as conn:
            done = conn.execute(store.users.delete().where(store.users.c.name == name))
            if not done.rowcount:
                return False
            ended = end_sessions(conn, name)
            audit.record_in(
                conn,
                "user_remove",
                **_actor(actor),
                object=name,
                detail={"sessions_ended": ended},
            )
            return True
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


def _locked_for(conn: Connection, name: str, at: datetime) -> timedelta | None:
    t = store.login_failures
    until = conn.execute(sa.select(t.c.locked_until).where(t.c.name == name)).scalar()
    if until and datetime.fromisoformat(until) > at:
        return datetime.fromisoformat(until) - at
    return None


def _forget_stale(conn: Connection, at: datetime) -> None:
    """Drop the counts of names with no failure in the window and no lock: a name typed
    by mistake (a password in the name field, even) is kept no longer than needed."""
    t = store.login_failures
    for row in conn.execute(sa.select(t)).all():  # a handful of rows
        recent = [datetime.fromisoformat(s) for s in json.loads(row.recent)]
        locked = row.locked_until and datetime.fromisoformat(row.locked_until) > at
        if not locked and all(when <= at - FAILURE_WINDOW for when in recent):
            conn.execute(t.delete().where(t.c.name == row.name))


def _note_failure(conn: Connection, name: str, at: datetime) -> timedelta | None:
    """Count a failure for ``name``; returns the lock's length when this one locks it."""
    t = store.login_failures
    row = conn.execute(sa.select(t.c.recent).where(t.c.name == name)).first()
    if row is None:
        conn.execute(t.insert().values(name=name, recent="[]"))
    earlier = json.loads(row.recent) if row is not None else []
    recent = [s for s in earlier if datetime.fromisoformat(s) > at - FAILURE_WINDOW]
    recent.append(at.isoformat())
    values: dict[str, Any] = {"recent": json.dumps(recent), "locked_until": None}
    if len(recent) >= MAX_FAILURES:  # locked; the count starts again when the lock ends
        values = {"recent": "[]", "locked_until": (at + LOCK_TIME).isoformat()}
    conn.execute(t.update().where(t.c.name == name).values(**values))
    return LOCK_TIME if values["locked_until"] else None


def authenticate(engine: Engine, name: str, password: str) -> Attempt:
    """Check a sign-in, counting failures per name and upgrading a hash below today's cost.

    Unknown names cost the same hashing as known ones and are counted and locked alike.

    Parameters
    ----------
    engine
        The workspace's store.
    name, password
        As typed into the sign-in form.

    Returns
    -------
    Attempt
        ``ok`` with the user, ``wrong``, or ``locked`` with the time left on the lock.
    """
    name = name[:64]
    t = store.users
    with engine.connect() as conn:
        locked = _locked_for(conn, name, datetime.now(UTC))
        row = conn.execute(sa.select(t).where(t.c.name == name)).first()
    if locked is not None:  # refused before any hashing: the lock also stops the guessing
        return Attempt("locked", locked_for=locked)
    if row is None:
        _scrypt(password, b"\0" * 16, _SCRYPT)  # the same work as for a known name
        right = False
    else:
        right = _verify(password, row.salt, row.password_hash)
    with _THROTTLE, store.transaction(engine) as conn:
        at = datetime.now(UTC)
        locked = _locked_for(conn, name, at)  # another thread's failures may have locked it
        if locked is not None:
            return Attempt("locked", locked_for=locked)
        if not right:
            _forget_stale(conn, at)
            locked = _note_failure(conn, name, at)
            return Attempt("wrong" if locked is None else "locked", locked_for=locked)
        conn.execute(store.login_failures.delete().where(store.login_failures.c.name == name))
    assert row is not None  # right is only True for a stored user
    if needs_upgrade(row.password_hash):
        salt, hashed = hash_password(password)
        with store.transaction(engine) as conn:  # unless the password changed meanwhile
            conn.execute(
                t.update()
                .where(t.c.name == name, t.c.password_hash == row.password_hash)
                .values(salt=salt, password_hash=hashed)
            )
    return Attempt("ok", user=User(row.name, row.role))


def check_password(ws: Workspace, name: str, password: str) -> User | None:
    """The user if the password is right (and the name not locked), else ``None``."""
    engine = store.connect(ws.database_url)
    try:
        return authenticate(engine, name, password).user
    finally:
        engine.dispose()
