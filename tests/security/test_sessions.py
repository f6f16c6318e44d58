"""Points 4, 5 and 8 of the review, over HTTP: sessions live in the store and end on
sign-out, on a user's removal or change, when idle and after ``session_hours``; sign-in
is throttled per name, hashes are upgraded to today's scrypt cost, and the login and
logout forms refuse cross-site posts.

The tests add their own users to the served workspace from this process (the store is
shared through SQLite) and never change the demo users other tests sign in as."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from geo import store, users
from geo.config import Workspace
from tests.dashboard_payloads import payload
from tests.security.conftest import Served, sign_in

COOKIE = "tensionmap_session"
_NAMES = itertools.count()


def engine_of(root: Path):
    return store.connect(Workspace.open(root, create=False).database_url)


def new_user(served: Served, role: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A fresh user of ``role`` in the served workspace (hashed at a test cost, which the
    server upgrades at the first sign-in), and its password."""
    monkeypatch.setitem(users._SCRYPT, "n", 2**10)
    name = f"t{os.getpid()}-{next(_NAMES)}-{role}"
    password = f"pw-{name}-secret"
    users.add_user(Workspace.open(served.root, create=False), name, role, password)
    return name, password


def signed_in(served: Served, name: str, password: str) -> requests.Session:
    session = requests.Session()
    response = sign_in(session, served.base, name, password)
    assert response.status_code == 302, (response.status_code, response.text[:300])
    return session


def with_cookie(served: Served, value: str) -> requests.Session:
    """A new client that presents only the session cookie ``value`` (a copied cookie)."""
    session = requests.Session()
    session.cookies.set(COOKIE, value, domain="127.0.0.1", path="/")
    return session


def id_hash(session: requests.Session) -> str:
    return hashlib.sha256(session.cookies[COOKIE].encode()).hexdigest()


def set_session_times(root: Path, session: requests.Session, **times: timedelta) -> None:
    """Move the stored ``created_at`` / ``last_seen`` of ``session`` back by the given ages."""
    now = datetime.now(UTC)
    values = {column: (now - age).isoformat() for column, age in times.items()}
    engine = engine_of(root)
    with store.transaction(engine) as conn:
        s = store.sessions
        assert conn.execute(s.update().where(s.c.id_hash == id_hash(session)).values(**values))
    engine.dispose()


def layout_status(served: Served, session: requests.Session) -> int:
    return session.get(f"{served.base}/_dash-layout", timeout=60).status_code


def logout_token(served: Served, session: requests.Session) -> str:
    """The sign-out form's token, as the app shell renders it."""

    def find(node: Any) -> str | None:
        if isinstance(node, dict):
            if node.get("name") == "csrf_token":
                return str(node["value"])
            return next(filter(None, map(find, node.values())), None)
        if isinstance(node, list):
            return next(filter(None, map(find, node)), None)
        return None

    token = find(session.get(f"{served.base}/_dash-layout", timeout=60).json())
    assert token, "no sign-out form in the app shell"
    return token


_DEPENDENCIES: dict[str, list[dict[str, Any]]] = {}


def dependencies(served: Served) -> list[dict[str, Any]]:
    """The app's callbacks (the same for every role), read once."""
    if served.base not in _DEPENDENCIES:
        response = served.login("partner").get(f"{served.base}/_dash-dependencies", timeout=60)
        _DEPENDENCIES[served.base] = response.json()
    return _DEPENDENCIES[served.base]


def callback(
    served: Served,
    session: requests.Session,
    output_part: str,
    values: dict[tuple[str, str], Any],
    changed: str | None = None,
) -> requests.Response:
    """Ask for the callback whose output contains ``output_part``, as the renderer does,
    with ``values`` for its inputs and state (missing ones are ``None``); ``changed``
    names the input that changed (by default the first)."""
    dep = next(d for d in dependencies(served) if output_part in d["output"])
    body = payload(dep, values, default=None)
    if changed:
        body["changedPropIds"] = [changed]
    return session.post(
        f"{served.base}/_dash-update-component",
        json=body,
        headers={"Origin": served.base},
        timeout=240,
    )


