"""``tensionmap tension`` and ``triggers``.

Graded tension alerts from the daily space-time scan, the baselines behind them, and the
trigger events that explain them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli._options import (
    Commands,
    Subparsers,
    add_filters,
    add_workspace,
    filters_of,
    iso_date,
    open_workspace,
    register_all,
    subcommands,
    write_rows,
)

if TYPE_CHECKING:
    import pandas as pd

    from geo.config import Workspace
    from geo.hotspots.study import Study
    from geo.tension import AlertRules, TriggerEvent


def _progress(day: date) -> None:
    print(f"  analysed {day}", file=sys.stderr, flush=True)


def cmd_tension(args: argparse.Namespace) -> int:
    """Print the alerts of a day (or of every day of a replay) and the baselines."""
    from geo._errors import TensionmapError
    from geo.hotspots.study import read_study
    from geo.tension import STRANDS, AlertRules
    from geo.tension.trigger_list import read_triggers

    ws = open_workspace(args, create=False)
    study = read_study(ws).restricted(filters_of(args))
    strands = tuple(args.strand) if args.strand else (*STRANDS, "all")
    rules = AlertRules(
        max_radius_m=args.max_radius, max_days=args.max_days, replications=args.replications
    )
    rules.check()
    events = read_triggers(ws)
    if args.replay:
        rows, as_of = _replay(args, study, rules, strands, events)
    elif args.as_of:
        rows, as_of = _open_on(args, ws, study, rules, strands, events)
    else:
        raise TensionmapError("give --as-of DATE or --replay FROM TO.")
    baselines = _baselines(study, as_of, strands)
    if args.out:
        write_rows(rows, Path(args.out))
    if args.baselines_out:
        write_rows(baselines, Path(args.baselines_out))
    return 0


def _replay(
    args: argparse.Namespace,
    study: Study,
    rules: AlertRules,
    strands: tuple[str, ...],
    events: list[TriggerEvent],
) -> tuple[pd.DataFrame, date]:
    """Every state change from the first day of ``--replay`` to the last."""
    from geo._errors import TensionmapError
    from geo.tension import change_rows, replay

    first, last = args.replay
    if last < first:
        raise TensionmapError(f"--replay ends ({last}) before it starts ({first}).")
    alerts, _ = replay(
        study.incidents,
        study.geo,
        first,
        last,
        rules=rules,
        seed=args.seed,
        strands=strands,
        progress=_progress,
    )
    rows = change_rows(alerts, study.geo, events, rules)
    print(f"{len(alerts)} alert(s), {len(rows)} state change(s) from {first} to {last}")
    for row in rows.to_dict("records"):
        print(
            f"  {row['updated_on']} {row['alert_id']} {row['change']} {row['level']} "
            f"{row['strand']} {row['csp']}"
        )
    return rows, last


def _open_on(
    args: argparse.Namespace,
    ws: Workspace,
    study: Study,
    rules: AlertRules,
    strands: tuple[str, ...],
    events: list[TriggerEvent],
) -> tuple[pd.DataFrame, date]:
    """The alerts open on ``--as-of``: the monitor's, or a filtered one-off look."""
    from geo.tension import alert_rows
    from geo.tension.monitor import alerts_on

    as_of = args.as_of
    run = alerts_on(
        ws,
        study.incidents,
        study.geo,
        as_of,
        filters=filters_of(args),
        rules=rules,
        seed=args.seed,
        strands=strands,
        progress=_progress,
    )
    if run.analysed is None:
        print(f"{as_of} was analysed before: the alerts open on it, from the store")
    rows = alert_rows(run.alerts, study.geo, events, rules)
    print(f"{len(rows)} alert(s) open on {as_of}")
    for row in rows.to_dict("records"):
        print(
            f"  {row['alert_id']} {row['level']} {row['strand']} {row['csp']}: {row['explanation']}"
        )
    return rows, as_of


