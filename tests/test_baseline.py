from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo.tension.baseline import farrington, weekly_counts


def _series(seed=0, weeks=220, spike_at=None, spike=0):
    rng = np.random.default_rng(seed)
    index = pd.period_range("2015-01-05", periods=weeks, freq="W-SUN").start_time
    t = np.arange(weeks)
    mean = 20 * (1 + 0.2 * np.sin(2 * np.pi * t / 52.18))
    counts = rng.poisson(mean).astype(float)
    if spike_at is not None:
        counts[spike_at] += spike
    return pd.Series(counts, index=index)


def test_a_spike_exceeds_and_ordinary_weeks_do_not():
    series = _series(spike_at=200, spike=25)
    flagged = farrington(series, series.index[200])
    assert flagged is not None and flagged.exceedance > 1
    ordinary = [farrington(series, series.index[w]).exceedance for w in range(160, 200)]
    assert np.mean(np.array(ordinary) > 1) <= 0.1  # alpha = 0.01, with some slack


def test_past_outbreaks_do_not_inflate_normal():
    plain = _series(seed=1)
    with_outbreak = plain.copy()
    with_outbreak.iloc[150:154] += 40  # four bad weeks a year before
    a = farrington(plain, plain.index[210])
    b = farrington(with_outbreak, with_outbreak.index[210])
    c = farrington(with_outbreak, with_outbreak.index[210], reweight=False)
    assert abs(b.expected - a.expected) < abs(c.expected - a.expected)
    assert b.upper < c.upper


def test_too_little_history():
    series = _series(weeks=20)
    assert farrington(series, series.index[-1]) is None


@pytest.mark.slow
def test_summer_2016_rise_shows_force_wide(default_geography, open_data):
    from geo.demo.generator import generate

    scenario = generate(default_geography, seed=0, start=date(2013, 4, 1), open_data=open_data)
    frame = scenario.incidents
    when = pd.to_datetime(frame["recorded_at"])
    for prefix in ("HC", "CC"):
        series = weekly_counts(
            when[frame["reference"].str.startswith(prefix)],
            start=pd.Timestamp("2013-04-01"),
            end=pd.Timestamp("2019-12-31"),
        )
        after = [
            farrington(series, w)
            for w in series.index
            if "2016-06-27" <= str(w.date()) <= "2016-07-18"
        ]
        before = [
            farrington(series, w)
            for w in series.index
            if "2016-04-04" <= str(w.date()) <= "2016-06-13"
        ]
        assert sum(b.exceedance > 1 for b in after) >= 2, prefix
        assert sum(b.exceedance > 1 for b in before) <= 1, prefix


def test_degenerate_series_give_no_baseline_rather_than_an_error():
    """Records only in the last weeks: the trend drives early expectations to zero, which
    used to make statsmodels raise on infinite weights."""
    index = pd.date_range("2016-01-04", periods=160, freq="W-MON")
    values = np.zeros(160)
    values[0] = 1
    values[150:] = 40
    counts = pd.Series(values, index=index)
    for week in index[-5:]:
        base = farrington(counts, week)
        assert base is None or np.isfinite(base.expected)
