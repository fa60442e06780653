"""The revenue outlook (core.forecast.outlook) on hand-made stores: the book's expected MRR written out by hand,
a customer who left in the as-of month, a past as-of month, the intervals' order, and a store with nobody paying."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import InsufficientDataError
from core.forecast.book import MONTH_DAYS
from core.forecast.outlook import COLUMNS, outlook

CUSTOMERS = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                          "signup_date": pd.to_datetime(["2025-08-03", "2025-09-20", "2025-08-15", "2025-10-01"]),
                          "churn_date": pd.to_datetime([None, None, "2025-10-20", None])})
REVENUE = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "d", "a"],
                        "period": pd.to_datetime(["2025-09-01", "2025-10-01", "2025-10-01", "2025-09-01",
                                                  "2025-10-01", "2025-10-01", "2025-11-01"]),
                        "mrr": [100.0, 100.0, 300.0, 40.0, 40.0, 0.0, 999.0]})
P = pd.Series({"a": 0.2, "b": 0.6, "d": 0.5})


def _survival(p: float, h: int) -> float:
    return (1 - p) ** (h * MONTH_DAYS / 90)


def test_the_expected_mrr_is_the_book_written_out():
    o = outlook(CUSTOMERS, REVENUE, P, 90, months=6, as_of_month="2025-10-15")
    assert o.as_of_month == pd.Timestamp("2025-10-31") and o.paying == 3 and o.mrr_now == 440.0
    assert o.trend_model.startswith("none")  # two months of history: no gain forecast
    t = o.table
    assert list(t.columns) == COLUMNS and t["month"].iloc[0] == pd.Timestamp("2025-11-01")
    # c churned in October and paid for October: this store bills the churn month, so a churn in month h ends the
    # MRR from month h + 1 (S(h) = (1 - q) ** (h - 1)); c is gone from November
    for h in range(1, 7):
        row = t.iloc[h - 1]
        assert row["mrr"] == pytest.approx(100 * _survival(0.2, h - 1) + 300 * _survival(0.6, h - 1), rel=1e-12)
        assert row["churned_mrr"] == pytest.approx(
            100 * (_survival(0.2, max(h - 2, 0)) - _survival(0.2, h - 1))
            + 300 * (_survival(0.6, max(h - 2, 0)) - _survival(0.6, h - 1)) + (40 if h == 1 else 0), rel=1e-12)
    # anniversaries: a in August (10 months ahead), b in September (11): past the six months asked
    assert t["renewals_due"].tolist() == [0, 0, 0, 0, 0, 0] and t["renewals"].sum() == 0


def test_a_store_whose_churn_ends_the_month_s_mrr_loses_it_in_the_first_month():
    revenue = REVENUE[~((REVENUE["customer_id"] == "c") & (REVENUE["period"] == "2025-10-01"))]
    customers = CUSTOMERS.assign(churn_date=pd.to_datetime([None, None, "2025-10-02", None]))
    o = outlook(customers, revenue, P, 90, months=12, as_of_month="2025-10-31")
    assert o.paying == 2 and o.mrr_now == 400.0
    for h in (1, 10, 11):
        row = o.table.iloc[h - 1]
        assert row["mrr"] == pytest.approx(100 * _survival(0.2, h) + 300 * _survival(0.6, h), rel=1e-12)
    assert o.table["renewals_due"].iloc[9] == 1 and o.table["renewals"].iloc[9] == pytest.approx(_survival(0.2, 10))
    assert o.table["renewals"].iloc[10] == pytest.approx(_survival(0.6, 11))


def test_a_past_as_of_month_reads_only_the_revenue_up_to_it():
    o = outlook(CUSTOMERS, REVENUE, P, 90, months=3, as_of_month="2025-10-31")
    assert o.mrr_now == 440.0  # November's 999 is after the as-of month
    latest = outlook(CUSTOMERS, REVENUE, pd.Series({"a": 0.2}), 90, months=3)
    assert latest.as_of_month == pd.Timestamp("2025-11-30") and latest.mrr_now == 999.0 and latest.paying == 1


def test_the_intervals_hold_the_expectation_in_order():
    rng = np.random.default_rng(0)
    n = 400
    ids = [f"c{i}" for i in range(n)]
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS")
    customers = pd.DataFrame({"customer_id": ids, "signup_date": pd.Timestamp("2023-12-10"), "churn_date": pd.NaT})
    revenue = pd.DataFrame([(c, m, 100.0 + 10 * k) for k, c in enumerate(ids) for m in months[: 6 + k % 18]],
                           columns=["customer_id", "period", "mrr"])
    p = pd.Series(rng.uniform(0.02, 0.5, n), index=ids)
    o = outlook(customers, revenue, p, 90, as_of_month="2025-11-30")
    t = o.table
    for lo, hi in (("mrr_low_95", "mrr_low_80"), ("mrr_low_80", "mrr"), ("mrr", "mrr_high_80"),
                   ("mrr_high_80", "mrr_high_95"), ("churned_low_95", "churned_low_80"),
                   ("churned_high_80", "churned_high_95"), ("renewals_low_80", "renewals_high_80")):
        assert (t[lo] <= t[hi] + 1e-9).all(), (lo, hi)
    paying = revenue.loc[revenue["period"] == "2025-11-01", "customer_id"].nunique()
    assert o.paying == paying and t["renewals_due"].tolist() == [paying] + [0] * 11  # all signed up in December
    assert t["renewals_low_95"].iloc[0] < t["renewals"].iloc[0] <= t["renewals_high_95"].iloc[0] <= paying


def test_a_store_where_nobody_pays_says_so():
    with pytest.raises(InsufficientDataError, match="No customer pays in October 2025"):
        outlook(CUSTOMERS, REVENUE.assign(mrr=0.0), P, 90, as_of_month="2025-10-31")


def test_the_intervals_cover_independent_futures_of_a_closed_book_as_often_as_they_say():
    """A book that gains nothing after its first month (everyone joined in January 2023), each customer with a known
    churn probability: futures drawn here, customer by customer (a churn month from the geometric law of the monthly
    hazard), fall inside the 80 % and the 95 % interval of each month that often."""
    rng = np.random.default_rng(7)
    n = 300
    ids = [f"c{i}" for i in range(n)]
    signup = pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 31, n), unit="D")  # all in January
    mrr = rng.integers(20, 800, n).astype(float)
    customers = pd.DataFrame({"customer_id": ids, "signup_date": signup, "churn_date": pd.NaT})
    months = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
    revenue = pd.DataFrame([(c, m, v) for c, s, v in zip(ids, signup, mrr, strict=True) for m in months
                            if m >= s.to_period("M").to_timestamp()], columns=["customer_id", "period", "mrr"])
    p = rng.uniform(0.02, 0.4, n)
    o = outlook(customers, revenue, pd.Series(p, index=ids), 90, as_of_month="2024-12-31")
    assert o.paying == n and o.table["mrr"].iloc[0] < mrr.sum()
    q = 1 - (1 - p) ** (MONTH_DAYS / 90)
    churn_month = rng.geometric(q, size=(4000, n))  # the month of the churn date: no MRR from that month on
    for h in range(1, 13):
        futures = (mrr * (churn_month > h)).sum(axis=1)
        row = o.table.iloc[h - 1]
        assert row["mrr"] == pytest.approx(futures.mean(), rel=0.01)
        inside_80 = ((row["mrr_low_80"] <= futures) & (futures <= row["mrr_high_80"])).mean()
        inside_95 = ((row["mrr_low_95"] <= futures) & (futures <= row["mrr_high_95"])).mean()
        assert inside_80 == pytest.approx(0.80, abs=0.03) and inside_95 == pytest.approx(0.95, abs=0.02), h
