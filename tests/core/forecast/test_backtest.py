"""The outlook's back-test (core.forecast.backtest) on a synthetic book whose churn is known: customers churn each
month with one hazard and the scorer gives exactly that probability. Every row is checked against the revenue
summed here with pandas, and on a book that grows the outlook beats the naive forecast and its intervals hold (how
often the intervals cover futures drawn independently: tests/core/forecast/test_outlook.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import InsufficientDataError
from core.forecast.backtest import COLUMNS, backtest, origins_before
from core.forecast.book import MONTH_DAYS
from core.history.inputs import inputs_from_frames

HAZARD = 0.04
MONTHS = pd.date_range("2023-01-01", "2025-12-01", freq="MS")


def _store(seed: int = 0, growth: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers arriving each month (Poisson, 25 at first, times ``growth`` a month) paying a fixed MRR until they
    churn, each month with probability HAZARD."""
    rng = np.random.default_rng(seed)
    customers, rows, n = [], [], 0
    for i, m in enumerate(MONTHS):
        for _ in range(rng.poisson(25 * growth ** i)):
            cid, mrr, life = f"c{n:05d}", float(rng.integers(50, 500)), int(rng.geometric(HAZARD))
            n += 1
            paid = MONTHS[i: i + life]
            churn = m + pd.DateOffset(months=life) - pd.Timedelta(days=1) if i + life < len(MONTHS) else pd.NaT
            customers.append((cid, m + pd.Timedelta(days=int(rng.integers(0, 28))), churn))
            rows += [(cid, p, mrr) for p in paid]
    return (pd.DataFrame(customers, columns=["customer_id", "signup_date", "churn_date"]),
            pd.DataFrame(rows, columns=["customer_id", "period", "mrr"]))


def _true_scores(known, horizon_days: int) -> pd.Series:
    """The true probability of churning within the horizon, for everyone active at the cut."""
    active = known.customers[known.customers["churn_date"].isna()]
    return pd.Series(1 - (1 - HAZARD) ** (horizon_days / MONTH_DAYS), index=active["customer_id"].astype(str))


@pytest.fixture(scope="module")
def flat():
    customers, revenue = _store()
    return revenue, backtest(inputs_from_frames(customers, revenue=revenue), origins=12, scorer=_true_scores)


def test_every_row_is_the_revenue_that_followed(flat):
    revenue, b = flat
    rows = b.rows
    assert list(rows.columns) == COLUMNS and len(rows) == 12 * 13 // 2  # origin k sees k months happen
    monthly = revenue.groupby("period")["mrr"].sum()
    np.testing.assert_allclose(rows["actual"], monthly.loc[rows["month"]].to_numpy())
    np.testing.assert_allclose(rows["naive"], monthly.loc[rows["origin"]].to_numpy())
    ahead = rows["month"].dt.to_period("M").astype("int64") - rows["origin"].dt.to_period("M").astype("int64")
    assert (ahead == rows["month_ahead"]).all()
    for lv in (80, 95):
        assert rows[f"in_{lv}"].tolist() == ((rows[f"low_{lv}"] <= rows["actual"])
                                             & (rows["actual"] <= rows[f"high_{lv}"])).tolist()
    np.testing.assert_allclose(rows["error_pct"], 100 * (rows["forecast"] - rows["actual"]).abs() / rows["actual"])
    assert b.mape == pytest.approx(rows["error_pct"].mean()) and b.coverage_80 == pytest.approx(rows["in_80"].mean())


def test_on_a_growing_book_the_outlook_beats_the_naive_forecast_and_its_intervals_hold():
    """Arrivals growing 4 % a month: the gains' trend is read on their logarithm, and the intervals cover (one seeded
    history: 21 back-tested months, 76 % inside the 80 % interval, 95 % inside the 95 % one)."""
    customers, revenue = _store(seed=1, growth=1.04)
    b = backtest(inputs_from_frames(customers, revenue=revenue), origins=6, scorer=_true_scores)
    assert b.mape < b.naive_mape / 5
    assert b.coverage_80 >= 0.7 and b.coverage_95 >= 0.9


def test_the_origins_are_the_month_ends_before_the_as_of_month():
    assert origins_before(pd.Timestamp("2026-03-31"), 3) == [pd.Timestamp("2025-12-31"), pd.Timestamp("2026-01-31"),
                                                              pd.Timestamp("2026-02-28")]


def test_a_store_without_mrr_has_nothing_to_back_test():
    customers, revenue = _store()
    with pytest.raises(InsufficientDataError, match="recurring revenue"):
        backtest(inputs_from_frames(customers, revenue=revenue.assign(mrr=np.nan)), scorer=_true_scores)
