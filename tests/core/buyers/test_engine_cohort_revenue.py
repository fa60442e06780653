"""A purchase log's revenue retention by cohort summed by an engine (core.buyers.engine_cohort_revenue) equals the
pandas path's (core.buyers.cohort_revenue over core.buyers.purchases' log) to 1e-9: on a log known by hand (its cells
written out), and on the CDNOW log's published 1/10 sample in embedded DuckDB over a SQLite store's files and inside
PostgreSQL, for every customer and for half of them, at three as-of months; the empty states say the same."""

from __future__ import annotations

import pandas as pd
import pytest

from core.buyers import engine_cohort_revenue as ecr
from core.buyers.cohort_revenue import cohort_revenue
from core.buyers.purchases import load_purchase_log, purchase_log
from core.errors import InsufficientDataError
from core.store.read import load_columns
from tests.core.buyers.test_engine_purchases import _by_hand, _hand_source

CUSTOMERS = ["customer_id", "signup_date", "churn_date"]


def _same(got, want) -> None:
    pd.testing.assert_frame_equal(got.revenue, want.revenue, rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(got.retention, want.retention, rtol=1e-9, atol=1e-9)
    pd.testing.assert_series_equal(got.buyers, want.buyers, check_index_type=False)
    assert got.as_of == want.as_of
    pd.testing.assert_frame_equal(got.long(), want.long(), rtol=1e-9, atol=1e-9)


def test_a_log_known_by_hand():
    customers, activity, revenue = _by_hand()
    got = ecr.cohort_revenue(_hand_source(activity, revenue), customers, "2024-05-31")
    _same(got, cohort_revenue(purchase_log(activity, revenue), "2024-05-31"))
    # first purchases: c Jan 2023, a Mar 2024, d Apr 2024 (a sale), b May 2024; e bought nothing (a sale of 0 and a
    # cancelled line), so its rows are no cohort's
    assert got.buyers.to_dict() == {"2023-01": 1, "2024-03": 1, "2024-04": 1, "2024-05": 1}
    assert got.revenue.loc["2024-03"].dropna().tolist() == [0.0, 0.0, 30.0]  # a's sale two months on
    assert got.revenue.loc["2024-04"].dropna().tolist() == [50.0, -20.0]  # d's sale, then its return
    assert got.retention.loc["2024-04"].dropna().tolist() == [1.0, -0.4]
    assert got.retention.loc["2024-03"].isna().all()  # nothing in month 0 to divide by
    assert len(got.revenue.columns) == 17  # Jan 2023 to May 2024


def test_the_empty_states_say_what_the_rows_say():
    customers, activity, revenue = _by_hand()
    with pytest.raises(InsufficientDataError) as no_amounts:
        ecr.cohort_revenue(_hand_source(activity, None), customers)
    with pytest.raises(InsufficientDataError) as want:
        cohort_revenue(purchase_log(activity, None))
    assert str(no_amounts.value) == str(want.value)
    early = activity[activity["date"] > "2024-01-01"]
    with pytest.raises(InsufficientDataError, match="Nobody had made a purchase by Dec 2023") as got:
        ecr.cohort_revenue(_hand_source(early, revenue), customers, "2023-12-31")
    with pytest.raises(InsufficientDataError) as want:
        cohort_revenue(purchase_log(early, revenue), "2023-12-31")
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("half", [False, True], ids=["every-customer", "half"])
def test_the_cdnow_sample_on_the_engines(cdnow, half):
    engine, source = cdnow
    customers = load_columns(engine, "customer", CUSTOMERS)
    if half:
        customers = customers.iloc[::2]
    log = load_purchase_log(engine).for_customers(customers["customer_id"])
    for as_of in (None, "1997-06-15", "1998-03-31"):
        got = ecr.cohort_revenue(source, customers, as_of)
        _same(got, cohort_revenue(log, as_of))
    assert got.revenue.shape[0] == 3  # the sample's buyers all first bought in Jan to Mar 1997
