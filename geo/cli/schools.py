"""``tensionmap schools``: rank schools per CSP and plan hate crime workshops.

``schools record-workshop`` records a workshop delivered; ``schools status`` reports the
12-month indicator.
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
    iso_date,
    open_workspace,
    register_all,
    subcommands,
)

#: Columns of the ``--out`` table, in order.
# fmt: off
PLAN_COLUMNS = [
    "csp", "rank_in_csp", "urn", "school_name", "phase", "pupils", "score",
    "covered_records", "selected", "reason", "weighted_records", "school_setting_weight",
    "expected_weight", "risk_factor", "high_risk_area", "high_risk_ratio",
    "high_risk_weight", "lsoa_high_risk", "trend", "strand_mix", "radius_m",
]
# fmt: on


def cmd_plan(args: argparse.Namespace) -> int:
    """Print the workshop plan, and write every school's ranking to ``--out``."""
    from geo.schools.plan import school_plan

    result = school_plan(
        open_workspace(args, create=False),
        start=args.start,
        end=args.end,
        phases=tuple(args.phase or ()),
        budget=args.budget,
        per_csp_min=args.per_csp_min,
        radius_m=args.radius_m,
        min_pupils=args.min_pupils,
        exclude_months=args.exclude_months,
    )
    print(
        f"plan of {args.budget} schools (at least {args.per_csp_min} per CSP): covers "
        f"{result.covered_optimised} of {result.total_records} records; greedy "
        f"top-{args.budget} by score covers {result.covered_greedy} "
        f"(solver: {result.solver_status})"
    )
    for note in result.notes:
        print(f"note: {note}")
    chosen = result.table[result.table["selected"]].sort_values(["csp", "rank_in_csp"])
    for row in chosen.to_dict("records"):
        print(
            f"  {row['csp']}: {row['school_name']} (URN {row['urn']}, {row['phase']}): "
            f"{row['reason']}"
        )
    if args.out:
        from geo.export import write_table

        ranked = result.table.sort_values(["csp", "rank_in_csp"])
        write_table(ranked[PLAN_COLUMNS], Path(args.out))
        print(f"wrote {len(result.table)} schools to {args.out}")
    return 0


def cmd_record_workshop(args: argparse.Namespace) -> int:
    """Record a workshop delivered at a school on a day."""
    from geo.schools.plan import record_workshop

    record_workshop(open_workspace(args, create=False), args.urn, args.date)
    print(f"recorded a workshop at school {args.urn} on {args.date}")
    return 0


def cmd_indicator(args: argparse.Namespace) -> int:
    """Print the 12-month workshop indicator per CSP."""
    from geo.schools.plan import school_status

    table = school_status(open_workspace(args, create=False), today=args.today or date.today())
    print(table.to_string(index=False))
    met = int(table["indicator_met"].sum())
    print(f"indicator (a workshop in every CSP within 12 months): {met} of {len(table)} CSPs met")
    return 0


def _add_schools(sub: Subparsers) -> None:
    sp = sub.add_parser("schools", help="rank schools per CSP and plan hate crime workshops")
    add_period(sp, "first day of records used", "last day of records used")
    sp.add_argument(
        "--phase",
        action="append",
        help="primary, secondary, all_through, special, fe, nursery, other (repeatable)",
    )
    sp.add_argument("--budget", type=int, default=20, help="schools in the plan (default 20)")
    sp.add_argument(
        "--per-csp-min", type=int, default=1, help="schools per CSP at least (default 1)"
    )
    sp.add_argument("--radius-m", type=float, help="one catchment radius for all phases")
    sp.add_argument("--min-pupils", type=int, default=0, help="leave out smaller schools")
    sp.add_argument(
        "--exclude-months",
        type=int,
        default=12,
        help="leave out schools with a workshop in the last N months (default 12)",
    )
    add_out(sp, None, metavar="FILE.csv")
    add_workspace(sp)
    sp.set_defaults(func=cmd_plan, schools_command=None)
    what = subcommands(sp, "schools_command", required=False)
    rw = what.add_parser("record-workshop", help="record a delivered workshop")
    rw.add_argument("urn")
    rw.add_argument("date", type=iso_date)
    add_workspace(rw, nested=True)
    rw.set_defaults(func=cmd_record_workshop)
    ss = what.add_parser("status", help="the 12-month indicator per CSP")
    ss.add_argument("--today", type=iso_date, help="as of this day (default today)")
    add_workspace(ss, nested=True)
    ss.set_defaults(func=cmd_indicator)


COMMANDS: Commands = {"schools": _add_schools}


def register(subparsers: Subparsers) -> None:
    """Add ``schools`` to the commands."""
    register_all(COMMANDS, subparsers)
