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
    """BNG coordinates of the places proximity rules use.

    Attributes
    ----------
    stations : numpy.ndarray
        (n, 2) rail stations and bus station bays, entrances and accesses.
    nte : numpy.ndarray
        (n, 2) night-time-economy premises.
    schools : numpy.ndarray
        (n, 2) schools.

    Examples
    --------
    >>> places = pd.DataFrame({
    ...     "kind": ["transport", "transport", "nte", "school"],
    ...     "subtype": ["rail_station", "bus_stop", "pub", None],
    ...     "easting": [1.0, 2.0, 3.0, 4.0], "northing": [0.0, 0.0, 0.0, 0.0]})
    >>> found = Places.from_frame(places)
    >>> found.stations, found.nte
    (array([[1., 0.]]), array([[3., 0.]]))
    >>> Places.none().schools.shape
    (0, 2)
    """

    stations: np.ndarray
    nte: np.ndarray
    schools: np.ndarray

    @classmethod
    def from_frame(cls, places: pd.DataFrame) -> Places:
        """Pick the places out of the store's ``places`` table.

        Parameters
        ----------
        places : pandas.DataFrame
            ``kind``, ``subtype``, ``easting`` and ``northing`` per place.

        Returns
        -------
        Places
            The stations (not bus stops), NTE premises and schools.
        """
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
        """No places: proximity rules then never apply.

        Returns
        -------
        Places
            Three empty (0, 2) arrays.
        """
        empty = np.empty((0, 2))
        return cls(empty, empty, empty)


def nearest_within(
    points: np.ndarray, places: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Tell whether each point is within a distance of a place, and how far the nearest is.

    Parameters
    ----------
    points : numpy.ndarray
        (n, 2) BNG coordinates.
    places : numpy.ndarray
        (m, 2) BNG coordinates of the places.
    distance : float
        Metres.

    Returns
    -------
    within : numpy.ndarray
        Boolean per point.
    metres : numpy.ndarray
        Distance to the nearest place, ``inf`` when none is within ``distance``.

    Examples
    --------
    >>> nearest_within(np.array([[0.0, 0.0], [500.0, 0.0]]), np.array([[30.0, 40.0]]), 100.0)
    (array([ True, False]), array([50., inf]))
    """
    if len(places) == 0 or len(points) == 0:
        return np.zeros(len(points), dtype=bool), np.full(len(points), np.inf)
    d, _ = cKDTree(places).query(points, k=1, distance_upper_bound=distance)
    return np.isfinite(d), d


def store_places(workspace: Workspace) -> Places:
    """Read the workspace's places for proximity rules.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.

    Returns
    -------
    Places
        Its stations, NTE premises and schools (none before places are ingested).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     places = store_places(Workspace.open(folder))
    >>> len(places.stations)
    0
    """
    engine = store.connect(workspace.database_url)
    try:
        frame = store.read_table(engine, store.places)
    finally:
        engine.dispose()
    return Places.from_frame(frame) if len(frame) else Places.none()
