"""Signing in to the dashboard, throttled per user name.

Sign-in is throttled per user name given, whether or not such a user exists (so the
lock says nothing about which names exist): after :data:`MAX_FAILURES` failures within
:data:`FAILURE_WINDOW` the name is refused, right password or not, for :data:`LOCK_TIME`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo import store
from geo.config import Workspace
from geo.users.accounts import User
from geo.users.passwords import _SCRYPT, _scrypt, _verify, hash_password, needs_upgrade

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
#: Serialises the read-count-write of one server's failure counts.
_THROTTLE = threading.Lock()


@dataclass(frozen=True)
class Attempt:
    """The outcome of a sign-in: the user when it succeeded, else why not.

    Parameters
    ----------
    outcome : str
        ``"ok"``, ``"wrong"`` (unknown name or wrong password, never said which) or
        ``"locked"``.
    user : User, optional
        The user signed in, when ``outcome`` is ``"ok"``.
    locked_for : datetime.timedelta, optional
        The time left on the lock, if any.

    Examples
    --------
    >>> Attempt("locked", locked_for=timedelta(minutes=9)).user is None
    True
    """

    outcome: str
    user: User | None = None
    locked_for: timedelta | None = None


def _locked_for(conn: Connection, name: str, at: datetime) -> timedelta | None:
    t = store.login_failures
    until = conn.execute(sa.select(t.c.locked_until).where(t.c.name == name)).scalar()
    if until and datetime.fromisoformat(until) > at:
        return datetime.fromisoformat(until) - at
    return None


def _forget_stale(conn: Connection, at: datetime) -> None:
    """Drop the counts of names with no failure in the window and no lock.

    A name typed by mistake (a password in the name field, even) is kept no longer than
    needed.
    """
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
    engine : sqlalchemy.engine.Engine
        The workspace's store.
    name, password : str
        As typed into the sign-in form.

    Returns
    -------
    Attempt
        ``ok`` with the user, ``wrong``, or ``locked`` with the time left on the lock.

    Examples
    --------
    >>> engine = store.connect("sqlite://")  # a store in memory, with no users
    >>> authenticate(engine, "nobody", "a-long-password")
    Attempt(outcome='wrong', user=None, locked_for=None)
    >>> engine.dispose()
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
    """The user if the password is right (and the name not locked), else ``None``.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.
    name, password : str
        As typed.

    Returns
    -------
    User or None
        The user signed in, or ``None`` (wrong name or password, or locked).

    Examples
    --------
    >>> ws = Workspace.open("tensionmap-demo", create=False)  # doctest: +SKIP
    >>> check_password(ws, "ana", "a-long-password")  # doctest: +SKIP
    User(name='ana', role='analyst')
    """
    engine = store.connect(ws.database_url)
    try:
        return authenticate(engine, name, password).user
    finally:
        engine.dispose()
