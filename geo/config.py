"""Workspace settings: one table of (name, default, help) drives the TOML file, the CLI and docs.

A workspace is a folder holding ``tensionmap.toml`` (these settings),
``tensionmap.sqlite`` (the store), ``geography/`` (imported boundaries and lookups),
``rejects/`` and ``outputs/``.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from geo import store
from geo._errors import WorkspaceError
from geo._private import make_private, write_private

DEFAULT_WORKSPACE = "tensionmap-data"
CONFIG_NAME = "tensionmap.toml"
STORE_NAME = "tensionmap.sqlite"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "extra_strands",
        ["misogyny", "alternative_subculture"],
        "Non-monitored strands accepted in the strands column besides the five monitored ones.",
    ),
    Setting(
        "snap_distance_m",
        250.0,
        "Points up to this far outside the area's edge snap to the nearest LSOA; "
        "farther ones are rejected as outside_area.",
    ),
    Setting(
        "future_tolerance_days",
        1,
        "Dates up to this many days in the future are accepted (clock skew); later ones rejected.",
    ),
    Setting(
        "database_url",
        "",
        "SQLAlchemy URL of the store; empty means <workspace>/tensionmap.sqlite.",
    ),
    Setting(
        "tile_url",
        "",
        "Map tile server for the base maps, e.g. the force's own; empty (the default) means no "
        "tiles: maps draw the workspace's own boundaries and labels and ask no third party.",
    ),
    Setting(
        "small_count_threshold",
        5,
        "Counts below this are suppressed in anything a partner sees.",
    ),
    Setting(
        "publication_lag_days",
        7,
        "Partner and prevention figures come from closed periods only: whole months that "
        "ended at least this many days ago.",
    ),
    Setting(
        "session_idle_minutes",
        30,
        "A dashboard session ends after this many minutes without a request.",
    ),
    Setting(
        "session_hours",
        8.0,
        "A dashboard session ends this many hours after sign-in, however active.",
    ),
    Setting(
        "tagging",
        {},
        "Settings-tagging rules added to the defaults: [tagging.keywords], "
        "[tagging.location_types], [tagging.occupations] (setting = [words]), negations, "
        "station_distance_m, nte_distance_m, school_distance_m.",
    ),
)


@dataclass(frozen=True)
class Config:
    """Settings of one workspace; see :data:`SETTINGS` for meanings and defaults."""

    extra_strands: list[str] = field(default_factory=lambda: list(SETTINGS[0].default))
    snap_distance_m: float = 250.0
    future_tolerance_days: int = 1
    database_url: str = ""
    tile_url: str = ""
    small_count_threshold: int = 5
    publication_lag_days: int = 7
    session_idle_minutes: int = 30
    session_hours: float = 8.0
    tagging: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, path: Path) -> Config:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(f"{path}: not valid TOML ({exc}).") from exc
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise WorkspaceError(
                f"{path}: unknown setting(s) {unknown}; known settings are {sorted(known)}."
            )
        return cls(**data)


def default_toml() -> str:
    """The commented TOML written into a new workspace."""
    lines = ["# tensionmap workspace settings. Delete a line to use its default.", ""]
    for s in SETTINGS:
        lines.append(f"# {s.help}")
        if isinstance(s.default, dict):  # a table: show how to add one, at the end
            continue
        lines.append(f"{s.name} = {_toml_value(s.default)}")
        lines.append("")
    lines += [
        "# Tables go last in TOML, for example:",
        "# [tagging.keywords]",
        '# taxi = ["uber", "ride-hailing"]',
        "",
    ]
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{}"
            if not value
            else "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Workspace:
    """Paths and settings of one workspace folder."""

    root: Path
    config: Config

    @classmethod
    def open(cls, root: str | Path | None = None, *, create: bool = True) -> Workspace:
        """Open (and by default create) a workspace.

        ``root`` falls back to ``$TENSIONMAP_WORKSPACE`` and then ``./tensionmap-data``.
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
        return self.config.database_url or f"sqlite:///{self.root / STORE_NAME}"

    @property
    def rejects_dir(self) -> Path:
        return self.root / "rejects"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def geography_dir(self) -> Path:
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
        >>> ws.read_incidents()["strand"].value_counts()  # doctest: +SKIP
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
        """Per-workspace secret used to pseudonymise victim identifiers (created on first use)."""
        path = self.root / ".pseudonym_key"
        if not path.exists():
            write_private(path, secrets.token_hex(32).encode("ascii"))
        return bytes.fromhex(path.read_text(encoding="ascii").strip())


def open_data_dir() -> Path | None:
    """The shared open-data folder (``$TENSIONMAP_OPEN_DATA`` or ``../shared/data``), if present."""
    env = os.environ.get("TENSIONMAP_OPEN_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent.parent
    candidates += [here.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c
    return None
