"""The gains' trend (core.forecast.trend): the series is every MRR movement but churn; the model is the one of
statsmodels' ETS candidates with the lowest AICc, fitted here again independently; short and constant histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from core.forecast.trend import CANDIDATES, forecast, gains
from core.history.movements import mrr_movements


def _history(values) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.date_range("2024-01-01", periods=len(values), freq="MS"),
                         "gain": np.asarray(values, dtype=float)})


def test_gains_are_every_movement_but_churn():
    revenue = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c", "c", "c"],
                            "period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-02-01",
                                                      "2025-03-01", "2025-01-01", "2025-03-01", "2025-04-01"]),
                            "mrr": [100, 150, 120, 80, 0, 50, 60, 60]})
    got = gains(mrr_movements(revenue))
    # Feb: b new 80, a +50; c left (churn, not a gain). Mar: a -30, c back 60 (reactivation); b left.
    # Apr: a and b gone (churn), c flat
    assert got["gain"].tolist() == [150.0, 130.0, 30.0, 0.0]


def test_under_three_months_no_gain_is_forecast():
    t = forecast(_history([5.0, 7.0]), months=6, draws=50)
    assert t.draws.shape == (50, 6) and not t.draws.any() and t.model.startswith("none")


def test_a_constant_history_gains_the_same_every_month():
    t = forecast(_history([40.0] * 8), months=5, draws=30)
    np.testing.assert_array_equal(t.cumulative()[0], [40.0, 80.0, 120.0, 160.0, 200.0])


def test_the_model_is_the_lowest_aicc_candidate_and_its_draws_are_seeded():
    rng = np.random.default_rng(0)
    y = 1000 + 60 * np.arange(30) + rng.normal(0, 80, 30)  # a clear upward trend
    t = forecast(_history(y), months=12, draws=3000, seed=4)
    aicc = {name: ETSModel(y, error="add", **spec).fit(disp=False).aicc for name, spec in CANDIDATES}
    assert t.model == min(aicc, key=aicc.get) and "trend" in t.model
    np.testing.assert_array_equal(t.draws, forecast(_history(y), months=12, draws=3000, seed=4).draws)
    assert not np.array_equal(t.draws, forecast(_history(y), months=12, draws=3000, seed=5).draws)
    # the trend carries on: month 12's mean gain is well above the last observed level, near the line
    assert t.draws[:, 11].mean() == pytest.approx(1000 + 60 * 41, rel=0.1)


def test_a_short_history_fits_the_level_alone_and_its_spread_grows():
    rng = np.random.default_rng(1)
    t = forecast(_history(500 + rng.normal(0, 50, 8)), months=12, draws=4000, seed=0)
    assert t.model == CANDIDATES[0][0]
    spread = t.cumulative().std(axis=0)
    assert (np.diff(spread) > 0).all()  # the cumulative gain is less certain the further ahead
