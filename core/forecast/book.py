"""The paying book's path over the next months, from each customer's own churn probability.

A customer paying in the as-of month with a probability ``p`` of churning within ``H`` days (the churn model's,
:attr:`core.churn.pipeline.ChurnResult.p_current`) is read as churning each month with the constant hazard
``q = 1 - (1 - p) ** (MONTH_DAYS / H)``, so it is still paying ``h`` months later with probability
``S(h) = (1 - q) ** h`` when a churn ends the MRR of its own month (as the demo bills), ``(1 - q) ** (h - 1)`` when
the customer still pays for the month it churns in (:func:`churn_lag` reads which from the store). A customer whose
churn date is in the as-of month pays nothing after it. Customers churn independently of each other. Then, ``h``
months after the as-of month:

* the book's MRR is ``sum(mrr * [still paying])``: expected ``sum(mrr * S(h))``, variance
  ``sum(mrr**2 * S(h) * (1 - S(h)))``;
* the churned MRR of month ``h`` is ``sum(mrr * [paying at h-1, not at h])``: expected ``sum(mrr * (S(h-1) - S(h)))``;
* the renewals due in month ``h`` are the customers whose signup anniversary falls in it; those still paying then
  renew: expected ``sum(S(h))`` over them.

Each customer's MRR is held at the as-of month's (expansion, contraction and new customers are the trend's:
:mod:`core.forecast.trend`). The intervals come from :func:`simulate`: one uniform number per customer and draw, so
that a customer who has churned stays churned (``still paying at h`` is ``u < S(h)``), seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import DataValidationError

#: the days of an average month (365.25 / 12): a horizon of H days is H / MONTH_DAYS months
MONTH_DAYS = 365.25 / 12
#: draws of the book and of the trend behind each interval
DRAWS = 2000
#: customer-draws simulated at once (memory stays under about 100 MB for any book)
CHUNK = 2_000_000


@dataclass(frozen=True)
class Book:
    """The customers paying in the as-of month.

    Attributes
    ----------
    customer_id : numpy.ndarray
        As text.
    mrr : numpy.ndarray
        Each one's MRR in the as-of month (above 0).
    hazard : numpy.ndarray
        Each one's monthly churn probability (:func:`monthly_hazard`).
    renewal_month : numpy.ndarray
        Months after the as-of month of each one's next signup anniversary (1 to 12).
    gone : numpy.ndarray
        Whether each one has a churn date in (or before) the as-of month: paid for it, and pays no more.
    lag : int
        1 when a churned customer pays nothing in the month of its churn date (so a churn in month h ends the MRR
        of month h), 0 when it still pays for that month (the MRR ends the month after): :func:`churn_lag`.
    """

    customer_id: np.ndarray
    mrr: np.ndarray
    hazard: np.ndarray
    renewal_month: np.ndarray
    gone: np.ndarray
    lag: int = 1

    def survival(self, months: int) -> np.ndarray:
        """``S(h)``, the probability of still paying ``h`` months after the as-of month, of each customer for
        ``h = 0 .. months``: shape (customers, months + 1). Churn dates in months ``1 .. h - 1 + lag`` end the MRR
        by month ``h``; a customer gone in the as-of month pays nothing after it."""
        h = np.maximum(np.arange(months + 1) - 1 + self.lag, 0)
        h[0] = 0
        s = (1.0 - self.hazard)[:, None] ** h[None, :]
        s[self.gone, 1:] = 0.0
        return s


def monthly_hazard(p, horizon_days: int) -> np.ndarray:
    """The constant monthly churn probability that gives a churn probability ``p`` within ``horizon_days`` days.

    Raises
    ------
    DataValidationError
        A probability outside 0 to 1, or a horizon under one day.
    """
    p = np.asarray(p, dtype=float)
    if horizon_days < 1:
        raise DataValidationError(f"A churn horizon of {horizon_days} days cannot be read as a monthly churn rate.")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise DataValidationError("Every churn probability must be a number from 0 to 1.")
    return 1.0 - (1.0 - p) ** (MONTH_DAYS / horizon_days)


def months_to_anniversary(signup: pd.Series, as_of_month: pd.Timestamp) -> np.ndarray:
    """Months after ``as_of_month`` of each signup's next anniversary month (1 to 12): a customer who signed up in
    March renews each March."""
    signup = pd.to_datetime(signup)
    ahead = (signup.dt.month.to_numpy() - pd.Timestamp(as_of_month).month) % 12
    return np.where(ahead == 0, 12, ahead)


def churn_lag(customers: pd.DataFrame, wide: pd.DataFrame) -> int:
    """How the store bills the month of a churn: 0 when most churned customers with MRR paid for the month of
    their churn date, else 1 (their MRR ended the month before; also without any churned payer to read).
    ``wide``: each customer's MRR by month (:func:`core.history.movements.customer_months`)."""
    churn = customers.set_index(customers["customer_id"].astype(str))["churn_date"].dropna()
    if wide.empty:
        return 1
    paying = wide.gt(0)
    paying = paying[paying.any(axis=1) & wide.index.astype(str).isin(churn.index)]
    if paying.empty:
        return 1
    last = paying.to_numpy()[:, ::-1].argmax(axis=1)  # months back from the last column to the last paid one
    last_month = wide.columns[len(wide.columns) - 1 - last].to_period("M")
    same = last_month == pd.to_datetime(churn.loc[paying.index.astype(str)]).dt.to_period("M").to_numpy()
    return 0 if same.mean() >= 0.5 else 1


