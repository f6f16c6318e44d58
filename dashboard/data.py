"""The only place the dashboard reads the store or calls ``geo``; cached on a data version.

Authorisation is enforced here, on the server: every public function names the page it
serves and raises :class:`ForbiddenError` unless the signed-in role may see that page
(:data:`PAGE_ROLES`). What a function returns is all its callers can send to a browser, so
the partner's functions return only disclosure-controlled aggregates, and record
references, descriptions, victim ids and point coordinates leave only through the
tactical role's functions.

Disclosure control is enforced here too (see :mod:`geo.disclosure`): the partner page,
and the Trends and Schools figures of the partner and prevention roles
(:data:`PUBLISHED_ROLES`), come only from published counts of closed periods. Caches
are keyed on the data version, the :class:`~geo.disclosure.Publication` (which changes
when the published period does) and whether the figures are published or exact.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.auth import current_role
from geo import store
from geo.config import Workspace
from geo.disclosure import (
    Publication,
    publishable_array,
    published_counts_by,
    published_share,
    shown,
)
from geo.disclosure import publication as publication_of
from geo.geography.areas import Geography, load_geography
from geo.users import ROLES
from geo.vocab import MONITORED_STRANDS, RECORD_TYPES

#: Which roles may open which page (and call its data functions).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "overview": ("tactical", "analyst"),
    "tension": ("tactical",),
    "hotspots": ("tactical", "analyst"),
    "schools": ("tactical", "analyst", "prevention"),
    "partner": ("tactical", "analyst", "partner"),
    "trends": ROLES,
}


#: Roles that see only published figures (closed periods, small counts suppressed,
#: rounded) on Trends and Schools; the partner page is published for every role.
PUBLISHED_ROLES: tuple[str, ...] = ("partner", "prevention")


class ForbiddenError(PermissionError):
    pass


def allowed(page: str) -> bool:
    return current_role() in PAGE_ROLES[page]


def require(page: str) -> None:
    if not allowed(page):
        role = current_role() or "anonymous"
        raise ForbiddenError(f"the {role} role may not use the {page} page")


def published_view() -> bool:
    """Whether the signed-in role sees published figures on Trends and Schools."""
    return current_role() in PUBLISHED_ROLES


_WORKSPACE: Workspace | None = None
_TODAY: date | None = None


def configure(workspace: Workspace, *, today: date | None = None) -> None:
    """Serve ``workspace``; ``today`` fixes the date closed periods are counted from
    (tests), otherwise the real date."""
    global _WORKSPACE, _VERSION, _TODAY
    _WORKSPACE = workspace
    _TODAY = today
    _VERSION = (0.0, 0)
    for cached in (
        _cached_incidents,
        _geography,
        _hotspots,
        _partner,
        _plan,
        _publication,
        _published_high_risk,
        _published_trend_summary,
        _status,
        _repeat_rates,
        _boundaries,
        _stored_alerts,
        _population,
        _density,
        _engine,
        _repeats,
        _trend_table,
        _trend_summary,
        _victims,
    ):
        cached.cache_clear()


def workspace() -> Workspace:
    if _WORKSPACE is None:
        raise RuntimeError("dashboard.data.configure(workspace) was not called")
    return _WORKSPACE


def reference_day() -> date:
    """The day closed periods are counted from: the real date unless configured."""
    return _TODAY or date.today()


@lru_cache(maxsize=4)
def _publication(version: int, day: date) -> Publication:
    config = workspace().config
    return publication_of(
        incidents()["recorded_at"],
        today=day,
        lag_days=config.publication_lag_days,
        k=config.small_count_threshold,
    )


def publication() -> Publication:
    """What may be published today: the closed months holding data, ``k`` and the lag."""
    return _publication(data_version(), reference_day())


def _published_or_exact() -> Publication | None:
    """The publication for the partner and prevention roles; ``None`` (exact) otherwise."""
    return publication() if published_view() else None


_VERSION: tuple[float, int] = (0.0, 0)
#: Seconds a data version is trusted before the store is asked again.
VERSION_TTL = 5.0


@lru_cache(maxsize=1)
def _engine(url: str) -> sa.Engine:
    return store.connect(url)


def data_version() -> int:
    """Changes whenever an ingest finishes: the newest batch id (asked at most every
    ``VERSION_TTL`` seconds, so a busy dashboard does not query the store per callback)."""
    global _VERSION
    import time

    checked, version = _VERSION
    if time.monotonic() - checked < VERSION_TTL:
        return version
    with _engine(workspace().database_url).connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(store.ingest_batches.c.id))).scalar()
    _VERSION = (time.monotonic(), int(newest or 0))
    return _VERSION[1]


@lru_cache(maxsize=4)
def _cached_incidents(version: int) -> pd.DataFrame:
    frame = store.read_incidents(_engine(workspace().database_url))
    # sensitive fields never leave this module
    return frame.drop(columns=["description", "victim_key", "attributes", "postcode"])


def incidents() -> pd.DataFrame:
    return _cached_incidents(data_version())


@lru_cache(maxsize=1)
def _geography(root: str) -> Geography:
    return load_geography(workspace().geography_dir)


def geography() -> Geography:
    return _geography(str(workspace().root))


def lsoa_counts(strand: str | None = None) -> gpd.GeoDataFrame:
    """Hate records per LSOA (zero-count LSOAs included), in WGS84 for display."""
    require("overview")
    frame = incidents()
    if strand:
        frame = frame[frame["strands"].str.split(";").map(lambda s: strand in s)]
    counts = frame.groupby("lsoa_code").size()
    lsoas = geography().lsoas[["lsoa_code", "lsoa_name", "csp_name", "geometry"]].copy()
    lsoas["records"] = counts.reindex(lsoas["lsoa_code"]).fillna(0).astype(int).to_numpy()
    return lsoas.to_crs(4326)


def csp_strand_table() -> pd.DataFrame:
    """Strand markers per CSP (rows) for the steering group's first glance."""
    require("overview")
    frame = incidents()
    names = geography().lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]
    markers = frame.assign(strand=frame["strands"].str.split(";")).explode("strand")
    table = pd.crosstab(markers["csp_code"].map(names), markers["strand"])
    table["all records"] = frame.groupby(frame["csp_code"].map(names)).size()
    return table.sort_values("all records", ascending=False)


