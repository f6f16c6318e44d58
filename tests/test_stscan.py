"""The space-time permutation scan against SaTScan 10.3.2 on its NYCfever sample, and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.tension.stscan import chord_distance_km, space_time_scan


@pytest.fixture(scope="module")
def nycfever(open_data):
    folder = open_data / "reference" / "satscan_nycfever"
    cases = pd.read_csv(
        folder / "NYCfever.cas",
        sep=r"\s+",
        header=None,
        names=["zip", "n", "date"],
        dtype={"zip": str},
    )
    places = pd.read_csv(
        folder / "NYCfever.geo",
        sep=r"\s+",
        header=None,
        names=["zip", "lat", "lon"],
        dtype={"zip": str},
    )
    ids = places["zip"].to_numpy()
    position = {z: i for i, z in enumerate(ids)}
    cases = cases.loc[cases.index.repeat(cases["n"])]
    return space_time_scan(
        cases["zip"].map(position).to_numpy(),
        pd.to_datetime(cases["date"], format="%Y/%m/%d"),
        chord_distance_km(places["lat"].to_numpy(), places["lon"].to_numpy()),
        ids,
        analysis_date=pd.Timestamp("2001-11-24"),
        study_start=pd.Timestamp("2001-11-01"),
        max_radius=3.0,
        max_case_share=0.5,
        max_days=7,
        min_cases=2,
        replications=999,
        seed=0,
    )


def test_most_likely_cluster_matches_satscan(nycfever):
    top = nycfever.clusters[0]
    assert top.centre == "11418"
    assert set(top.members) == {
        "11418",
        "11415",
        "11419",
        "11435",
        "11416",
        "11421",
        "11451",
        "11375",
        "11417",
    }
    assert top.radius == pytest.approx(2.90, abs=0.005)
    assert (top.start, top.end) == (pd.Timestamp("2001-11-22"), pd.Timestamp("2001-11-24"))
    assert top.observed == 4
    assert top.expected == pytest.approx(0.67, abs=0.005)
    assert top.llr == pytest.approx(3.845418, abs=1e-4)
    assert top.p_value == pytest.approx(0.216, abs=0.03)
    assert round(top.recurrence_interval_days) == 5


def test_secondary_clusters_match_satscan(nycfever):
    second, third = nycfever.clusters[1], nycfever.clusters[2]
    assert second.members == ("11372",) and second.start == second.end == pd.Timestamp("2001-11-24")
    assert (second.observed, round(second.expected, 2), round(second.llr, 3)) == (2, 0.16, 3.164)
    assert second.p_value == pytest.approx(0.51, abs=0.05)
    assert third.members == ("10472",)
    assert (third.start, third.end) == (pd.Timestamp("2001-11-23"), pd.Timestamp("2001-11-24"))
    assert (third.observed, round(third.expected, 2), round(third.llr, 3)) == (2, 0.29, 2.137)
    assert all(c.p_value >= 0.05 for c in nycfever.clusters)  # SaTScan: nothing significant


def test_expected_counts_and_llr_by_hand():
    """Three locations on a line 1 km apart, four days; analysis on day 4.

    Cases: A on days 1, 2, 4, 4; B on day 1; C on days 3, 4. C = 7 cases.
    Cylinder {A} × {day 4}: c = 2; C_A = 4, C_day4 = 3, so μ = 4 · 3 / 7 = 12/7.
    LLR = 2 ln(2 / (12/7)) + 5 ln(5 / (7 − 12/7)) = 2 ln(7/6) + 5 ln(35/37).
    """
    distances = np.abs(np.subtract.outer([0.0, 1.0, 2.0], [0.0, 1.0, 2.0]))
    loc = np.array([0, 0, 0, 0, 1, 2, 2])
    days = pd.to_datetime(
        [
            "2024-01-01",
            "2024-01-02",
            "2024-01-04",
            "2024-01-04",
            "2024-01-01",
            "2024-01-03",
            "2024-01-04",
        ]
    )
    result = space_time_scan(
        loc,
        days,
        distances,
        np.array(["A", "B", "C"]),
        analysis_date=pd.Timestamp("2024-01-04"),
        study_start=pd.Timestamp("2024-01-01"),
        max_radius=0.5,
        max_case_share=1.0,
        max_days=1,
        min_cases=2,
        replications=99,
        seed=1,
    )
    top = result.clusters[0]
    assert top.members == ("A",)
    assert top.expected == pytest.approx(12 / 7)
    assert top.llr == pytest.approx(2 * np.log(7 / 6) + 5 * np.log(35 / 37))


def test_replicate_maxima_equal_the_llr_of_every_cylinder():
    """The null distribution looks only at circles whose outermost location holds a recent
    case; its maxima must equal a brute-force maximum over every cylinder."""
    rng = np.random.default_rng(3)
    n_loc, n_days, max_days, min_cases = 25, 60, 10, 2
    xy = rng.uniform(0, 10, (n_loc, 2))
    distances = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    loc = rng.integers(0, n_loc, 300)
    day = rng.integers(0, n_days, 300)
    start = pd.Timestamp("2024-01-01")
    result = space_time_scan(
        loc,
        start + pd.to_timedelta(day, unit="D"),
        distances,
        np.arange(n_loc).astype(str),
        analysis_date=start + pd.Timedelta(days=n_days - 1),
        study_start=start,
        max_radius=4.0,
        max_case_share=0.5,
        max_days=max_days,
        min_cases=min_cases,
        replications=20,
        seed=7,
    )
    replay = np.random.default_rng(7)
    total = len(loc)
    c_z = np.bincount(loc, minlength=n_loc)
    c_d = np.bincount(day, minlength=n_days)
    for r in range(20):
        shuffled = replay.permutation(day)
        best = 0.0
        for centre in range(n_loc):
            members: list[int] = []
            for m in np.argsort(distances[centre], kind="stable"):
                if distances[centre, m] > 4.0 or c_z[[*members, m]].sum() > 0.5 * total:
                    break
                members.append(m)
                for w in range(1, max_days + 1):
                    inside = np.isin(loc, members) & (shuffled >= n_days - w)
                    c = inside.sum()
                    mu = c_z[members].sum() * c_d[n_days - w :].sum() / total
                    if c > mu and c >= min_cases:
                        llr = c * np.log(c / mu) + (total - c) * np.log((total - c) / (total - mu))
                        best = max(best, llr)
        assert result.null_max[r] == pytest.approx(best, rel=1e-9)


def test_sequential_monte_carlo_stops_early_only_when_nothing_is_there():
    rng = np.random.default_rng(5)
    n_loc, n_days = 30, 200
    xy = rng.uniform(0, 10, (n_loc, 2))
    distances = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    loc = rng.integers(0, n_loc, 600)
    day = rng.integers(0, n_days, 600)
    start = pd.Timestamp("2024-01-01")

    def scan(loc, day, stop_after):
        return space_time_scan(
            loc, start + pd.to_timedelta(day, unit="D"), distances, np.arange(n_loc).astype(str),
            analysis_date=start + pd.Timedelta(days=n_days - 1), study_start=start,
            max_radius=3.0, max_days=14, min_cases=3, replications=999, seed=1,
            stop_after=stop_after,
        )  # fmt: skip

    quiet = scan(loc, day, 10)
    assert quiet.replications < 999
    beaten = (quiet.null_max >= quiet.clusters[0].llr).sum()
    assert beaten >= 10
    assert quiet.clusters[0].p_value == pytest.approx(beaten / quiet.replications)
    # a planted burst: eight cases at one place in the last three days
    burst_loc = np.concatenate([loc, np.full(8, 4)])
    burst_day = np.concatenate([day, np.full(8, n_days - 1) - np.arange(8) % 3])
    sequential, full = scan(burst_loc, burst_day, 10), scan(burst_loc, burst_day, None)
    assert sequential.replications == full.replications == 999
    assert sequential.clusters[0].p_value == full.clusters[0].p_value == 0.001
