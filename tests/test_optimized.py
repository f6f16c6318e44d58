import numpy as np
import pytest
import shapely

from geo._errors import TensionmapError
from geo.hotspots.optimized import MIN_INCIDENTS, optimized_hotspots


def test_planted_concentration_is_hot_and_choices_are_reported():
    rng = np.random.default_rng(0)
    x = np.r_[rng.uniform(500_000, 520_000, 600), rng.normal(510_000, 300, 200)]
    y = np.r_[rng.uniform(200_000, 220_000, 600), rng.normal(210_000, 300, 200)]
    x = np.r_[x, 600_000.0]  # one far-away locational outlier
    y = np.r_[y, 300_000.0]
    area = shapely.box(490_000, 190_000, 610_000, 310_000)
    result = optimized_hotspots(x, y, area)
    choices = result.choices
    assert choices["locational_outliers"] == 1
    assert choices["cell_m"] >= 2 * choices["median_nn_m"]
    assert len(choices["moran_profile"]) == 10
    centre = result.table[result.table.contains(shapely.Point(510_000, 210_000))]
    assert centre["hotspot_class"].item() == "hot_99"
    corner = result.table[result.table.contains(shapely.Point(501_000, 219_000))]
    assert corner["hotspot_class"].item() != "hot_99"


def test_too_few_incidents_is_a_clear_error():
    with pytest.raises(TensionmapError, match=f"needs at least {MIN_INCIDENTS} incidents; 5 match"):
        optimized_hotspots(np.arange(5.0), np.arange(5.0), shapely.box(-10, -10, 10, 10))


def test_incremental_moran_z_equals_esda():
    import warnings

    import esda
    from libpysal.weights import W
    from scipy.spatial import cKDTree

    from geo.hotspots.optimized import _band_matrix, moran_z

    rng = np.random.default_rng(1)
    points = rng.uniform(0, 5_000, (300, 2))
    values = rng.poisson(3, 300).astype(float)
    matrix = _band_matrix(cKDTree(points), 600)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda warns about islands
        ref = esda.Moran(values, W.from_sparse(matrix), transformation="r", permutations=0)
    assert moran_z(values, matrix) == pytest.approx(ref.z_norm, abs=1e-9)
