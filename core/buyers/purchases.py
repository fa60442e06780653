"""A purchase log as the buyer figures read it: each customer's purchase days and the one-off revenue.

In the store a purchase log is dated purchases: activity rows whose metric is ``purchase`` and one-off revenue rows
(``mrr`` empty, ``amount`` set, ``period`` the day of the sale). The importer of a transactions file writes both for
each line, and a return only as a negative revenue row (``is_return``), never as a purchase.

* A **purchase** is a ``purchase`` activity row, or a one-off revenue row with a positive amount that is not a
  return (a sales file imported as revenue alone is a purchase log too).
* A customer's **purchase days** are the distinct days of their purchases: two orders on one day are one day.
* **Revenue** is the sum of the one-off amounts, returns included: revenue net of returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.engine import Engine

from core.store.dates import datetimes
from core.store.read import load_selected
from core.store.tables import PURCHASE, PURCHASES_ONLY, Activity, Revenue

#: the activity metric of a purchase (what the transactions importer writes)
PURCHASE_METRIC = PURCHASE
_DAYS = ["customer_id", "date"]
_SALES = ["customer_id", "date", "amount"]


@dataclass(frozen=True)
class PurchaseLog:
    """The purchase days and the one-off revenue of a store (or of some of its customers).

    Attributes
    ----------
    days : pandas.DataFrame
        ``customer_id, date``: one row per customer and purchase day (datetime64, midnight), sorted.
    sales : pandas.DataFrame
        ``customer_id, date, amount``: every one-off revenue row, returns as negative amounts.
    """

    days: pd.DataFrame
    sales: pd.DataFrame

    def __len__(self) -> int:
        return len(self.days)

    @property
    def has_amounts(self) -> bool:
        """Whether the log has any one-off revenue (without it the revenue figures are missing, not zero)."""
        return len(self.sales) > 0

    @property
    def last_day(self) -> pd.Timestamp:
        """The last day with a purchase or a sale (a return included); NaT for an empty log."""
        days = [s.max() for s in (self.days["date"], self.sales["date"]) if len(s)]
        return max(days) if days else pd.NaT

    def for_customers(self, ids) -> PurchaseLog:
        """The log of the customers ``ids`` only (the global filters' customers)."""
        keep = pd.Index(pd.Series(ids).astype(str).unique())
        return PurchaseLog(self.days[self.days["customer_id"].isin(keep)].reset_index(drop=True),
                           self.sales[self.sales["customer_id"].isin(keep)].reset_index(drop=True))


def purchase_log(activity: pd.DataFrame | None = None, revenue: pd.DataFrame | None = None) -> PurchaseLog:
    """Build a :class:`PurchaseLog` from frames in store column names.

    Parameters
    ----------
    activity : pandas.DataFrame, optional
        ``customer_id, date, metric``; only ``purchase`` rows are read.
    revenue : pandas.DataFrame, optional
        ``customer_id, period, mrr, amount`` and optionally ``is_return``; only one-off rows (``mrr`` empty,
        ``amount`` set) are read.

    Returns
    -------
    PurchaseLog

    Examples
    --------
    >>> act = pd.DataFrame({"customer_id": ["A", "A"], "date": ["2024-01-05", "2024-01-05"],
    ...                     "metric": ["purchase", "purchase"]})
    >>> rev = pd.DataFrame({"customer_id": ["A", "A"], "period": ["2024-01-05", "2024-02-01"],
    ...                     "mrr": [None, None], "amount": [30.0, -10.0], "is_return": [False, True]})
    >>> log = purchase_log(act, rev)
    >>> len(log), float(log.sales["amount"].sum())
    (1, 20.0)
    """
    sales = _sales(revenue)
    sold = sales["amount"] > 0
    if "is_return" in sales:
        sold &= ~sales["is_return"].astype("boolean").fillna(False).astype(bool)
    frames = [sales.loc[sold, _DAYS]]
    if activity is not None and len(activity):
        frames.append(activity.loc[activity["metric"] == PURCHASE_METRIC, _DAYS])
    frames = [f for f in frames if len(f)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: pd.Series(dtype=object) for c in _DAYS})
    return PurchaseLog(_distinct_days(rows), sales[_SALES].reset_index(drop=True))


def _sales(revenue: pd.DataFrame | None) -> pd.DataFrame:
    """The one-off rows of ``revenue`` as ``customer_id, date, amount`` (plus ``is_return`` when given)."""
    if revenue is None or not len(revenue) or "amount" not in revenue:
        return pd.DataFrame({"customer_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                             "amount": pd.Series(dtype=float)})
    one_off = revenue["amount"].notna()
    if "mrr" in revenue:
        one_off &= revenue["mrr"].isna()
    out = revenue.loc[one_off].rename(columns={"period": "date"})
    out = out.assign(customer_id=out["customer_id"].astype(str),
                     date=datetimes(out["date"]).dt.normalize(), amount=out["amount"].astype(float))
    return out[_SALES + (["is_return"] if "is_return" in out else [])]


def _distinct_days(rows: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"customer_id": rows["customer_id"].astype(str),
                        "date": datetimes(rows["date"]).dt.normalize()})
    return out.drop_duplicates().sort_values(_DAYS).reset_index(drop=True)


def load_purchase_log(engine: Engine) -> PurchaseLog:
    """Read the store's purchase log: ``purchase`` activity rows (distinct customer and day, one query) and the
    one-off revenue rows (one query); see :func:`purchase_log`."""
    activity = load_selected(engine, "activity", select(Activity.customer_id, Activity.date).distinct()
                             .where(PURCHASES_ONLY))  # the partial index ix_activity_purchase holds these rows
    revenue = load_selected(engine, "revenue", select(Revenue.customer_id, Revenue.period, Revenue.amount,
                                                      Revenue.is_return)
                            .where(and_(Revenue.mrr.is_(None), Revenue.amount.is_not(None))))
    return purchase_log(activity.assign(metric=PURCHASE_METRIC), revenue.assign(mrr=float("nan")))


def has_purchases(engine: Engine) -> bool:
    """Whether the store holds any purchase (a ``purchase`` activity row or a one-off sale), asked with two queries
    that stop at the first row (the partial index of purchases answers the first at once)."""
    with engine.connect() as conn:
        if conn.execute(select(Activity.id).where(PURCHASES_ONLY).limit(1)).first() is not None:
            return True
        one_off = and_(Revenue.mrr.is_(None), Revenue.amount.is_not(None), Revenue.amount > 0)
        return conn.execute(select(Revenue.id).where(one_off).limit(1)).first() is not None
