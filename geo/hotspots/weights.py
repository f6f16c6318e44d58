"""Spatial weights between units, through libpysal's ``Graph``.

Specs: ``queen``, ``rook``, ``knn:K``, ``distance:METRES``. Islands (units with no
neighbour under contiguity or a short distance band; the default generalised LSOAs have
some at rivers and coasts) are joined to their nearest unit, both ways, and the result
says how many were joined. The caller's objects are never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from libpysal.graph import Graph
from scipy import sparse

from geo._errors import one_of

WEIGHTS = ("queen", "rook", "knn:K", "distance:METRES")
_KNN = re.compile(r"^knn:(\d+)$")
_DISTANCE = re.compile(r"^distance:(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Neighbours:
    """Binary neighbour structure of the units, islands already joined.

    Attributes
    ----------
    graph
        libpysal ``Graph``, binary, its ids the row positions 0 … n − 1 of the units;
        ``graph.sparse`` is the matrix the statistics take.
    spec
        The spec it was built from (``queen``, ``rook``, ``knn:K`` or ``distance:METRES``).
    islands_joined
        How many units had no neighbour and were joined to their nearest unit.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> squares = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> neighbours = build_weights(squares)
    >>> neighbours.spec, neighbours.islands_joined, neighbours.graph.n
    ('queen', 0, 2)
    """

    graph: Graph
    spec: str
    islands_joined: int


def build_weights(units: gpd.GeoDataFrame, spec: str = "queen") -> Neighbours:
    """Neighbours of each unit, islands joined to their nearest unit.

    Parameters
    ----------
    units
        The units' polygons (any index; neighbours are numbered by row position).
    spec
        ``queen`` or ``rook`` contiguity (libpysal's ``Graph.build_contiguity``), ``knn:K``
        nearest neighbours or ``distance:METRES`` band, the last two between the units'
        inner points.

    Returns
    -------
    Neighbours
        The binary graph, its spec and the number of islands joined.

    Raises
    ------
    TensionmapError
        For an unknown ``spec``.

    Examples
    --------
    A 3 × 3 lattice; the middle square has eight queen neighbours and four rook ones:

    >>> import geopandas as gpd, shapely
    >>> x, y = (a.ravel() for a in np.meshgrid(np.arange(0, 1500, 500), np.arange(0, 1500, 500)))
    >>> units = gpd.GeoDataFrame(geometry=shapely.box(x, y, x + 500, y + 500), crs="EPSG:27700")
    >>> build_weights(units).graph.cardinalities.tolist()
    [3, 5, 3, 5, 8, 5, 3, 5, 3]
    >>> build_weights(units, "rook").graph.cardinalities.tolist()
    [2, 3, 2, 3, 4, 3, 2, 3, 2]

    A square off on its own is joined to its nearest unit, both ways:

    >>> apart = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(5, 0, 6, 1)])
    >>> build_weights(apart).islands_joined
    2
    """
    geoms = units[["geometry"]].reset_index(drop=True)
    if spec in ("queen", "rook"):
        graph = Graph.build_contiguity(geoms, rook=spec == "rook")
    elif m := _KNN.match(spec):
        graph = Graph.build_knn(geoms.representative_point(), k=int(m.group(1)))
    elif m := _DISTANCE.match(spec):
        graph = Graph.build_distance_band(geoms.representative_point(), float(m.group(1)))
    else:
        raise one_of("weights", WEIGHTS, spec)
    graph, joined = _join_islands(graph, geoms)
    return Neighbours(graph, spec, joined)


def _join_islands(graph: Graph, geoms: gpd.GeoDataFrame) -> tuple[Graph, int]:
    islands = np.asarray(graph.isolates)
    if islands.size == 0:
        return graph, 0
    points = geoms.representative_point()
    xy = np.column_stack([points.x, points.y])
    links = sparse.lil_matrix(graph.sparse)  # rows/columns follow the units' order 0..n-1
    links.setdiag(0)  # libpysal keeps isolates as zero-weight self-links
    for i in islands:
        d = np.hypot(*(xy - xy[i]).T)
        d[i] = np.inf
        j = int(np.argmin(d))
        links[i, j] = links[j, i] = 1.0
    matrix = sparse.csr_matrix(links)
    matrix.eliminate_zeros()
    return Graph.from_sparse(matrix), int(islands.size)
