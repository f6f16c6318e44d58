import warnings

import esda
import numpy as np
import pytest
from libpysal.weights import W
from numpy.testing import assert_allclose
from scipy import sparse

from geo.hotspots.local_moran import local_moran
from geo.hotspots.weights import build_weights


@pytest.fixture(scope="module")
def queen(default_geography):
    return sparse.csr_matrix(build_weights(default_geography.lsoas, "queen").graph.sparse)


def test_local_i_equals_esda_moran_local(queen):
    counts = np.random.default_rng(4).poisson(6, queen.shape[0]).astype(float)
    ours = local_moran(counts, queen, permutations=999, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(
            counts, W.from_sparse(queen), transformation="r", permutations=999, seed=0
        )
    assert_allclose(ours.i, ref.Is, atol=1e-9, rtol=0)
    quadrant = np.array(["HH", "LH", "LL", "HL"])[ref.q - 1]
    assert (ours.quadrant == quadrant).all()
    # different random draws, same inference
    assert np.corrcoef(ours.p_sim, ref.p_sim)[0, 1] > 0.95


def test_planted_high_cluster_and_outlier(queen):
    rng = np.random.default_rng(0)
    counts = rng.poisson(5, queen.shape[0]).astype(float)
    centre = 300
    cluster = np.append(queen[centre].indices, centre)
    counts[cluster] += 20
    outlier = 900
    counts[queen[outlier].indices] = 0  # quiet neighbours …
    counts[outlier] = 40  # … around one busy area: a high outlier, HL
    result = local_moran(counts, queen, permutations=999, seed=0)
    assert result.lisa_class[centre] == "HH"
    assert result.lisa_class[outlier] == "HL"
    assert result.fdr_applied_to == "normal approximation of the permutations"
    heavy = local_moran(counts, queen, permutations=9_999, seed=0)
    assert heavy.fdr_applied_to == "pseudo p-values"