def date_range() -> tuple[str, str]:
    """First and last day of the records (shown on every page); for the partner and
    prevention roles, of the closed months published."""
    if published_view():
        span = publication().span
        return (span.start.isoformat(), span.end.isoformat()) if span else ("", "")
    frame = incidents()
    if frame.empty:
        return ("", "")
    return (str(frame["recorded_at"].min())[:10], str(frame["recorded_at"].max())[:10])


def csp_names() -> pd.Series:
    return geography().lsoas.drop_duplicates("csp_code").set_index("csp_code")["csp_name"]


@lru_cache(maxsize=1)
def _boundaries(root: str) -> dict[str, Any]:
    """District outlines (WGS84 GeoJSON), simplified for drawing."""
    geo = geography()
    districts = geo.lsoas.dissolve("district_code", as_index=False)[
        ["district_name", "csp_name", "geometry"]
    ]
    districts["geometry"] = districts.geometry.simplify(100)
    return json.loads(districts.to_crs(4326).to_json())


def district_outlines() -> dict[str, Any]:
    return _boundaries(str(workspace().root))


# --- tension (tactical) -------------------------------------------------------------------


@lru_cache(maxsize=4)
def _stored_alerts(version: int) -> tuple[Any, ...]:
    from geo.tension.monitor import read_triggers, stored_alerts

    return (stored_alerts(workspace()), read_triggers(workspace()))


def _tension_version() -> int:
    with _engine(workspace().database_url).connect() as conn:
        runs = conn.execute(sa.select(sa.func.count()).select_from(store.tension_runs)).scalar()
    return int(runs or 0)


def monitor_days() -> list[str]:
    """The days the daily monitor has analysed."""
    require("tension")
    table = store.read_table(_engine(workspace().database_url), store.tension_runs)
    return sorted(table["as_of"].astype(str)) if len(table) else []


