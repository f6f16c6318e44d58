import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from geo.tension.emerging import (
    MannKendall,
    classify,
    emerging_hotspots,
    mann_kendall,
    space_time_cube,
)


@pytest.mark.parametrize("seed", range(5))
def test_mann_kendall_matches_scipy_kendall_tau(seed):
    rng = np.random.default_rng(seed)
    series = rng.poisson(3, 30).astype(float) + np.arange(30) * 0.1 * seed  # with ties
    ours = mann_kendall(series)
    ref = stats.kendalltau(np.arange(30), series, method="asymptotic")
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-9)
    assert np.sign(ours.z) == np.sign(ref.statistic)


FLAT = MannKendall(0.0, 0.0, 1.0)
UP = MannKendall(50.0, 3.0, 0.003)
DOWN = MannKendall(-50.0, -3.0, 0.003)


def _flags(text: str) -> np.ndarray:
    return np.array([c == "H" for c in text])


@pytest.mark.parametrize(
    ("hot", "cold", "trend", "pattern"),
    [
        ("..........H", "...........", FLAT, "new_hot"),
        ("........HHH", "...........", FLAT, "consecutive_hot"),
        ("HHHHHHHHHHH", "...........", UP, "intensifying_hot"),
        ("HHHHHHHHHHH", "...........", FLAT, "persistent_hot"),
        ("HHHHHHHHHHH", "...........", DOWN, "diminishing_hot"),
        ("H..H..H...H", "...........", FLAT, "sporadic_hot"),
        ("H.......H.H", "..H........", FLAT, "oscillating_hot"),
        ("HHHHHHHHHH.", "...........", FLAT, "historical_hot"),
        ("...........", "..........H", FLAT, "new_cold"),
        ("...........", "...........", FLAT, "no_pattern"),
    ],
)
def test_pattern_definitions(hot, cold, trend, pattern):
    assert classify(_flags(hot), _flags(cold), trend) == pattern


def test_planted_patterns_in_a_cube(default_geography):
    queen = sparse.csr_matrix(
        __import__("geo.hotspots.weights", fromlist=["build_weights"])
        .build_weights(default_geography.lsoas, "queen")
        .graph.sparse
    )
    rng = np.random.default_rng(0)
    n, steps = queen.shape[0], 20
    cube = rng.poisson(2, (n, steps)).astype(float)
    persistent = np.append(queen[100].indices, 100)
    cube[persistent, :] += 12
    table = emerging_hotspots(cube, queen)
    assert table.loc[100, "pattern"] == "persistent_hot"
    assert (table["pattern"] == "no_pattern").mean() > 0.9
    # each step is standardised on its own: a new cluster is planted in a separate cube
    cube = rng.poisson(2, (n, steps)).astype(float)
    emerging = np.append(queen[700].indices, 700)
    cube[emerging, -3:] += 15
    table = emerging_hotspots(cube, queen)
    assert table.loc[700, "pattern"] == "consecutive_hot"


def test_space_time_cube_counts():
    codes = np.array(["A", "B"])
    units = pd.Series(["A", "A", "B", "C"])
    times = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-10", "2024-02-11", "2024-02-12"]))
    cube, bins = space_time_cube(codes, units, times, "month")
    assert [str(b) for b in bins] == ["2024-01", "2024-02"]
    assert cube.tolist() == [[1.0, 1.0], [0.0, 1.0]]  # unit C is not in the study area
