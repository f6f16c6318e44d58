"""The analysis commands of ``tensionmap`` (hotspots, scan, kde, clusters, heatmap,
schools, retag, train-classifier, emerging, tension, triggers): read the workspace, call
``geo``, print."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from geo.config import Workspace


def workspace_of(args: argparse.Namespace, *, create: bool = True) -> Workspace:
    return Workspace.open(args.workspace, create=create)


def _filters(args: argparse.Namespace):
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


def _analysis_inputs(args: argparse.Namespace):
    from geo.geography.areas import load_geography
    from geo.geography.population import lsoa_population
    from geo.store import connect, read_incidents

    ws = workspace_of(args, create=False)
    engine = connect(ws.database_url)
    incidents = read_incidents(engine)
    engine.dispose()
    geo = load_geography(ws.geography_dir)
    population, source = lsoa_population(geo, geography_dir=ws.geography_dir)
    return incidents, geo, population, source


def cmd_hotspots(args: argparse.Namespace) -> int:
    from geo.hotspots.analysis import hotspots

    incidents, geo, population, source = _analysis_inputs(args)
    if args.unit == "auto":
        return _optimized(args, incidents, geo)
    result = hotspots(
        incidents,
        geo,
        population,
        unit=args.unit,
        weights=args.weights,
        filters=_filters(args),
        permutations=args.permutations,
        seed=args.seed,
    )
    s = result.settings
    print(
        f"{s['records']} records over {s['units']} {s['unit']} units; weights {s['weights']} "
        f"({s['islands_joined']} islands joined); expected counts from {source}"
    )
    print(f"FDR (Benjamini-Hochberg) on: Gi* {s['gi_fdr_on']}; Local Moran {s['lisa_fdr_on']}")
    table = result.table
    for column in ("risk_class", "excess_class", "hotspot_class", "lisa_class"):
        counts = table[column].value_counts()
        print(f"{column}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    top = table[table["risk_class"].str.startswith("hot")].sort_values("poisson_p")
    if len(top):
        print("highest risk per resident (risk_class):")
    for row in top.head(10).to_dict("records"):
        print(
            f"  {row['area_code']} {row['area_name']} ({row['csp']}): {row['count']} records, "
            f"{row['expected']:.1f} expected, {row['risk_class']}, "
            f"excess clustering {row['excess_class']}"
        )
    _write(table, args.out, layer="hotspots", what="units")
    return 0


def _optimized(args: argparse.Namespace, incidents, geo) -> int:
    from geo.hotspots.optimized import optimized_hotspots

    chosen = _filters(args).apply(incidents)
    result = optimized_hotspots(
        chosen["easting"].to_numpy(float),
        chosen["northing"].to_numpy(float),
        geo.forces.union_all(),
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
    counts = result.table["hotspot_class"].value_counts()
    print("hotspot_class: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    _write(result.table, args.out, layer="optimized_hotspots", what="cells")
    return 0


def cmd_kde(args: argparse.Namespace) -> int:
    from geo.hotspots.kde import kernel_density

    incidents, _, _, _ = _analysis_inputs(args)
    chosen = _filters(args).apply(incidents)
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
    _write(surface.to_frame(), args.out, layer="density", what="cells")
    return 0


def cmd_clusters(args: argparse.Namespace) -> int:
    from geo.hotspots.clusters import point_clusters

    incidents, _, _, _ = _analysis_inputs(args)
    chosen = _filters(args).apply(incidents)
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
    _write(result.table, args.out, layer="clusters", what="clusters")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    from geo.export import write_table
    from geo.hotspots.analysis import scan

    incidents, geo, population, _ = _analysis_inputs(args)
    result = scan(
        incidents,
        geo,
        population,
        unit=args.unit,
        filters=_filters(args),
        max_radius_m=args.max_radius,
        max_population_share=args.max_population_share,
        replications=args.replications,
        seed=args.seed,
    )
    clusters = result.clusters
    for row in clusters.to_dict("records"):
        flag = "significant" if float(row["p_value"]) < 0.05 else "not significant"
        print(
            f"cluster {row['cluster_id']}: {row['n_areas']} areas within {row['radius_m']:.0f} m "
            f"of E{row['centre_easting']:.0f} N{row['centre_northing']:.0f}: observed "
            f"{row['observed']}, expected {row['expected']:.1f}, RR {row['relative_risk']:.2f}, "
            f"p={row['p_value']:.3f} ({flag})"
        )
    if args.out:
        write_table(
            clusters, Path(args.out), x="centre_easting", y="centre_northing", crs="EPSG:27700"
        )
        print(f"wrote {len(clusters)} clusters to {args.out}")
    return 0


def _write(frame, out: str | None, *, layer: str, what: str) -> None:
    if out:
        from geo.export import write_frame

        write_frame(frame, Path(out), layer=layer)
        print(f"wrote {len(frame)} {what} to {out}")


def cmd_retag(args: argparse.Namespace) -> int:
    from geo.settings.retag import retag

    print("\n".join(retag(workspace_of(args, create=False)).lines()))
    return 0


def cmd_train_classifier(args: argparse.Namespace) -> int:
    from geo.settings.classifier import evaluate_classifier

    report = evaluate_classifier(Path(args.path), folds=args.folds, seed=args.seed)
    print(report.to_string(index=False))
    return 0


def cmd_heatmap(args: argparse.Namespace) -> int:
    from geo.export import write_frame
    from geo.settings import write_html
    from geo.settings.partner_maps import MIN_CELL_M, partner_heatmap
    from geo.store import connect, places, read_table

    incidents, geo, _, _ = _analysis_inputs(args)
    ws = workspace_of(args, create=False)
    engine = connect(ws.database_url)
    transport = read_table(engine, places, places.c.kind == "transport")
    engine.dispose()
    stations = None
    if set(args.setting) & {"public_transport", "taxi"}:
        rail_bus = transport["subtype"].isin(["rail_station", "bus_station_bay"])
        stations = transport.loc[rail_bus, ["name", "easting", "northing"]].drop_duplicates("name")
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
        stations=stations,
    )
    print(f"{', '.join(heat.settings)}, {heat.period}")
    print(f"{len(heat.lsoas)} LSOAs with a published count; {len(heat.cells)} cells shown")
    print(heat.rules)
    print(heat.csp_table.to_string(index=False))
    if len(heat.area_table):
        print(heat.area_table.head(15).to_string(index=False))
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() == ".html":
            write_html(heat, geo, str(out), tile_url=ws.config.tile_url)
        else:
            write_frame(heat.cells, out, layer="heatmap")
        from geo.export import write_csv

        write_csv(heat.csp_table, out.with_name(out.stem + "-csp.csv"))
        write_csv(heat.area_table, out.with_name(out.stem + "-areas.csv"))
        print(f"wrote {out} and its -csp.csv and -areas.csv tables")
    return 0


def cmd_schools(args: argparse.Namespace) -> int:
    from geo.schools.plan import record_workshop, school_plan, school_status

    ws = workspace_of(args, create=False)
    if args.schools_command == "record-workshop":
        record_workshop(ws, args.urn, args.date)
        print(f"recorded a workshop at school {args.urn} on {args.date}")
        return 0
    if args.schools_command == "status":
        table = school_status(ws, today=args.today or date.today())
        print(table.to_string(index=False))
        met = int(table["indicator_met"].sum())
        print(
            f"indicator (a workshop in every CSP within 12 months): {met} of {len(table)} CSPs met"
        )
        return 0
    plan = school_plan(
        ws,
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
        f"{plan.covered_optimised} of {plan.total_records} records; greedy top-{args.budget} "
        f"by score covers {plan.covered_greedy} (solver: {plan.solver_status})"
    )
    for note in plan.notes:
        print(f"note: {note}")
    chosen = plan.table[plan.table["selected"]].sort_values(["csp", "rank_in_csp"])
    for row in chosen.to_dict("records"):
        print(
            f"  {row['csp']}: {row['school_name']} (URN {row['urn']}, {row['phase']}): "
            f"{row['reason']}"
        )
    if args.out:
        from geo.export import write_table

        columns = [
            "csp",
            "rank_in_csp",
            "urn",
            "school_name",
            "phase",
            "pupils",
            "score",
            "covered_records",
            "selected",
            "reason",
            "weighted_records",
            "school_setting_weight",
            "expected_weight",
            "risk_factor",
            "high_risk_area",
            "high_risk_ratio",
            "high_risk_weight",
            "lsoa_high_risk",
            "trend",
            "strand_mix",
            "radius_m",
        ]
        write_table(plan.table.sort_values(["csp", "rank_in_csp"])[columns], Path(args.out))
        print(f"wrote {len(plan.table)} schools to {args.out}")
    return 0


def _study_area(args: argparse.Namespace):
    """Records matching the filters, and the geography and residents a force or CSP
    filter restricts the study area to."""
    from geo.hotspots.analysis import restrict

    incidents, geo, population, _ = _analysis_inputs(args)
    filters = _filters(args)
    geo, population = restrict(geo, population, filters)
    return filters.apply(incidents), geo, population


def cmd_emerging(args: argparse.Namespace) -> int:
    import pandas as pd

    from geo.hotspots.aggregate import build_units, unit_keys
    from geo.hotspots.weights import build_weights
    from geo.tension.emerging import emerging_hotspots, space_time_cube

    chosen, geo, population = _study_area(args)
    points = (chosen["easting"].to_numpy(float), chosen["northing"].to_numpy(float))
    units = build_units(geo, args.unit, population, points=points)
    cube, bins = space_time_cube(
        units.frame["area_code"].to_numpy(),
        unit_keys(units, chosen),
        pd.to_datetime(chosen["recorded_at"]),
        args.bin,
    )
    table = emerging_hotspots(cube, build_weights(units.frame, args.weights).graph.sparse)
    table = pd.concat(
        [units.frame[["area_code", "area_name", "district", "csp", "geometry"]], table], axis=1
    )
    print(
        f"{len(chosen)} records, {len(units)} {args.unit} units, {len(bins)} {args.bin}s "
        f"({bins[0]} to {bins[-1]})"
    )
    counts = table["pattern"].value_counts()
    print("patterns: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    _write(table, args.out, layer="emerging", what="units")
    return 0


def cmd_tension(args: argparse.Namespace) -> int:
    import pandas as pd

    from geo._errors import TensionmapError
    from geo.tension import STRANDS, AlertRules, alert_rows, change_rows, replay
    from geo.tension.baseline import area_baselines
    from geo.tension.monitor import open_on, read_triggers, run_monitor

    records, geo, _ = _study_area(args)
    ws = workspace_of(args, create=False)
    strands = tuple(args.strand) if args.strand else (*STRANDS, "all")
    rules = AlertRules(
        max_radius_m=args.max_radius, max_days=args.max_days, replications=args.replications
    )
    rules.check()
    events = read_triggers(ws)

    def progress(day: date) -> None:
        print(f"  analysed {day}", file=sys.stderr, flush=True)

    if args.replay:
        first, last = (date.fromisoformat(d) for d in args.replay)
        if last < first:
            raise TensionmapError(f"--replay ends ({last}) before it starts ({first}).")
        alerts, _ = replay(
            records,
            geo,
            first,
            last,
            rules=rules,
            seed=args.seed,
            strands=strands,
            progress=progress,
        )
        rows = change_rows(alerts, geo, events, rules)
        print(f"{len(alerts)} alert(s), {len(rows)} state change(s) from {first} to {last}")
        for row in rows.to_dict("records"):
            print(
                f"  {row['updated_on']} {row['alert_id']} {row['change']} {row['level']} "
                f"{row['strand']} {row['csp']}"
            )
        as_of = last
    elif args.as_of:
        as_of = args.as_of
        whole = not (
            args.strand
            or args.setting
            or args.force
            or args.csp
            or args.record_type
            or args.start
            or args.end
        )
        if whole:  # the daily monitor: carries on from the store
            run = run_monitor(
                ws, records, geo, as_of, rules=rules, seed=args.seed, progress=progress
            )
            alerts = run.alerts
            if run.analysed is None:
                print(f"{as_of} was analysed before: the alerts open on it, from the store")
        else:  # a filtered look: a week's warm-up, nothing kept
            first = as_of - timedelta(days=6)
            everything, _ = replay(
                records,
                geo,
                first,
                as_of,
                rules=rules,
                seed=args.seed,
                strands=strands,
                progress=progress,
            )
            alerts = open_on(everything, as_of)
        rows = alert_rows(alerts, geo, events, rules)
        print(f"{len(rows)} alert(s) open on {as_of}")
        for row in rows.to_dict("records"):
            print(
                f"  {row['alert_id']} {row['level']} {row['strand']} {row['csp']}: "
                f"{row['explanation']}"
            )
    else:
        raise TensionmapError("give --as-of DATE or --replay FROM TO.")
    baselines = area_baselines(records, geo, pd.Timestamp(as_of), strands)
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
    if args.out:
        _write_alerts(rows, Path(args.out))
    if args.baselines_out:
        _write_alerts(baselines, Path(args.baselines_out))
    return 0


def _write_alerts(rows, out: Path) -> None:
    from geo.export import write_table

    if out.suffix.lower() == ".json":
        out.write_text(rows.to_json(orient="records", date_format="iso", indent=1))
    else:
        write_table(rows, out)
    print(f"wrote {len(rows)} rows to {out}")


def cmd_triggers(args: argparse.Namespace) -> int:
    from geo.tension import TriggerEvent
    from geo.tension.monitor import add_trigger, import_triggers, read_triggers

    ws = workspace_of(args, create=False)
    if args.triggers_command == "add":
        added = add_trigger(ws, TriggerEvent(args.date, args.name, args.scope, args.area))
        print(("added" if added else "already listed:") + f" {args.date} {args.name}")
    elif args.triggers_command == "import":
        print(f"added {import_triggers(ws, Path(args.file))} trigger event(s)")
    else:
        events = read_triggers(ws)
        print(f"{len(events)} trigger event(s)")
        for e in events:
            print(f"  {e.day} {e.name} ({e.scope}{', ' + e.area if e.area else ''})")
    return 0
