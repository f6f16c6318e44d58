import numpy as np
import pytest

from geo._errors import TensionmapError
from geo.hotspots.kde import default_bandwidth, density_at, kernel_density


def _points(seed=0):
    rng = np.random.default_rng(seed)
    x = np.r_[rng.normal(510_000, 3_000, 400), rng.normal(520_000, 100, 100)]
    y = np.r_[rng.normal(200_000, 3_000, 400), rng.normal(205_000, 100, 100)]
    return x, y


@pytest.mark.parametrize("kernel", ["quartic", "gaussian", "uniform"])
def test_surface_integrates_to_the_number_of_records(kernel):
    x, y = _points()
    surface = kernel_density(x, y, bandwidth_m=800, kernel=kernel)
    total = surface.density.sum() * surface.cell**2 / 1e6
    assert total == pytest.approx(len(x), rel=1e-6)


def test_peak_is_at_the_planted_concentration():
    x, y = _points()
    surface = kernel_density(x, y, bandwidth_m=500, cell_m=100)
    at = density_at(
        surface,
        np.array([520_000.0, 510_000.0, 540_000.0]),
        np.array([205_000.0, 200_000.0, 200_000.0]),
    )
    assert at[0] > 10 * at[1] > 0 and at[2] == 0
    # quartic with h = 500 m: 100 records within ~100 m give about 100 · 3/(π h²) per m²
    assert at[0] == pytest.approx(100 * 3 / (np.pi * 500**2) * 1e6, rel=0.3)


def test_bandwidth_rule_and_minimum():
    x, y = _points()
    h = default_bandwidth(x, y)
    assert 300 <= h < 5_000
    assert default_bandwidth(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 2.0])) == 300
    with pytest.raises(TensionmapError, match="below the minimum of 300 m"):
        kernel_density(x, y, bandwidth_m=100)
    with pytest.raises(TensionmapError, match="no records"):
        kernel_density(np.array([]), np.array([]))