def make_book(customers: pd.DataFrame, mrr: pd.Series, p: pd.Series, horizon_days: int,
              as_of_month: pd.Timestamp, lag: int = 1) -> Book:
    """The paying book: the customers with MRR above 0 in the as-of month (``mrr``, by customer id) and a churn
    probability (``p``, by customer id); ``customers`` gives their signup and churn dates (``customer_id,
    signup_date, churn_date``): one dated in or before the as-of month is gone (the churn model scores only those
    still active). ``lag``: :func:`churn_lag`.

    Raises
    ------
    DataValidationError
        A paying customer still active has no churn probability, or a probability is not from 0 to 1.
    """
    mrr = mrr[mrr > 0]
    mrr.index = mrr.index.astype(str)
    by_id = customers.set_index(customers["customer_id"].astype(str)).reindex(mrr.index)
    churn = pd.to_datetime(by_id["churn_date"])
    gone = (churn.notna() & (churn <= pd.Timestamp(as_of_month))).to_numpy()
    p = pd.Series(p.to_numpy(float), index=p.index.astype(str)).reindex(mrr.index)
    p[gone] = 1.0
    unscored = mrr.index[p.isna().to_numpy()]
    if len(unscored):
        raise DataValidationError(f"{len(unscored)} paying customers have no churn probability (for example "
                                  f"{unscored[0]!r}): score today's customers with the churn model first.")
    return Book(mrr.index.to_numpy(), mrr.to_numpy(float), monthly_hazard(p, horizon_days),
                months_to_anniversary(by_id["signup_date"], as_of_month), gone, lag)


def expected(book: Book, months: int = 12) -> pd.DataFrame:
    """The book's expected path, one row per month ``h = 1 .. months``: ``book_mrr`` (and its ``book_variance``),
    ``churned_mrr``, ``renewals_due`` and ``renewals_expected``."""
    s = book.survival(months)
    h = np.arange(1, months + 1)
    due = book.renewal_month[:, None] == h[None, :]
    return pd.DataFrame({
        "month_ahead": h,
        "book_mrr": book.mrr @ s[:, 1:],
        "book_variance": (book.mrr ** 2) @ (s[:, 1:] * (1 - s[:, 1:])),
        "churned_mrr": book.mrr @ (s[:, :-1] - s[:, 1:]),
        "renewals_due": due.sum(axis=0),
        "renewals_expected": (s[:, 1:] * due).sum(axis=0),
    })


def simulate(book: Book, months: int = 12, draws: int = DRAWS, seed: int = 0) -> dict[str, np.ndarray]:
    """Draws of the book's path: ``book_mrr``, ``churned_mrr`` and ``renewals``, each of shape (draws, months).

    Each customer gets one uniform number ``u`` per draw and is still paying at month ``h`` while ``u <= S(h)``:
    churn is for good, and each path is one possible future of the whole book. Seeded by ``seed``. Rather than
    comparing ``u`` with every month's ``S(h)``, each draw gives the customer's months of survival,
    ``floor(log u / log(1 - q))`` (the same event: ``u <= (1 - q) ** e`` exactly when it is at least ``e``), and the
    MRR is added up by that count, so the cost does not grow with the months.
    """
    rng = np.random.default_rng(seed)
    ends = _exponents(book, months) + 1  # bins: 0 for a customer gone in the as-of month, 1 + months survived
    top = int(ends.max())
    kept = np.zeros((draws, top + 1))  # MRR in each bin (the last: at least that many months)
    renewals = np.zeros((draws, months))
    step = max(1, CHUNK // max(draws, 1))
    for lo in range(0, len(book.mrr), step):
        part = slice(lo, lo + step)
        k = _bins(rng.random((draws, len(book.mrr[part]))), book.hazard[part], book.gone[part], top)
        rows = np.arange(draws)[:, None]
        kept += np.bincount((rows * (top + 1) + k).ravel(), weights=np.broadcast_to(book.mrr[part], k.shape).ravel(),
                            minlength=draws * (top + 1)).reshape(draws, top + 1)
        due = book.renewal_month[part]
        on_time = (k >= ends[np.minimum(due, months)][None, :]) & (due <= months)[None, :]
        renewals += np.bincount((rows * months + np.minimum(due, months) - 1).ravel(), weights=on_time.ravel(),
                                minlength=draws * months).reshape(draws, months)
    at_least = kept[:, ::-1].cumsum(axis=1)[:, ::-1]  # MRR in that bin or a later one
    paying = np.hstack([at_least[:, :1], at_least[:, ends[1:]]])  # everyone pays in the as-of month
    return {"book_mrr": paying[:, 1:], "churned_mrr": paying[:, :-1] - paying[:, 1:], "renewals": renewals}


def _exponents(book: Book, months: int) -> np.ndarray:
    """The months of survival each month ``h = 0 .. months`` needs (:meth:`Book.survival`'s exponents)."""
    e = np.maximum(np.arange(months + 1) - 1 + book.lag, 0)
    e[0] = 0
    return e


def _bins(u: np.ndarray, hazard: np.ndarray, gone: np.ndarray, top: int) -> np.ndarray:
    """Each draw's bin (capped at ``top``): 0 for a customer gone in the as-of month, else 1 + its months of
    survival, ``floor(log u / log(1 - q))`` (every month for a hazard of 0, none for 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log(u) / np.log1p(-hazard)[None, :])
    k = np.where(hazard[None, :] <= 0, top, np.where(hazard[None, :] >= 1, 0, k))
    return np.where(gone[None, :], 0, np.clip(k + 1, 1, top)).astype(np.int64)
