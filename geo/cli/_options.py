"""What the commands share, each defined once.

The parser class, dates, the workspace option, the record filters, the period and the
output file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from geo.config import Workspace
    from geo.hotspots.aggregate import Filters

Subparsers = argparse._SubParsersAction  # the object `add_subparsers` returns
Handler = Callable[[argparse.Namespace], int]
#: command name -> the function adding it (its parser and handler) to the subcommands
Commands = Mapping[str, Callable[[Subparsers], None]]


class Parser(argparse.ArgumentParser):
    """A parser whose errors give exit code 2 with a one-line message, no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise SystemExit(fail(f"{self.prog}: {message}"))


def fail(message: str) -> int:
    """Print an error message and give the exit code of unusable input (2)."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def subcommands(parser: argparse.ArgumentParser, dest: str, *, required: bool) -> Subparsers:
    """The subcommands of ``parser`` (e.g. ``users add``), parsed with :class:`Parser`."""
    return parser.add_subparsers(dest=dest, required=required, parser_class=Parser)


def register_all(commands: Commands, subparsers: Subparsers) -> None:
    """Add every command of a group, in order."""
    for add in commands.values():
        add(subparsers)


def iso_date(text: str) -> date:
    """A day given as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2014-01-01; {text!r} was given"
        ) from None


def add_workspace(p: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``--workspace DIR``.

    ``nested`` for a subcommand of a command that takes ``--workspace`` too (``users
    add``): given after the subcommand it wins; not given, the command's one stands.
    """
    p.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS if nested else None,
        help="workspace folder (default: $TENSIONMAP_WORKSPACE or ./tensionmap-data)",
    )


def open_workspace(args: argparse.Namespace, *, create: bool = True) -> Workspace:
    """The workspace ``--workspace`` names (or the default one)."""
    from geo.config import Workspace

    return Workspace.open(args.workspace, create=create)


def add_period(
    p: argparse.ArgumentParser,
    first: str = "first day",
    last: str = "last day",
    *,
    start: date | None = None,
    end: date | None = None,
) -> None:
    """``--from DAY`` and ``--to DAY`` (``args.start``, ``args.end``), described as given."""
    p.add_argument("--from", dest="start", type=iso_date, default=start, help=first)
    p.add_argument("--to", dest="end", type=iso_date, default=end, help=last)


def add_out(
    p: argparse.ArgumentParser,
    help: str | None = "FILE.geojson, FILE.gpkg or FILE.csv",
    *,
    metavar: str = "FILE",
    required: bool = False,
) -> None:
    """``--out FILE``: where a command writes its result."""
    p.add_argument("--out", required=required, metavar=metavar, help=help)


def add_filters(p: argparse.ArgumentParser) -> None:
    """The record filters, unit, seed, output and workspace of the analysis commands."""
    add_period(p)
    p.add_argument("--strand", action="append", help="only these strands (repeatable)")
    p.add_argument("--setting", action="append", help="only these settings (repeatable)")
    p.add_argument("--record-type", choices=("crime", "incident"))
    p.add_argument("--force", choices=("hertfordshire", "cambridgeshire"), help="one force only")
    p.add_argument(
        "--csp", action="append", metavar="CODE", help="only these CSP codes (repeatable)"
    )
    p.add_argument(
        "--unit",
        default="lsoa",
        help="lsoa (default), ward, district, csp, hex:RES, grid:METRES, or auto (hotspots only)",
    )
    p.add_argument("--seed", type=int, default=0)
    add_out(p)
    add_workspace(p)


def filters_of(args: argparse.Namespace) -> Filters:
    """The :class:`~geo.hotspots.aggregate.Filters` the options of :func:`add_filters` ask for."""
    from geo.hotspots.aggregate import Filters

    return Filters(
        start=args.start,
        end=args.end,
        strands=tuple(args.strand or ()),
        settings=tuple(args.setting or ()),
        record_type=args.record_type,
        force=args.force,
        csp=tuple(args.csp or ()),
    )


def write_layer(frame: Any, out: str | None, *, layer: str, what: str) -> None:
    """Write a (Geo)DataFrame to ``--out`` if given, and say so."""
    if out:
        from geo.export import write_frame

        write_frame(frame, Path(out), layer=layer)
        print(f"wrote {len(frame)} {what} to {out}")


def write_rows(rows: pd.DataFrame, out: Path) -> None:
    """Write a table as JSON records (``.json``) or a table file, and say so."""
    from geo.export import write_table

    if out.suffix.lower() == ".json":
        out.write_text(rows.to_json(orient="records", date_format="iso", indent=1))
    else:
        write_table(rows, out)
    print(f"wrote {len(rows)} rows to {out}")


def counts_line(label: str, values: pd.Series) -> str:
    """``label: a=3, b=1``: how often each value occurs."""
    return f"{label}: " + ", ".join(f"{k}={v}" for k, v in values.value_counts().items())
