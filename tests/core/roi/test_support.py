"""The support check of a next wave (core.roi.support): bounds against numpy's quantiles, category counts, the first
failing column's reason, the ordinals of its rule, and months since signup against a direct day count."""

import numpy as np
import pandas as pd
import pytest

from core.errors import DataValidationError
from core.roi.support import ordinal, support, tenure_months

MONTH = 30.4375


def _months(demo, ids, dates) -> np.ndarray:
    """Days from each customer's signup (demo.customers) to ``dates``, over 30.4375."""
    signup = demo.customers.set_index("customer_id")["signup_date"].reindex(pd.Index(list(ids)))
    days = pd.to_datetime(pd.Series(list(dates))) - pd.Series(signup.to_numpy())
    return days.dt.days.to_numpy(float) / MONTH


# -- support ----------------------------------------------------------------------------------------------
def test_support_by_hand():
    past = pd.DataFrame({"mrr": np.arange(100.0, 200.0), "usage": np.linspace(0.0, 1.0, 100),
                         "plan": ["Pro"] * 61 + ["Starter"] * 10 + ["Growth"] * 20 + ["Basic"] * 9})
    lo, hi = np.quantile(past["mrr"], [0.01, 0.99])
    now = pd.DataFrame({"mrr": [lo, hi, lo - 0.01, hi + 0.01, np.nan, 150, 150, 500, 150, 150, 50],
                        "usage": [0.5] * 8 + [np.nan, 0.5, 0.5],
                        "plan": ["Pro", "Starter", "Pro", "Pro", "Pro", "Basic", "Enterprise", "Basic", "Basic", None,
                                 "Pro"]}, index=list("abcdefghijk"))
    why = support(past, now, ["mrr", "usage", "plan"])
    assert why.index.tolist() == list("abcdefghijk")
    assert why["a"] == why["b"] == ""  # the bounds themselves and a category seen exactly min_count times
    assert why["c"].startswith("mrr ") and "below the contacts (1st percentile" in why["c"]
    assert why["d"].startswith("mrr ") and "above the contacts (99th percentile" in why["d"]
    assert why["e"] == "no mrr"
    assert why["f"] == "plan 'Basic' is among fewer than 10 contacts"
    assert why["g"] == "plan 'Enterprise' is among fewer than 10 contacts"
    assert why["h"] == f"mrr 500 is above the contacts (99th percentile {hi:,.0f})"  # the first failing column
    assert why["i"] == "no usage"
    assert why["j"].startswith("plan ")  # a missing category is unlike
    assert why["k"] == f"mrr 50 is below the contacts (1st percentile {lo:,.0f})"
    # the first failing column in the order given
    again = support(past, now, ["plan", "usage", "mrr"])
    assert again["h"].startswith("plan 'Basic'") and again["i"].startswith("plan 'Basic'")
    assert again["c"].startswith("mrr ") and again["e"] == "no mrr"
    # looser rules
    assert support(past, now, ["plan"], min_count=9)["f"] == ""
    assert support(past, now, ["plan"], min_count=11)["b"].startswith("plan 'Starter'")
    full = support(past, now, ["mrr"], quantiles=(0.0, 1.0))
    assert full["c"] == full["d"] == "" and full["h"].startswith("mrr 500 is above")
    # a numeric column no contact has
    none = support(past.assign(score=np.nan), now.assign(score=1.0), ["score"])
    assert (none == "no contact has a score").all()


@pytest.mark.parametrize("quantiles", [(0.5, 0.5), (0.9, 0.1), (-0.01, 0.99), (0.01, 1.01)])
def test_support_rejects_bad_quantiles(quantiles):
    past = pd.DataFrame({"x": np.arange(10.0)})
    with pytest.raises(DataValidationError, match="quantiles"):
        support(past, past, ["x"], quantiles=quantiles)


def test_support_needs_the_columns_in_both_frames():
    past, now = pd.DataFrame({"x": [1.0], "y": [2.0]}), pd.DataFrame({"x": [1.0]})
    with pytest.raises(DataValidationError, match="y"):
        support(past, now, ["x", "y"])
    with pytest.raises(DataValidationError, match="y"):
        support(now, past, ["x", "y"])


def test_tenure_months_is_days_since_signup_over_30_4375(demo):
    rng = np.random.default_rng(0)
    ids = demo.customers["customer_id"].sample(300, random_state=0).to_numpy()
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 700, len(ids)), "D")
    signup = demo.customers.set_index("customer_id")["signup_date"]
    expected = [(d - signup[i]).days / MONTH for i, d in zip(ids, dates)]
    np.testing.assert_allclose(tenure_months(demo.customers, ids, dates), expected, rtol=1e-12)
    hand = pd.DataFrame({"customer_id": [7, 8], "signup_date": pd.to_datetime(["2024-01-01", "2024-02-29"])})
    got = tenure_months(hand, ["7", 8], ["2024-01-31", "2025-02-28"])
    np.testing.assert_allclose(got, [30 / MONTH, 365 / MONTH])
    assert len(tenure_months(hand, [], [])) == 0


def test_tenure_months_is_nan_when_the_signup_is_unknown(demo):
    """The docstring: 'NaN when the signup is unknown' (an unknown customer, or a customer without a signup)."""
    hand = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2024-01-01", None])})
    got = tenure_months(hand, ["a", "nobody", "b"], ["2024-03-01"] * 3)
    assert got[0] == pytest.approx(60 / MONTH)
    assert np.isnan(got[1]) and np.isnan(got[2]), got
    got = tenure_months(demo.customers, ["C00001", "NOBODY"], ["2026-01-01"] * 2)
    assert got[0] == pytest.approx(_months(demo, ["C00001"], [pd.Timestamp("2026-01-01")])[0])
    assert np.isnan(got[1]), got


@pytest.mark.parametrize(("x", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                                         (13, "13th"), (21, "21st"), (99, "99th"), (101, "101st"), (111, "111th"),
                                         (0.0, "0th"), (2.5, "2.5th")])
def test_ordinal(x, text):
    assert ordinal(x) == text
