"""The inputs as known at a past day (core.history.known_at): the churn model's features there are the whole
store's (nothing after the day reaches them), and what was to come is gone or unknown."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from core.errors import DataValidationError
from core.history.features import temporal_features
from core.history.inputs import inputs_from_frames
from core.history.known_at import known_at

DAY = pd.Timestamp("2025-06-15")


def test_the_features_at_the_day_are_the_whole_store_s(embedded_demo):
    _, inputs = embedded_demo
    cut = known_at(inputs, DAY)
    whole, part = temporal_features(inputs, DAY, label=False), temporal_features(cut, DAY, label=False)
    pd.testing.assert_frame_equal(part.X, whole.X)
    assert part.customer_id.tolist() == whole.customer_id.tolist()


def test_nothing_after_the_day_is_left(embedded_demo):
    _, inputs = embedded_demo
    cut = known_at(inputs, DAY)
    nxt = DAY + pd.Timedelta(days=1)
    c = cut.customers
    assert c["signup_date"].max() < nxt and len(c) < len(inputs.customers)
    assert c["churn_date"].dropna().max() < nxt
    later = inputs.customers.set_index("customer_id").loc[c["customer_id"], "churn_date"]
    assert (later >= nxt).sum() == (c["churn_date"].isna().sum() - inputs.customers.set_index("customer_id")
                                    .loc[c["customer_id"], "churn_date"].isna().sum()) > 0
    assert cut.activity.dates().max() <= DAY and len(cut.activity) < len(inputs.activity)
    assert cut.tickets["opened"].max() < nxt and cut.tickets["resolved"].dropna().max() < nxt
    assert cut.tickets["resolved"].isna().sum() > inputs.tickets.loc[inputs.tickets["opened"] < nxt,
                                                                     "resolved"].isna().sum()
    assert cut.feedback["date"].max() < nxt and cut.revenue["period"].max() < nxt
    assert cut.end() == DAY + pd.offsets.MonthEnd(0)  # a revenue month counts to its end (core.history.asof)


def test_inputs_summed_by_an_engine_are_refused(embedded_demo):
    src, inputs = embedded_demo
    with pytest.raises(DataValidationError, match="load them with pandas"):
        known_at(replace(inputs, activity=None, source=src), DAY)


def test_the_day_after_is_already_the_future():
    nxt = DAY + pd.Timedelta(days=1)
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                              "signup_date": [DAY - pd.Timedelta(days=40)] * 3 + [nxt],
                              "churn_date": [DAY, nxt, DAY + pd.Timedelta(hours=23), pd.NaT]})
    tickets = pd.DataFrame({"customer_id": ["a", "b", "c"], "opened": [DAY, DAY, nxt],
                            "resolved": [DAY + pd.Timedelta(hours=5), nxt, pd.NaT]})
    activity = pd.DataFrame({"customer_id": ["a", "a"], "date": [DAY, nxt], "value": [1.0, 2.0]})
    cut = known_at(inputs_from_frames(customers, activity, tickets), DAY)
    assert cut.customers["customer_id"].tolist() == ["a", "b", "c"]  # d signed up the next day
    assert cut.customers["churn_date"].isna().tolist() == [False, True, False]  # c left late on the day itself
    assert cut.tickets["resolved"].isna().tolist() == [False, True] and len(cut.activity) == 1
