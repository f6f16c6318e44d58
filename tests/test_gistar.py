import warnings

import esda
import numpy as np
import pytest
from libpysal.weights import W
from numpy.testing import assert_allclose
from scipy import sparse

from geo.hotspots._inference import fdr, hotspot_class
from geo.hotspots.gistar import gi_star
from geo.hotspots.weights import build_weights


@pytest.fixture(scope="module")
def queen(default_geography):
    return sparse.csr_matrix(build_weights(default_geography.lsoas, "queen").graph.sparse)


def test_analytical_z_equals_esda_g_local_star(queen):
    counts = np.random.default_rng(3).poisson(6, queen.shape[0]).astype(float)
    ours = gi_star(counts, queen)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda warns about disconnected components
        ref = esda.G_Local(counts, W.from_sparse(queen), transform="B", star=True, permutations=0)
    assert_allclose(ours.z, ref.Zs, atol=1e-9, rtol=0)


def test_benjamini_hochberg_matches_a_hand_computed_example():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2])
    # ranks 2,4,3,1,5 -> p*n/rank = .025,.05,.05,.025,.2, then running minimum from the top
    assert_allclose(fdr(p), [0.025, 0.05, 0.05, 0.025, 0.2])


def test_classes_follow_direction_and_level():
    z = np.array([3.0, 2.0, 1.7, 0.1, -1.7, -2.0, -3.0])
    p = np.array([0.001, 0.03, 0.08, 0.9, 0.08, 0.03, 0.001])
    assert list(hotspot_class(z, p)) == [
        "hot_99",
        "hot_95",
        "hot_90",
        "not_significant",
        "cold_90",
        "cold_95",
        "cold_99",
    ]


def test_a_planted_cluster_is_hot_and_the_rest_is_not(queen):
    rng = np.random.default_rng(0)
    counts = rng.poisson(5, queen.shape[0]).astype(float)
    centre = 500
    cluster = np.append(queen[centre].indices, centre)
    counts[cluster] += 25
    result = gi_star(counts, queen, permutations=99, seed=1)
    assert set(np.flatnonzero(result.hotspot_class == "hot_99")) >= {centre}
    outside = np.setdiff1d(np.arange(len(counts)), np.append(cluster, queen[cluster].indices))
    assert (result.hotspot_class[outside] == "not_significant").mean() > 0.97


def test_one_extreme_unit_is_not_hidden_by_its_pseudo_p(queen):
    """The focal value stays fixed under conditional permutation, so a lone spike has an
    ordinary pseudo p; its class comes from the analytical p and stays hot."""
    counts = np.full(queen.shape[0], 5.0) + np.random.default_rng(1).poisson(1, queen.shape[0])
    spike = 200
    counts[spike] = 150
    result = gi_star(counts, queen, permutations=999, seed=0)
    assert result.z[spike] > 5
    assert result.hotspot_class[spike] == "hot_99"
    assert result.p_sim[spike] > 0.01  # what a pseudo-p-only classification would have missed


def test_constant_values_and_seeded_permutations(queen):
    flat = gi_star(np.full(queen.shape[0], 3.0), queen)
    assert (flat.hotspot_class == "not_significant").all()
    counts = np.random.default_rng(2).poisson(4, queen.shape[0]).astype(float)
    a = gi_star(counts, queen, permutations=99, seed=5)
    b = gi_star(counts, queen, permutations=99, seed=5)
    c = gi_star(counts, queen, permutations=99, seed=6)
    assert_allclose(a.p_sim, b.p_sim)
    assert not np.allclose(a.p_sim, c.p_sim)