#: The hotspots page's filters at their defaults.
HOTSPOTS = {("hot-method", "value"): "risk_class", ("hot-unit", "value"): "lsoa",
            ("hot-strand", "value"): "", ("hot-setting", "value"): "", ("hot-csp", "value"): "",
            ("hot-from", "start_date"): "", ("hot-from", "end_date"): ""}  # fmt: skip


def hotspots(served: Served, session: requests.Session) -> requests.Response:
    return callback(served, session, "hot-layers.children", HOTSPOTS)


# --- revocation ----------------------------------------------------------------------------


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(served, monkeypatch):
    name, password = new_user(served, "partner", monkeypatch)
    session = signed_in(served, name, password)
    stolen = session.cookies[COOKIE]
    assert layout_status(served, with_cookie(served, stolen)) == 200
    token = logout_token(served, session)
    base = served.base
    assert session.get(f"{base}/logout", timeout=60).status_code == 405
    refused = [
        session.post(f"{base}/logout", data={}, headers={"Origin": base}, timeout=60),
        session.post(f"{base}/logout", data={"csrf_token": token},
                     headers={"Origin": "https://evil.example"}, timeout=60),
    ]  # fmt: skip
    assert [r.status_code for r in refused] == [400, 403]
    assert layout_status(served, session) == 200  # neither ended the session
    out = session.post(f"{base}/logout", data={"csrf_token": token}, headers={"Origin": base},
                       allow_redirects=False, timeout=60)  # fmt: skip
    assert out.status_code == 302 and out.headers["Location"].endswith("/login")
    assert layout_status(served, with_cookie(served, stolen)) == 403
    engine = engine_of(served.root)
    with engine.connect() as conn:
        left = conn.execute(store.sessions.select().where(store.sessions.c.user == name)).all()
    engine.dispose()
    assert left == []


def test_a_changed_role_applies_at_the_next_request(served, monkeypatch):
    name, password = new_user(served, "analyst", monkeypatch)
    session = signed_in(served, name, password)
    assert hotspots(served, session).status_code == 200
    engine = engine_of(served.root)
    with store.transaction(engine) as conn:  # the role alone, behind the server's back
        conn.execute(store.users.update().where(store.users.c.name == name).values(role="partner"))
    engine.dispose()
    demoted = hotspots(served, session)
    assert demoted.status_code == 403, demoted.text[:300]
    assert "the partner role may not use the hotspots page" in demoted.text


def test_changing_a_users_role_or_password_ends_their_sessions(served, monkeypatch):
    ws = Workspace.open(served.root, create=False)
    name, password = new_user(served, "analyst", monkeypatch)
    first, second = signed_in(served, name, password), signed_in(served, name, password)
    users.add_user(ws, name, "prevention", password)  # demoted
    assert [hotspots(served, s).status_code for s in (first, second)] == [403, 403]
    assert all("sign in first" in hotspots(served, s).text for s in (first, second))
    again = signed_in(served, name, password)
    refused = hotspots(served, again)
    assert refused.status_code == 403
    assert "the prevention role may not use the hotspots page" in refused.text
    users.add_user(ws, name, "prevention", password + "-new")  # a new password
    assert layout_status(served, again) == 403
    assert sign_in(requests.Session(), served.base, name, password).status_code == 401
    assert layout_status(served, signed_in(served, name, password + "-new")) == 200


def test_removing_a_user_ends_their_sessions(served, monkeypatch):
    name, password = new_user(served, "tactical", monkeypatch)
    session = signed_in(served, name, password)
    assert layout_status(served, session) == 200
    assert users.remove_user(Workspace.open(served.root, create=False), name)
    assert layout_status(served, session) == 403
    assert sign_in(requests.Session(), served.base, name, password).status_code == 401


# --- limits ----------------------------------------------------------------------------------


