"""What a workspace's ``tensionmap.toml`` holds: one table of (name, default, help).

:data:`SETTINGS` drives the file written into a new workspace (:func:`default_toml`),
its reading (:meth:`Config.from_toml`), the CLI and the docs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from geo._errors import WorkspaceError


@dataclass(frozen=True)
class Setting:
    """One workspace setting: its name in ``tensionmap.toml``, its default and its help.

    Attributes
    ----------
    name : str
        The key in ``tensionmap.toml`` (and the field of :class:`Config`).
    default : object
        The value used when the file does not set it.
    help : str
        One or two sentences, written above the key in a new workspace's file.

    Examples
    --------
    >>> [s.name for s in SETTINGS][:3]
    ['extra_strands', 'snap_distance_m', 'future_tolerance_days']
    >>> Setting("snap_distance_m", 250.0, "Snap points up to this far.").default
    250.0
    """

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
        "area",
        {},
        "The workspace's area, as `tensionmap init` writes it: [area] forces, csps and "
        "districts (lists of names; the area is their union) or england_and_wales = true. "
        "No [area] means Hertfordshire and Cambridgeshire (the demo area).",
    ),
    Setting(
        "tagging",
        {},
        "Settings-tagging vocabulary and rules added to the defaults: [tagging.keywords], "
        "[tagging.location_types], [tagging.roles] or [tagging.occupations] "
        "(setting = [words]), [tagging.abbreviations] (term = expansion), not_a_place, "
        "role_cues, departures, vague_location_types, negations, fuzzy_threshold, "
        "station_distance_m, nte_distance_m, school_distance_m.",
    ),
)


@dataclass(frozen=True)
class Config:
    """Settings of one workspace, read from its ``tensionmap.toml``.

    Each field is one of :data:`SETTINGS`, whose help text gives its meaning.

    Attributes
    ----------
    extra_strands : list of str
        Strands accepted besides the five monitored ones.
    snap_distance_m : float
        How far outside the area's edge a point may be and still snap to the nearest LSOA.
    future_tolerance_days : int
        How many days in the future a record's date may be (clock skew).
    database_url : str
        SQLAlchemy URL of the store; empty for the workspace's own SQLite file.
    tile_url : str
        Map tile server; empty for no tiles.
    small_count_threshold : int
        Counts below this are suppressed in anything a partner sees.
    publication_lag_days : int
        Days a month must have been over before partners see it.
    session_idle_minutes : int
        Minutes without a request that end a dashboard session.
    session_hours : float
        Hours after sign-in that end a dashboard session.
    area : dict
        The forces, CSPs or districts the workspace covers (see
        :mod:`geo.geography.workspace_area`); empty for Hertfordshire and Cambridgeshire.
    tagging : dict
        Settings-tagging rules added to the defaults (see :class:`geo.settings.TaggingRules`).

    Examples
    --------
    >>> Config().small_count_threshold
    5
    >>> Config(snap_distance_m=100.0).snap_distance_m
    100.0
    """

    extra_strands: list[str] = field(default_factory=lambda: list(SETTINGS[0].default))
    snap_distance_m: float = 250.0
    future_tolerance_days: int = 1
    database_url: str = ""
    tile_url: str = ""
    small_count_threshold: int = 5
    publication_lag_days: int = 7
    session_idle_minutes: int = 30
    session_hours: float = 8.0
    area: dict[str, Any] = field(default_factory=dict)
    tagging: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, path: Path) -> Config:
        """Read the settings of a ``tensionmap.toml``; absent settings keep their defaults.

        Parameters
        ----------
        path : pathlib.Path
            The file.

        Returns
        -------
        Config
            The settings.

        Raises
        ------
        WorkspaceError
            If the file is not valid TOML or names a setting that does not exist.

        Examples
        --------
        >>> Config.from_toml(Path("tensionmap-demo/tensionmap.toml"))  # doctest: +SKIP
        """
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
    """The commented TOML written into a new workspace.

    Every setting of :data:`SETTINGS` with its help as a comment and its default as the
    value; tables (``[tagging]``) are shown as a commented example at the end.

    Returns
    -------
    str
        The file's text, which :meth:`Config.from_toml` reads back as the defaults.

    Examples
    --------
    >>> print(default_toml().splitlines()[0])
    # tensionmap workspace settings. Delete a line to use its default.
    >>> "small_count_threshold = 5" in default_toml()
    True
    """
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
        "# [area]",
        '# forces = ["West Yorkshire"]',
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