def open_alerts(day: str) -> pd.DataFrame:
    """Alerts open on ``day``, most serious and most recent first."""
    require("tension")
    from geo.tension.alerts import LEVELS, alert_rows
    from geo.tension.monitor import open_on

    alerts, events = _stored_alerts(_tension_version())
    chosen = open_on(alerts, date.fromisoformat(day))
    rows = alert_rows(chosen, geography(), events)
    if rows.empty:
        return rows
    rows["rank"] = rows["level"].map(LEVELS.index)
    rows = rows.sort_values(["rank", "updated_on"], ascending=False).drop(columns="rank")
    return rows.reset_index(drop=True)


def alert_evidence(alert_id: str, day: str) -> dict[str, Any]:
    """What the tactical lead sees on clicking an alert: the daily records in its areas
    for eight weeks against their usual range, and the evidence with record references."""
    require("tension")
    from geo.tension.alerts import linked_events

    alerts, events = _stored_alerts(_tension_version())
    alert = next((a for a in alerts if a.alert_id == alert_id), None)
    if alert is None:
        raise KeyError(alert_id)
    s = alert.signal
    frame = incidents()
    here = frame[frame["lsoa_code"].isin(s.lsoas)]
    if s.strand != "all":
        here = here[here["strands"].fillna("").str.contains(s.strand)]
    when = pd.to_datetime(here["recorded_at"]).dt.normalize()
    end = pd.Timestamp(day)
    start = end - pd.Timedelta(days=55)
    history = when[(when <= end) & (when > end - pd.Timedelta(days=730))]
    usual = len(history) / 730.0
    days = pd.date_range(start, end, freq="D")
    daily = when.value_counts().reindex(days, fill_value=0)
    from scipy import stats

    return {
        "alert_id": alert.alert_id,
        "level": alert.level,
        "strand": s.strand,
        "days": [d.date().isoformat() for d in days],
        "records": daily.astype(int).tolist(),
        "expected": round(usual, 3),
        "upper": float(stats.poisson.ppf(0.99, usual)) if usual > 0 else 0.0,
        "evidence": {
            "victims": s.evidence.victims,
            "repeat_victims": s.evidence.repeat_victims,
            "violent": s.evidence.violent,
            "strands": s.evidence.strands,
            "settings": s.evidence.settings,
            "offences": s.evidence.offences,
            "baseline_exceedance": s.evidence.baseline_exceedance,
        },
        "trigger_events": [
            f"{e.day} {e.name} ({e.scope})"
            for e in linked_events(alert, events, _rules(), geography())
        ],
        "history": [f"{c.day} {c.change} ({c.level})" for c in alert.history],
        "references": list(s.references),
        "bounds": _bounds(s.centre, s.radius_m),
    }


def _rules() -> Any:
    from geo.tension.alerts import AlertRules

    return AlertRules()


def _bounds(centre: tuple[float, float], radius: float) -> list[list[float]]:
    from pyproj import Transformer

    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    r = max(radius, 500.0)
    lon, lat = to_wgs.transform([centre[0] - r, centre[0] + r], [centre[1] - r, centre[1] + r])
    return [[lat[0], lon[0]], [lat[1], lon[1]]]


# --- hotspots (analysts) ------------------------------------------------------------------

HOTSPOT_METHODS = {
    "risk_class": "Excess risk per resident (Poisson, FDR)",
    "excess_class": "Excess-risk Gi* (EB ratios)",
    "hotspot_class": "Gi* on counts",
    "lisa_class": "Local Moran (LISA)",
}


#: Units the hotspots page offers (wards only when a ward boundary file is imported).
UNITS = {"lsoa": "LSOA", "ward": "ward", "district": "district", "csp": "CSP"}


