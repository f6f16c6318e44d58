"""``tensionmap init``: a workspace for a force, a region of forces, CSPs or districts.

Writes the area into the workspace's ``tensionmap.toml`` as an ``[area]`` table (see
:mod:`geo.geography.workspace_area`); every command then works on that area's LSOAs.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.cli._options import Commands, Subparsers, add_workspace, open_workspace, register_all


def _area_toml(area: dict[str, Any]) -> str:
    """The ``[area]`` table as TOML text (JSON strings, lists and booleans are TOML too)."""
    lines = ["[area]"] + [
        f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in area.items()
    ]
    return "\n".join(lines) + "\n"


def _with_area(text: str, area: dict[str, Any]) -> str:
    """Settings text with its ``[area]`` table replaced (or added), everything else kept."""
    # an [area] table runs from its header to the next table header or the end
    text = re.sub(r"(?ms)^\[area\][^\n]*\n.*?(?=^\[|\Z)", "", text)
    return text.rstrip("\n") + "\n\n" + _area_toml(area)


def _write_area(path: Path, area: dict[str, Any]) -> Callable[[], None]:
    """Check the new settings file and return what puts it in place (an atomic rename)."""
    from geo.config_file import Config

    staged = path.with_name(path.name + ".new")
    staged.write_text(_with_area(path.read_text(encoding="utf-8"), area), encoding="utf-8")
    try:
        Config.from_toml(staged)  # the file must still be valid
    except Exception:
        staged.unlink(missing_ok=True)
        raise

    def put_in_place() -> None:
        staged.replace(path)

    return put_in_place


def cmd_init(args: argparse.Namespace) -> int:
    """Write the area into the workspace's settings (creating the workspace if needed).

    A workspace that already holds records has them (and its places) re-assigned to the
    new area in the same step: the store and the settings file change together.
    """
    from geo.config import CONFIG_NAME, Workspace
    from geo.geography.reassign import reassign_to_area
    from geo.geography.workspace_area import area_setting, describe_area

    area = area_setting(
        forces=args.force or (),
        csps=args.csp or (),
        districts=args.district or (),
        england_and_wales=args.england_and_wales,
    )
    ws = open_workspace(args, create=True)
    path = ws.root / CONFIG_NAME
    put_in_place = _write_area(path, area)
    try:
        change = reassign_to_area(ws, area, before_commit=put_in_place)
    finally:
        path.with_name(path.name + ".new").unlink(missing_ok=True)
    ws = Workspace.open(ws.root, create=False)
    print(f"workspace {ws.root}: area set in {CONFIG_NAME}")
    print("\n".join(describe_area(ws.config.area)))
    if change.batch_id is not None:
        print("\n".join(change.lines()))
    return 0


def _add_init(sub: Subparsers) -> None:
    init = sub.add_parser(
        "init",
        help="set a workspace's area: police forces, CSPs, districts or England and Wales",
        description="Set the workspace's area (created if needed) in its tensionmap.toml. "
        "Names match case-insensitively the ONS name (West Yorkshire), the data.police.uk "
        "slug (west-yorkshire) or police.uk's name (West Yorkshire Police); repeat an option "
        "for several. The area is the union of all the names given. Records already stored "
        "are re-assigned to the new area in the same step (located, out_of_area with their "
        "real areas, or outside_england_wales).",
    )
    add_workspace(init)
    init.add_argument(
        "--force", action="append", metavar="NAME", help="a police force area (repeatable)"
    )
    init.add_argument(
        "--csp",
        action="append",
        metavar="NAME",
        help="a Community Safety Partnership, e.g. 'South Worcester' (repeatable)",
    )
    init.add_argument(
        "--district",
        action="append",
        metavar="NAME",
        help="a local authority district (repeatable)",
    )
    init.add_argument(
        "--england-and-wales",
        action="store_true",
        help="the national view: every LSOA of England and Wales",
    )
    init.set_defaults(func=cmd_init)


COMMANDS: Commands = {"init": _add_init}


def register(subparsers: Subparsers) -> None:
    """Add ``init`` to the commands."""
    register_all(COMMANDS, subparsers)