def test_a_session_ends_when_idle_and_after_session_hours(served, monkeypatch):
    name, password = new_user(served, "partner", monkeypatch)
    idle, old, fine = (signed_in(served, name, password) for _ in range(3))
    set_session_times(served.root, idle, last_seen=timedelta(minutes=31))
    set_session_times(
        served.root, old, created_at=timedelta(hours=8, minutes=1), last_seen=timedelta(0)
    )
    set_session_times(
        served.root, fine, created_at=timedelta(hours=7, minutes=50),
        last_seen=timedelta(minutes=29),
    )  # fmt: skip
    assert layout_status(served, idle) == 403
    assert layout_status(served, old) == 403
    assert layout_status(served, fine) == 200
    engine = engine_of(served.root)
    with engine.connect() as conn:
        rows = conn.execute(store.sessions.select().where(store.sessions.c.user == name)).all()
    engine.dispose()
    assert [r.id_hash for r in rows] == [id_hash(fine)]  # the ended ones are gone
    seen = datetime.fromisoformat(rows[0].last_seen)
    assert datetime.now(UTC) - seen < timedelta(minutes=20)  # the request was noted


def test_sign_in_gives_a_new_id_and_the_store_keeps_only_its_hash(served, monkeypatch):
    name, password = new_user(served, "partner", monkeypatch)
    session = requests.Session()
    session.cookies.set(COOKIE, "fixed-by-an-attacker", domain="127.0.0.1", path="/")
    assert sign_in(session, served.base, name, password).status_code == 302
    raw = session.cookies[COOKIE]
    assert raw != "fixed-by-an-attacker" and len(raw) >= 40
    assert layout_status(served, with_cookie(served, "fixed-by-an-attacker")) == 403
    assert sign_in(session, served.base, name, password).status_code == 302
    assert session.cookies[COOKIE] != raw  # rotated again
    assert layout_status(served, with_cookie(served, raw)) == 403  # the one it replaced
    store_bytes = b"".join(
        p.read_bytes() for p in served.root.glob("tensionmap.sqlite*") if p.is_file()
    )
    latest = session.cookies[COOKIE]
    assert latest.encode() not in store_bytes
    assert hashlib.sha256(latest.encode()).hexdigest().encode() in store_bytes


# --- password guessing -----------------------------------------------------------------------


def test_five_failures_lock_a_name_for_fifteen_minutes(served, monkeypatch):
    name, password = new_user(served, "partner", monkeypatch)
    other, other_password = new_user(served, "partner", monkeypatch)
    answers = [sign_in(requests.Session(), served.base, name, "wrong-password") for _ in range(5)]
    assert [a.status_code for a in answers[:4]] == [401] * 4
    assert all("Wrong user name or password." in a.text for a in answers[:4])
    right = sign_in(requests.Session(), served.base, name, password)
    assert right.status_code == 429 and COOKIE not in right.cookies
    assert "this user name is locked for 15 more minutes" in right.text
    assert int(right.headers["Retry-After"]) > 14 * 60
    assert signed_in(served, other, other_password)  # another name is not locked
    # a name that does not exist is counted and locked alike: the lock tells nothing
    ghost = f"nobody-{os.getpid()}"
    for _ in range(5):
        sign_in(requests.Session(), served.base, ghost, "wrong-password")
    locked = sign_in(requests.Session(), served.base, ghost, "wrong-password")
    assert locked.status_code == 429

    def page(r: requests.Response) -> str:  # the page without its per-browser form token
        return re.sub(r'value="[0-9a-f]{64}"', "", r.text)

    assert page(locked) == page(right)


def test_an_old_hash_is_upgraded_at_the_next_sign_in(served):
    name, password, salt = f"legacy-{os.getpid()}", "an-old-password", os.urandom(16)
    old = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=64,
                         maxmem=64 * 2**20).hex()  # fmt: skip
    engine = engine_of(served.root)
    with store.transaction(engine) as conn:
        row = {"name": name, "role": "partner", "salt": salt.hex(), "password_hash": old}
        conn.execute(store.users.insert().values(**row, created_at=store.now()))
    assert sign_in(requests.Session(), served.base, name, "not-the-password").status_code == 401
    with engine.connect() as conn:
        row = conn.execute(store.users.select().where(store.users.c.name == name)).one()
    assert row.password_hash == old  # a failure changes nothing
    signed_in(served, name, password)
    with engine.connect() as conn:
        row = conn.execute(store.users.select().where(store.users.c.name == name)).one()
    engine.dispose()
    assert row.password_hash.startswith("scrypt$17$8$1$") and row.salt != salt.hex()
    signed_in(served, name, password)  # the upgraded hash still signs in


