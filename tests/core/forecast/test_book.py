"""The paying book's path (core.forecast.book) against sums written out by hand and, for its draws, against the
exact distribution of a three-customer book (every subset of customers still paying, with its probability)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from core.errors import DataValidationError
from core.forecast.book import (
    MONTH_DAYS,
    Book,
    churn_lag,
    expected,
    make_book,
    monthly_hazard,
    months_to_anniversary,
    simulate,
)

MRR = np.array([100.0, 250.0, 40.0])
P90 = np.array([0.1, 0.5, 0.9])  # churn within 90 days


def _book(lag: int = 1) -> Book:
    return Book(np.array(["a", "b", "c"]), MRR, monthly_hazard(P90, 90), np.array([1, 2, 12]),
                np.zeros(3, bool), lag)


def test_the_monthly_hazard_compounds_back_to_the_horizon_s_probability():
    q = monthly_hazard(P90, 90)
    np.testing.assert_allclose((1 - q) ** (90 / MONTH_DAYS), 1 - P90, rtol=1e-12)
    assert monthly_hazard([0.0, 1.0], 30).tolist() == [0.0, 1.0]
    np.testing.assert_allclose(monthly_hazard([0.25], 365.25 / 12), [0.25])  # a month's horizon is the hazard


@pytest.mark.parametrize("p", [[1.2], [-0.1], [np.nan]])
def test_a_probability_outside_0_to_1_is_refused(p):
    with pytest.raises(DataValidationError, match="from 0 to 1"):
        monthly_hazard(p, 90)


def test_the_expected_path_is_the_hand_sum():
    book, months = _book(), 4
    s = [[(1 - q) ** h for h in range(months + 1)] for q in book.hazard]
    got = expected(book, months)
    for h in range(1, months + 1):
        row = got.iloc[h - 1]
        assert row["book_mrr"] == pytest.approx(sum(m * s[i][h] for i, m in enumerate(MRR)), rel=1e-12)
        assert row["book_variance"] == pytest.approx(sum(m * m * s[i][h] * (1 - s[i][h]) for i, m in enumerate(MRR)),
                                                     rel=1e-12)
        assert row["churned_mrr"] == pytest.approx(sum(m * (s[i][h - 1] - s[i][h]) for i, m in enumerate(MRR)),
                                                   rel=1e-12)
        due = [i for i, r in enumerate(book.renewal_month) if r == h]
        assert row["renewals_due"] == len(due)
        assert row["renewals_expected"] == pytest.approx(sum(s[i][h] for i in due), rel=1e-12)
    assert got["renewals_due"].tolist() == [1, 1, 0, 0]


def _exact(book: Book, h: int) -> dict[float, float]:
    """P(book MRR at month h = value), over every subset of customers still paying."""
    s = (1 - book.hazard) ** h
    out: dict[float, float] = {}
    for alive in itertools.product([0, 1], repeat=len(s)):
        prob = np.prod([si if a else 1 - si for a, si in zip(alive, s, strict=True)])
        value = float(np.dot(alive, book.mrr))
        out[value] = out.get(value, 0.0) + prob
    return out


@pytest.mark.parametrize("h", [1, 3, 6])
def test_the_draws_follow_the_exact_distribution(h):
    book = _book()
    draws = simulate(book, 6, draws=40_000, seed=1)["book_mrr"][:, h - 1]
    for value, prob in _exact(book, h).items():
        freq = float(np.mean(np.isclose(draws, value)))
        assert freq == pytest.approx(prob, abs=4 * np.sqrt(prob * (1 - prob) / 40_000) + 1e-9), value


def test_churn_is_for_good_and_the_draws_reconcile():
    book = _book()
    sims = simulate(book, 12, draws=5_000, seed=2)
    paths = sims["book_mrr"]
    assert (np.diff(paths, axis=1) <= 1e-9).all()  # a customer who left never comes back
    start = np.hstack([np.full((len(paths), 1), MRR.sum()), paths[:, :-1]])
    np.testing.assert_allclose(sims["churned_mrr"], start - paths, atol=1e-9)
    assert set(np.unique(sims["renewals"][:, 0])) == {0.0, 1.0}  # customer a, due in month 1
    assert sims["renewals"][:, 2:11].max() == 0 and sims["renewals"][:, 11].max() <= 1  # none due; c in month 12


def test_the_draws_are_seeded_and_split_into_chunks_the_same(monkeypatch):
    rng = np.random.default_rng(5)
    n = 300
    book = Book(np.arange(n).astype(str), rng.uniform(10, 500, n), monthly_hazard(rng.uniform(0, 0.6, n), 90),
                rng.integers(1, 13, n), rng.random(n) < 0.05)
    whole = simulate(book, 12, draws=400, seed=3)
    np.testing.assert_array_equal(whole["book_mrr"], simulate(book, 12, draws=400, seed=3)["book_mrr"])
    monkeypatch.setattr("core.forecast.book.CHUNK", 400 * 70)  # 70 customers at a time
    chunked = simulate(book, 12, draws=400, seed=3)
    mean = expected(book, 12)
    for got in (whole, chunked):  # the mean of the draws is the expected path, within 4 standard errors
        se = np.sqrt(mean["book_variance"].to_numpy() / 400)
        assert (np.abs(got["book_mrr"].mean(axis=0) - mean["book_mrr"].to_numpy()) < 4 * se).all()


def test_months_to_anniversary_counts_from_the_as_of_month():
    signup = pd.Series(pd.to_datetime(["2024-03-15", "2025-10-01", "2023-11-30", "2026-10-02"]))
    assert months_to_anniversary(signup, pd.Timestamp("2026-10-31")).tolist() == [5, 12, 1, 12]


def test_make_book_keeps_the_payers_and_refuses_an_unscored_one():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                              "signup_date": pd.to_datetime(["2025-01-10", "2025-06-01", "2025-02-01", "2025-05-05"]),
                              "churn_date": pd.to_datetime([None, None, None, "2026-10-09"])})
    mrr = pd.Series([100.0, 0.0, 50.0, 70.0], index=["a", "b", "c", "d"])
    book = make_book(customers, mrr, pd.Series([0.2, 0.9, 0.4], index=["a", "b", "c"]), 90,
                     pd.Timestamp("2026-10-31"))
    assert book.customer_id.tolist() == ["a", "c", "d"] and book.mrr.tolist() == [100.0, 50.0, 70.0]
    assert book.renewal_month.tolist() == [3, 4, 7] and book.gone.tolist() == [False, False, True]
    assert book.survival(2)[2].tolist() == [1.0, 0.0, 0.0]  # d left in October: unscored, and pays no more
    with pytest.raises(DataValidationError, match="1 paying customers have no churn probability"):
        make_book(customers, mrr, pd.Series([0.2], index=["a"]), 90, pd.Timestamp("2026-10-31"))


@pytest.mark.parametrize(("lag", "exponents"), [(1, [0, 1, 2, 3]), (0, [0, 0, 1, 2])])
def test_a_churn_ends_the_mrr_of_its_month_or_of_the_next(lag, exponents):
    q = _book(lag).hazard
    np.testing.assert_allclose(_book(lag).survival(3), (1 - q)[:, None] ** np.array(exponents)[None, :])


def test_the_lag_is_read_from_how_the_store_billed_its_churned_customers():
    months = pd.date_range("2025-01-01", periods=4, freq="MS")
    wide = pd.DataFrame([[10, 10, 0, 0], [5, 5, 5, 0], [7, 7, 7, 7], [0, 0, 0, 0]], index=["a", "b", "c", "z"],
                        columns=months, dtype=float)
    churned = pd.DataFrame({"customer_id": ["a", "b", "z"], "churn_date": pd.to_datetime(["2025-03-04", "2025-04-20",
                                                                                         "2025-01-02"])})
    assert churn_lag(churned, wide) == 1  # a and b paid nothing in their churn month (z never paid: not read)
    paid_then = churned.assign(churn_date=pd.to_datetime(["2025-02-27", "2025-03-31", "2025-01-02"]))
    assert churn_lag(paid_then, wide) == 0
    assert churn_lag(churned.iloc[:0], wide) == 1 and churn_lag(churned, wide.iloc[:0]) == 1


@pytest.mark.parametrize("lag", [0, 1])
def test_the_draws_are_the_uniform_numbers_compared_with_each_month_s_survival(lag):
    """The survival counts give exactly the paths of comparing each customer's uniform number with S(h) month by
    month (written out here on the same seeded numbers), gone customers, hazards of 0 and 1 included."""
    rng = np.random.default_rng(3)
    n, draws, months = 60, 300, 12
    p = np.r_[rng.uniform(0, 0.9, n - 2), 0.0, 1.0]
    book = Book(np.arange(n).astype(str), rng.uniform(10, 500, n), monthly_hazard(p, 90), rng.integers(1, 13, n),
                rng.random(n) < 0.1, lag)
    u = np.random.default_rng(9).random((draws, n))
    alive = u[:, :, None] <= book.survival(months)[None, :, :]
    got = simulate(book, months, draws, seed=9)
    np.testing.assert_allclose(got["book_mrr"], (alive * book.mrr[None, :, None]).sum(axis=1)[:, 1:], atol=1e-6)
    due = book.renewal_month[None, :, None] == np.arange(1, months + 1)[None, None, :]
    np.testing.assert_array_equal(got["renewals"], (alive[:, :, 1:] & due).sum(axis=1))
