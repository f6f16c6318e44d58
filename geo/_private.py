"""Keeping a workspace private to the account that runs tensionmap.

A workspace holds special-category personal data, so its folder is ``0700`` and every
file in it ``0600`` whatever the umask: files that SQLite, GDAL or pandas create (the
store, its WAL and SHM files, exports, rejects, imported geography, keys) inherit the
process umask, which :func:`make_private` sets to ``077``; files left by an older
version, or copied in, are tightened when the workspace is opened.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_UMASK = 0o077


def make_private(root: Path) -> None:
    """Make ``root`` and everything below it readable by its owner only.

    The files this process creates from now on are private too (the umask becomes ``077``).

    Parameters
    ----------
    root
        The workspace folder (it must exist).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "store").write_text("x")
    1
    >>> make_private(folder)
    >>> oct(folder.stat().st_mode & 0o777), oct((folder / "store").stat().st_mode & 0o777)
    ('0o700', '0o600')
    """
    os.umask(_UMASK)
    _chmod(root, PRIVATE_DIR)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name in dirs:
            _chmod(here / name, PRIVATE_DIR)
        for name in files:
            _chmod(here / name, PRIVATE_FILE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file that is ``0600`` from its first byte (keys)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _chmod(path: Path, mode: int) -> None:
    if path.is_symlink():  # never follow a link out of the workspace
        return
    if path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)
