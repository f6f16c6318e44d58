"""Places and residential weights the demo scenario draws its locations from.

Real places come from an open data folder when one is given (the demo gives the package's
shipped one, :func:`geo.demo.shipped.demo_data_dir`: NaPTAN stations and bus stations, the
pubs and bars extract, GIAS schools; files may be gzip-compressed); otherwise clearly
named synthetic places (``Demo rail station 3``) are put in each district's densest LSOAs and the
scenario says so. Residential weights are Census 2021 usual residents where the LSOA
code matches, else the count of ONS Postcode Directory postcodes in the LSOA (a proxy
for where people live that ships with the project).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.demo.shipped import find_data_file
from geo.geography.areas import Geography
from geo.geography.population import lsoa_population

KINDS = ("rail_station", "bus_station", "taxi_rank", "nte", "school")
#: Each kind in words.
KIND_NAMES = {
    "rail_station": "rail stations",
    "bus_station": "bus stations",
    "taxi_rank": "taxi ranks",
    "nte": "night-time economy premises",
    "school": "schools",
}


@dataclass(frozen=True)
class DemoPlaces:
    """The places a scenario draws locations from, and where people live.

    Attributes
    ----------
    by_kind
        Per kind of :data:`KINDS`: a frame with ``name``, ``x``, ``y`` (BNG),
        ``lsoa_index`` and ``csp_code``. Taxi ranks include the rail stations.
    residential_weight
        Relative residents per LSOA, aligned to the boundary set's LSOAs.
    notes
        What stands in for missing open data (shown to the user).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": ["L1", "L2"], "csp_code": "C1"},
    ...     geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 1000, 500)]))
    >>> places = load_places(geo, None, np.array([1500.0, 900.0]))
    >>> places.by_kind["rail_station"]
                      name      x      y  lsoa_index csp_code
    0  Demo rail station 1  250.0  250.0           0       C1
    1  Demo rail station 2  750.0  250.0           1       C1
    """

    by_kind: dict[str, pd.DataFrame]
    residential_weight: np.ndarray
    notes: list[str] = field(default_factory=list)


def _located(geo: Geography, name: pd.Series, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    found = geo.locate(x, y, snap_m=0)
    frame = pd.DataFrame({"name": name.to_numpy(), "x": x, "y": y, "lsoa_index": found.lsoa_index})
    frame = frame[frame["lsoa_index"] >= 0].reset_index(drop=True)
    frame["csp_code"] = geo.lsoas["csp_code"].to_numpy()[frame["lsoa_index"]]
    return frame


def residential_weights(geo: Geography, open_data: Path | None) -> tuple[np.ndarray, str]:
    """Relative number of residents per LSOA, and where the figure came from.

    Parameters
    ----------
    geo
        The boundary set.
    open_data
        A folder holding the Census 2021 usual residents file (the demo gives its shipped
        data, :func:`geo.demo.shipped.demo_data_dir`), or ``None``.

    Returns
    -------
    tuple
        Residents per LSOA (aligned to ``geo.lsoas``) and a description of the source:
        the Census where LSOA codes match, else ONS Postcode Directory postcode counts.

    See Also
    --------
    geo.geography.population.lsoa_population : the figures themselves.

    Examples
    --------
    >>> from geo.geography.areas import load_geography
    >>> weights, source = residential_weights(load_geography(None), None)  # doctest: +SKIP
    >>> source  # doctest: +SKIP
    'ONS Postcode Directory postcode counts (proxy for residents)'
    """
    return lsoa_population(geo, open_data=open_data)


def load_places(geo: Geography, open_data: Path | None, weights: np.ndarray) -> DemoPlaces:
    """Real places from ``open_data`` when present, synthetic ones otherwise.

    Parameters
    ----------
    geo
        The boundary set; places outside its LSOAs are left out.
    open_data
        A folder holding NaPTAN stops, the pubs and bars extract and GIAS schools, plain or
        gzip-compressed (the demo gives its shipped data,
        :func:`geo.demo.shipped.demo_data_dir`), or ``None`` for synthetic places only.
    weights
        Residents per LSOA (:func:`residential_weights`): synthetic places go to each
        CSP's most populous LSOAs.

    Returns
    -------
    DemoPlaces
        Places by kind, the weights, and a note for each kind made up.

    Examples
    --------
    Without open data every kind of place is synthetic, and the notes say so:

    >>> import geopandas as gpd, shapely
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": ["L1", "L2"], "csp_code": "C1"},
    ...     geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 1000, 500)]))
    >>> places = load_places(geo, None, np.array([1500.0, 900.0]))
    >>> {kind: len(frame) for kind, frame in places.by_kind.items()}
    {'rail_station': 2, 'bus_station': 1, 'taxi_rank': 3, 'nte': 2, 'school': 2}
    >>> places.notes[0]
    "no open data for rail stations: using synthetic places named 'Demo rail station N'"
    """
    by_kind: dict[str, pd.DataFrame] = {}
    naptan = find_data_file(open_data, "naptan_stops_herts_cambs.csv")
    if naptan is not None:
        stops = pd.read_csv(
            naptan, usecols=["CommonName", "StopType", "Easting", "Northing", "Status"]
        )
        stops = stops[stops["Status"] == "active"]
        for kind, types in (
            ("rail_station", ["RLY"]),
            ("bus_station", ["BCS"]),
            ("taxi_rank", ["TXR"]),
        ):
            part = stops[stops["StopType"].isin(types)].drop_duplicates("CommonName")
            by_kind[kind] = _located(
                geo,
                part["CommonName"],
                part["Easting"].to_numpy(float),
                part["Northing"].to_numpy(float),
            )
    pubs = find_data_file(open_data, "nte_pubs_herts_cambs.csv")
    if pubs is not None:
        part = pd.read_csv(pubs, usecols=["name", "easting", "northing"]).dropna()
        by_kind["nte"] = _located(
            geo, part["name"], part["easting"].to_numpy(float), part["northing"].to_numpy(float)
        )
    gias = find_data_file(open_data, "schools_gias_herts_cambs.csv")
    if gias is not None:
        part = pd.read_csv(gias, usecols=["EstablishmentName", "Easting", "Northing"])
        by_kind["school"] = _located(
            geo,
            part["EstablishmentName"],
            part["Easting"].to_numpy(float),
            part["Northing"].to_numpy(float),
        )
    return _complete(geo, by_kind, weights, "no open data for {kinds}")


def _complete(
    geo: Geography, by_kind: dict[str, pd.DataFrame], weights: np.ndarray, missing: str
) -> DemoPlaces:
    """Synthetic places for each kind without real ones (with a note), and the taxi ranks."""
    notes: list[str] = []
    for kind in KINDS:
        if kind not in by_kind or by_kind[kind].empty:
            by_kind[kind] = _synthetic(geo, kind, weights)
            notes.append(
                missing.format(kinds=KIND_NAMES[kind])
                + f": using synthetic places named 'Demo {kind.replace('_', ' ')} N'"
            )
    # taxi ranks are few in NaPTAN: ranks also stand outside every rail station
    by_kind["taxi_rank"] = pd.concat(
        [by_kind["taxi_rank"], by_kind["rail_station"]], ignore_index=True
    )
    return DemoPlaces(by_kind, weights, notes)


#: Stored places (``tensionmap ingest places``) that stand for each kind: store kind and
#: the subtypes (NaPTAN stop types as :mod:`geo.ingest.place_files` names them), if any.
STORED_KINDS = {
    "rail_station": ("transport", ("rail_station", "metro_station")),
    "bus_station": ("transport", ("bus_station_bay",)),
    "taxi_rank": ("transport", ("taxi_rank",)),
    "nte": ("nte", ()),
    "school": ("school", ()),
}


def stored_places(geo: Geography, table: pd.DataFrame | None, weights: np.ndarray) -> DemoPlaces:
    """The places a workspace has imported, synthetic ones for any kind it has not.

    Parameters
    ----------
    geo
        The boundary set; places outside its LSOAs are left out.
    table
        The workspace's ``places`` table (``kind``, ``subtype``, ``name``, ``easting``,
        ``northing``), as :meth:`geo.config.Workspace.read_tables` gives it; ``None``
        when there is no workspace (every kind synthetic).
    weights
        Residents per LSOA: synthetic places go to each CSP's most populous LSOAs.

    Returns
    -------
    DemoPlaces
        Places by kind (stations, bus station bays and taxi ranks from NaPTAN stops,
        pubs and bars, schools), the weights, and a note for each kind made up.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": ["L1", "L2"], "csp_code": "C1"},
    ...     geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 1000, 500)]))
    >>> table = pd.DataFrame({"kind": ["school", "transport", "transport"],
    ...                       "subtype": ["Primary", "rail_station", "bus_stop"],
    ...                       "name": ["Oak Primary", "Central", "High St"],
    ...                       "easting": [100.0, 700.0, 900.0], "northing": [100.0, 200.0, 50.0]})
    >>> places = stored_places(geo, table, np.array([1500.0, 900.0]))
    >>> places.by_kind["school"]["name"].tolist(), places.by_kind["rail_station"]["name"].tolist()
    (['Oak Primary'], ['Central'])
    >>> places.notes[0].split(":")[0]
    'no bus stations imported into the workspace (tensionmap ingest places)'
    """
    by_kind: dict[str, pd.DataFrame] = {}
    missing = "no {kinds} imported into the workspace (tensionmap ingest places)"
    if table is None:
        return _complete(geo, by_kind, weights, missing)
    table = table.dropna(subset=["easting", "northing"])
    for kind, (store_kind, subtypes) in STORED_KINDS.items():
        part = table[table["kind"] == store_kind]
        if subtypes:
            part = part[part["subtype"].isin(subtypes)].drop_duplicates("name")
        by_kind[kind] = _located(
            geo,
            part["name"].astype(str),
            part["easting"].to_numpy(float),
            part["northing"].to_numpy(float),
        )
    return _complete(geo, by_kind, weights, missing)


def _synthetic(geo: Geography, kind: str, weights: np.ndarray) -> pd.DataFrame:
    """A few places per CSP at the representative points of its most populous LSOAs."""
    per_csp = {"rail_station": 2, "bus_station": 1, "taxi_rank": 1, "nte": 15, "school": 30}[kind]
    lsoas = geo.lsoas.assign(weight=weights, position=np.arange(len(geo.lsoas)))
    chosen = lsoas.sort_values("weight", ascending=False).groupby("csp_code").head(per_csp)
    points = geo.inner_points[chosen["position"].to_numpy()]
    names = pd.Series([f"Demo {kind.replace('_', ' ')} {i + 1}" for i in range(len(chosen))])
    return _located(geo, names, points[:, 0], points[:, 1])