def test_the_scrypt_cost_and_its_test_hook():
    assert users._SCRYPT == {"n": 2**17, "r": 8, "p": 1}  # OWASP
    salt, hashed = users.hash_password("a-long-password")
    assert hashed.startswith("scrypt$17$8$1$") and not users.needs_upgrade(hashed)
    assert users._verify("a-long-password", salt, hashed)
    assert not users._verify("another-password", salt, hashed)
    assert users.needs_upgrade("ab" * 64)  # 128 hex digits: stored before the cost was


# --- cross-site posts ------------------------------------------------------------------------


def test_the_login_form_refuses_posts_from_other_sites(served, monkeypatch):
    name, password = new_user(served, "partner", monkeypatch)
    base, session = served.base, requests.Session()
    form = session.get(f"{base}/login", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = {"name": name, "password": password, "next": "/"}

    def post(extra: dict[str, str], headers: dict[str, str]) -> int:
        response = session.post(f"{base}/login", data={**data, **extra}, headers=headers,
                                allow_redirects=False, timeout=120)  # fmt: skip
        return response.status_code

    assert post({}, {"Origin": base}) == 400  # no token
    assert post({"csrf_token": "0" * 64}, {"Origin": base}) == 400
    assert post({"csrf_token": token}, {"Origin": "https://evil.example"}) == 403
    assert post({"csrf_token": token}, {"Origin": "null"}) == 403
    assert post({"csrf_token": token}, {"Referer": "https://evil.example/x"}) == 403
    other = requests.Session()  # a token is bound to the browser that fetched the form
    other_form = other.get(f"{base}/login", timeout=60).text
    assert re.search(r'name="csrf_token" value="([^"]+)"', other_form).group(1) != token
    assert post({"csrf_token": token}, {"Origin": base}) == 302


def test_the_sign_out_form_is_in_the_app_shell(served, monkeypatch):
    name, password = new_user(served, "partner", monkeypatch)
    layout = json.dumps(signed_in(served, name, password).get(f"{served.base}/_dash-layout").json())
    assert '"method": "post"' in layout and '"action": "/logout"' in layout
    assert '"name": "csrf_token"' in layout and '"id": "sign-out"' in layout


# --- nothing kept longer than needed ---------------------------------------------------------


def test_ended_sessions_and_old_failures_are_not_kept(served, monkeypatch, tmp_path):
    name, password = new_user(served, "partner", monkeypatch)
    abandoned = signed_in(served, name, password)  # its cookie never comes back
    set_session_times(served.root, abandoned, last_seen=timedelta(minutes=31))
    signed_in(served, name, password)  # any sign-in clears ended sessions
    engine = engine_of(served.root)
    with engine.connect() as conn:
        hashes = conn.execute(sa.select(store.sessions.c.id_hash)).scalars().all()
    engine.dispose()
    assert id_hash(abandoned) not in hashes

    engine = store.connect(Workspace.open(tmp_path / "ws").database_url)
    assert users.authenticate(engine, "a-password-typed-as-a-name", "x").outcome == "wrong"
    f = store.login_failures
    earlier = json.dumps([(datetime.now(UTC) - timedelta(minutes=16)).isoformat()])
    with store.transaction(engine) as conn:
        conn.execute(f.update().values(recent=earlier))
    assert users.authenticate(engine, "someone-else", "x").outcome == "wrong"
    with engine.connect() as conn:
        assert conn.execute(sa.select(f.c.name)).scalars().all() == ["someone-else"]
    engine.dispose()
