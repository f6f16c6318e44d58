"""User accounts: adding, changing and removing dashboard users, and ending their sessions.

Adding a user again (a new role or password), or removing one, ends all their dashboard
sessions at once and is written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import audit, store
from geo._errors import TensionmapError
from geo.config import Workspace
from geo.users.passwords import hash_password

ROLES = ("tactical", "analyst", "prevention", "partner")
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    """A dashboard user.

    Parameters
    ----------
    name : str
        The name they sign in with.
    role : str
        One of :data:`ROLES`.

    Examples
    --------
    >>> User("ana", "analyst")
    User(name='ana', role='analyst')
    """

    name: str
    role: str


def _actor(actor: dict[str, str] | None) -> dict[str, str]:
    return actor if actor is not None else audit.cli_actor()


def end_sessions(conn: Connection, name: str) -> int:
    """End every dashboard session of user ``name``.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction.
    name : str
        The user.

    Returns
    -------
    int
        How many sessions there were.

    Examples
    --------
    >>> engine = store.connect("sqlite://")  # a store in memory
    >>> signed_in = [{"id_hash": h, "user": "ana", "created_at": "", "last_seen": ""}
    ...              for h in ("a", "b")]
    >>> with store.transaction(engine) as conn:
    ...     _ = conn.execute(store.sessions.insert(), signed_in)
    ...     end_sessions(conn, "ana")
    2
    >>> engine.dispose()
    """
    done = conn.execute(store.sessions.delete().where(store.sessions.c.user == name))
    return int(done.rowcount or 0)


def add_user(
    ws: Workspace, name: str, role: str, password: str, *, actor: dict[str, str] | None = None
) -> None:
    """Add a user, or give an existing one a new role and password.

    Either way the user's open dashboard sessions end, and the audit trail records a
    ``user_add`` or ``user_change`` by ``actor`` (default: this OS account, at ``cli``).

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace whose dashboard the user signs in to.
    name : str
        Letters, digits, '.', '-' and '_', at most 64 characters.
    role : str
        One of :data:`ROLES`.
    password : str
        At least :data:`MIN_PASSWORD` characters; only its hash is stored.
    actor : dict of str to str, optional
        ``user`` and ``address`` of who adds the user, for the audit trail.

    Raises
    ------
    TensionmapError
        For an unknown role, a name with other characters than letters, digits, '.',
        '-' and '_', or a password shorter than :data:`MIN_PASSWORD`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(folder)
    ...     add_user(ws, "ana", "analyst", "a-long-password")
    ...     print(list_users(ws))
    [User(name='ana', role='analyst')]
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
    """Remove user ``name`` and end their sessions.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.
    name : str
        The user to remove.
    actor : dict of str to str, optional
        ``user`` and ``address`` of who removes the user, for the audit trail (default:
        this OS account, at ``cli``).

    Returns
    -------
    bool
        ``False`` when there was no such user.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     remove_user(Workspace.open(folder), "nobody")
    False
    """
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
    """The workspace's dashboard users, by name.

    Parameters
    ----------
    ws : geo.config.Workspace
        The workspace.

    Returns
    -------
    list of User
        Name and role of each user (never a hash).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     list_users(Workspace.open(folder))
    []
    """
    engine = store.connect(ws.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(store.users.c.name, store.users.c.role).order_by(store.users.c.name)
            ).all()
    finally:
        engine.dispose()
    return [User(r.name, r.role) for r in rows]
