"""Usage features summed by an engine (core.history.engine_usage) equal the churn model's own (the usage group of
core.history.features.temporal_features) customer for customer, at several cutoffs: on the demo (embedded DuckDB
over the column files, values included), on PostgreSQL inside the database, and on a hand-made history whose
features are known by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

import core
from core.history.engine_usage import usage_features
from core.history.features import temporal_features
from core.history.inputs import load_inputs
from core.query import sources

USAGE = ["usage_level_30d", "usage_trend_90d", "active_days_30d", "days_since_active"]
CUTOFFS = ("2025-03-31", "2025-09-14", "2026-01-01")


def _want(inputs, cutoff) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The customers active at ``cutoff`` (id, signup date) and their usage features, as the churn model sees them."""
    data = temporal_features(inputs, cutoff, label=False)
    signup = inputs.customers.set_index(inputs.customers["customer_id"].astype(str))["signup_date"]
    customers = pd.DataFrame({"customer_id": data.customer_id.to_numpy(),
                              "signup_date": signup.loc[data.customer_id].to_numpy()})
    return customers, data.X[USAGE]


def _equal(got: dict, want: pd.DataFrame) -> None:
    for col in USAGE:
        np.testing.assert_allclose(got[col], want[col].to_numpy(float), rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("cutoff", CUTOFFS)
def test_the_demo_usage_features_equal_the_models(embedded_demo, cutoff):
    src, inputs = embedded_demo
    customers, want = _want(inputs, cutoff)
    got = usage_features(src, customers, cutoff)
    _equal(got, want)
    assert (want["active_days_30d"] > 0).mean() > 0.3 and want["usage_trend_90d"].notna().any()


def test_a_history_known_by_hand():
    """One customer, signed up long ago: 2 units on each of the last 3 days, 6 units 100 days before; one young
    customer active 40 days before; one never active."""
    cutoff = pd.Timestamp("2024-06-30")
    days = [cutoff - pd.Timedelta(days=k) for k in (0, 1, 2, 2, 100)]
    activity = ibis.memtable(pd.DataFrame({"customer_id": ["a"] * 5 + ["b"], "date": [*days, cutoff - pd.Timedelta(
        days=40)], "value": [2.0, 2.0, 1.0, 1.0, 6.0, 3.0]}).assign(date=lambda f: f["date"].dt.date),
        schema={"customer_id": "string", "date": "date", "value": "float64"})
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"],
                              "signup_date": pd.to_datetime(["2020-01-01", "2024-05-01", "2020-01-01"])})
    with sources.Source("hand", ibis.duckdb.connect(), activity) as src:
        got = usage_features(src, customers, cutoff)
    assert got["usage_level_30d"] == pytest.approx([np.log1p(6 / 30), 0.0, 0.0])
    assert got["usage_trend_90d"][0] == pytest.approx(np.log1p(6 / 30) - np.log1p(6 / 30))
    assert np.isnan(got["usage_trend_90d"][1]) and got["usage_trend_90d"][2] == 0.0
    assert got["active_days_30d"].tolist() == [3.0, 0.0, 0.0]
    assert got["days_since_active"].tolist() == [0.0, 40.0, 365.0]


def test_a_store_without_activity_has_no_usage_features():
    engine = core.make_engine("sqlite://")
    with sources.embedded(engine) as src:
        assert usage_features(src, pd.DataFrame({"customer_id": ["x"], "signup_date": [pd.NaT]}), "2024-01-01") == {}
    engine.dispose()


def test_postgresql_sums_the_same_usage_inside_the_database(demo_on_both_stores):
    customers, want = _want(load_inputs(demo_on_both_stores["sqlite"]), CUTOFFS[1])
    with sources.inside(demo_on_both_stores["postgresql"]) as src:
        _equal(usage_features(src, customers, CUTOFFS[1]), want)
