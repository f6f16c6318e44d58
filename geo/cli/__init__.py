"""The ``tensionmap`` command: argument parsing and printing only.

One module per command group, each holding its commands' parsers and handlers and
exposing ``register(subparsers)`` and ``COMMANDS`` (command name → the function adding
it): :mod:`~geo.cli.init` (a workspace's area), :mod:`~geo.cli.ingest`,
:mod:`~geo.cli.export`, :mod:`~geo.cli.workspace` (status, purge, audit),
:mod:`~geo.cli.boundaries`, :mod:`~geo.cli.settings` (retag, train-classifier, review, heatmap),
:mod:`~geo.cli.schools`, :mod:`~geo.cli.hotspots` (hotspots, kde, clusters, emerging,
scan), :mod:`~geo.cli.tension` (tension, triggers), :mod:`~geo.cli.users`,
:mod:`~geo.cli.demo` and :mod:`~geo.cli.serve`. The options they
share (workspace, filters, period, output) are defined once, in :mod:`geo.cli._options`.

Exit codes: 0 success; 2 unusable input or arguments (a message, no traceback);
1 internal error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from geo._errors import TensionmapError
from geo.cli import (
    boundaries,
    demo,
    export,
    hotspots,
    ingest,
    init,
    schools,
    serve,
    settings,
    tension,
    users,
    workspace,
)
from geo.cli._options import Handler, Parser, fail

__all__ = ["build_parser", "main"]

#: The command groups. A new group is a module here and its commands a place in ORDER:
#: report packs (``tensionmap report``, a later issue) come as ``geo/cli/report.py``.
GROUPS = (
    init, ingest, export, workspace, boundaries, settings, schools, hotspots, tension, users,
    demo, serve,
)  # fmt: skip

#: The commands, in the order of the usage line and of ``tensionmap --help``.
ORDER = (
    "init", "ingest", "export", "status", "purge", "boundaries", "retag",
    "train-classifier", "review", "heatmap", "schools", "hotspots", "kde", "clusters", "tension",
    "users", "audit", "triggers", "emerging", "scan", "demo", "serve",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``tensionmap`` and every command."""
    parser = Parser(
        prog="tensionmap",
        description="Hate crime hotspot and community-tension mapping for police forces and CSPs.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    adders = {name: add for group in GROUPS for name, add in group.COMMANDS.items()}
    if sorted(adders) != sorted(ORDER):
        raise AssertionError(f"commands without a place in ORDER: {set(adders) ^ set(ORDER)}")
    for name in ORDER:
        adders[name](sub)
    return parser


def _check_settings(args: argparse.Namespace) -> None:
    """Audit a changed tensionmap.toml whenever a command opens an existing workspace."""
    if not hasattr(args, "workspace"):
        return
    from geo._errors import WorkspaceError
    from geo.audit import check_settings, cli_actor
    from geo.config import Workspace
    from geo.store import connect

    try:
        ws = Workspace.open(args.workspace, create=False)
    except WorkspaceError:  # no workspace yet (or the command makes one): nothing to compare
        return
    engine = connect(ws.database_url)
    try:
        check_settings(engine, ws, **cli_actor())
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tensionmap`` with ``argv`` (default: the command line); the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = args.func
    try:
        _check_settings(args)
        return handler(args)
    except TensionmapError as exc:
        return fail(str(exc))
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        return 0
    except KeyboardInterrupt:
        print("interrupted; the store is unchanged by the unfinished step", file=sys.stderr)
        return 1
    except Exception as exc:
        # the traceback without the exception's message: messages can quote record values
        stack = "".join(traceback.format_tb(exc.__traceback__))
        print(f"{stack}{type(exc).__name__} (message withheld)", file=sys.stderr)
        print(
            "tensionmap hit an internal error (a bug); please report it with the log above.",
            file=sys.stderr,
        )
        return 1
