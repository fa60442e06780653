"""Lifetime value with the counting done by an engine (core.buyers.engine_clv) equals the store's pandas path
(core.buyers.clv) on the CDNOW sample, on embedded DuckDB over the store's files and inside PostgreSQL: each buyer's
frequency, recency, age and spend at three days, the purchase days of a hold-out, the fitted models, the value table
and the pages' hold-out check; and a log known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.buyers import clv, engine_clv
from core.errors import InsufficientDataError
from tests.core.buyers.test_engine_purchases import _hand_source


@pytest.fixture(scope="module")
def transactions(cdnow):
    return clv.read_transactions(cdnow[0])


@pytest.mark.parametrize("end", ["1997-03-31", "1997-09-30", "1998-06-30"])
def test_each_buyers_frequency_recency_age_and_spend_are_pandas(cdnow, transactions, end):
    want = clv.rfm(transactions, end)
    got = engine_clv.rfm(cdnow[1], end)
    assert len(want) > 500 and (want["frequency"] > 0).sum() > 100 and (want["monetary_value"] > 0).sum() > 100
    pd.testing.assert_frame_equal(got, want, rtol=1e-9, check_dtype=False, check_index_type=False)


def test_the_hold_out_days_and_the_pages_check_are_pandas(cdnow, transactions):
    first, last = transactions["date"].min(), transactions["date"].max()
    assert engine_clv.span(cdnow[1]) == (first, last)
    cut = clv.holdout_cut(first, last)
    assert cut == pd.Timestamp("1997-12-30")
    days = clv.purchase_days(transactions)
    later = days[(days["date"] > cut) & (days["date"] <= last)].groupby("customer_id").size()
    got = engine_clv.bought_between(cdnow[1], cut, last)
    pd.testing.assert_series_equal(got.sort_index(), later.sort_index(), check_names=False, check_index_type=False)
    want = clv.holdout_check(transactions, cut, last)
    got_cut, got_last, check = engine_clv.holdout_check(cdnow[1])
    assert (got_cut, got_last) == (cut, last)
    on_pandas = engine_clv.holdout_check(None, cdnow[0])  # no engine: the store's rows on pandas
    assert on_pandas[:2] == (cut, last) and on_pandas[2].predicted == want.predicted
    assert (check.predicted, check.actual, check.weeks) == pytest.approx((want.predicted, want.actual, want.weeks),
                                                                         rel=1e-9)
    pd.testing.assert_frame_equal(check.by_frequency, want.by_frequency, rtol=1e-9)
    assert check.fit.params == pytest.approx(want.fit.params, rel=1e-6)


def test_the_value_table_and_models_are_pandas(cdnow, transactions):
    fit, table = clv.buyer_values(transactions, days=60, horizon_months=6, monthly_discount=0.02)
    got_fit, got = engine_clv.buyer_values(cdnow[1], days=60, horizon_months=6, monthly_discount=0.02)
    pd.testing.assert_frame_equal(engine_clv.buyer_values(None, cdnow[0], days=60, horizon_months=6,
                                                          monthly_discount=0.02)[1], table)  # pandas, no engine
    assert got_fit.end == fit.end == pd.Timestamp("1998-06-30")
    assert got_fit.params == pytest.approx(fit.params, rel=1e-6) and got_fit.spend is not None
    pd.testing.assert_frame_equal(got, table, rtol=1e-6)


def test_a_log_known_by_hand():
    """a: purchases on 1 Jan (sale 10), 1 Jan again (a second order: one day, 15 in all), 15 Jan (an order without a
    sale: 0) and 29 Jan (sale 7, a return of 3 left out); b: one purchase on 8 Jan; as of 5 Feb."""
    activity = pd.DataFrame({"customer_id": ["a", "a", "b"], "date": pd.to_datetime(["2024-01-01", "2024-01-15",
                                                                                     "2024-01-08"])})
    revenue = pd.DataFrame({"customer_id": ["a", "a", "a", "a"],
                            "period": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-29", "2024-01-29"]),
                            "mrr": [np.nan] * 4, "amount": [10.0, 5.0, 7.0, -3.0],
                            "is_return": [False, False, False, True]})
    src = _hand_source(activity, revenue)
    got = engine_clv.rfm(src, "2024-02-05")
    assert got.index.tolist() == ["a", "b"]
    assert got["frequency"].tolist() == [2.0, 0.0]
    assert got["recency"].tolist() == pytest.approx([4.0, 0.0])  # 28 days, in weeks
    assert got["T"].tolist() == pytest.approx([5.0, 4.0])
    assert got["monetary_value"].tolist() == pytest.approx([3.5, 0.0])  # (0 + 7) / 2 repeat days
    assert engine_clv.bought_between(src, "2024-01-08", "2024-01-29").to_dict() == {"a": 2}


def test_no_purchases_is_the_stores_message():
    empty = _hand_source(pd.DataFrame({"customer_id": pd.Series([], dtype=str), "date": pd.to_datetime([])}),
                         None)
    with pytest.raises(InsufficientDataError) as e:
        engine_clv.buyer_values(empty)
    assert str(e.value) == clv.NO_PURCHASES
