"""``tensionmap demo``: build the demo workspace and serve it.

``demo generate`` writes the synthetic scenario only.
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


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo workspace and, unless ``--no-serve``, serve its dashboard."""
    from geo.demo.run import run_demo

    run_demo(args.workspace, seed=args.seed, serve=not args.no_serve, port=args.port)
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
    )
    print("\n".join(lines))
    return 0


def _add_demo(sub: Subparsers) -> None:
    demo = sub.add_parser("demo", help="build the demo workspace and serve the dashboard")
    add_workspace(demo)
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--no-serve", action="store_true", help="build only; do not start the dashboard"
    )
    demo.add_argument("--port", type=int, default=8050, help="dashboard port (default 8050)")
    demo.set_defaults(func=cmd_demo)
    what = subcommands(demo, "demo_command", required=False)
    gen = what.add_parser(
        "generate", help="write the synthetic scenario (incidents.csv, truth.json)"
    )
    add_out(gen, "folder to write to", metavar="DIR", required=True)
    gen.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    gen.add_argument("--force", choices=("hertfordshire", "cambridgeshire", "both"), default="both")
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
