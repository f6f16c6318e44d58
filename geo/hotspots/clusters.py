"""Point clusters: repeat locations and micro-clusters of records.

scikit-learn's DBSCAN or HDBSCAN, in British National Grid metres. DBSCAN with a small
``eps`` (e.g. 50 m) and ``min_samples`` finds places where records pile up; ``eps`` of a
few metres finds *repeat locations* (the same address or postcode centroid). HDBSCAN
needs no distance and finds clusters of varying density. Each cluster is returned with
its member count, distinct locations, date span, strands and a hull polygon (the convex
hull, buffered slightly so single-point repeats have an area).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sklearn.cluster import DBSCAN, HDBSCAN

from geo._errors import TensionmapError
from geo.geography.areas import BNG

HULL_BUFFER_M = 25.0


@dataclass(frozen=True)
class PointClusters:
    """Clusters of records (made by :func:`point_clusters`).

    Attributes
    ----------
    labels
        Per record: its cluster id (1 for the largest, 2, …) or 0 for noise.
    table
        One row per cluster, largest first: ``cluster_id``, ``records``,
        ``distinct_locations``, ``centre_easting``, ``centre_northing``, ``first`` and
        ``last`` (with ``recorded_at``), ``strands`` (``race:4;religion:2``, with
        ``strands``) and the buffered convex hull (EPSG:27700).
    method
        The algorithm and its settings, e.g. ``DBSCAN(eps=10 m, min_samples=4)``.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({"easting": [510000.0] * 5 + [512000.0],
    ...                         "northing": [196000.0] * 5 + [197000.0]})
    >>> found = point_clusters(records, eps_m=10, min_samples=4)
    >>> found.labels.tolist(), found.method
    ([1, 1, 1, 1, 1, 0], 'DBSCAN(eps=10 m, min_samples=4)')
    """

    labels: np.ndarray
    table: gpd.GeoDataFrame
    method: str

    def to_frame(self) -> gpd.GeoDataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()


def point_clusters(
    records: pd.DataFrame,
    *,
    eps_m: float = 50.0,
    min_samples: int = 5,
    hdbscan: bool = False,
) -> PointClusters:
    """Clusters of records in BNG metres, each summarised with a hull polygon.

    Parameters
    ----------
    records
        Records with ``easting`` and ``northing``; ``recorded_at`` and ``strands`` are
        summarised per cluster when present.
    eps_m
        DBSCAN's neighbourhood radius in metres (a few metres finds repeat locations).
    min_samples
        The fewest records in a cluster (HDBSCAN's ``min_cluster_size``).
    hdbscan
        HDBSCAN (clusters of varying density, no radius) instead of DBSCAN.

    Returns
    -------
    PointClusters
        Each record's cluster and one row per cluster, largest first.

    Raises
    ------
    TensionmapError
        With fewer records than ``min_samples``.

    Examples
    --------
    Six records at one address among twenty scattered over 10 km:

    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> records = pd.DataFrame({
    ...     "easting": np.r_[np.full(6, 510000.0), rng.uniform(505000, 515000, 20)],
    ...     "northing": np.r_[np.full(6, 196000.0), rng.uniform(191000, 201000, 20)],
    ...     "recorded_at": pd.date_range("2019-01-01", periods=26, freq="7D").astype(str),
    ...     "strands": ["race"] * 4 + ["religion"] * 2 + ["race"] * 20})
    >>> found = point_clusters(records, eps_m=10, min_samples=4)
    >>> found.table[["records", "distinct_locations", "first", "last", "strands"]]
       records  distinct_locations       first        last            strands
    0        6                   1  2019-01-01  2019-02-05  race:4;religion:2
    """
    xy = records[["easting", "northing"]].to_numpy(dtype=float)
    if len(xy) < min_samples:
        raise TensionmapError(
            f"{len(xy)} records are too few to look for clusters of {min_samples}."
        )
    if hdbscan:
        model = HDBSCAN(min_cluster_size=min_samples, copy=True)
        method = f"HDBSCAN(min_cluster_size={min_samples})"
    else:
        model = DBSCAN(eps=eps_m, min_samples=min_samples)
        method = f"DBSCAN(eps={eps_m:g} m, min_samples={min_samples})"
    raw = model.fit_predict(xy)
    # renumber by size: 1 is the largest cluster, 0 is noise
    ids, sizes = np.unique(raw[raw >= 0], return_counts=True)
    new_id = np.zeros(int(raw.max()) + 2, dtype=int)  # raw -1 (noise) stays 0
    new_id[ids[np.argsort(-sizes, kind="stable")] + 1] = np.arange(1, len(ids) + 1)
    labels = new_id[raw + 1]
    # each cluster's rows, in file order, without masking the whole frame per cluster
    by_label = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[by_label], np.arange(1, len(ids) + 2))
    summarised = records[[c for c in ("recorded_at", "strands") if c in records]]
    rows = []
    for cluster in range(1, len(ids) + 1):
        rows_of = by_label[starts[cluster - 1] : starts[cluster]]
        members = summarised.iloc[rows_of]
        pts = xy[rows_of]
        hull = shapely.convex_hull(shapely.multipoints(pts)).buffer(HULL_BUFFER_M)
        row = {
            "cluster_id": cluster,
            "records": len(members),
            "distinct_locations": len(np.unique(np.round(pts), axis=0)),
            "centre_easting": round(float(pts[:, 0].mean()), 1),
            "centre_northing": round(float(pts[:, 1].mean()), 1),
            "geometry": hull,
        }
        if "recorded_at" in members:
            row["first"] = str(members["recorded_at"].min())[:10]
            row["last"] = str(members["recorded_at"].max())[:10]
        if "strands" in members:
            strands = members["strands"].fillna("").str.split(";").explode()
            row["strands"] = ";".join(
                f"{s}:{n}" for s, n in strands[strands != ""].value_counts().items()
            )
        rows.append(row)
    table = (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)
        if rows
        else gpd.GeoDataFrame({"cluster_id": [], "records": []}, geometry=[], crs=BNG)
    )
    return PointClusters(labels, table, method)
