"""An information-security review, automated: `tensionmap serve` runs as its own process on
a copy of the demo workspace, and these tests talk to it over HTTP as an attacker with a
signed-in session would. Waits poll for outcomes with generous limits (2 shared cores)."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from geo.demo.run import demo_password

pytestmark = pytest.mark.slow

#: How long a server may take to answer its first request (it loads the workspace first).
START_LIMIT_S = 240.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running `tensionmap serve`: its base URL, workspace folder and process."""

    base: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    def login(self, role: str, password: str | None = None) -> requests.Session:
        """A signed-in session for the demo user named after ``role``."""
        session = requests.Session()
        response = sign_in(session, self.base, role, password or demo_password(role))
        assert response.status_code == 302, (role, response.status_code, response.text[:300])
        return session


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


def sign_in(session: requests.Session, base: str, name: str, password: str) -> requests.Response:
    """Post the login form as a browser does: the form's CSRF token and our own Origin."""
    form = session.get(f"{base}/login", timeout=60).text
    return session.post(
        f"{base}/login",
        data={"name": name, "password": password, "next": "/", "csrf_token": csrf_token(form)},
        headers={"Origin": base},
        allow_redirects=False,
        timeout=120,
    )


@contextlib.contextmanager
def serve(root: Path, *extra: str) -> Iterator[Served]:
    """Serve the workspace at ``root`` in a child process until the block ends."""
    port = free_port()
    log = root.parent / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "geo.cli", "serve", "--workspace", str(root),
             "--port", str(port), *extra],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server stopped: {log.read_text()[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/login", timeout=10).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer in {START_LIMIT_S:g} s: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield Served(base, root, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def copy_workspace(source: Path, target: Path) -> Path:
    """A private copy of a workspace (the tests that change data never touch the shared one)."""
    shutil.copytree(source, target)
    return target


@pytest.fixture(scope="session")
def served(demo_built, tmp_path_factory) -> Iterator[Served]:
    """The demo workspace served over HTTP (a copy: tests here add users and sessions)."""
    root = copy_workspace(demo_built[0], tmp_path_factory.mktemp("served") / "ws")
    with serve(root) as server:
        yield server
