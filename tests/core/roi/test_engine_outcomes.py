"""A play's outcomes with the revenue and usage windows summed by an engine (core.roi.engine_outcomes) equal the
pandas outcomes (core.roi.outcomes) contact for contact: on every play of the 1,000-customer demo (embedded DuckDB
over the store's column files) at three windows, on a 200-customer demo held by PostgreSQL (inside the database and
through DuckDB), and on a hand-made history whose sums are known by hand (two revenue rows on one day, a sale without
MRR, revenue on the contact's own day, a contact before any revenue, a customer without rows, usage at the edges of
the pre-period).

pandas sums windows as differences of cumulative sums over every customer's revenue (53 million dollars on the
demo), which leaves up to about 1e-9 dollars of rounding in a contact's sum; the engines add each window directly.
Hence ``atol=1e-8`` beside ``rtol=1e-9``."""

from __future__ import annotations

import dataclasses

import ibis
import numpy as np
import pandas as pd
import pytest

import core
from core.query import sources
from core.roi.engine_outcomes import window_values
from core.roi.inputs import inputs_from_frames, load_inputs
from core.roi.outcomes import outcomes
from tests.conftest import copy_store

#: (window, pre-period) in days: the defaults, a short window, a year (the latest contacts not eligible)
WINDOWS = ((90, 90), (30, 60), (365, 30))


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('roi_engine'))}")
    yield engine
    engine.dispose()


def _assert_same_outcomes(inputs, src) -> None:
    on_engine = dataclasses.replace(inputs, source=src)
    for play in inputs.plays():
        for window, pre in WINDOWS:
            want = outcomes(inputs, play, window=window, pre_days=pre)
            got = outcomes(on_engine, play, window=window, pre_days=pre)
            pd.testing.assert_frame_equal(got, want, rtol=1e-9, atol=1e-8)


def test_every_play_of_the_demo_equals_pandas(store):
    inputs = load_inputs(store)
    assert len(inputs.plays()) == 4
    with sources.embedded(store) as src:
        assert src.name.startswith("DuckDB (embedded) over the store's column files")
        _assert_same_outcomes(inputs, src)
    frame = outcomes(inputs, inputs.plays()[0])
    assert frame["revenue_kept"].gt(0).mean() > 0.9 and frame["pre_usage"].gt(0).mean() > 0.9  # sums, not zeros


@pytest.mark.parametrize("kind", ["inside", "embedded"])
def test_postgresql_gives_the_same_outcomes(demo_on_both_stores, kind):
    engine = demo_on_both_stores["postgresql"]
    inputs = load_inputs(engine)
    with getattr(sources, kind)(engine) as src:
        _assert_same_outcomes(inputs, src)


def _hand():
    """Contacts 1-5 on 2024-06-15 (a twice, b, c, d) and one on 2024-01-10 (b, before any revenue); revenue of a: two
    MRR rows on 2024-06-01 (ids 1 then 2: 2 is the latest), 2024-05-01 and 2024-07-01, a sale of 30 on the contact's
    day; b: a sale without MRR on 2024-03-01; c: none; usage of a on 2024-06-14 (counted), 2024-05-16 (the 30th day
    before: counted) and 2024-05-15 and 2024-06-15 (not)."""
    contacts = pd.DataFrame({"id": [1, 2, 3, 4, 5], "customer_id": ["a", "a", "b", "c", "b"],
                             "date": pd.to_datetime(["2024-06-15"] * 4 + ["2024-01-10"])})
    revenue = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "customer_id": ["a", "a", "a", "a", "a", "b"],
                            "period": pd.to_datetime(["2024-06-01", "2024-06-01", "2024-05-01", "2024-07-01",
                                                      "2024-06-15", "2024-03-01"]).date,
                            "mrr": [100.0, 120.0, 90.0, 130.0, None, None],
                            "amount": [None, None, None, None, 30.0, 55.0]})
    activity = pd.DataFrame({"customer_id": ["a"] * 4,
                             "date": pd.to_datetime(["2024-06-14", "2024-05-16", "2024-05-15", "2024-06-15"]).date,
                             "value": [2.0, 3.0, 50.0, 70.0]})
    return contacts, revenue, activity


def test_a_history_known_by_hand():
    contacts, revenue, activity = _hand()
    con = ibis.duckdb.connect()
    src = sources.Source("hand", con, ibis.memtable(activity), revenue=ibis.memtable(revenue))
    with src:
        kept, pre, before, use = window_values(src, contacts, 30, 30)
    # a: July's 130 and the day's sale of 30 are kept; June's two rows and May's are before (pre: 30 days back
    # reaches 2024-05-16, so May 1 is out); the latest row before is June's second (id 2)
    assert kept.tolist() == [160.0, 160.0, 0.0, 0.0, 0.0] and pre.tolist() == [220.0, 220.0, 0.0, 0.0, 0.0]
    # b: the sale before June; c: no rows; b again: nothing before January
    assert before[:3].tolist() == [120.0, 120.0, 55.0] and np.isnan(before[3:]).all()
    assert use.tolist() == [5.0, 5.0, 0.0, 0.0, 0.0]


def test_the_hand_history_through_the_frames_gives_the_same_sums():
    """The same history as ROI inputs: the pandas path agrees with the figures known by hand above."""
    contacts, revenue, activity = _hand()
    interventions = contacts.assign(play="p", group=["treatment", "holdout", "treatment", "holdout", "treatment"])
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "signup_date": pd.to_datetime(["2023-01-01"] * 4),
                              "churn_date": pd.NaT})
    inputs = inputs_from_frames(interventions, customers, revenue, activity, end="2024-12-31")
    with sources.Source("hand", ibis.duckdb.connect(), ibis.memtable(activity),
                        revenue=ibis.memtable(revenue)) as src:
        want = outcomes(inputs, "p", window=30, pre_days=30)
        got = outcomes(dataclasses.replace(inputs, source=src), "p", window=30, pre_days=30)
    pd.testing.assert_frame_equal(got, want, rtol=1e-12, atol=0)
    assert want["revenue_kept"].tolist() == [160.0, 160.0, 0.0, 0.0, 0.0]
    assert want["mrr_before"].iloc[:3].tolist() == [120.0, 120.0, 55.0]
