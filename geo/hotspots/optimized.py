"""Optimized hot spot analysis (``--unit auto``), following the rules ArcGIS Pro publishes.

The rules of ArcGIS Pro's Optimized Hot Spot Analysis on incident points:

1. At least 30 incidents (else a clear error).
2. Locational outliers, incidents more than three standard distances from the mean
   centre, are left out of the scale decisions (they are still counted).
3. Cell size = max(mean, median nearest-neighbour distance) × max(2, mean / median),
   from distances to the nearest *non-coincident* incident.
4. Cells of that size over the incidents' convex hull (within the configured area);
   at least 30 cells (else a clear error).
5. Distance band: the first significant peak (z > 1.96) of Global Moran's I over ten
   increasing distances (incremental spatial autocorrelation); without one, the mean
   distance to the k nearest cells, k = 5 % of cells clamped to 3–30.
6. Gi* on the counts per cell with that band, classes with FDR.

Every choice is reported with the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from geo._errors import TensionmapError
from geo.geography.areas import BNG
from geo.hotspots.gistar import gi_star

MIN_INCIDENTS = 30
MIN_CELLS = 30
MAX_CELLS = 60_000


@dataclass(frozen=True)
class OptimizedHotspots:
    """Gi* on cells of a size chosen from the incidents (made by :func:`optimized_hotspots`).

    Attributes
    ----------
    table
        One row per cell (EPSG:27700 squares): ``area_code`` (``COLUMN_ROW``), ``count``,
        ``gi_z``, ``gi_p``, ``gi_p_fdr`` and ``hotspot_class``.
    choices
        Every choice made and why: ``incidents``, ``locational_outliers``,
        ``mean_nn_m``, ``median_nn_m``, ``cell_m``, ``cell_enlarged_to_fit``, ``cells``,
        ``distance_band_m``, ``distance_band_from`` and ``moran_profile`` ((band, z) pairs).

    Examples
    --------
    >>> import shapely
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.uniform(0, 5000, 300), rng.normal(1000, 150, 60)]
    >>> y = np.r_[rng.uniform(0, 5000, 300), rng.normal(1000, 150, 60)]
    >>> result = optimized_hotspots(x, y, shapely.box(0, 0, 5000, 5000))
    >>> result.choices["cell_m"], result.choices["cells"]
    (262.7, 394)
    """

    table: gpd.GeoDataFrame
    choices: dict[str, object] = field(default_factory=dict)


def optimized_hotspots(
    easting: np.ndarray, northing: np.ndarray, area: shapely.Geometry
) -> OptimizedHotspots:
    """Hot spots of incident points on cells and a distance band chosen from the data.

    Parameters
    ----------
    easting, northing
        BNG coordinates of the incidents, in metres.
    area
        The study area (BNG polygon): cells are kept where it meets the incidents'
        convex hull.

    Returns
    -------
    OptimizedHotspots
        Gi* per cell, and every choice made.

    Raises
    ------
    TensionmapError
        With fewer than 30 incidents, all of them at one place, or fewer than 30 cells.

    Examples
    --------
    Three hundred incidents spread over a 5 km square, and sixty more around one point:

    >>> import shapely
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.uniform(0, 5000, 300), rng.normal(1000, 150, 60)]
    >>> y = np.r_[rng.uniform(0, 5000, 300), rng.normal(1000, 150, 60)]
    >>> result = optimized_hotspots(x, y, shapely.box(0, 0, 5000, 5000))
    >>> result.choices["distance_band_m"], result.choices["distance_band_from"]
    (498.1, 'mean distance to the 20 nearest cells (no peak)')
    >>> result.table["hotspot_class"].value_counts().to_dict()
    {'not_significant': 380, 'hot_99': 11, 'hot_95': 3}
    >>> optimized_hotspots(x[:10], y[:10], shapely.box(0, 0, 5000, 5000))
    Traceback (most recent call last):
    ...
    geo._errors.TensionmapError: optimized hot spot analysis needs at least 30 incidents; ...
    """
    x = np.asarray(easting, dtype=float)
    y = np.asarray(northing, dtype=float)
    n = len(x)
    if n < MIN_INCIDENTS:
        raise TensionmapError(
            f"optimized hot spot analysis needs at least {MIN_INCIDENTS} incidents; "
            f"{n} match the filters."
        )
    dx, dy = x - x.mean(), y - y.mean()
    standard_distance = np.sqrt((dx**2).mean() + (dy**2).mean())
    outlier = np.hypot(dx, dy) > 3 * standard_distance
    core = np.unique(np.column_stack([x[~outlier], y[~outlier]]), axis=0)  # non-coincident
    if len(core) < 2:
        raise TensionmapError("all incidents are at one place; there is no pattern to analyse.")
    nn = cKDTree(core).query(core, k=2)[0][:, 1]
    mean_nn, median_nn = float(nn.mean()), float(np.median(nn))
    cell = max(mean_nn, median_nn) * max(2.0, mean_nn / median_nn if median_nn > 0 else 2.0)
    hull = shapely.convex_hull(shapely.multipoints(core)).buffer(cell / 2).intersection(area)
    x0, y0, x1, y1 = hull.bounds
    enlarged = False
    while ((x1 - x0) / cell + 1) * ((y1 - y0) / cell + 1) > MAX_CELLS:
        cell *= 1.25
        enlarged = True
    cols = np.arange(np.floor(x0 / cell), np.ceil(x1 / cell))
    rows = np.arange(np.floor(y0 / cell), np.ceil(y1 / cell))
    cc, rr = (a.ravel() for a in np.meshgrid(cols, rows))
    boxes = shapely.box(cc * cell, rr * cell, (cc + 1) * cell, (rr + 1) * cell)
    shapely.prepare(hull)
    keep = shapely.intersects(hull, boxes)
    cc, rr, boxes = cc[keep], rr[keep], boxes[keep]
    if len(boxes) < MIN_CELLS:
        raise TensionmapError(
            f"optimized hot spot analysis needs at least {MIN_CELLS} cells; the incidents "
            f"cover only {len(boxes)} cells of {cell:.0f} m. Use a fixed --unit instead."
        )
    index = {(int(c), int(r)): i for i, (c, r) in enumerate(zip(cc, rr, strict=True))}
    counts = np.zeros(len(boxes))
    for c, r in zip(np.floor(x / cell).astype(int), np.floor(y / cell).astype(int), strict=True):
        i = index.get((c, r))
        if i is not None:
            counts[i] += 1
    centres = np.column_stack([(cc + 0.5) * cell, (rr + 0.5) * cell])
    band, band_source, profile = _distance_band(centres, counts, cell)
    gi = gi_star(counts, _band_matrix(cKDTree(centres), band))
    table = gpd.GeoDataFrame(
        {
            "area_code": [f"{int(c)}_{int(r)}" for c, r in zip(cc, rr, strict=True)],
            "count": counts.astype(int),
        },
        geometry=boxes,
        crs=BNG,
    )
    table = table.join(gi.to_frame())
    choices = {
        "incidents": n,
        "locational_outliers": int(outlier.sum()),
        "mean_nn_m": round(mean_nn, 1),
        "median_nn_m": round(median_nn, 1),
        "cell_m": round(cell, 1),
        "cell_enlarged_to_fit": enlarged,
        "cells": len(boxes),
        "distance_band_m": round(band, 1),
        "distance_band_from": band_source,
        "moran_profile": profile,
    }
    return OptimizedHotspots(table, choices)


def _band_matrix(tree: cKDTree, band: float) -> sparse.csr_matrix:
    """Binary neighbours within ``band`` metres (no self-links)."""
    pairs = tree.query_pairs(band, output_type="ndarray")
    n = tree.n
    data = np.ones(2 * len(pairs))
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, n))


def moran_z(values: np.ndarray, neighbours: sparse.csr_matrix) -> float:
    """Global Moran's I z-score under normality with row-standardised weights.

    The same as esda's ``Moran(...).z_norm`` (tested equal), computed on sparse matrices
    because building ten libpysal graphs and esda moments for thousands of cells took
    ~13 s here.

    Parameters
    ----------
    values
        One value per unit.
    neighbours
        Binary n × n neighbour matrix (no self-links); rows are standardised here.

    Returns
    -------
    float
        The z-score of Moran's I.

    See Also
    --------
    esda.Moran : the same z-score as ``z_norm``.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> counts = np.ones(25)
    >>> counts[[0, 1, 5, 6]] = 10  # a hot corner on a 5 × 5 lattice
    >>> round(moran_z(counts, lat2W(5, 5).sparse.tocsr()), 2)
    4.62
    """
    z = values - values.mean()
    n = len(z)
    row = np.asarray(neighbours.sum(axis=1)).ravel()
    w = sparse.csr_matrix(
        sparse.diags(np.where(row > 0, 1 / np.maximum(row, 1e-300), 0.0)) @ neighbours
    )
    s0 = w.sum()
    i = n / s0 * (z @ (w @ z)) / (z @ z)
    ei = -1.0 / (n - 1)
    sym = w + w.T
    s1 = 0.5 * sym.multiply(sym).sum()
    s2 = ((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum()
    vi = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - ei * ei
    return float((i - ei) / np.sqrt(vi))


def _distance_band(
    centres: np.ndarray, counts: np.ndarray, cell: float
) -> tuple[float, str, list[tuple[float, float]]]:
    # start where every cell has a neighbour; step by the nearest-neighbour distance
    tree = cKDTree(centres)
    nearest = tree.query(centres, k=2)[0][:, 1]
    start, step = float(nearest.max()) * 1.0001, float(nearest.mean())
    profile = []
    for k in range(10):
        band = start + k * step
        profile.append((round(band, 1), round(moran_z(counts, _band_matrix(tree, band)), 3)))
    z = [p[1] for p in profile]
    for k in range(1, len(z) - 1):
        if z[k] > 1.96 and z[k] >= z[k - 1] and z[k] > z[k + 1]:
            return (
                profile[k][0],
                "first significant peak of incremental spatial autocorrelation",
                profile,
            )
    k_nn = int(np.clip(round(0.05 * len(centres)), 3, 30))
    distances = tree.query(centres, k=k_nn + 1)[0][:, 1:]
    return float(distances.mean()), f"mean distance to the {k_nn} nearest cells (no peak)", profile
