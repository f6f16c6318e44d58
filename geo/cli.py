"""The ``tensionmap`` command: argument parsing and printing only.

Exit codes: 0 success; 2 unusable input or arguments (a message, no traceback);
1 internal error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from geo._errors import TensionmapError
from geo.cli_analysis import (
    cmd_clusters,
    cmd_emerging,
    cmd_heatmap,
    cmd_hotspots,
    cmd_kde,
    cmd_retag,
    cmd_scan,
    cmd_schools,
    cmd_tension,
    cmd_train_classifier,
    cmd_triggers,
)

log = logging.getLogger("geo")

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise SystemExit(_fail(f"{self.prog}: {message}"))


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _workspace(args: argparse.Namespace, *, create: bool = True):
    from geo.config import Workspace

    return Workspace.open(args.workspace, create=create)


def _add_workspace(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workspace",
        metavar="DIR",
        help="workspace folder (default: $TENSIONMAP_WORKSPACE or ./tensionmap-data)",
    )


def _print_summary(summary) -> None:
    print(summary.line())
    if summary.reasons:
        print(
            "rejected by reason: "
            + ", ".join(f"{k}={v}" for k, v in sorted(summary.reasons.items()))
        )
    if summary.rejects_path:
        print(f"rejects: {summary.rejects_path}")
    if summary.encoding != "utf-8":
        print(f"note: {summary.path.name} was read as {summary.encoding}, not UTF-8")


def cmd_ingest_incidents(args: argparse.Namespace) -> int:
    from geo.ingest.incidents import ingest_incidents

    summary = ingest_incidents(
        _workspace(args),
        Path(args.path),
        fmt=args.format,
        mapping=Path(args.mapping) if args.mapping else None,
        source=args.source,
    )
    _print_summary(summary)
    return 0


def cmd_ingest_places(args: argparse.Namespace) -> int:
    from geo.ingest.places import ingest_places

    _print_summary(ingest_places(_workspace(args), Path(args.path), kind=args.kind))
    return 0


def cmd_export_incidents(args: argparse.Namespace) -> int:
    from geo.export import INCIDENT_EXPORT_COLUMNS, write_table
    from geo.store import connect, read_incidents

    ws = _workspace(args, create=False)
    engine = connect(ws.database_url)
    frame = read_incidents(engine, include_context=args.include_context)
    engine.dispose()
    out = Path(args.out)
    write_table(frame[INCIDENT_EXPORT_COLUMNS], out)
    print(f"wrote {len(frame)} records to {out}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from geo.status import workspace_status

    print("\n".join(workspace_status(_workspace(args, create=False)).lines()))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from geo.retention import purge

    result = purge(_workspace(args, create=False), args.before, dry_run=args.dry_run)
    print("\n".join(result.lines()))
    return 0


def cmd_boundaries_import(args: argparse.Namespace) -> int:
    from geo.geography.boundary_import import import_boundary_file

    n, moved = import_boundary_file(_workspace(args), Path(args.path), args.level)
    print(f"imported {n} {args.level} features from {args.path}")
    print(
        f"re-assigned {moved.records} stored records: {moved.changed_lsoa} changed LSOA, "
        f"{moved.changed_csp} changed CSP"
    )
    return 0


def cmd_boundaries_lookup(args: argparse.Namespace) -> int:
    from geo.geography.boundary_import import import_lookup_file

    n, moved = import_lookup_file(_workspace(args), Path(args.path))
    print(f"imported the CSP lookup for {n} districts from {args.path}")
    print(f"re-assigned {moved.records} stored records: {moved.changed_csp} changed CSP code")
    return 0


def cmd_boundaries_population(args: argparse.Namespace) -> int:
    from geo.geography.boundary_import import import_population

    n = import_population(_workspace(args), Path(args.path))
    print(f"imported residents for {n} LSOAs from {args.path}")
    return 0


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", type=_iso_date, help="first day")
    p.add_argument("--to", dest="end", type=_iso_date, help="last day")
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
    p.add_argument("--out", metavar="FILE", help="FILE.geojson, FILE.gpkg or FILE.csv")
    _add_workspace(p)


def cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from geo.users import add_user, list_users, remove_user

    ws = _workspace(args, create=False)
    if args.users_command == "add":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"password for {args.name}: ")
            if getpass.getpass("again: ") != password:
                raise TensionmapError("the two passwords differ.")
        add_user(ws, args.name, args.role, password)
        print(f"user {args.name} ({args.role}) saved")
    elif args.users_command == "remove":
        print(f"removed {args.name}" if remove_user(ws, args.name) else f"no user {args.name}")
    else:
        for user in list_users(ws):
            print(f"{user.name}\t{user.role}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from geo.demo.run import generate_to, run_demo

    if args.demo_command == "generate":
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
    run_demo(args.workspace, seed=args.seed, serve=not args.no_serve, port=args.port)
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2014-01-01; {text!r} was given"
        ) from None


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.app import serve
    from dashboard.auth import cookie_is_secure

    secure = cookie_is_secure(
        args.host, secure_cookies=args.secure_cookies, insecure_cookies=args.insecure_cookies
    )
    cookies = "Secure cookies: serve it through HTTPS" if secure else "cookies not Secure"
    print(
        f"tensionmap dashboard on http://{args.host}:{args.port}{args.url_prefix}/ "
        f"(waitress; {cookies})"
    )
    serve(
        _workspace(args, create=False),
        port=args.port,
        host=args.host,
        threads=args.threads,
        secure_cookies=args.secure_cookies,
        insecure_cookies=args.insecure_cookies,
        url_prefix=args.url_prefix,
    )
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from geo.audit import cli_actor, export_csv, record
    from geo.store import connect

    engine = connect(_workspace(args, create=False).database_url)
    try:
        out = Path(args.out)
        n = export_csv(engine, out, start=args.start, end=args.end, user=args.user)
        filters = {"from": args.start, "to": args.end, "user": args.user, "rows": n}
        record(engine, "download", **cli_actor(), object=f"audit: {out.name}", detail=filters)
    finally:
        engine.dispose()
    print(f"wrote {n} audit rows to {out}")
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tensionmap",
        description="Hate crime hotspot and community-tension mapping for police forces and CSPs.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ingest = sub.add_parser("ingest", help="read incident records or places into the workspace")
    ingest_sub = ingest.add_subparsers(dest="what", required=True, parser_class=_Parser)
    inc = ingest_sub.add_parser("incidents", help="hate crime and incident records (CSV)")
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
    _add_workspace(inc)
    inc.set_defaults(func=cmd_ingest_incidents)
    pl = ingest_sub.add_parser("places", help="schools (GIAS), transport (NaPTAN) or NTE premises")
    pl.add_argument("path", help="the CSV file")
    pl.add_argument("--kind", required=True, choices=("schools", "transport", "nte"))
    _add_workspace(pl)
    pl.set_defaults(func=cmd_ingest_places)

    export = sub.add_parser("export", help="write stored records for QGIS or Excel")
    export_sub = export.add_subparsers(dest="what", required=True, parser_class=_Parser)
    ex = export_sub.add_parser("incidents", help="incidents with their geocoded fields")
    ex.add_argument(
        "--out", required=True, metavar="FILE", help="FILE.csv, FILE.gpkg or FILE.geojson"
    )
    ex.add_argument(
        "--include-context",
        action="store_true",
        help="also write non-hate context crime (e.g. police-uk rows)",
    )
    _add_workspace(ex)
    ex.set_defaults(func=cmd_export_incidents)

    st = sub.add_parser("status", help="what the workspace holds")
    _add_workspace(st)
    st.set_defaults(func=cmd_status)

    pu = sub.add_parser("purge", help="delete records dated before a day (retention, MoPI)")
    pu.add_argument(
        "--before", required=True, type=_iso_date, metavar="DATE",
        help="the first day kept (YYYY-MM-DD): earlier records, their versions, rejects "
        "and alerts are deleted",
    )  # fmt: skip
    pu.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    _add_workspace(pu)
    pu.set_defaults(func=cmd_purge)

    bd = sub.add_parser("boundaries", help="import ONS boundaries or the CSP lookup")
    bd_sub = bd.add_subparsers(dest="what", required=True, parser_class=_Parser)
    bi = bd_sub.add_parser("import", help="an ONS LSOA, ward or district boundary file")
    bi.add_argument("path", help="GeoJSON, GeoPackage or Shapefile")
    bi.add_argument("--level", required=True, choices=("lsoa", "ward", "district"))
    _add_workspace(bi)
    bi.set_defaults(func=cmd_boundaries_import)
    bl = bd_sub.add_parser("import-lookup", help="the ONS LAD→CSP→PFA lookup CSV (E22/E23 codes)")
    bl.add_argument("path", help="the lookup CSV")
    _add_workspace(bl)
    bl.set_defaults(func=cmd_boundaries_lookup)

    bp = bd_sub.add_parser("import-population", help="residents per LSOA (e.g. Census 2021)")
    bp.add_argument("path", help="CSV with an LSOA code and a population column")
    _add_workspace(bp)
    bp.set_defaults(func=cmd_boundaries_population)

    rt = sub.add_parser("retag", help="re-run settings tagging over the whole store")
    _add_workspace(rt)
    rt.set_defaults(func=cmd_retag)

    tc = sub.add_parser(
        "train-classifier",
        help="cross-validate a text classifier of settings on labelled examples (suggestions only)",
    )
    tc.add_argument(
        "path", help="CSV with description, location_type and a labelled setting column"
    )
    tc.add_argument("--folds", type=int, default=5)
    tc.add_argument("--seed", type=int, default=0)
    tc.set_defaults(func=cmd_train_classifier)

    hm = sub.add_parser("heatmap", help="disclosure-safe setting heat map for partners")
    hm.add_argument(
        "--setting",
        action="append",
        required=True,
        help="public_transport, nte, taxi, online, school, … (repeatable)",
    )
    hm.add_argument(
        "--from", dest="start", type=_iso_date, help="first day of a closed month (default: "
        "12 closed months)",
    )  # fmt: skip
    hm.add_argument("--to", dest="end", type=_iso_date, help="last day of a closed month")
    hm.add_argument("--out", metavar="FILE", help="FILE.html (folium map) or FILE.geojson / .gpkg")
    hm.add_argument("--k", type=int, help="smallest count shown (default: small_count_threshold)")
    hm.add_argument(
        "--bandwidth", type=float, default=500.0, help="metres, at least 300 (default 500)"
    )
    hm.add_argument("--cell", type=float, default=500.0, help="metres, at least 500 (default 500)")
    _add_workspace(hm)
    hm.set_defaults(func=cmd_heatmap)

    sp = sub.add_parser("schools", help="rank schools per CSP and plan hate crime workshops")
    sp.add_argument("--from", dest="start", type=_iso_date, help="first day of records used")
    sp.add_argument("--to", dest="end", type=_iso_date, help="last day of records used")
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
    sp.add_argument("--out", metavar="FILE.csv")
    _add_workspace(sp)
    sp.set_defaults(func=cmd_schools, schools_command=None)
    sp_sub = sp.add_subparsers(dest="schools_command", parser_class=_Parser)
    rw = sp_sub.add_parser("record-workshop", help="record a delivered workshop")
    rw.add_argument("urn")
    rw.add_argument("date", type=_iso_date)
    _add_workspace(rw)
    ss = sp_sub.add_parser("status", help="the 12-month indicator per CSP")
    ss.add_argument("--today", type=_iso_date, help="as of this day (default today)")
    _add_workspace(ss)

    hs = sub.add_parser("hotspots", help="Gi*, excess-risk and Local Moran hotspots per unit")
    _add_filters(hs)
    hs.add_argument(
        "--weights", default="queen", help="queen (default), rook, knn:K, distance:METRES"
    )
    hs.add_argument("--permutations", type=int, default=999)
    hs.set_defaults(func=cmd_hotspots)

    kd = sub.add_parser("kde", help="kernel density surface of records (e.g. a setting)")
    _add_filters(kd)
    kd.add_argument(
        "--bandwidth",
        type=float,
        metavar="M",
        help="metres (default: Silverman-type rule, at least 300 m)",
    )
    kd.add_argument(
        "--cell", type=float, metavar="M", help="cell size in metres (default bandwidth/5)"
    )
    kd.add_argument("--kernel", choices=("quartic", "gaussian", "uniform"), default="quartic")
    kd.set_defaults(func=cmd_kde)

    cl = sub.add_parser("clusters", help="repeat locations and micro-clusters (DBSCAN/HDBSCAN)")
    _add_filters(cl)
    cl.add_argument(
        "--eps", type=float, default=50.0, metavar="M", help="DBSCAN radius (default 50 m)"
    )
    cl.add_argument("--min-samples", type=int, default=5, help="records per cluster (default 5)")
    cl.add_argument("--hdbscan", action="store_true", help="HDBSCAN instead of DBSCAN")
    cl.set_defaults(func=cmd_clusters)

    te = sub.add_parser("tension", help="graded tension alerts from the daily space-time scan")
    _add_filters(te)
    te.add_argument("--as-of", type=_iso_date, help="the day to analyse")
    te.add_argument(
        "--replay",
        nargs=2,
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

    us = sub.add_parser("users", help="dashboard users and their roles")
    _add_workspace(us)
    us.set_defaults(func=cmd_users, users_command=None)
    us_sub = us.add_subparsers(dest="users_command", parser_class=_Parser)
    us_add = us_sub.add_parser("add", help="add a user, or set a user's role and password")
    us_add.add_argument("name")
    us_add.add_argument(
        "--role", required=True, choices=("tactical", "analyst", "prevention", "partner")
    )
    us_add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (default: prompt for it)",
    )
    _add_workspace(us_add)
    us_rm = us_sub.add_parser("remove", help="remove a user")
    us_rm.add_argument("name")
    _add_workspace(us_rm)
    us_sub.add_parser("list", help="list users and roles")

    au = sub.add_parser(
        "audit", help="export the audit trail: who signed in, looked at, exported or changed what"
    )
    au.add_argument("--from", dest="start", type=_iso_date, help="first day (UTC)")
    au.add_argument("--to", dest="end", type=_iso_date, help="last day (UTC, included)")
    au.add_argument("--user", metavar="NAME", help="only this user's actions")
    au.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV file to write")
    _add_workspace(au)
    au.set_defaults(func=cmd_audit)

    tr = sub.add_parser("triggers", help="list, add or import trigger events (e.g. a referendum)")
    _add_workspace(tr)
    tr.set_defaults(func=cmd_triggers, triggers_command=None)
    tr_sub = tr.add_subparsers(dest="triggers_command", parser_class=_Parser)
    tr_add = tr_sub.add_parser("add", help="add one event")
    tr_add.add_argument("date", type=_iso_date, help="the day it happened (YYYY-MM-DD)")
    tr_add.add_argument("name", help='e.g. "EU referendum result"')
    tr_add.add_argument("--scope", choices=("national", "local"), default="national")
    tr_add.add_argument("--area", help="for a local event: the CSP or district (code or name)")
    _add_workspace(tr_add)
    tr_imp = tr_sub.add_parser("import", help="add events from a CSV (date,name,scope,area)")
    tr_imp.add_argument("file")
    _add_workspace(tr_imp)
    tr_sub.add_parser("list", help="list the events")

    em = sub.add_parser("emerging", help="emerging hot spot analysis over a space-time cube")
    _add_filters(em)
    em.add_argument("--bin", choices=("week", "month"), default="month")
    em.add_argument(
        "--weights", default="queen", help="queen (default), rook, knn:K, distance:METRES"
    )
    em.set_defaults(func=cmd_emerging)

    sc = sub.add_parser("scan", help="Kulldorff spatial scan: most likely high-rate clusters")
    _add_filters(sc)
    sc.add_argument("--max-radius", type=float, metavar="M", help="largest circle radius in metres")
    sc.add_argument(
        "--max-population-share",
        type=float,
        default=0.1,
        help="largest circle as a share of residents (default 0.1)",
    )
    sc.add_argument("--replications", type=int, default=999)
    sc.set_defaults(func=cmd_scan)

    demo = sub.add_parser("demo", help="build the demo workspace and serve the dashboard")
    _add_workspace(demo)
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--no-serve", action="store_true", help="build only; do not start the dashboard"
    )
    demo.add_argument("--port", type=int, default=8050, help="dashboard port (default 8050)")
    demo.set_defaults(func=cmd_demo)
    demo_sub = demo.add_subparsers(dest="demo_command", parser_class=_Parser)
    gen = demo_sub.add_parser(
        "generate", help="write the synthetic scenario (incidents.csv, truth.json)"
    )
    gen.add_argument("--out", required=True, metavar="DIR", help="folder to write to")
    gen.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    gen.add_argument("--force", choices=("hertfordshire", "cambridgeshire", "both"), default="both")
    gen.add_argument(
        "--from",
        dest="start",
        type=_iso_date,
        default=date(2014, 1, 1),
        help="first day (default 2014-01-01)",
    )
    gen.add_argument(
        "--to",
        dest="end",
        type=_iso_date,
        default=date(2019, 12, 31),
        help="last day (default 2019-12-31)",
    )
    gen.add_argument("--scale", type=float, default=1.0, help="volume multiplier (default 1.0)")
    gen.add_argument(
        "--no-episodes",
        dest="episodes",
        action="store_false",
        help="plant no tension episodes (the null scenario for counting false alarms)",
    )

    serve = sub.add_parser(
        "serve", help="serve the dashboard (waitress WSGI server; sign-in required)"
    )
    _add_workspace(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    cookies = serve.add_mutually_exclusive_group()
    cookies.add_argument(
        "--secure-cookies",
        action="store_true",
        help="mark cookies Secure on a loopback --host too (behind an HTTPS reverse proxy on "
        "this machine); they are Secure by default on any other --host",
    )
    cookies.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="do not mark cookies Secure on a non-loopback --host (plain HTTP: test networks only)",
    )
    serve.add_argument(
        "--url-prefix", default="", help="path the reverse proxy serves it under, e.g. /tension"
    )
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
        return _fail(str(exc))
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
