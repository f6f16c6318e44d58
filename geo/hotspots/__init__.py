"""Hot spots: where hate concentrates, and where it departs from what residents explain.

One module per statistic: :mod:`~geo.hotspots.gistar` (Getis–Ord Gi*),
:mod:`~geo.hotspots.local_moran` (local Moran's I), :mod:`~geo.hotspots.excess`
(risk-adjusted excess over residents), :mod:`~geo.hotspots.optimized` (optimised hot
spot analysis), :mod:`~geo.hotspots.scan` (Kulldorff's spatial scan),
:mod:`~geo.hotspots.kde` (density surfaces) and :mod:`~geo.hotspots.clusters` (repeat
locations), over the units and filters of :mod:`~geo.hotspots.aggregate` and the
neighbours of :mod:`~geo.hotspots.weights`; :mod:`~geo.hotspots.analysis` runs one
method over a workspace's records.
"""

from geo.hotspots.aggregate import Filters, Units, build_units, count_by_unit
from geo.hotspots.analysis import HotspotResult, hotspots
from geo.hotspots.clusters import PointClusters, point_clusters
from geo.hotspots.excess import Excess, excess_risk
from geo.hotspots.gistar import GiStar, gi_star
from geo.hotspots.kde import DensitySurface, kernel_density
from geo.hotspots.local_moran import LocalMoran, local_moran
from geo.hotspots.optimized import OptimizedHotspots, optimized_hotspots
from geo.hotspots.scan import ScanResult, spatial_scan
from geo.hotspots.weights import Neighbours, build_weights

__all__ = [
    "DensitySurface", "Excess", "Filters", "GiStar", "HotspotResult", "LocalMoran",
    "Neighbours", "OptimizedHotspots", "PointClusters", "ScanResult", "Units", "build_units",
    "build_weights", "count_by_unit", "excess_risk", "gi_star", "hotspots", "kernel_density",
    "local_moran", "optimized_hotspots", "point_clusters", "spatial_scan",
]  # fmt: skip