@lru_cache(maxsize=512)
def _hotspots(version: int, strand: str, setting: str, csp: str, start: str, end: str, unit: str):
    from geo.hotspots.aggregate import Filters
    from geo.hotspots.analysis import hotspots, restrict

    geo = geography()
    population = _population(str(workspace().root))
    filters = Filters(
        start=date.fromisoformat(start) if start else None,
        end=date.fromisoformat(end) if end else None,
        strands=(strand,) if strand else (),
        settings=(setting,) if setting else (),
        csp=(csp,) if csp else (),
    )
    geo, population = restrict(geo, population, filters)
    table = hotspots(
        incidents(), geo, population, unit=unit, filters=filters, permutations=199
    ).table
    table["geometry"] = table.geometry.simplify(20)  # for drawing: metres, invisible
    return table.to_crs(4326)


@lru_cache(maxsize=1)
def _population(root: str) -> np.ndarray:
    from geo.geography.population import lsoa_population

    return lsoa_population(geography(), geography_dir=workspace().geography_dir)[0]


def warm(*, every_filter: bool = False) -> None:
    """Load what every page needs before the first user arrives; with ``every_filter``
    also the trends and the hotspot, density and repeat-location layers of every strand
    and CSP (about half a minute for both forces, in the background of ``tensionmap
    serve``)."""
    incidents()
    _population(str(workspace().root))
    district_outlines()
    version = data_version()
    _victims(version)
    published = publication()
    if not every_filter:
        return
    for setting in PARTNER_SETTINGS:
        _partner(version, setting, published)
    for csp in ["", *sorted(csp_names().index)]:
        _trend_summary(version, csp)
        _repeat_rates(version, csp)
        _published_trend_summary(version, csp, published)
        for period in ("year", "quarter", "month"):
            _trend_table(version, period, "", csp, None)
            _trend_table(version, period, "", csp, published)
        for strand in ["", *MONITORED_STRANDS]:
            _hotspots(version, strand, "", csp, "", "", "lsoa")
            _density(version, strand, "", csp)
            _repeats(version, strand, csp)


def hotspot_table(
    strand: str = "",
    setting: str = "",
    csp: str = "",
    start: str = "",
    end: str = "",
    unit: str = "lsoa",
) -> gpd.GeoDataFrame:
    """Hotspot figures and classes per unit for the filters (WGS84)."""
    require("hotspots")
    if unit not in UNITS:
        raise KeyError(unit)
    return _hotspots(data_version(), strand, setting, csp, start, end, unit)


def units() -> dict[str, str]:
    """The units this workspace can offer."""
    return {k: v for k, v in UNITS.items() if k != "ward" or geography().wards is not None}


def density_layer(strand: str = "", setting: str = "", csp: str = "") -> gpd.GeoDataFrame:
    """Kernel density cells above a fifth of the peak (WGS84)."""
    require("hotspots")
    return _density(data_version(), strand, setting, csp)


@lru_cache(maxsize=512)
def _density(version: int, strand: str, setting: str, csp: str) -> gpd.GeoDataFrame:
    from geo.hotspots.aggregate import Filters
    from geo.hotspots.kde import kernel_density

    chosen = Filters(
        strands=(strand,) if strand else (),
        settings=(setting,) if setting else (),
        csp=(csp,) if csp else (),
    ).apply(incidents())
    if len(chosen) < 5:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    surface = kernel_density(
        chosen["easting"].to_numpy(float), chosen["northing"].to_numpy(float), bandwidth_m=500
    )
    return surface.to_frame(min_share=0.2).to_crs(4326)


def repeat_locations(strand: str = "", csp: str = "") -> gpd.GeoDataFrame:
    """Repeat-location clusters (DBSCAN, 10 m, at least 4 records): their outlines and
    counts, never the records (WGS84)."""
    require("hotspots")
    return _repeats(data_version(), strand, csp)


@lru_cache(maxsize=512)
def _repeats(version: int, strand: str, csp: str) -> gpd.GeoDataFrame:
    from geo.hotspots.aggregate import Filters
    from geo.hotspots.clusters import point_clusters

    chosen = Filters(strands=(strand,) if strand else (), csp=(csp,) if csp else ()).apply(
        incidents()
    )
    if len(chosen) < 4:
        return gpd.GeoDataFrame({"records": []}, geometry=[], crs=4326)
    table = point_clusters(chosen, eps_m=10, min_samples=4).table
    if table.empty:
        return gpd.GeoDataFrame({"records": [], "first": [], "last": []}, geometry=[], crs=4326)
    return table[["cluster_id", "records", "first", "last", "geometry"]].to_crs(4326)


