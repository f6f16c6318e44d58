"""The places proximity rules use: stations, night-time-economy premises and schools."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo import store
from geo.config import Workspace


@dataclass(frozen=True)
class Places:
    """BNG coordinates of the places proximity rules use."""

    stations: np.ndarray  # (n, 2) rail and bus stations
    nte: np.ndarray
    schools: np.ndarray

    @classmethod
    def from_frame(cls, places: pd.DataFrame) -> Places:
        """From the store's ``places`` table (``kind``, ``subtype``, ``easting``, ``northing``)."""
        xy = places[["easting", "northing"]].to_numpy(dtype=float)
        kind = places["kind"].to_numpy()
        subtype = places["subtype"].fillna("").to_numpy()
        station = (kind == "transport") & np.isin(
            subtype,
            [
                "rail_station",
                "rail_station_entrance",
                "bus_station_bay",
                "bus_station_entrance",
                "bus_station_access",
                "metro_station",
            ],
        )
        return cls(xy[station], xy[kind == "nte"], xy[kind == "school"])

    @classmethod
    def none(cls) -> Places:
        empty = np.empty((0, 2))
        return cls(empty, empty, empty)


def nearest_within(
    points: np.ndarray, places: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each point is within ``distance`` metres of a place, and how far the nearest is."""
    if len(places) == 0 or len(points) == 0:
        return np.zeros(len(points), dtype=bool), np.full(len(points), np.inf)
    d, _ = cKDTree(places).query(points, k=1, distance_upper_bound=distance)
    return np.isfinite(d), d


def store_places(workspace: Workspace) -> Places:
    """The workspace's places for proximity rules (none before places are ingested)."""
    engine = store.connect(workspace.database_url)
    try:
        frame = store.read_table(engine, store.places)
    finally:
        engine.dispose()
    return Places.from_frame(frame) if len(frame) else Places.none()
