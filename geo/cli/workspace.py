"""``tensionmap status``, ``purge`` and ``audit``.

What the workspace holds, deleting records past their retention, and the trail of who
did what in it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli._options import (
    Commands,
    Subparsers,
    add_out,
    add_period,
    add_workspace,
    iso_date,
    open_workspace,
    register_all,
)


def cmd_status(args: argparse.Namespace) -> int:
    """Print what the workspace holds."""
    from geo.status import workspace_status

    print("\n".join(workspace_status(open_workspace(args, create=False)).lines()))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete records dated before ``--before`` (or count them with ``--dry-run``)."""
    from geo.retention import purge

    result = purge(open_workspace(args, create=False), args.before, dry_run=args.dry_run)
    print("\n".join(result.lines()))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Export the audit trail to a CSV file, and record that export in the trail."""
    from geo.audit import cli_actor, export_csv, record
    from geo.store import connect

    engine = connect(open_workspace(args, create=False).database_url)
    try:
        out = Path(args.out)
        n = export_csv(engine, out, start=args.start, end=args.end, user=args.user)
        filters = {"from": args.start, "to": args.end, "user": args.user, "rows": n}
        record(engine, "download", **cli_actor(), object=f"audit: {out.name}", detail=filters)
    finally:
        engine.dispose()
    print(f"wrote {n} audit rows to {out}")
    return 0


def _add_status(sub: Subparsers) -> None:
    st = sub.add_parser("status", help="what the workspace holds")
    add_workspace(st)
    st.set_defaults(func=cmd_status)


def _add_purge(sub: Subparsers) -> None:
    pu = sub.add_parser("purge", help="delete records dated before a day (retention, MoPI)")
    pu.add_argument(
        "--before", required=True, type=iso_date, metavar="DATE",
        help="the first day kept (YYYY-MM-DD): earlier records, their versions, rejects "
        "and alerts are deleted",
    )  # fmt: skip
    pu.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    add_workspace(pu)
    pu.set_defaults(func=cmd_purge)


def _add_audit(sub: Subparsers) -> None:
    au = sub.add_parser(
        "audit", help="export the audit trail: who signed in, looked at, exported or changed what"
    )
    add_period(au, "first day (UTC)", "last day (UTC, included)")
    au.add_argument("--user", metavar="NAME", help="only this user's actions")
    add_out(au, "the CSV file to write", metavar="FILE.csv", required=True)
    add_workspace(au)
    au.set_defaults(func=cmd_audit)


COMMANDS: Commands = {"status": _add_status, "purge": _add_purge, "audit": _add_audit}


def register(subparsers: Subparsers) -> None:
    """Add ``status``, ``purge`` and ``audit`` to the commands."""
    register_all(COMMANDS, subparsers)
