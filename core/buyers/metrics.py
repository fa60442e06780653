"""Buyer metrics of a purchase log as of a day: one definition each, for the Overview, the CLI and the tests.

The window is :func:`core.history.asof.window`'s, the one every monthly figure uses: the 12 whole months ending with
the as-of day's month (its last day is the as-of day the figures are reported on). Over it:

* **active buyers**: customers with at least one purchase day in the window (:mod:`core.buyers.purchases`);
* **repeat-purchase rate**: the share of the active buyers with purchases on at least 2 distinct days in it;
* **revenue**: the one-off revenue booked in it, net of returns (a return made in the window lowers it even when
  the purchase was made before);
* **revenue per buyer**: revenue / active buyers;
* **purchase frequency**: purchase days per active buyer.

A purchase day is a calendar day, so it lies in one month: a buyer's purchase days in the window are the sum of
their purchase days in its months, and every figure (and the 12-month trend) is computed from one table of purchase
days and revenue per customer and month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from core.buyers.purchases import PurchaseLog
from core.errors import InsufficientDataError
from core.history import asof

#: what an empty purchase log says
NO_PURCHASES = "There are no purchases: import a purchase log (transactions) to see buyer figures."


@dataclass(frozen=True)
class BuyerFigures:
    """The buyer figures of one window (rates as fractions, money in store currency, NaN when undefined).

    ``revenue`` and ``revenue_per_buyer`` are NaN for a log without amounts; the rates are NaN without buyers.
    """

    as_of: dt.date
    start: dt.date
    active_buyers: int
    repeat_rate: float
    revenue: float
    revenue_per_buyer: float
    purchase_frequency: float


@dataclass(frozen=True)
class _Monthly:
    """Purchase days per customer and month, and revenue per month (month as ``pandas.Period``)."""

    days: pd.DataFrame  # customer_id, month, days
    revenue: pd.Series  # month -> amount
    has_amounts: bool


def default_as_of(log: PurchaseLog) -> pd.Timestamp:
    """The last day of the log (a purchase, a sale or a return).

    Raises
    ------
    InsufficientDataError
        The log is empty.
    """
    last = log.last_day
    if pd.isna(last):
        raise InsufficientDataError(NO_PURCHASES)
    return pd.Timestamp(last).normalize()


def _monthly(log: PurchaseLog) -> _Monthly:
    d = log.days
    days = (d.assign(month=d["date"].dt.to_period("M")).groupby(["customer_id", "month"], as_index=False)
            .size().rename(columns={"size": "days"}))
    s = log.sales
    revenue = s.groupby(s["date"].dt.to_period("M"))["amount"].sum() if len(s) else pd.Series(dtype=float)
    return _Monthly(days, revenue, log.has_amounts)


def _figures(m: _Monthly, w: asof.Window) -> BuyerFigures:
    first, last = w.start.to_period("M"), w.as_of
    inside = m.days[(m.days["month"] >= first) & (m.days["month"] <= last)]
    per_buyer = inside.groupby("customer_id")["days"].sum()
    revenue = float("nan")
    if m.has_amounts:
        months = m.revenue.index
        revenue = float(m.revenue[(months >= first) & (months <= last)].sum()) if len(months) else 0.0
    return from_sums(w, len(per_buyer), int((per_buyer >= 2).sum()), int(per_buyer.sum()), revenue)


def from_sums(w: asof.Window, buyers: int, repeat: int, days: int, revenue: float) -> BuyerFigures:
    """The figures of the window ``w`` from its sums: its active buyers, those of them with 2 purchase days or more,
    their purchase days and the revenue (NaN for a log without amounts); the one definition of each rate, for the
    rows here and an engine's sums (:mod:`core.buyers.engine_purchases`) alike."""
    return BuyerFigures(
        as_of=w.end.date(), start=w.start.date(), active_buyers=int(buyers),
        repeat_rate=repeat / buyers if buyers else float("nan"),
        revenue=float(revenue), revenue_per_buyer=revenue / buyers if buyers else float("nan"),
        purchase_frequency=days / buyers if buyers else float("nan"))


def buyer_figures(log: PurchaseLog, as_of=None) -> BuyerFigures:
    """The buyer figures over the 12 whole months ending with ``as_of``'s month.

    Parameters
    ----------
    log : PurchaseLog
        The purchase days and one-off revenue (:func:`core.buyers.purchases.load_purchase_log`).
    as_of : date-like, optional
        Any day of the window's last month; default the log's last day (:func:`default_as_of`).

    Returns
    -------
    BuyerFigures

    Raises
    ------
    InsufficientDataError
        The log is empty.

    Examples
    --------
    >>> from core.buyers.purchases import purchase_log
    >>> act = pd.DataFrame({"customer_id": ["A", "A", "B"], "metric": "purchase",
    ...                     "date": ["2024-03-01", "2024-05-02", "2024-05-02"]})
    >>> f = buyer_figures(purchase_log(act), "2024-05-31")
    >>> f.active_buyers, f.repeat_rate, f.purchase_frequency
    (2, 0.5, 1.5)
    """
    last = default_as_of(log)  # raises on an empty log
    return _figures(_monthly(log), asof.window(last if as_of is None else as_of))


def buyer_trend(log: PurchaseLog, as_of=None, months: int = 12) -> pd.DataFrame:
    """The buyer figures for each of the ``months`` months ending with ``as_of``'s month (for sparklines): each
    month's figures cover the 12 months ending with it.

    Returns
    -------
    pandas.DataFrame
        One row per month, oldest first: ``as_of`` (the month's last day), ``start`` and the
        :class:`BuyerFigures` fields.
    """
    last = default_as_of(log)  # raises on an empty log
    m = _monthly(log)
    end = pd.Timestamp(last if as_of is None else as_of).to_period("M")
    rows = [asdict(_figures(m, asof.window((end - k).to_timestamp()))) for k in range(months - 1, -1, -1)]
    return pd.DataFrame(rows, columns=[f for f in BuyerFigures.__dataclass_fields__])
