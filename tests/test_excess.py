import numpy as np
import pytest
from scipy import sparse

from geo.hotspots.excess import excess_risk
from geo.hotspots.weights import build_weights


@pytest.fixture(scope="module")
def queen(default_geography):
    return sparse.csr_matrix(build_weights(default_geography.lsoas, "queen").graph.sparse)


def test_single_area_excess_is_found_and_small_areas_are_shrunk(queen):
    n = queen.shape[0]
    rng = np.random.default_rng(0)
    population = rng.integers(1000, 2500, n).astype(float)
    population[10] = 50  # a tiny unit
    expected = population / population.sum() * 20 * n
    observed = rng.poisson(expected).astype(float)
    observed[10] = 3  # 3 records where 0.6 expected: a high ratio on little evidence
    observed[500] = expected[500] * 4  # a real single-area excess
    result = excess_risk(observed, expected, queen, population=population)
    assert result.risk_class[500] == "hot_99"
    assert result.risk_class[10] == "not_significant"
    assert result.smr[10] > 4
    assert result.eb_ratio[10] < 1.5  # Empirical Bayes pulls it towards 1
    assert (result.risk_class == "not_significant").mean() > 0.98
    frame = result.to_frame()
    assert {"excess_z", "excess_class", "risk_class", "eb_ratio", "poisson_p"} <= set(frame.columns)
