import pytest

from geo.hotspots.weights import build_weights


def test_islands_are_joined_to_their_nearest_unit(default_geography):
    lsoas = default_geography.lsoas
    before = lsoas.copy()
    result = build_weights(lsoas, "distance:1500")
    assert result.islands_joined > 0
    assert result.graph.isolates.size == 0
    assert (result.graph.sparse != result.graph.sparse.T).nnz == 0  # joined both ways
    assert lsoas.equals(before)  # the caller's frame is untouched


def test_specs(default_geography):
    lsoas = default_geography.lsoas
    assert build_weights(lsoas, "knn:6").graph.cardinalities.min() >= 6
    queen = build_weights(lsoas, "queen").graph
    rook = build_weights(lsoas, "rook").graph
    assert queen.sparse.nnz >= rook.sparse.nnz
    with pytest.raises(
        ValueError,
        match=r"'weights' must be one of \('queen', 'rook', 'knn:K', 'distance:METRES'\); "
        r"'bishop' was given",
    ):
        build_weights(lsoas, "bishop")
