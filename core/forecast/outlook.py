"""The revenue outlook: expected MRR, churned MRR and renewals for each of the next 12 months, with 80 % and 95 %
intervals, from the paying book's own churn probabilities (:mod:`core.forecast.book`) and the trend of everything
else that moves MRR (:mod:`core.forecast.trend`).

``MRR(h) = book(h) + kept gains``: the MRR of today's paying customers still paying ``h`` months from the as-of
month, plus what new customers, reactivations, expansion and contraction add by then, each month's gain churning
from then on at the book's MRR-weighted monthly hazard. The book's
draws and the trend's are independent and added draw by draw; each interval is the draws' central 80 % or 95 %
(the 10th to 90th and 2.5th to 97.5th percentiles), each month on its own. Everything is seeded: the same store,
probabilities and seed give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import InsufficientDataError
from core.forecast import book as paying
from core.forecast import trend as gains_trend
from core.history import asof
from core.history.movements import customer_months, mrr_movements

#: the interval levels, and the percentiles that bound them
LEVELS = {80: (10.0, 90.0), 95: (2.5, 97.5)}
#: the columns of :attr:`Outlook.table`, in order
COLUMNS = ["month", "month_ahead", "mrr", "mrr_low_80", "mrr_high_80", "mrr_low_95", "mrr_high_95",
           "churned_mrr", "churned_low_80", "churned_high_80", "churned_low_95", "churned_high_95",
           "renewals_due", "renewals", "renewals_low_80", "renewals_high_80", "renewals_low_95", "renewals_high_95"]


@dataclass(frozen=True)
class Outlook:
    """The forecast (``table``: one row per month ahead, :data:`COLUMNS`), the as-of month it starts from (its
    last day), the MRR then, the customers paying then, and the trend model's name."""

    table: pd.DataFrame
    as_of_month: pd.Timestamp
    mrr_now: float
    paying: int
    trend_model: str


def _bounds(draws: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    """Each level's lower and upper bound per month of ``draws`` (shape (draws, months))."""
    out = {}
    for level, (lo, hi) in LEVELS.items():
        out[f"{prefix}_low_{level}"], out[f"{prefix}_high_{level}"] = np.percentile(draws, [lo, hi], axis=0)
    return out


def as_of_mrr(revenue: pd.DataFrame, month: pd.Timestamp) -> pd.Series:
    """Each customer's MRR in ``month`` (any day of it), by customer id; 0 for those without a row then."""
    wide = customer_months(revenue)
    start = pd.Timestamp(month).to_period("M").to_timestamp()
    if wide.empty or start not in wide.columns:
        return pd.Series(dtype=float)
    return wide[start]


def _book_hazard(book: paying.Book) -> float:
    """The MRR-weighted monthly hazard of the customers who stay past the as-of month (those who left in it are
    not a rate at which new customers churn); 0 when everyone left."""
    staying = ~book.gone
    return float(book.mrr[staying] @ book.hazard[staying] / book.mrr[staying].sum()) if staying.any() else 0.0


def paying_now(customers: pd.DataFrame, revenue: pd.DataFrame, as_of_month=None) -> tuple:
    """(the as-of month's last day, the revenue known by then, each customer's MRR in it): default the store's
    as-of month (:func:`core.history.asof.as_of_month`). Checked before a model is fitted for the outlook.

    Raises
    ------
    InsufficientDataError
        No customer pays in the as-of month.
    """
    month = pd.Timestamp(as_of_month if as_of_month is not None else asof.as_of_month(customers, revenue))
    month = month.to_period("M").to_timestamp("M")
    known = revenue[pd.to_datetime(revenue["period"]) <= month]
    mrr = as_of_mrr(known, month)
    if not (mrr > 0).any():
        raise InsufficientDataError(f"No customer pays in {month:%B %Y}, so there is no recurring revenue to "
                                    "forecast: import revenue with MRR, or load the demo on the Data page.")
    return month, known, mrr


def outlook(customers: pd.DataFrame, revenue: pd.DataFrame, p: pd.Series, horizon_days: int, months: int = 12,
            draws: int = paying.DRAWS, seed: int = 0, as_of_month=None) -> Outlook:
    """The revenue outlook for the ``months`` months after the as-of month.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id, signup_date`` at least.
    revenue : pandas.DataFrame
        ``customer_id, period, mrr`` (the store's revenue rows).
    p : pandas.Series
        Each paying customer's probability of churning within ``horizon_days`` days, by customer id (the churn
        model's scores of today's customers).
    horizon_days : int
        The horizon of ``p``.
    as_of_month : date-like, optional
        The month the forecast starts after: default the store's as-of month (:func:`core.history.asof.as_of_month`,
        the last month with MRR). Only revenue up to it is read, so a past month gives a back-test's forecast.

    Raises
    ------
    InsufficientDataError
        No customer pays in the as-of month.
    """
    month, known, mrr = paying_now(customers, revenue, as_of_month)
    lag = paying.churn_lag(customers[pd.to_datetime(customers["churn_date"]) <= month], customer_months(known))
    book = paying.make_book(customers, mrr, p, horizon_days, month, lag)
    path, sims = paying.expected(book, months), paying.simulate(book, months, draws, seed)
    history = gains_trend.gains(mrr_movements(known))
    trend = gains_trend.forecast(history.iloc[1:], months, draws, seed + 1)  # the first month: all "new"
    gained = trend.cumulative(_book_hazard(book))
    total = sims["book_mrr"] + gained
    table = pd.DataFrame({
        "month": pd.date_range(month + pd.offsets.MonthBegin(1), periods=months, freq="MS"),
        "month_ahead": path["month_ahead"],
        "mrr": path["book_mrr"] + gained.mean(axis=0), **_bounds(total, "mrr"),
        "churned_mrr": path["churned_mrr"], **_bounds(sims["churned_mrr"], "churned"),
        "renewals_due": path["renewals_due"], "renewals": path["renewals_expected"],
        **_bounds(sims["renewals"], "renewals")})
    return Outlook(table[COLUMNS], month, float(book.mrr.sum()), len(book.mrr), trend.model)
