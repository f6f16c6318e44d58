"""``tensionmap export``: write stored records for QGIS or Excel."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli._options import (
    Commands,
    Subparsers,
    add_out,
    add_workspace,
    open_workspace,
    register_all,
    subcommands,
)


def cmd_export_incidents(args: argparse.Namespace) -> int:
    """Write every stored record with its location status and geocoded fields."""
    from geo import store
    from geo.export import INCIDENT_EXPORT_COLUMNS, write_table

    engine = store.connect(open_workspace(args, create=False).database_url)
    try:
        # every record, wherever it is: unlocated ones are written without geometry
        frame = store.read_incidents(
            engine, include_context=args.include_context, located_only=False
        )
    finally:
        engine.dispose()
    out = Path(args.out)
    write_table(frame[INCIDENT_EXPORT_COLUMNS], out)
    print(f"wrote {len(frame)} records to {out}")
    return 0


def _add_export(sub: Subparsers) -> None:
    export = sub.add_parser("export", help="write stored records for QGIS or Excel")
    what = subcommands(export, "what", required=True)
    ex = what.add_parser("incidents", help="incidents with their geocoded fields")
    add_out(ex, "FILE.csv, FILE.gpkg or FILE.geojson", required=True)
    ex.add_argument(
        "--include-context",
        action="store_true",
        help="also write non-hate context crime (e.g. police-uk rows)",
    )
    add_workspace(ex)
    ex.set_defaults(func=cmd_export_incidents)


COMMANDS: Commands = {"export": _add_export}


def register(subparsers: Subparsers) -> None:
    """Add ``export`` to the commands."""
    register_all(COMMANDS, subparsers)
