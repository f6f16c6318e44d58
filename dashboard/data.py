"""The only place the dashboard reads the store or calls ``geo``; cached on a data version.

Authorisation is enforced here, on the server: every public function names the page it
serves and raises :class:`ForbiddenError` unless the signed-in role may see that page
(:data:`PAGE_ROLES`). What a function returns is all its callers can send to a browser, so
the partner's functions return only disclosure-controlled aggregates, and record
references, descriptions, victim ids and point coordinates leave only through the
tactical role's functions.
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
from geo.geography import Geography, load_geography
from geo.users import ROLES

#: Which roles may open which page (and call its data functions).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "overview": ("tactical", "analyst"),
    "tension": ("tactical",),
    "hotspots": ("tactical", "analyst"),
    "schools": ("tactical", "analyst", "prevention"),
    "partner": ("tactical", "analyst", "partner"),
    "trends": ROLES,
}


class ForbiddenError(PermissionError):
    pass


def allowed(page: str) -> bool:
    return current_role() in PAGE_ROLES[page]


def require(page: str) -> None:
    if not allowed(page):
        role = current_role() or "anonymous"
        raise ForbiddenError(f"the {role} role may not use the {page} page")


_WORKSPACE: Workspace | None = None


def configure(workspace: Workspace) -> None:
    global _WORKSPACE, _VERSION
    _WORKSPACE = workspace
    _VERSION = (0.0, 0)
    for cached in (
        _cached_incidents,
        _geography,
        _hotspots,
        _partner,
        _plan,
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
    """First and last day of the records (shown on every page)."""
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
    from geo.population import lsoa_population

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
    if not every_filter:
        return
    from geo.vocab import MONITORED_STRANDS

    for csp in ["", *sorted(csp_names().index)]:
        _trend_summary(version, csp)
        _repeat_rates(version, csp)
        for period in ("year", "quarter", "month"):
            _trend_table(version, period, "", csp)
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
    """High-risk residential LSOAs (the schools score's H), outlines only."""
    require("schools")
    table = _hotspots(data_version(), "", "residential", "", "", "", "lsoa")
    return table.loc[table["risk_class"].isin(["hot_95", "hot_99"]), ["area_name", "geometry"]]


# --- schools (prevention) -----------------------------------------------------------------


@lru_cache(maxsize=16)
def _plan(version: int, budget: int, phase: str) -> Any:
    from geo.school_plan import school_plan

    return school_plan(workspace(), budget=budget, phases=(phase,) if phase else ())


def school_plan_table(budget: int, phase: str = "") -> tuple[pd.DataFrame, dict[str, Any]]:
    """Schools ranked in their CSP with the plan for ``budget`` (no record details)."""
    require("schools")
    plan = _plan(data_version(), budget, phase)
    summary = {
        "covered_optimised": plan.covered_optimised,
        "covered_greedy": plan.covered_greedy,
        "total_records": plan.total_records,
    }
    return plan.table, summary


def school_status_table(today: date | None = None) -> pd.DataFrame:
    require("schools")
    from geo.school_plan import school_status

    return school_status(workspace(), today=today or date.today())


# --- partner heat maps --------------------------------------------------------------------

PARTNER_SETTINGS = {
    "public_transport": "Public transport",
    "nte": "Night-time economy",
    "taxi": "Taxis and private hire",
}


@lru_cache(maxsize=8)
def _partner(version: int, setting: str) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    from geo.heatmap import partner_heatmap, write_html

    heat = partner_heatmap(incidents(), geography(), settings=(setting,))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.html"
        write_html(heat, geography(), str(path))
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
    """The disclosure-controlled heat map (self-contained HTML) and its tables."""
    require("partner")
    if setting not in PARTNER_SETTINGS:
        raise KeyError(setting)
    return _partner(data_version(), setting)


# --- trends (everyone) --------------------------------------------------------------------


def trend_table(period: str = "year", strand: str = "", csp: str = "") -> pd.DataFrame:
    """Strand markers per period (rows) and CSP (columns), like the published FOI tables."""
    require("trends")
    return _trend_table(data_version(), period, strand, csp).copy()


@lru_cache(maxsize=64)
def _trend_table(version: int, period: str, strand: str, csp: str) -> pd.DataFrame:
    frame = incidents()
    if csp:
        frame = frame[frame["csp_code"] == csp]
    when = pd.to_datetime(frame["recorded_at"])
    key = {
        "year": when.dt.year.astype(str),
        "quarter": when.dt.to_period("Q").astype(str),
        "month": when.dt.to_period("M").astype(str),
    }[period]
    markers = frame.assign(period=key.to_numpy(), strand=frame["strands"].str.split(";"))
    markers = markers.explode("strand")
    if strand:
        markers = markers[markers["strand"] == strand]
    table = pd.crosstab(markers["period"], markers["strand"])
    table["all strand markers"] = table.sum(axis=1)
    return table.reset_index()


def trend_summary(csp: str = "") -> dict[str, Any]:
    require("trends")
    return {k: v.copy() for k, v in _trend_summary(data_version(), csp).items()}


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
        "repeat_victim_rate": _repeat_rates(data_version(), csp),
    }


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
