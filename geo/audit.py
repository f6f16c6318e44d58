"""The audit trail: who signed in, looked at, exported or changed what.

Who signed in, who looked at or exported what, and who changed users, data or settings,
as append-only rows of the store's ``audit`` table.

Each row holds the time (UTC, ISO 8601), the user and their role, the source address
(``cli`` for the command line, where the user is the operating-system account), the
action (one of :data:`ACTIONS`), the object acted on (a page path, a callback output, a
user name, a file) and a JSON detail. The trail never holds record descriptions, victim
identifiers or coordinates: :func:`record` drops detail keys that could carry them.
:func:`record` writes a row, :func:`read` and :func:`export_csv` give the trail back.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo import store
from geo._errors import TensionmapError, one_of
from geo.config import CONFIG_NAME, Workspace

#: The actions the trail records.
ACTIONS = (
    "sign_in", "sign_in_failure", "sign_out", "page_view", "data_request", "download",
    "user_add", "user_change", "user_remove", "ingest", "purge", "settings_change",
    "reassign", "setting_correction",
)  # fmt: skip

#: The source address recorded for command-line actions.
CLI_ADDRESS = "cli"

#: Detail keys never written, at any depth: record content, people and places.
FORBIDDEN_KEYS = frozenset({
    "description", "descriptions", "victim_id", "victim_key", "victim", "reference",
    "postcode", "latitude", "longitude", "easting", "northing", "lat", "lon", "lng",
    "password", "password_hash",
})  # fmt: skip

#: Longest text kept in a field; the detail as a whole is cut at ``MAX_DETAIL``.
MAX_TEXT = 200
MAX_DETAIL = 2000

#: Columns of :func:`read` and of the CSV export, in this order.
COLUMNS = ["at", "user", "role", "address", "action", "object", "detail"]


def now() -> str:
    """The current time as the trail writes it.

    Returns
    -------
    str
        UTC, ISO 8601, to the millisecond (``2025-03-01T09:30:00.123+00:00``).

    Examples
    --------
    >>> len(now()), now().endswith("+00:00")
    (29, True)
    """
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def cli_actor() -> dict[str, str]:
    """``user`` and ``address`` for an action taken at the command line.

    Returns
    -------
    dict
        ``{"user": <operating-system account>, "address": "cli"}``, to pass on to
        :func:`record` as keyword arguments.

    Examples
    --------
    >>> cli_actor()["address"]
    'cli'
    """
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in a container without a passwd entry
        user = "unknown"
    return {"user": user, "address": CLI_ADDRESS}


def _clean(value: Any, depth: int = 0) -> Any:
    """``value`` with forbidden keys dropped and long text and lists cut short."""
    if isinstance(value, dict):
        return {
            str(k)[:MAX_TEXT]: _clean(v, depth + 1)
            for k, v in value.items()
            if str(k).lower() not in FORBIDDEN_KEYS and depth < 4
        }
    if isinstance(value, list | tuple | set):
        items = list(value)
        kept = [_clean(v, depth + 1) for v in items[:20]]
        return kept + ([f"… {len(items) - 20} more"] if len(items) > 20 else [])
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_TEXT]


def _detail_text(detail: Any) -> str | None:
    if detail is None:
        return None
    text = json.dumps(_clean(detail), ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _row(
    action: str, *, user: str, role: str, address: str, object: str, detail: Any
) -> dict[str, Any]:
    if action not in ACTIONS:
        raise one_of("audit action", ACTIONS, action)
    return {
        "at": now(),
        "user": (user or "")[:64],
        "role": (role or "")[:16],
        "address": (address or "")[:64],
        "action": action,
        "object": (object or "")[:MAX_TEXT],
        "detail": _detail_text(detail),
    }


def record(
    engine: Engine,
    action: str,
    *,
    user: str = "",
    role: str = "",
    address: str = "",
    object: str = "",  # the trail's word for what was acted on (shadows a builtin)
    detail: Any = None,
) -> None:
    """Append one row to the audit trail (in its own transaction).

    Parameters
    ----------
    engine
        The store (``geo.store.connect(ws.database_url)``).
    action
        One of :data:`ACTIONS`.
    user, role, address
        Who acted and from where; for the command line use :func:`cli_actor`.
    object
        What was acted on: a page path, a callback output id, a user name, a file name.
    detail
        JSON-able context (filter values, counts, changed setting names). Keys in
        :data:`FORBIDDEN_KEYS` are dropped and long values cut short.

    Raises
    ------
    TensionmapError
        When ``action`` is not one of :data:`ACTIONS`.

    Examples
    --------
    >>> engine = store.connect("sqlite://")  # a store in memory
    >>> record(engine, "download", user="ana", role="analyst", address="10.0.0.7",
    ...        object="/hotspots", detail={"rows": 12, "postcode": "CB1 1AA"})
    >>> read(engine)["detail"].tolist()  # the postcode is never written
    ['{"rows": 12}']
    >>> engine.dispose()
    """
    with store.transaction(engine) as conn:
        record_in(conn, action, user=user, role=role, address=address, object=object, detail=detail)


def record_in(
    conn: Connection,
    action: str,
    *,
    user: str = "",
    role: str = "",
    address: str = "",
    object: str = "",
    detail: Any = None,
) -> None:
    """:func:`record` inside the caller's transaction.

    The row is written if, and only if, the change it describes is.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The caller's transaction (:func:`geo.store.transaction`).
    action : str
        One of :data:`ACTIONS`.
    user, role, address, object : str
        Who acted, from where, and on what (as for :func:`record`).
    detail : object, optional
        JSON-able context; forbidden keys are dropped and long values cut short.

    Examples
    --------
    >>> engine = store.connect("sqlite://")
    >>> with store.transaction(engine) as conn:
    ...     record_in(conn, "user_remove", **cli_actor(), object="ana")
    >>> read(engine)["action"].tolist()
    ['user_remove']
    >>> engine.dispose()
    """
    row = _row(action, user=user, role=role, address=address, object=object, detail=detail)
    conn.execute(store.audit.insert().values(**row))


def _day(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise TensionmapError(
            f"{name} must be a date like 2025-03-01; {value!r} was given."
        ) from None


def read(
    engine: Engine,
    *,
    start: str | date | None = None,
    end: str | date | None = None,
    user: str | None = None,
) -> pd.DataFrame:
    """The trail's rows, oldest first, optionally for some days and one user.

    Parameters
    ----------
    engine
        The store.
    start, end
        First and last day (UTC, both included).
    user
        Only this user's rows.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``detail`` is the JSON text as stored.

    Raises
    ------
    TensionmapError
        When ``start`` or ``end`` is text but not an ISO date.

    Examples
    --------
    >>> engine = store.connect("sqlite://")
    >>> record(engine, "sign_in", user="ana", role="analyst", address="10.0.0.7")
    >>> record(engine, "sign_in", user="bob", role="partner", address="10.0.0.8")
    >>> read(engine, user="bob", start=date.today())[["user", "role", "action"]]
      user     role   action
    0  bob  partner  sign_in
    >>> engine.dispose()
    """
    first, last = _day(start, "start"), _day(end, "end")
    t = store.audit
    query = sa.select(*[t.c[c] for c in COLUMNS]).order_by(t.c.id)
    if first is not None:
        query = query.where(t.c.at >= first.isoformat())
    if last is not None:  # stored times start with the day, so compare with the next one
        query = query.where(t.c.at < (last + timedelta(days=1)).isoformat())
    if user is not None:
        query = query.where(t.c.user == user)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=COLUMNS)


def export_csv(
    engine: Engine,
    out: Path,
    *,
    start: str | date | None = None,
    end: str | date | None = None,
    user: str | None = None,
) -> int:
    """Write :func:`read`'s rows to ``out`` as formula-safe CSV and return how many.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    out : pathlib.Path
        The CSV file to write (its name must end in ``.csv``).
    start, end : str or datetime.date, optional
        First and last day (UTC, both included).
    user : str, optional
        Only this user's rows.

    Returns
    -------
    int
        How many rows were written.

    Raises
    ------
    TensionmapError
        When ``out`` does not end in ``.csv``.

    Examples
    --------
    >>> engine = store.connect("sqlite://")
    >>> export_csv(engine, Path("trail.xlsx"))
    Traceback (most recent call last):
    ...
    geo._errors.TensionmapError: the audit export is CSV: name it FILE.csv; 'trail.xlsx' was given.
    >>> export_csv(engine, Path("audit-2025-03.csv"), start="2025-03-01")  # doctest: +SKIP
    41
    """
    if out.suffix.lower() != ".csv":
        raise TensionmapError(f"the audit export is CSV: name it FILE.csv; {str(out)!r} was given.")
    from geo.export import write_table  # geopandas: imported only when exporting

    frame = read(engine, start=start, end=end, user=user)
    write_table(frame, out)
    return len(frame)


def _settings_digests(ws: Workspace) -> dict[str, str]:
    """A keyed digest of each setting's value, comparable between runs.

    No value (a database URL may hold a password) can be read back or guessed from the
    trail.
    """
    key = ws.pseudonym_key()
    digests = {}
    for f in fields(ws.config):
        value = json.dumps(getattr(ws.config, f.name), sort_keys=True, default=str)
        mac = hmac.new(key, f"setting:{f.name}={value}".encode(), hashlib.sha256)
        digests[f.name] = mac.hexdigest()[:16]
    return digests


def check_settings(engine: Engine, ws: Workspace, *, user: str, address: str) -> list[str]:
    """Record a ``settings_change`` when ``tensionmap.toml`` differs from the last one seen.

    The trail keeps the file's sha256 and the names of the settings that changed, never
    their values.

    Parameters
    ----------
    engine
        The workspace's store.
    ws
        The workspace just opened.
    user, address
        Who opened it (:func:`cli_actor` at the command line).

    Returns
    -------
    list of str
        The changed setting names (every setting the first time); empty when unchanged.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(folder)
    ...     engine = store.connect("sqlite://")
    ...     first = check_settings(engine, ws, **cli_actor())
    ...     again = check_settings(engine, ws, **cli_actor())
    ...     engine.dispose()
    >>> "small_count_threshold" in first, again
    (True, [])
    """
    path = Path(ws.root) / CONFIG_NAME
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    t = store.audit
    with engine.connect() as conn:
        last = conn.execute(
            sa.select(t.c.detail)
            .where(t.c.action == "settings_change")
            .order_by(t.c.id.desc())
            .limit(1)
        ).scalar()
    before = json.loads(last) if last else {}
    if before.get("sha256") == sha:
        return []
    digests = _settings_digests(ws)
    old = before.get("digests", {})
    changed = sorted(name for name, d in digests.items() if old.get(name) != d)
    detail = {"sha256": sha, "changed": changed, "digests": digests}
    record(engine, "settings_change", user=user, address=address, object=CONFIG_NAME, detail=detail)
    return changed
