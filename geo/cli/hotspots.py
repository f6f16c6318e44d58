"""``tensionmap hotspots``, ``kde``, ``clusters``, ``emerging`` and ``scan``.

Where hate concentrates: per unit, as a density surface, at repeat locations, over time,
and in circles of unusually high risk.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli._options import (
    Commands,
    Subparsers,
    add_filters,
    counts_line,
    filters_of,
    open_workspace,
    register_all,
    write_layer,
)

if TYPE_CHECKING:
    from geo.hotspots.study import Study

WEIGHTS_HELP = "queen (default), rook, knn:K, distance:METRES"


def _study(args: argparse.Namespace) -> Study:
    from geo.hotspots.study import read_study

    return read_study(open_workspace(args, create=False))


def cmd_hotspots(args: argparse.Namespace) -> int:
    """Print the hotspot classes per unit and the units of highest risk per resident."""
    from geo.hotspots.analysis import hotspots

    study = _study(args)
    if args.unit == "auto":
        return _optimized(args, study)
    result = hotspots(
        study.incidents,
        study.geo,
        study.population,
        unit=args.unit,
        weights=args.weights,
        filters=filters_of(args),
        permutations=args.permutations,
        seed=args.seed,
    )
    s = result.settings
    print(
        f"{s['records']} records over {s['units']} {s['unit']} units; weights {s['weights']} "
        f"({s['islands_joined']} islands joined); expected counts from {study.population_source}"
    )
    print(f"FDR (Benjamini-Hochberg) on: Gi* {s['gi_fdr_on']}; Local Moran {s['lisa_fdr_on']}")
    table = result.table
    for column in ("risk_class", "excess_class", "hotspot_class", "lisa_class"):
        print(counts_line(column, table[column]))
    top = table[table["risk_class"].str.startswith("hot")].sort_values("poisson_p")
    if len(top):
        print("highest risk per resident (risk_class):")
    for row in top.head(10).to_dict("records"):
        print(
            f"  {row['area_code']} {row['area_name']} ({row['csp']}): {row['count']} records, "
            f"{row['expected']:.1f} expected, {row['risk_class']}, "
            f"excess clustering {row['excess_class']}"
        )
    write_layer(table, args.out, layer="hotspots", what="units")
    return 0


def _optimized(args: argparse.Namespace, study: Study) -> int:
    """``--unit auto``: optimised hot spot analysis, which chooses its own scale."""
    from geo.hotspots.optimized import optimized_hotspots

    chosen = filters_of(args).apply(study.incidents)
    result = optimized_hotspots(
        chosen["easting"].to_numpy(float),
        chosen["northing"].to_numpy(float),
        study.geo.forces.union_all(),
    )
    c = result.choices
    print(
        f"optimized hot spot analysis: {c['incidents']} incidents "
        f"({c['locational_outliers']} locational outliers left out of the scale decisions)"
    )
    print(
        f"cell size {c['cell_m']} m (nearest-neighbour mean {c['mean_nn_m']} m, median "
        f"{c['median_nn_m']} m); {c['cells']} cells"
    )
    print(f"distance band {c['distance_band_m']} m: {c['distance_band_from']}")
    print(counts_line("hotspot_class", result.table["hotspot_class"]))
    write_layer(result.table, args.out, layer="optimized_hotspots", what="cells")
    return 0


def cmd_kde(args: argparse.Namespace) -> int:
    """Print and write the kernel density surface of the chosen records."""
    from geo.hotspots.kde import kernel_density

    chosen = filters_of(args).apply(open_workspace(args, create=False).read_incidents())
    surface = kernel_density(
        chosen["easting"].to_numpy(float),
        chosen["northing"].to_numpy(float),
        bandwidth_m=args.bandwidth,
        cell_m=args.cell,
        kernel=args.kernel,
    )
    print(
        f"{surface.n_records} records; {surface.kernel} kernel, bandwidth "
        f"{surface.bandwidth:.0f} m, cells of {surface.cell:.0f} m; peak "
        f"{surface.density.max():.1f} records per km²"
    )
    write_layer(surface.to_frame(), args.out, layer="density", what="cells")
    return 0


def cmd_clusters(args: argparse.Namespace) -> int:
    """Print and write the repeat locations and micro-clusters of the chosen records."""
    from geo.hotspots.clusters import point_clusters

    chosen = filters_of(args).apply(open_workspace(args, create=False).read_incidents())
    result = point_clusters(
        chosen, eps_m=args.eps, min_samples=args.min_samples, hdbscan=args.hdbscan
    )
    print(
        f"{result.method}: {len(result.table)} clusters holding "
        f"{int((result.labels > 0).sum())} of {len(chosen)} records"
    )
    for row in result.table.head(10).to_dict("records"):
        print(
            f"  cluster {row['cluster_id']}: {row['records']} records at "
            f"{row['distinct_locations']} locations around "
            f"E{row['centre_easting']:.0f} N{row['centre_northing']:.0f}"
        )
    write_layer(result.table, args.out, layer="clusters", what="clusters")
    return 0


def cmd_emerging(args: argparse.Namespace) -> int:
    """Print and write the emerging hot spot pattern of each unit."""
    from geo.tension.emerging import emerging_table

    study = _study(args).restricted(filters_of(args))
    table, bins = emerging_table(
        study.incidents,
        study.geo,
        study.population,
        unit=args.unit,
        weights=args.weights,
        bin_=args.bin,
    )
    print(
        f"{len(study.incidents)} records, {len(table)} {args.unit} units, {len(bins)} "
        f"{args.bin}s ({bins[0]} to {bins[-1]})"
    )
    print(counts_line("patterns", table["pattern"]))
    write_layer(table, args.out, layer="emerging", what="units")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """Print and write Kulldorff's most likely high-rate clusters."""
    from geo.export import write_table
    from geo.hotspots.analysis import scan

    study = _study(args)
    result = scan(
        study.incidents,
        study.geo,
        study.population,
        unit=args.unit,
        filters=filters_of(args),
        max_radius_m=args.max_radius,
        max_population_share=args.max_population_share,
        replications=args.replications,
        seed=args.seed,
    )
    found = result.clusters
    for row in found.to_dict("records"):
        flag = "significant" if float(row["p_value"]) < 0.05 else "not significant"
        print(
            f"cluster {row['cluster_id']}: {row['n_areas']} areas within {row['radius_m']:.0f} m "
            f"of E{row['centre_easting']:.0f} N{row['centre_northing']:.0f}: observed "
            f"{row['observed']}, expected {row['expected']:.1f}, RR {row['relative_risk']:.2f}, "
            f"p={row['p_value']:.3f} ({flag})"
        )
    if args.out:
        write_table(
            found, Path(args.out), x="centre_easting", y="centre_northing", crs="EPSG:27700"
        )
        print(f"wrote {len(found)} clusters to {args.out}")
    return 0


