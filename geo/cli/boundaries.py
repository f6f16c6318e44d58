"""``tensionmap boundaries``: import ONS boundaries, the CSP lookup or residents."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli._options import (
    Commands,
    Subparsers,
    add_workspace,
    open_workspace,
    register_all,
    subcommands,
)


def cmd_import_boundaries(args: argparse.Namespace) -> int:
    """Import an LSOA, ward or district boundary file and re-assign stored records."""
    from geo.geography.boundary_import import import_boundary_file

    n, moved = import_boundary_file(open_workspace(args), Path(args.path), args.level)
    print(f"imported {n} {args.level} features from {args.path}")
    print(
        f"re-assigned {moved.records} stored records: {moved.changed_lsoa} changed LSOA, "
        f"{moved.changed_csp} changed CSP"
    )
    return 0


def cmd_import_lookup(args: argparse.Namespace) -> int:
    """Import the district → CSP → force lookup and re-assign stored records."""
    from geo.geography.boundary_import import import_lookup_file

    n, moved = import_lookup_file(open_workspace(args), Path(args.path))
    print(f"imported the CSP lookup for {n} districts from {args.path}")
    print(f"re-assigned {moved.records} stored records: {moved.changed_csp} changed CSP code")
    return 0


def cmd_import_population(args: argparse.Namespace) -> int:
    """Import residents per LSOA."""
    from geo.geography.boundary_import import import_population

    n = import_population(open_workspace(args), Path(args.path))
    print(f"imported residents for {n} LSOAs from {args.path}")
    return 0


def _add_boundaries(sub: Subparsers) -> None:
    bd = sub.add_parser("boundaries", help="import ONS boundaries or the CSP lookup")
    what = subcommands(bd, "what", required=True)
    bi = what.add_parser("import", help="an ONS LSOA, ward or district boundary file")
    bi.add_argument("path", help="GeoJSON, GeoPackage or Shapefile")
    bi.add_argument("--level", required=True, choices=("lsoa", "ward", "district"))
    add_workspace(bi)
    bi.set_defaults(func=cmd_import_boundaries)
    bl = what.add_parser("import-lookup", help="the ONS LAD→CSP→PFA lookup CSV (E22/E23 codes)")
    bl.add_argument("path", help="the lookup CSV")
    add_workspace(bl)
    bl.set_defaults(func=cmd_import_lookup)
    bp = what.add_parser("import-population", help="residents per LSOA (e.g. Census 2021)")
    bp.add_argument("path", help="CSV with an LSOA code and a population column")
    add_workspace(bp)
    bp.set_defaults(func=cmd_import_population)


COMMANDS: Commands = {"boundaries": _add_boundaries}


def register(subparsers: Subparsers) -> None:
    """Add ``boundaries`` to the commands."""
    register_all(COMMANDS, subparsers)
