"""The churn model's inputs (core.history.inputs.load_inputs) with an engine summing the behaviour: the activity rows
stay in the engine (never read into memory: 100,000,000 rows would take 2 GB), and everything read from them instead
is the same as when they are read: the data's last day, whether there is behaviour at all, the lapse rule's churn
dates, every feature at the end. On the demo (embedded DuckDB over a SQLite store's files, and inside PostgreSQL), the
mix (its buyers-only customers' lapse rule) and the telco snapshot (no behaviour)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import core
from core.history import inputs as inputs_module
from core.history.features import temporal_features
from core.history.inputs import load_inputs
from core.query import sources
from tests.pages import store_kinds


def _never_read(*args, **kwargs):
    raise AssertionError("the activity rows were read although an engine sums them")


def _same_inputs(got, want) -> None:
    assert got.activity is None and want.activity is not None
    assert got.end() == want.end() and got.has_behaviour() == want.has_behaviour()
    pd.testing.assert_frame_equal(got.customers, want.customers)  # the lapse rule's churn dates included
    assert (got.lapse is None) == (want.lapse is None)
    if want.lapse is not None:
        assert got.lapse.days == want.lapse.days and got.lapse.as_of == want.lapse.as_of
        pd.testing.assert_series_equal(got.lapse.churn_dates, want.lapse.churn_dates)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_demos_activity_stays_in_the_engine(demo_on_both_stores, kind, monkeypatch):
    engine = demo_on_both_stores[kind]
    want = load_inputs(engine, source=None)
    monkeypatch.setattr(inputs_module, "activity_pairs", _never_read)
    with sources.by_name(engine, "duckdb" if kind == "sqlite" else "postgres") as src:
        got = load_inputs(engine, source=src)
        _same_inputs(got, want)
        a, b = temporal_features(got, got.end(), label=False), temporal_features(want, want.end(), label=False)
    assert got.end() > pd.Timestamp("2025-01-01") and b.X["usage_level_30d"].gt(0).any()
    np.testing.assert_allclose(a.X.select_dtypes("number").to_numpy(float),
                               b.X.select_dtypes("number").to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("kind", ["mix", "telco"])
def test_a_mix_and_a_snapshot_read_the_same_without_their_activity(kind, tmp_path, monkeypatch):
    engine = core.make_engine(store_kinds.build(kind, tmp_path))
    want = load_inputs(engine, source=None)
    monkeypatch.setattr(inputs_module, "activity_pairs", _never_read)
    with sources.embedded(engine) as src:
        _same_inputs(load_inputs(engine, source=src), want)
    assert (want.lapse is not None) == (kind == "mix") and want.has_behaviour() == (kind == "mix")
    engine.dispose()


def test_a_store_of_customers_and_usage_alone_ends_on_its_last_active_day(tmp_path, monkeypatch):
    """No revenue, tickets or surveys: the last active day is the data's end, and usage alone is behaviour."""
    engine = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    customers = "customer_id,signup_date\nA1,2024-01-15\nA2,2024-03-01\nA3,2024-06-30\n"
    activity = ("customer_id,date,metric,value\nA1,2024-02-01,logins,3\nA2,2025-03-10,logins,1\n"
                "A3,2024-12-24,logins,2\nA1,2025-01-05,logins,4\n")
    for data, name, what in ((customers, "customers.csv", "customers"), (activity, "usage.csv", "activity")):
        core.commit_import(engine, core.prepare_import(engine, data.encode(), name, what))
    want = load_inputs(engine, source=None)
    monkeypatch.setattr(inputs_module, "activity_pairs", _never_read)
    with sources.embedded(engine) as src:
        got = load_inputs(engine, source=src)
        _same_inputs(got, want)
        assert got.end() == pd.Timestamp("2025-03-10") and got.has_behaviour()
    engine.dispose()
