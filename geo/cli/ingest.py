"""``tensionmap ingest``: read incident records or places into the workspace."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from geo.cli._options import (
    Commands,
    Subparsers,
    add_workspace,
    open_workspace,
    register_all,
    subcommands,
)


def _print_summary(summary: Any) -> None:
    print(summary.line())
    if summary.reasons:
        print(
            "rejected by reason: "
            + ", ".join(f"{k}={v}" for k, v in sorted(summary.reasons.items()))
        )
    if summary.rejects_path:
        print(f"rejects: {summary.rejects_path}")
    for status, n in getattr(summary, "locations", {}).items():
        print(f"location {status}={n}")
    if summary.encoding != "utf-8":
        print(f"note: {summary.path.name} was read as {summary.encoding}, not UTF-8")


def cmd_ingest_incidents(args: argparse.Namespace) -> int:
    """Read a CSV of hate crime and incident records."""
    from geo.ingest.incidents import ingest_incidents

    summary = ingest_incidents(
        open_workspace(args),
        Path(args.path),
        fmt=args.format,
        mapping=Path(args.mapping) if args.mapping else None,
        source=args.source,
    )
    _print_summary(summary)
    return 0


def cmd_ingest_places(args: argparse.Namespace) -> int:
    """Read a CSV of schools, transport stops or night-time-economy premises."""
    from geo.ingest.places import ingest_places

    summary = ingest_places(open_workspace(args), Path(args.path), kind=args.kind)
    print(summary.places_line())
    _print_summary(summary)
    return 0


def _add_ingest(sub: Subparsers) -> None:
    ingest = sub.add_parser("ingest", help="read incident records or places into the workspace")
    what = subcommands(ingest, "what", required=True)
    inc = what.add_parser("incidents", help="hate crime and incident records (CSV)")
    inc.add_argument("path", help="the CSV file")
    inc.add_argument(
        "--format",
        choices=("canonical", "police-uk"),
        default="canonical",
        help="canonical CSV (default) or a data.police.uk street-level file",
    )
    inc.add_argument("--mapping", metavar="FILE", help="TOML/YAML column and value mapping")
    inc.add_argument(
        "--source", metavar="NAME", help="source system name; references are unique per source"
    )
    add_workspace(inc)
    inc.set_defaults(func=cmd_ingest_incidents)
    pl = what.add_parser("places", help="schools (GIAS), transport (NaPTAN) or NTE premises")
    pl.add_argument("path", help="the CSV file")
    pl.add_argument("--kind", required=True, choices=("schools", "transport", "nte"))
    add_workspace(pl)
    pl.set_defaults(func=cmd_ingest_places)


COMMANDS: Commands = {"ingest": _add_ingest}


def register(subparsers: Subparsers) -> None:
    """Add ``ingest`` to the commands."""
    register_all(COMMANDS, subparsers)