def school_hotspot_layer() -> gpd.GeoDataFrame:
    """High-risk residential LSOAs (the schools score's H), outlines only (WGS84); for
    the prevention role from published counts of closed periods."""
    require("schools")
    published = _published_or_exact()
    if published is not None:
        return _published_high_risk(data_version(), published)
    table = _hotspots(data_version(), "", "residential", "", "", "", "lsoa")
    return table.loc[table["risk_class"].isin(["hot_95", "hot_99"]), ["area_name", "geometry"]]


@lru_cache(maxsize=4)
def _published_high_risk(version: int, published: Publication) -> gpd.GeoDataFrame:
    from geo.schools import high_risk_areas

    hot = set(high_risk_areas(workspace(), publication=published)["lsoa_code"])
    lsoas = geography().lsoas
    table = lsoas.loc[lsoas["lsoa_code"].isin(hot), ["lsoa_name", "geometry"]]
    table = table.rename(columns={"lsoa_name": "area_name"}).reset_index(drop=True)
    table["geometry"] = table.geometry.simplify(20)
    return table.to_crs(4326)


# --- schools (prevention) -----------------------------------------------------------------


@lru_cache(maxsize=16)
def _plan(
    version: int, budget: int, phase: str, published: Publication | None, day: date | None
) -> Any:
    from geo.schools.plan import school_plan

    return school_plan(
        workspace(),
        budget=budget,
        phases=(phase,) if phase else (),
        publication=published,
        today=day,
    )


def school_plan_table(budget: int, phase: str = "") -> tuple[pd.DataFrame, dict[str, Any]]:
    """Schools ranked in their CSP with the plan for ``budget`` (no record details); for
    the prevention role scored and planned from published counts of closed periods."""
    require("schools")
    published = _published_or_exact()
    day = reference_day() if published else None  # which workshops are recent
    plan = _plan(data_version(), budget, phase, published, day)
    summary = {
        "covered_optimised": plan.covered_optimised,
        "covered_greedy": plan.covered_greedy,
        "total_records": plan.total_records,
    }
    return plan.table, summary


def school_status_table(today: date | None = None) -> pd.DataFrame:
    """The 12-month indicator per CSP (ranks from published counts for prevention)."""
    require("schools")
    return _status(data_version(), today or reference_day(), _published_or_exact()).copy()


@lru_cache(maxsize=8)
def _status(version: int, day: date, published: Publication | None) -> pd.DataFrame:
    from geo.schools.plan import school_status

    return school_status(workspace(), today=day, publication=published)


# --- partner heat maps --------------------------------------------------------------------

PARTNER_SETTINGS = {
    "public_transport": "Public transport",
    "nte": "Night-time economy",
    "taxi": "Taxis and private hire",
}


