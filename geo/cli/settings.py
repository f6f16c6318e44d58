"""``tensionmap retag``, ``train-classifier``, ``review`` and ``heatmap``.

Where hate happens (its settings): tagging again, the model that learns from confirmed
tags, the analysts' review queue; and the partner heat map of a setting.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli._options import (
    Commands,
    Subparsers,
    add_out,
    add_period,
    add_workspace,
    open_workspace,
    register_all,
)

if TYPE_CHECKING:
    from geo.config import Workspace
    from geo.geography.areas import Geography
    from geo.settings.partner_maps import PartnerHeatmap


def cmd_retag(args: argparse.Namespace) -> int:
    """Re-run settings tagging over the whole store."""
    from geo.settings.retag import retag

    print("\n".join(retag(open_workspace(args, create=False)).lines()))
    return 0


def cmd_train_classifier(args: argparse.Namespace) -> int:
    """Train the settings model on confirmed tags, report it under CV, and save it."""
    from geo.settings.classifier import save_model
    from geo.settings.review import rules_of
    from geo.settings.rules import tag_records
    from geo.settings.training import evaluate, train_workspace

    ws = open_workspace(args, create=False)
    labelled = Path(args.path) if args.path else None
    model, examples = train_workspace(ws, labelled, seed=args.seed)
    print(f"{len(examples)} confirmed records; a model for {', '.join(model.models) or 'none'}")
    if not args.no_report:
        tags = tag_records(examples, rules=rules_of(ws))
        report = evaluate(examples, tags, folds=args.folds, seed=args.seed)
        print(f"cross-validated ({args.folds} folds): precision and recall per setting")
        print(report.to_string(index=False))
    path = save_model(model, ws)
    print(f"saved {path}; run `tensionmap retag` to tag the stored records with it")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """List the review queue, or correct (confirm) one record's settings."""
    from geo import audit, store
    from geo.settings.review import correct, review_queue

    ws = open_workspace(args, create=False)
    engine = store.connect(ws.database_url)
    try:
        if args.reference is None:
            queue = review_queue(engine, limit=args.limit)
            print(f"{len(queue)} records to review, least sure first")
            if len(queue):
                shown = queue.drop(columns=["id", "description", "setting_reasons"])
                print(shown.to_string(index=False))
            return 0
        settings = [s for s in (args.settings or "").split(";") if s]
        done = correct(engine, args.reference, settings, role="cli", source=args.source,
                       **audit.cli_actor())  # fmt: skip
        print(f"{args.reference}: {done['before'] or '(none)'} -> {done['after'] or '(none)'}")
        return 0
    finally:
        engine.dispose()


def cmd_heatmap(args: argparse.Namespace) -> int:
    """Print the partner heat map's tables, and write the map to ``--out``."""
    from geo import store
    from geo.geography.areas import load_geography
    from geo.settings.partner_maps import MIN_CELL_M, partner_heatmap, partner_stations

    ws = open_workspace(args, create=False)
    incidents, places = ws.read_tables(store.places)
    geo = load_geography(ws.geography_dir)
    cell_m = args.cell
    if cell_m < MIN_CELL_M:  # published maps are coarser than the old 250 m default
        print(f"cells of {cell_m:g} m asked for; partner maps use at least {MIN_CELL_M:g} m")
        cell_m = MIN_CELL_M
    heat = partner_heatmap(
        incidents,
        geo,
        settings=tuple(args.setting),
        start=args.start,
        end=args.end,
        lag_days=ws.config.publication_lag_days,
        k=args.k or ws.config.small_count_threshold,
        bandwidth_m=args.bandwidth,
        cell_m=cell_m,
        stations=partner_stations(places, tuple(args.setting)),
    )
    print(f"{', '.join(heat.settings)}, {heat.period}")
    print(f"{len(heat.lsoas)} LSOAs with a published count; {len(heat.cells)} cells shown")
    print(heat.rules)
    print(heat.csp_table.to_string(index=False))
    if len(heat.area_table):
        print(heat.area_table.head(15).to_string(index=False))
    if args.out:
        _write_heatmap(heat, geo, ws, Path(args.out))
    return 0


def _write_heatmap(heat: PartnerHeatmap, geo: Geography, ws: Workspace, out: Path) -> None:
    from geo.export import write_csv, write_frame
    from geo.settings import write_html

    if out.suffix.lower() == ".html":
        write_html(heat, geo, str(out), tile_url=ws.config.tile_url)
    else:
        write_frame(heat.cells, out, layer="heatmap")
    write_csv(heat.csp_table, out.with_name(out.stem + "-csp.csv"))
    write_csv(heat.area_table, out.with_name(out.stem + "-areas.csv"))
    print(f"wrote {out} and its -csp.csv and -areas.csv tables")


def _add_retag(sub: Subparsers) -> None:
    rt = sub.add_parser("retag", help="re-run settings tagging over the whole store")
    add_workspace(rt)
    rt.set_defaults(func=cmd_retag)


def _add_train_classifier(sub: Subparsers) -> None:
    tc = sub.add_parser(
        "train-classifier",
        help="train the settings model on confirmed tags (corrections and a labelled CSV)",
    )
    tc.add_argument(
        "path",
        nargs="?",
        help="CSV with description, location_type, online and settings (;-joined) or setting",
    )
    tc.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    tc.add_argument("--seed", type=int, default=0)
    tc.add_argument("--no-report", action="store_true", help="save without cross-validating")
    add_workspace(tc)
    tc.set_defaults(func=cmd_train_classifier)


def _add_review(sub: Subparsers) -> None:
    rv = sub.add_parser(
        "review", help="the records the tagger was least sure of; correct or confirm one"
    )
    rv.add_argument("reference", nargs="?", help="the record to correct (default: list the queue)")
    rv.add_argument(
        "--settings", help="its settings, ;-joined (the current ones to confirm; '' for none)"
    )
    rv.add_argument("--source", default="default", help="the record's source (default: default)")
    rv.add_argument("--limit", type=int, default=50, help="records listed (default 50)")
    add_workspace(rv)
    rv.set_defaults(func=cmd_review)


def _add_heatmap(sub: Subparsers) -> None:
    hm = sub.add_parser("heatmap", help="disclosure-safe setting heat map for partners")
    hm.add_argument(
        "--setting",
        action="append",
        required=True,
        help="public_transport, nte, taxi, online, school, … (repeatable)",
    )
    add_period(
        hm,
        "first day of a closed month (default: 12 closed months)",
        "last day of a closed month",
    )
    add_out(hm, "FILE.html (folium map) or FILE.geojson / .gpkg")
    hm.add_argument("--k", type=int, help="smallest count shown (default: small_count_threshold)")
    hm.add_argument(
        "--bandwidth", type=float, default=500.0, help="metres, at least 300 (default 500)"
    )
    hm.add_argument("--cell", type=float, default=500.0, help="metres, at least 500 (default 500)")
    add_workspace(hm)
    hm.set_defaults(func=cmd_heatmap)


COMMANDS: Commands = {
    "retag": _add_retag,
    "train-classifier": _add_train_classifier,
    "review": _add_review,
    "heatmap": _add_heatmap,
}


def register(subparsers: Subparsers) -> None:
    """Add ``retag``, ``train-classifier``, ``review`` and ``heatmap`` to the commands."""
    register_all(COMMANDS, subparsers)
