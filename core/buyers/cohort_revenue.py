"""Revenue retention by cohort of a purchase log: how much of a cohort's first-month revenue comes back later.

A customer's **cohort** is the month of their first purchase (:mod:`core.buyers.purchases`); **cell k** is the
cohort's revenue in its month k (net of returns) divided by its revenue in month 0. A cell after the as-of month
is empty (not reached yet, rather than 0 %); so is a whole row whose month-0 revenue is not positive (nothing to
divide by). Cells can pass 100 % (the cohort spends more later than in its first month).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.buyers.metrics import default_as_of
from core.buyers.purchases import PurchaseLog
from core.errors import InsufficientDataError

NO_AMOUNTS = ("Revenue retention needs purchase amounts, and this purchase log has none: import the purchases with "
              "an amount column.")


def nobody_by(end: pd.Period) -> str:
    """What to say when nobody had bought by the as-of month ``end``."""
    return f"Nobody had made a purchase by {end.strftime('%b %Y')}: choose a later as-of date."


@dataclass(frozen=True)
class CohortRevenue:
    """The cohort x month table of revenue retention.

    Attributes
    ----------
    retention : pandas.DataFrame
        Index ``cohort`` (``YYYY-MM``), columns ``0 .. K`` (months since the first purchase): revenue in month k
        over revenue in month 0, NaN where not reached or undefined.
    revenue : pandas.DataFrame
        The same grid in money (NaN where not reached).
    buyers : pandas.Series
        Customers per cohort.
    as_of : datetime.date
        The last day of the as-of month.
    """

    retention: pd.DataFrame
    revenue: pd.DataFrame
    buyers: pd.Series
    as_of: dt.date

    def long(self) -> pd.DataFrame:
        """One row per reached cell: ``cohort, buyers, month, revenue, retention`` (the CSV download)."""
        rev = self.revenue.rename_axis(columns="month").stack(future_stack=True).rename("revenue")
        ret = self.retention.rename_axis(columns="month").stack(future_stack=True).rename("retention")
        out = pd.concat([rev, ret], axis=1).reset_index().dropna(subset=["revenue"])
        out.insert(1, "buyers", out["cohort"].map(self.buyers).astype(int))
        return out.reset_index(drop=True)


def cohort_revenue(log: PurchaseLog, as_of=None) -> CohortRevenue:
    """Revenue retention by cohort of first purchase, up to ``as_of``'s month.

    Parameters
    ----------
    log : PurchaseLog
        Purchase days and one-off revenue.
    as_of : date-like, optional
        Any day of the last month counted; default the log's last day.

    Returns
    -------
    CohortRevenue

    Raises
    ------
    InsufficientDataError
        The log is empty, has no amounts, or nobody had bought by the as-of month.

    Examples
    --------
    >>> from core.buyers.purchases import purchase_log
    >>> rev = pd.DataFrame({"customer_id": ["A", "A", "B"], "period": ["2024-01-05", "2024-03-09", "2024-02-01"],
    ...                     "mrr": None, "amount": [100.0, 40.0, 50.0]})
    >>> t = cohort_revenue(purchase_log(revenue=rev), "2024-03-31")
    >>> t.retention.round(2).to_dict("index")
    {'2024-01': {0: 1.0, 1: 0.0, 2: 0.4}, '2024-02': {0: 1.0, 1: 0.0, 2: nan}}
    """
    last = default_as_of(log)  # raises on an empty log
    if not log.has_amounts:
        raise InsufficientDataError(NO_AMOUNTS)
    end = pd.Timestamp(last if as_of is None else as_of).to_period("M")
    first = log.days.groupby("customer_id")["date"].min().dt.to_period("M")
    first = first[first <= end]
    if first.empty:
        raise InsufficientDataError(nobody_by(end))
    sales = log.sales[log.sales["customer_id"].isin(first.index)]
    cohort = sales["customer_id"].map(first)
    month = sales["date"].dt.to_period("M")
    k = _months_between(cohort, month)
    cells = pd.DataFrame({"cohort": cohort.astype(str), "k": k, "amount": sales["amount"]})
    return table(cells, first.value_counts(), end)


def _months_between(start: pd.Series, end: pd.Series) -> pd.Series:
    return (end.dt.year - start.dt.year) * 12 + (end.dt.month - start.dt.month)


def table(cells: pd.DataFrame, cohort_sizes: pd.Series, end: pd.Period) -> CohortRevenue:
    """The :class:`CohortRevenue` of ``cells`` (``cohort`` as ``YYYY-MM``, ``k`` and ``amount``: sale rows, or
    their sums per cell as an engine adds them) and ``cohort_sizes`` (first-purchase month, a monthly Period, ->
    buyers; only cohorts up to ``end``), up to the as-of month ``end``: one definition for the rows and the engine
    (:mod:`core.buyers.engine_cohort_revenue`)."""
    # the grid keeps months 0 .. W-1 of cohorts up to ``end`` and masks the months after it: a return dated before
    # the first purchase (k < 0) and any row after the as-of month fall outside it
    cohorts = pd.period_range(cohort_sizes.index.min(), end, freq="M")
    width = len(cohorts)
    revenue = (cells.pivot_table(index="cohort", columns="k", values="amount", aggfunc="sum")
               .reindex(index=cohorts.astype(str), columns=range(width)).fillna(0.0))
    reached = np.arange(width)[None, :] <= (width - 1 - np.arange(width))[:, None]  # cohort i reaches k <= W-1-i
    revenue = revenue.where(reached)
    base = revenue[0].where(revenue[0] > 0)
    retention = revenue.div(base, axis=0)
    buyers = cohort_sizes.set_axis(cohort_sizes.index.astype(str)).reindex(revenue.index, fill_value=0)
    keep = buyers > 0  # a month in which nobody made a first purchase is no cohort
    revenue, retention = revenue[keep], retention[keep]
    for frame in (revenue, retention):
        frame.index.name, frame.columns.name = "cohort", None
    return CohortRevenue(retention=retention, revenue=revenue, buyers=buyers[keep].rename("buyers"),
                         as_of=end.to_timestamp(how="end").date())