def _baselines(study: Study, as_of: date, strands: tuple[str, ...]) -> pd.DataFrame:
    """Print the force and CSP series above their normal range in the week to ``as_of``."""
    import pandas as pd

    from geo.tension.baseline import area_baselines

    baselines = area_baselines(study.incidents, study.geo, pd.Timestamp(as_of), strands)
    above = baselines[baselines["exceedance"] > 1] if len(baselines) else baselines
    print(
        f"baselines, the 7 days to {as_of}: {len(above)} of {len(baselines)} force/CSP "
        "series above their normal range"
    )
    for row in above.to_dict("records"):
        print(
            f"  {row['level']} {row['area']} {row['strand']}: {row['observed']} against "
            f"{row['expected']} expected (upper {row['upper']})"
        )
    return baselines


def cmd_add_trigger(args: argparse.Namespace) -> int:
    """Add one trigger event."""
    from geo.tension import TriggerEvent
    from geo.tension.trigger_list import add_trigger

    ws = open_workspace(args, create=False)
    added = add_trigger(ws, TriggerEvent(args.date, args.name, args.scope, args.area))
    print(("added" if added else "already listed:") + f" {args.date} {args.name}")
    return 0


def cmd_import_triggers(args: argparse.Namespace) -> int:
    """Add the trigger events of a CSV file."""
    from geo.tension.trigger_list import import_triggers

    ws = open_workspace(args, create=False)
    print(f"added {import_triggers(ws, Path(args.file))} trigger event(s)")
    return 0


def cmd_list_triggers(args: argparse.Namespace) -> int:
    """List the trigger events."""
    from geo.tension.trigger_list import read_triggers

    events = read_triggers(open_workspace(args, create=False))
    print(f"{len(events)} trigger event(s)")
    for e in events:
        print(f"  {e.day} {e.name} ({e.scope}{', ' + e.area if e.area else ''})")
    return 0


def _add_tension(sub: Subparsers) -> None:
    te = sub.add_parser("tension", help="graded tension alerts from the daily space-time scan")
    add_filters(te)
    te.add_argument("--as-of", type=iso_date, help="the day to analyse")
    te.add_argument(
        "--replay",
        nargs=2,
        type=iso_date,
        metavar=("FROM", "TO"),
        help="run the daily analysis for every day, each seeing only earlier data",
    )
    te.add_argument("--max-radius", type=float, default=3000.0, metavar="M")
    te.add_argument("--max-days", type=int, default=28)
    te.add_argument("--replications", type=int, default=999)
    te.add_argument(
        "--baselines-out", metavar="FILE", help="the force and CSP baselines (CSV or JSON)"
    )
    te.set_defaults(func=cmd_tension)


def _add_triggers(sub: Subparsers) -> None:
    tr = sub.add_parser("triggers", help="list, add or import trigger events (e.g. a referendum)")
    add_workspace(tr)
    tr.set_defaults(func=cmd_list_triggers, triggers_command=None)
    what = subcommands(tr, "triggers_command", required=False)
    tr_add = what.add_parser("add", help="add one event")
    tr_add.add_argument("date", type=iso_date, help="the day it happened (YYYY-MM-DD)")
    tr_add.add_argument("name", help='e.g. "EU referendum result"')
    tr_add.add_argument("--scope", choices=("national", "local"), default="national")
    tr_add.add_argument("--area", help="for a local event: the CSP or district (code or name)")
    add_workspace(tr_add, nested=True)
    tr_add.set_defaults(func=cmd_add_trigger)
    tr_imp = what.add_parser("import", help="add events from a CSV (date,name,scope,area)")
    tr_imp.add_argument("file")
    add_workspace(tr_imp, nested=True)
    tr_imp.set_defaults(func=cmd_import_triggers)
    tr_ls = what.add_parser("list", help="list the events")
    add_workspace(tr_ls, nested=True)


COMMANDS: Commands = {"tension": _add_tension, "triggers": _add_triggers}


def register(subparsers: Subparsers) -> None:
    """Add ``tension`` and ``triggers`` to the commands."""
    register_all(COMMANDS, subparsers)
