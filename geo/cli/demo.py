"""``tensionmap demo``: build the demo workspace and serve it.

``demo generate`` writes the synthetic scenario only. Without ``--force`` both are the
seed demo, Hertfordshire and Cambridgeshire calibrated to their published figures; with
``--force NAME`` any police force of England and Wales at the national rate.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from geo.cli._options import (
    Commands,
    Subparsers,
    add_out,
    add_period,
    add_workspace,
    register_all,
    subcommands,
)


def _positive(text: str) -> int:
    """A whole number above 0 (``--records-per-year``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a whole number above 0; {text!r} was given")
    return value


def _set_area(args: argparse.Namespace, force: str) -> None:
    """Make the workspace's area the force, as ``tensionmap init --force`` does.

    An area that already holds the force (a region of forces) is kept.
    """
    from geo._errors import TensionmapError, WorkspaceError
    from geo.cli.init import cmd_init
    from geo.config import Workspace
    from geo.geography.workspace_area import area_table

    try:
        ws = Workspace.open(args.workspace, create=False)
    except WorkspaceError:  # no workspace yet: init makes it
        ws = None
    if ws is not None and (ws.geography_dir / "lsoa.gpkg").exists():
        raise TensionmapError(
            f"The workspace {ws.root} has imported LSOA boundaries (geography/lsoa.gpkg), "
            f"which replace its area's: build the demo for {force} in a new workspace "
            "(--workspace DIR)."
        )
    area = ws.config.area if ws is not None else {}
    if area and force in set(area_table(area)["force"]):
        return
    init = argparse.Namespace(
        workspace=args.workspace, force=[force], csp=None, district=None, england_and_wales=False
    )
    cmd_init(init)


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo workspace and, unless ``--no-serve``, serve its dashboard."""
    from geo.demo.force import scenario_force
    from geo.demo.generator import FORCES
    from geo.demo.run import run_demo

    force = scenario_force(args.force)
    if force not in FORCES:
        _set_area(args, force)
    run_demo(
        args.workspace,
        seed=args.seed,
        serve=not args.no_serve,
        port=args.port,
        force=force,
        records_per_year=args.records_per_year,
        start=args.start,
        end=args.end,
    )
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Write the synthetic scenario (records and the truth planted in them)."""
    from geo.demo.run import generate_to

    lines = generate_to(
        Path(args.out),
        seed=args.seed,
        force=args.force,
        start=args.start,
        end=args.end,
        scale=args.scale,
        episodes=args.episodes,
        records_per_year=args.records_per_year,
        say=print,
    )
    print("\n".join(lines))
    return 0


_FORCE_HELP = (
    "the force: Hertfordshire, Cambridgeshire or both (default), calibrated to their "
    "published figures, or any police force of England and Wales (ONS name, police.uk "
    "slug or name) at the national rate"
)
_RECORDS_HELP = (
    "records a year for a force other than the seed forces (default: its residents at "
    "the national rate, 2.44 hate crimes per 1,000, plus non-crime incidents)"
)


def _add_demo(sub: Subparsers) -> None:
    demo = sub.add_parser("demo", help="build the demo workspace and serve the dashboard")
    add_workspace(demo)
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--no-serve", action="store_true", help="build only; do not start the dashboard"
    )
    demo.add_argument("--port", type=int, default=8050, help="dashboard port (default 8050)")
    demo.add_argument(
        "--force",
        metavar="NAME",
        help=_FORCE_HELP + "; another force sets the workspace's area as init --force does",
    )
    demo.add_argument("--records-per-year", type=_positive, metavar="N", help=_RECORDS_HELP)
    add_period(demo, "first day (default 2014-01-01)", "last day (default 2019-12-31)")
    demo.set_defaults(func=cmd_demo)
    what = subcommands(demo, "demo_command", required=False)
    gen = what.add_parser(
        "generate", help="write the synthetic scenario (incidents.csv, truth.json)"
    )
    add_out(gen, "folder to write to", metavar="DIR", required=True)
    gen.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    gen.add_argument("--force", metavar="NAME", default="both", help=_FORCE_HELP)
    gen.add_argument("--records-per-year", type=_positive, metavar="N", help=_RECORDS_HELP)
    add_period(
        gen,
        "first day (default 2014-01-01)",
        "last day (default 2019-12-31)",
        start=date(2014, 1, 1),
        end=date(2019, 12, 31),
    )
    gen.add_argument("--scale", type=float, default=1.0, help="volume multiplier (default 1.0)")
    gen.add_argument(
        "--no-episodes",
        dest="episodes",
        action="store_false",
        help="plant no tension episodes (the null scenario for counting false alarms)",
    )
    gen.set_defaults(func=cmd_generate)


COMMANDS: Commands = {"demo": _add_demo}


def register(subparsers: Subparsers) -> None:
    """Add ``demo`` to the commands."""
    register_all(COMMANDS, subparsers)
