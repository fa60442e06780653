"""The feature screen (core/churn/feature_screen.py): each rule on small seeded tables, its threshold on both sides,
the analyst's marks, rare-category pooling, and the screen inside fit_churn on a temporal store."""

import numpy as np
import pandas as pd
import pytest

from core.churn.feature_screen import (
    HIGH_CARDINALITY_MIN,
    MIN_ROWS,
    OTHER,
    RareCategories,
    pooled_categories,
    screen_churn_data,
    screen_features,
)
from core.churn.model import ChurnModel
from core.churn.pipeline import fit_churn
from core.errors import DataValidationError, InsufficientDataError
from core.history.features import ChurnData
from core.history.inputs import inputs_from_frames


def _customers(n=400, seed=0):
    """Plain features a model should keep: a distinct measured amount, whole-number counts, a few categories."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"Balance": rng.normal(1e5, 3e4, n).round(2),
                         "Salary": rng.choice(np.arange(20_000, 400_000), n, replace=False),  # distinct, whole
                         "Age": rng.integers(18, 80, n), "Tenure": rng.integers(0, 11, n).astype(float),
                         "Geography": rng.choice(["France", "Germany", "Spain"], n).astype(object),
                         "PhoneService": rng.choice(["Yes", "No"], n).astype(object),
                         "IsPaid": rng.integers(0, 2, n)})


def _why(screen):
    return {e.column: e.reason for e in screen.excluded}


def test_plain_features_are_all_kept():
    X = _customers()
    s = screen_features(X, customer_id=pd.Series([f"c{i}" for i in range(len(X))]))
    assert s.features == list(X.columns) and s.excluded == [] and s.customers == len(X)


@pytest.mark.parametrize("order", ["in file order", "shuffled", "after some customers left", "starting at 1001"])
def test_a_row_number_is_left_out_however_it_is_ordered(order):
    n, rng = 400, np.random.default_rng(1)
    rows = {"in file order": np.arange(1, n + 1), "shuffled": rng.permutation(np.arange(1, n + 1)),
            "after some customers left": np.sort(rng.choice(np.arange(1, n + 1), int(0.6 * n), replace=False)),
            "starting at 1001": np.arange(1001, 1001 + n)}[order]
    X = _customers(len(rows)).assign(Counter=rows.astype(float))  # the store gives attributes back as floats
    why = _why(screen_features(X))
    assert list(why) == ["Counter"]
    lo, hi = int(rows.min()), int(rows.max())
    assert why["Counter"] == (f"a row number (whole numbers from {lo:,} to {hi:,}, a different one for each of "
                              f"{len(rows):,} customers): it follows the order of the file, not the customer's "
                              "behaviour")


def test_distinct_whole_numbers_spread_thinly_and_repeated_counts_are_kept():
    X = _customers().assign(Sparse=np.arange(400) * 3,  # fills a third of its range: a measure, not a counter
                            Repeats=np.r_[np.arange(1, 399), 5, 6])  # two customers share a value
    assert not _why(screen_features(X))


def test_the_customer_id_by_name_and_by_values():
    X = _customers()
    ids = pd.Series([f"{9000 + i}" for i in range(len(X))])
    X = X.assign(CustomerId=np.random.default_rng(2).choice(10**8, len(X), replace=False),
                 ref=(9000 + np.arange(len(X))).astype(float))  # the customer ids, stored as numbers
    why = _why(screen_features(X, customer_id=ids))
    assert why["CustomerId"].startswith("the customer id (recognised by its name)")
    assert why["ref"].startswith("the customer id (recognised by its values)")
    assert set(why) == {"CustomerId", "ref"}


def test_personal_data_by_name_and_by_values():
    n, rng = 200, np.random.default_rng(3)
    names = np.array(["Smith", "Jones", "Brown", "Ng", "Okafor", "Rossi", "Garcia", "Kim"])
    X = _customers(n).assign(
        Surname=rng.choice(names, n).astype(object),
        contact=[f"user{i}@example.com" for i in range(n)],  # no name clue: the values are e-mail addresses
        reach=[f"+44 20 {7000 + i:04d} {i % 97:04d}" for i in range(n)],  # phone numbers by their values
        EmailAddress=rng.choice(["a@x.org", "b@y.org", "c@z.org"], n).astype(object),
        BillingAddress=rng.choice(["1 Main St", "2 High St", "3 Low Rd"], n).astype(object),
        Phone=rng.choice(["Yes", "No"], n).astype(object))  # a yes/no flag named Phone is not a number
    why = _why(screen_features(X))
    assert set(why) == {"Surname", "contact", "reach", "EmailAddress", "BillingAddress"}
    assert why["Surname"] == ("a person's name (personal data, recognised by the column's name; 8 different "
                              "values): it says who a customer is, not why customers leave")
    assert why["contact"].startswith("e-mail addresses (personal data, recognised by its values; 200 different")
    assert why["reach"].startswith("phone numbers (personal data, recognised by its values")
    assert why["EmailAddress"].startswith("e-mail addresses (personal data, recognised by the column's name")
    assert why["BillingAddress"].startswith("postal addresses (personal data, recognised by the column's name")


def test_text_unique_per_customer_is_left_out_from_95_percent_distinct():
    n = 400
    base = [f"T-{i:05d}" for i in range(n)]
    unique = pd.Series(base[:380] + base[:20], dtype=object)  # 380 distinct of 400: exactly 95 %
    almost = pd.Series(base[:379] + base[:21], dtype=object)  # 379: under 95 %, left out as high cardinality
    why = _why(screen_features(_customers(n).assign(ticket=unique, note=almost)))
    assert why["ticket"] == ("unique per customer: 380 different values among 400 customers with a value (95% or "
                             "more different), so it identifies a customer rather than describing one")
    assert why["note"].startswith("free text or too many categories: 379 different values among 400 customers")


@pytest.mark.parametrize("n, limit", [(400, HIGH_CARDINALITY_MIN), (2000, 100)])
def test_high_cardinality_text_is_left_out_above_the_larger_of_50_and_5_percent(n, limit):
    def column(k):  # k categories, each on several customers
        return pd.Series([f"cat {i % k}" for i in range(n)], dtype=object)

    s = screen_features(_customers(n).assign(at_limit=column(limit), over=column(limit + 1)))
    assert "at_limit" in s.features and "over" not in s.features
    assert _why(s)["over"] == (f"free text or too many categories: {limit + 1} different values among {n:,} "
                               f"customers (more than {limit}, the larger of 50 and 5% of the customers); most "
                               "values would be seen too rarely to learn from")


def test_distinctness_says_nothing_on_fewer_than_20_customers():
    n = MIN_ROWS - 1
    X = pd.DataFrame({"code": [f"k{i}" for i in range(n)], "Counter": np.arange(1, n + 1), "Age": np.arange(n) % 5})
    assert screen_features(X).features == ["code", "Counter", "Age"]
    X = pd.DataFrame({"code": [f"k{i}" for i in range(MIN_ROWS)], "Counter": np.arange(1, MIN_ROWS + 1),
                      "Age": np.arange(MIN_ROWS) % 5})
    assert screen_features(X).features == ["Age"]


def test_marks_are_kept_and_checked():
    X = _customers().assign(RowNumber=np.arange(1, 401))
    base = {"Balance": False, "Geography": False, "PhoneService": True, "Age": False}
    s = screen_features(X, controllable=base, marks={"Balance": "controllable", "PhoneService": "fixed",
                                                     "Age": True, "RowNumber": "controllable"})
    assert s.controllable["Balance"] is True and s.controllable["PhoneService"] is False
    assert s.controllable["Age"] is True and s.controllable["Geography"] is False
    assert "RowNumber" not in s.features and "RowNumber" not in s.controllable  # a mark never brings an id back
    with pytest.raises(DataValidationError, match="'Balanse' marked controllable is not among"):
        screen_features(X, marks={"Balanse": "controllable"})
    with pytest.raises(DataValidationError, match="mark it controllable or fixed"):
        screen_features(X, marks={"Balance": "movable"})


def test_nothing_left_to_learn_from_is_said_plainly():
    X = pd.DataFrame({"CustomerId": range(30), "Surname": [f"N{i % 7}" for i in range(30)]})
    with pytest.raises(InsufficientDataError, match="nothing to learn from"):
        screen_features(X)


def test_a_customer_stacked_over_cutoffs_counts_once():
    """A temporal table repeats each customer per cutoff; judged per customer, the row number is still one."""
    X = _customers(300).assign(RowNumber=np.arange(1, 301).astype(float))
    ids = pd.Series([f"c{i}" for i in range(300)])
    parts = [ChurnData(X.iloc[k:].reset_index(drop=True), np.zeros(300 - k, int), ids.iloc[k:].reset_index(drop=True),
                       {"Balance": True}, "temporal") for k in (0, 50, 100)]
    s = screen_churn_data(parts)
    assert s.customers == 300 and [e.column for e in s.excluded] == ["RowNumber"]
    assert s.controllable["Balance"] is True
    applied = s.apply(parts[1])
    assert list(applied.X.columns) == s.features and len(applied.X) == 250 and applied.controllable == s.controllable


def test_rare_categories_pool_under_1_percent_or_10_rows():
    col = ["a"] * 2000 + ["b"] * 941 + ["c"] * 30 + ["d"] * 29  # 3,000 rows: 1 % is 30
    pool = RareCategories().fit(np.array(col, dtype=object)[:, None])
    assert pool.min_count_ == 30 and pool.pooled_ == [1]
    out = pool.transform(np.array(["a", "c", "d", "never seen"], dtype=object)[:, None])[:, 0]
    assert out.tolist() == ["a", "c", OTHER, OTHER]
    small = RareCategories().fit(np.array(["x"] * 290 + ["y"] * 10 + ["z"] * 9, dtype=object)[:, None])
    assert small.min_count_ == 10 and small.transform(np.array([["y"], ["z"]], dtype=object))[:, 0].tolist() == [
        "y", OTHER]


def test_the_model_one_hot_encodes_pooled_categories():
    rng = np.random.default_rng(4)
    n = 1000
    plan = rng.choice(["basic", "pro"], n).astype(object)
    plan[:5] = "legacy"  # 5 rows: rare
    X = pd.DataFrame({"plan": plan, "usage": rng.normal(size=n)})
    y = (rng.random(n) < 0.3).astype(int)
    m = ChurnModel("logistic").fit(X, y)
    names = list(m.pipeline_.named_steps["prep"].get_feature_names_out())
    assert "plan_other" in names and "plan_legacy" not in names
    assert pooled_categories(m) == {"plan": 1}
    ex = m.explain(X.iloc[:50], background=X)
    assert list(ex.values.columns) == ["plan", "usage"]  # the pooled column still belongs to its feature
    np.testing.assert_allclose(ex.values.sum(axis=1) + ex.base, ex.output, atol=1e-8)


def test_fit_churn_screens_a_temporal_store_and_keeps_the_analysts_marks():
    """A dated store with a row number and an e-mail column among the attributes: neither reaches the model."""
    rng = np.random.default_rng(5)
    n = 400
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    usage_rate = rng.gamma(2.0, 1.0, n)
    churn_day = signup + pd.to_timedelta((rng.exponential(500, n) * usage_rate).astype(int) + 30, unit="D")
    end = pd.Timestamp("2024-06-30")
    customers = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)], "signup_date": signup,
        "churn_date": churn_day.where(churn_day <= end), "segment": rng.choice(["SMB", "Mid"], n),
        "attributes": [{"RowNumber": i + 1, "contact": f"p{i}@corp.example", "seats": int(rng.integers(1, 50))}
                       for i in range(n)]})
    days = pd.date_range("2022-01-01", end, freq="7D")
    act = [(c, d, 1.0) for c, s, ch, r in zip(customers["customer_id"], signup, customers["churn_date"], usage_rate)
           for d in days if d >= s and (pd.isna(ch) or d < ch) and rng.random() < min(1.0, r / 3)]
    activity = pd.DataFrame(act, columns=["customer_id", "date", "value"]).assign(metric="logins")
    r = fit_churn(inputs_from_frames(customers, activity=activity), n_cutoffs=3, n_boot=20,
                  marks={"seats": "controllable"})
    assert r.source == "temporal"
    assert [e.column for e in r.screen.excluded] == ["RowNumber", "contact"]
    assert "RowNumber" not in r.model.features_ and "contact" not in r.model.features_
    assert r.train.controllable["seats"] is True  # "seats" is a fixed word; the analyst's mark wins
    assert bool(r.drivers.set_index("feature").loc["seats", "controllable"]) is True