@lru_cache(maxsize=8)
def _partner(version: int, setting: str, published: Publication) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    from geo.settings import partner_heatmap, write_html

    heat = partner_heatmap(
        incidents(), geography(), settings=(setting,), period=published.window(), k=published.k
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.html"
        write_html(heat, geography(), str(path), tile_url=workspace().config.tile_url)
        page = path.read_text(encoding="utf-8")
    return {
        "html": page,
        "csp_table": heat.csp_table,
        "area_table": heat.area_table,
        "rules": heat.rules,
        "period": heat.period,
        "cells": len(heat.cells),
    }


def partner_map(setting: str) -> dict[str, Any]:
    """The published heat map (self-contained HTML) and its tables: the same published
    product for every role that may open the page."""
    require("partner")
    if setting not in PARTNER_SETTINGS:
        raise KeyError(setting)
    return _partner(data_version(), setting, publication())


# --- trends (everyone) --------------------------------------------------------------------


#: Periods the Trends page offers.
PERIODS = ("year", "quarter", "month")


def trend_table(period: str = "year", strand: str = "", csp: str = "") -> pd.DataFrame:
    """Strand markers per period (rows) and strand (columns), like the published FOI
    tables; for the partner and prevention roles only whole closed periods, counts
    suppressed below ``k`` (shown ``<k``) and rounded to 5."""
    require("trends")
    if period not in PERIODS:
        raise KeyError(period)
    return _trend_table(data_version(), period, strand, csp, _published_or_exact()).copy()


def _period_keys(recorded_at: pd.Series, period: str) -> pd.Series:
    when = pd.to_datetime(recorded_at)
    if period == "year":
        return when.dt.year.astype(str)
    return when.dt.to_period("Q" if period == "quarter" else "M").astype(str)


def _closed_keys(published: Publication, period: str) -> list[str]:
    """The periods (as :func:`_period_keys` names them) that overlap the published span
    and whose every month is closed, oldest first."""
    span = published.span
    if span is None:
        return []
    last = pd.Period(published.last_closed, freq="M")
    freq = {"year": "Y", "quarter": "Q", "month": "M"}[period]
    spans = pd.period_range(span.start, span.end, freq=freq)
    return [str(p) for p in spans if p.asfreq("M", how="end") <= last]


@lru_cache(maxsize=128)
def _trend_table(
    version: int, period: str, strand: str, csp: str, published: Publication | None
) -> pd.DataFrame:
    frame = incidents()
    if csp:
        frame = frame[frame["csp_code"] == csp]
    key = _period_keys(frame["recorded_at"], period)
    markers = frame.assign(period=key.to_numpy(), strand=frame["strands"].str.split(";"))
    markers = markers.explode("strand")
    if strand:
        markers = markers[markers["strand"] == strand]
    if published is None:
        table = pd.crosstab(markers["period"], markers["strand"])
        table["all strand markers"] = table.sum(axis=1)
        return table.reset_index()
    keys = _closed_keys(published, period)
    markers = markers[markers["period"].isin(keys)]
    raw = pd.crosstab(markers["period"], markers["strand"]).reindex(keys, fill_value=0)
    k, base = published.k, published.base
    counts = pd.DataFrame(
        publishable_array(raw.to_numpy(), k, base), index=raw.index, columns=raw.columns
    )
    order = [s for s in MONITORED_STRANDS if s in counts] + sorted(
        set(counts.columns) - set(MONITORED_STRANDS)
    )
    table = pd.DataFrame({"period": keys})
    for column in order:
        if counts[column].any():  # a strand with nothing published is not a column
            table[column] = [shown(v, k) for v in counts[column]]
    totals = publishable_array(raw.sum(axis=1).to_numpy(), k, base)
    table["all strand markers"] = [shown(v, k) for v in totals]
    return table


def trend_summary(csp: str = "") -> dict[str, Any]:
    """CSP shares, top offences, crimes against non-crime incidents and the repeat-victim
    rate; published (closed periods, suppressed, rounded, shares of published counts)
    for the partner and prevention roles."""
    require("trends")
    published = _published_or_exact()
    if published is None:
        source = _trend_summary(data_version(), csp)
    else:
        source = _published_trend_summary(data_version(), csp, published)
    return {k: v.copy() for k, v in source.items()}


@lru_cache(maxsize=32)
def _trend_summary(version: int, csp: str) -> dict[str, Any]:
    frame = incidents()
    if csp:
        frame = frame[frame["csp_code"] == csp]
    names = csp_names()
    shares = (frame["csp_code"].map(names).value_counts(normalize=True) * 100).round(1)
    year = pd.to_datetime(frame["recorded_at"]).dt.year
    by_type = pd.crosstab(year, frame["record_type"]).reset_index(names="year")
    return {
        "csp_shares": shares.rename_axis("csp").reset_index(name="share_%"),
        "top_offences": frame["offence"]
        .value_counts()
        .head(10)
        .rename_axis("offence")
        .reset_index(name="records"),
        "crime_vs_incident": by_type,
        "repeat_victim_rate": _repeat_rates(version, csp),
    }


def _ordered(counts: pd.Series) -> pd.Series:
    """Largest published count first, ties by name: no order from unpublished detail."""
    counts = counts.sort_index(kind="stable")
    return counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")]


@lru_cache(maxsize=32)
def _published_trend_summary(version: int, csp: str, published: Publication) -> dict[str, Any]:
    k, base = published.k, published.base
    frame = incidents()
    if csp:
        frame = frame[frame["csp_code"] == csp]
    span = published.span
    spanned = frame[span.contains(frame["recorded_at"])] if span else frame.iloc[:0]
    names = csp_names()
    listed = [names[csp]] if csp else sorted(names)
    per_csp = _ordered(published_counts_by(spanned["csp_code"].map(names), listed, k=k, base=base))
    total = int(per_csp.sum())
    offences = published_counts_by(
        spanned["offence"], sorted(spanned["offence"].dropna().unique()), k=k, base=base
    )
    offences = _ordered(offences[offences > 0]).head(10)
    years = _closed_keys(published, "year")
    year = frame["recorded_at"].str.slice(0, 4)
    by_type = pd.DataFrame({"year": [int(y) for y in years]})
    for kind in RECORD_TYPES:
        counts = published_counts_by(year[frame["record_type"] == kind], years, k=k, base=base)
        by_type[kind] = [shown(v, k) for v in counts]
    return {
        "csp_shares": pd.DataFrame(
            {
                "csp": per_csp.index.to_numpy(),
                "share_%": [published_share(int(v), total, k) for v in per_csp],
            }
        ),
        "top_offences": pd.DataFrame(
            {"offence": offences.index.to_numpy(), "records": offences.to_numpy()}
        ),
        "crime_vs_incident": by_type,
        "repeat_victim_rate": _published_repeat_rates(version, csp, years, k, base),
    }


def _published_repeat_rates(
    version: int, csp: str, years: list[str], k: int, base: int
) -> pd.DataFrame:
    """Per closed year: published victims with more than one record over published
    victims (both suppressed and rounded; only the rate leaves)."""
    frame = _victims(version)
    if csp:
        frame = frame[frame["csp_code"] == csp]
    frame = frame[frame["victim_key"].notna()]
    year = frame["recorded_at"].str.slice(0, 4)
    frame = frame.assign(year=year)[year.isin(years)]
    per = frame.groupby(["year", "victim_key"]).size()
    victims = per.groupby(level="year").size().reindex(years, fill_value=0)
    repeats = (per > 1).groupby(level="year").sum().reindex(years, fill_value=0)
    published_victims = publishable_array(victims.to_numpy(), k, base)
    published_repeats = publishable_array(repeats.to_numpy(), k, base)
    return pd.DataFrame(
        {
            "year": [int(y) for y in years],
            "repeat_victims_%": [
                published_share(int(r), int(v), k)
                for r, v in zip(published_repeats, published_victims, strict=True)
            ],
        }
    )


@lru_cache(maxsize=2)
def _victims(version: int) -> pd.DataFrame:
    """Victim pseudonyms by record: only ever reduced to rates in this module."""
    frame = store.read_incidents(_engine(workspace().database_url))
    return frame[["recorded_at", "victim_key", "csp_code"]]


@lru_cache(maxsize=16)
def _repeat_rates(version: int, csp: str) -> pd.DataFrame:
    """Share of victims with more than one record in a year (only the rates leave)."""
    frame = _victims(version)
    if csp:
        frame = frame[frame["csp_code"] == csp]
    frame = frame[frame["victim_key"].notna()]
    year = pd.to_datetime(frame["recorded_at"]).dt.year
    per = frame.assign(year=year).groupby(["year", "victim_key"]).size()
    rate = (per > 1).groupby(level="year").mean().mul(100).round(1)
    return rate.rename_axis("year").reset_index(name="repeat_victims_%")


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for a DataTable (dates and numpy scalars as plain values)."""
    clean = frame.copy()
    for column in clean.columns:
        if clean[column].dtype == object:
            clean[column] = clean[column].map(lambda v: v.isoformat() if isinstance(v, date) else v)
    return json.loads(clean.to_json(orient="records", date_format="iso"))
