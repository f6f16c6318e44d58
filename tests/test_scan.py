import numpy as np
import pytest

from geo.hotspots.scan import spatial_scan


@pytest.fixture(scope="module")
def cambs(default_geography):
    from geo.geography.population import lsoa_population

    pop, _ = lsoa_population(default_geography)
    keep = (default_geography.lsoas["force"] == "Cambridgeshire").to_numpy()
    lsoas = default_geography.lsoas[keep].reset_index(drop=True)
    inner = lsoas.geometry.representative_point()
    return inner.x.to_numpy(), inner.y.to_numpy(), pop[keep], lsoas["lsoa_code"].to_numpy()


def test_planted_cluster_recovered_with_its_members(cambs):
    x, y, pop, codes = cambs
    members = np.argsort(np.hypot(x - x[100], y - y[100]))[:5]
    rate = np.ones(len(pop))
    rate[members] = 3.0
    counts = np.random.default_rng(0).poisson(pop / pop.sum() * 3000 * rate)
    result = spatial_scan(counts, pop, x, y, population=pop, codes=codes, replications=999, seed=1)
    top = result.clusters.iloc[0]
    assert top["p_value"] < 0.01
    assert set(top["area_codes"].split(";")) == set(codes[members])
    assert top["relative_risk"] == pytest.approx(3.0, rel=0.25)
    assert list(result.clusters.columns[:10]) == [
        "cluster_id",
        "centre_easting",
        "centre_northing",
        "radius_m",
        "area_codes",
        "n_areas",
        "observed",
        "expected",
        "relative_risk",
        "llr",
    ]
    # secondary clusters never share an area with a better one
    seen: set[str] = set()
    for areas in result.clusters["area_codes"]:
        these = set(areas.split(";"))
        assert not these & seen
        seen |= these


def test_uniform_risk_is_rarely_significant(cambs):
    x, y, pop, _ = cambs
    p_values = []
    for seed in range(10):
        counts = np.random.default_rng(100 + seed).poisson(pop / pop.sum() * 2000)
        result = spatial_scan(counts, pop, x, y, population=pop, replications=199, seed=seed)
        p_values.append(result.clusters["p_value"].iloc[0])
    assert np.mean(np.array(p_values) >= 0.05) >= 0.9


def test_same_seed_same_p(cambs):
    x, y, pop, _ = cambs
    counts = np.random.default_rng(7).poisson(pop / pop.sum() * 2000)
    a = spatial_scan(counts, pop, x, y, replications=99, seed=3).clusters
    b = spatial_scan(counts, pop, x, y, replications=99, seed=3).clusters
    assert a.equals(b)
