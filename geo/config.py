"""A workspace: the folder of one area's data, its settings and its store.

A workspace is a folder holding ``tensionmap.toml`` (its settings, read by
:mod:`geo.config_file`), ``tensionmap.sqlite`` (the store), ``geography/`` (imported
boundaries and lookups), ``rejects/`` and ``outputs/``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from geo import store
from geo._errors import WorkspaceError
from geo._private import make_private, write_private
from geo.config_file import SETTINGS, Config, Setting, default_toml

__all__ = [
    "CONFIG_NAME", "DEFAULT_WORKSPACE", "SETTINGS", "STORE_NAME", "Config", "Setting",
    "Workspace", "default_toml",
]  # fmt: skip

DEFAULT_WORKSPACE = "tensionmap-data"
CONFIG_NAME = "tensionmap.toml"
STORE_NAME = "tensionmap.sqlite"


@dataclass(frozen=True)
class Workspace:
    """Paths and settings of one workspace folder.

    Build one with :meth:`open`. The folder holds ``tensionmap.toml``, the store
    (``tensionmap.sqlite`` unless ``database_url`` points elsewhere), ``geography/``,
    ``rejects/`` and ``outputs/``.

    Attributes
    ----------
    root : pathlib.Path
        The workspace folder.
    config : Config
        Its settings.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(Path(folder) / "workspace")
    ...     print(ws.config.small_count_threshold, ws.outputs_dir.name)
    5 outputs
    """

    root: Path
    config: Config

    @classmethod
    def open(cls, root: str | Path | None = None, *, create: bool = True) -> Workspace:
        """Open (and by default create) a workspace.

        Parameters
        ----------
        root : str or pathlib.Path, optional
            The folder; falls back to ``$TENSIONMAP_WORKSPACE`` and then
            ``./tensionmap-data``.
        create : bool, default True
            Create the folder and a default ``tensionmap.toml`` if there is none.

        Returns
        -------
        Workspace
            The workspace, its subfolders created and its folder made private.

        Raises
        ------
        WorkspaceError
            If there is no ``tensionmap.toml`` and ``create`` is false, or the file is not
            valid.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     print(sorted(p.name for p in Workspace.open(folder).root.iterdir()))
        ['geography', 'outputs', 'rejects', 'tensionmap.toml']
        """
        path = Path(root or os.environ.get("TENSIONMAP_WORKSPACE") or DEFAULT_WORKSPACE)
        config_path = path / CONFIG_NAME
        if not config_path.exists():
            if not create:
                raise WorkspaceError(
                    f"{path} is not a tensionmap workspace (no {CONFIG_NAME}); "
                    "create one with `tensionmap ingest` or `tensionmap demo`."
                )
            path.mkdir(parents=True, exist_ok=True)
            config_path.write_text(default_toml(), encoding="utf-8")
        for sub in ("rejects", "outputs", "geography"):
            (path / sub).mkdir(exist_ok=True)
        make_private(path)
        return cls(root=path, config=Config.from_toml(config_path))

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the store: the configured one, or the workspace's SQLite file."""
        return self.config.database_url or f"sqlite:///{self.root / STORE_NAME}"

    @property
    def rejects_dir(self) -> Path:
        """Where ingest writes the rows it rejects."""
        return self.root / "rejects"

    @property
    def outputs_dir(self) -> Path:
        """Where analyses write their files."""
        return self.root / "outputs"

    @property
    def geography_dir(self) -> Path:
        """Where imported boundaries, lookups and population live."""
        return self.root / "geography"

    def read_incidents(self, *, include_context: bool = False) -> pd.DataFrame:
        """The workspace's current records, oldest first.

        Parameters
        ----------
        include_context : bool, default False
            Also return context crime (records that are not hate crimes or incidents).

        Returns
        -------
        pandas.DataFrame
            One row per current record (columns of :data:`geo.store.incidents`).

        Examples
        --------
        >>> ws = Workspace.open("tensionmap-demo", create=False)  # doctest: +SKIP
        >>> ws.read_incidents()["record_type"].value_counts()  # doctest: +SKIP
        """
        return self.read_tables(include_context=include_context)[0]

    def read_tables(
        self, *tables: sa.Table, include_context: bool = False
    ) -> tuple[pd.DataFrame, ...]:
        """The current records and then each of ``tables`` whole, in one connection.

        Parameters
        ----------
        *tables : sqlalchemy.Table
            Further store tables to read (e.g. :data:`geo.store.places`).
        include_context : bool, default False
            Also return context crime among the records.

        Returns
        -------
        tuple of pandas.DataFrame
            The records first, then one frame per table in the order given.

        Examples
        --------
        >>> from geo import store
        >>> ws = Workspace.open("tensionmap-demo", create=False)  # doctest: +SKIP
        >>> incidents, workshops = ws.read_tables(store.workshops)  # doctest: +SKIP
        """
        engine = store.connect(self.database_url)
        try:
            frames = [store.read_incidents(engine, include_context=include_context)]
            frames += [store.read_table(engine, table) for table in tables]
        finally:
            engine.dispose()
        return tuple(frames)

    def pseudonym_key(self) -> bytes:
        """Per-workspace secret used to pseudonymise victim identifiers (created on first use).

        Returns
        -------
        bytes
            32 random bytes, kept in the workspace's private ``.pseudonym_key``.
        """
        path = self.root / ".pseudonym_key"
        if not path.exists():
            write_private(path, secrets.token_hex(32).encode("ascii"))
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
