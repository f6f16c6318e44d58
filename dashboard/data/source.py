"""The workspace the dashboard serves, its data version, and the reads every page shares,
each cached on the data version (and on the publication where figures are published)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa

from dashboard.data.access import published_view
from geo import store
from geo.config import Workspace
from geo.disclosure import Publication
from geo.disclosure import publication as publication_of
from geo.geography.areas import Geography, load_geography

F = TypeVar("F", bound=Callable[..., Any])

#: Every cache of the data layer: :func:`configure` empties them all.
_CACHES: list[Any] = []


def cached(maxsize: int) -> Callable[[F], F]:
    """An ``lru_cache`` that :func:`configure` clears (key it on :func:`data_version`)."""

    def wrap(function: F) -> F:
        kept = lru_cache(maxsize=maxsize)(function)
        _CACHES.append(kept)
        return kept  # type: ignore[return-value]

    return wrap


_WORKSPACE: Workspace | None = None
_TODAY: date | None = None
_VERSION: tuple[float, int] = (0.0, 0)
#: Seconds a data version is trusted before the store is asked again.
VERSION_TTL = 5.0


def configure(workspace: Workspace, *, today: date | None = None) -> None:
    """Serve ``workspace``; ``today`` fixes the date closed periods are counted from
    (tests), otherwise the real date."""
    global _WORKSPACE, _VERSION, _TODAY
    _WORKSPACE = workspace
    _TODAY = today
    _VERSION = (0.0, 0)
    for kept in _CACHES:
        kept.cache_clear()


def workspace() -> Workspace:
    """The workspace served (``RuntimeError`` before :func:`configure`)."""
    if _WORKSPACE is None:
        raise RuntimeError("dashboard.data.configure(workspace) was not called")
    return _WORKSPACE


def reference_day() -> date:
    """The day closed periods are counted from: the real date unless configured."""
    return _TODAY or date.today()


@cached(maxsize=1)
def _engine(url: str) -> sa.Engine:
    return store.connect(url)


def engine() -> sa.Engine:
    """The store's engine (one per workspace)."""
    return _engine(workspace().database_url)


def data_version() -> int:
    """Changes whenever an ingest finishes: the newest batch id (asked at most every
    ``VERSION_TTL`` seconds, so a busy dashboard does not query the store per callback)."""
    global _VERSION
    checked, version = _VERSION
    if time.monotonic() - checked < VERSION_TTL:
        return version
    with engine().connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(store.ingest_batches.c.id))).scalar()
    _VERSION = (time.monotonic(), int(newest or 0))
    return _VERSION[1]


@cached(maxsize=4)
def _records(version: int) -> pd.DataFrame:
    frame = store.read_incidents(engine(), located_only=False)
    # sensitive fields never leave this package
    return frame.drop(columns=["description", "victim_key", "attributes", "postcode"])


@cached(maxsize=4)
def _incidents(version: int) -> pd.DataFrame:
    frame = _records(version)
    return frame[frame["location_status"].eq("located")].reset_index(drop=True)


def incidents() -> pd.DataFrame:
    """The located records (for maps and area statistics), without descriptions, victim
    pseudonyms, attributes or postcodes."""
    return _incidents(data_version())


def all_records() -> pd.DataFrame:
    """Every record, wherever it is or without a location (for force-level counts), as
    :func:`incidents` gives them."""
    return _records(data_version())


@cached(maxsize=2)
def _victims(version: int) -> pd.DataFrame:
    frame = store.read_incidents(engine(), located_only=False)  # every record counts
    return frame[["recorded_at", "victim_key", "csp_code"]]


def victims() -> pd.DataFrame:
    """Victim pseudonyms by record: only ever reduced to rates in this package."""
    return _victims(data_version())


def in_csp(frame: pd.DataFrame, csp: str) -> pd.DataFrame:
    """The rows of CSP ``csp`` (all rows when empty)."""
    return frame[frame["csp_code"] == csp] if csp else frame


@cached(maxsize=1)
def _geography(root: str) -> Geography:
    return load_geography(workspace().geography_dir)


def geography() -> Geography:
    """The workspace's areas."""
    return _geography(str(workspace().root))


def csp_names() -> pd.Series:
    """CSP name by CSP code."""
    return geography().csp_names


@cached(maxsize=4)
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


def published_or_exact() -> Publication | None:
    """The publication for the partner and prevention roles; ``None`` (exact) otherwise."""
    return publication() if published_view() else None


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


@cached(maxsize=1)
def _boundaries(root: str) -> dict[str, Any]:
    districts = geography().lsoas.dissolve("district_code", as_index=False)[
        ["district_name", "csp_name", "geometry"]
    ]
    districts["geometry"] = districts.geometry.simplify(100)
    found: dict[str, Any] = json.loads(districts.to_crs(4326).to_json())
    return found


def district_outlines() -> dict[str, Any]:
    """District outlines (WGS84 GeoJSON), simplified for drawing."""
    return _boundaries(str(workspace().root))


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for a DataTable (dates and numpy scalars as plain values)."""
    clean = frame.copy()
    for column in clean.columns:
        if clean[column].dtype == object:
            clean[column] = clean[column].map(lambda v: v.isoformat() if isinstance(v, date) else v)
    rows: list[dict[str, Any]] = json.loads(clean.to_json(orient="records", date_format="iso"))
    return rows
