"""``tensionmap retag``, ``train-classifier`` and ``heatmap``.

Where hate happens (its settings), and the partner heat map of a setting.
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
    """Cross-validate the settings text classifier on labelled examples."""
    from geo.settings.classifier import evaluate_classifier

    report = evaluate_classifier(Path(args.path), folds=args.folds, seed=args.seed)
    print(report.to_string(index=False))
    return 0


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
        help="cross-validate a text classifier of settings on labelled examples (suggestions only)",
    )
    tc.add_argument(
        "path", help="CSV with description, location_type and a labelled setting column"
    )
    tc.add_argument("--folds", type=int, default=5)
    tc.add_argument("--seed", type=int, default=0)
    tc.set_defaults(func=cmd_train_classifier)


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
    "heatmap": _add_heatmap,
}


def register(subparsers: Subparsers) -> None:
    """Add ``retag``, ``train-classifier`` and ``heatmap`` to the commands."""
    register_all(COMMANDS, subparsers)