def _add_hotspots(sub: Subparsers) -> None:
    hs = sub.add_parser("hotspots", help="Gi*, excess-risk and Local Moran hotspots per unit")
    add_filters(hs)
    hs.add_argument("--weights", default="queen", help=WEIGHTS_HELP)
    hs.add_argument("--permutations", type=int, default=999)
    hs.set_defaults(func=cmd_hotspots)


def _add_kde(sub: Subparsers) -> None:
    kd = sub.add_parser("kde", help="kernel density surface of records (e.g. a setting)")
    add_filters(kd)
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


def _add_clusters(sub: Subparsers) -> None:
    cl = sub.add_parser("clusters", help="repeat locations and micro-clusters (DBSCAN/HDBSCAN)")
    add_filters(cl)
    cl.add_argument(
        "--eps", type=float, default=50.0, metavar="M", help="DBSCAN radius (default 50 m)"
    )
    cl.add_argument("--min-samples", type=int, default=5, help="records per cluster (default 5)")
    cl.add_argument("--hdbscan", action="store_true", help="HDBSCAN instead of DBSCAN")
    cl.set_defaults(func=cmd_clusters)


def _add_emerging(sub: Subparsers) -> None:
    em = sub.add_parser("emerging", help="emerging hot spot analysis over a space-time cube")
    add_filters(em)
    em.add_argument("--bin", choices=("week", "month"), default="month")
    em.add_argument("--weights", default="queen", help=WEIGHTS_HELP)
    em.set_defaults(func=cmd_emerging)


def _add_scan(sub: Subparsers) -> None:
    sc = sub.add_parser("scan", help="Kulldorff spatial scan: most likely high-rate clusters")
    add_filters(sc)
    sc.add_argument("--max-radius", type=float, metavar="M", help="largest circle radius in metres")
    sc.add_argument(
        "--max-population-share",
        type=float,
        default=0.1,
        help="largest circle as a share of residents (default 0.1)",
    )
    sc.add_argument("--replications", type=int, default=999)
    sc.set_defaults(func=cmd_scan)


COMMANDS: Commands = {
    "hotspots": _add_hotspots,
    "kde": _add_kde,
    "clusters": _add_clusters,
    "emerging": _add_emerging,
    "scan": _add_scan,
}


def register(subparsers: Subparsers) -> None:
    """Add ``hotspots``, ``kde``, ``clusters``, ``emerging`` and ``scan`` to the commands."""
    register_all(COMMANDS, subparsers)
