"""MRR movements month by month: where each month's change of MRR comes from (the ChartMogul / Baremetrics view).

Definitions (the same words are in :data:`core.metrics.GLOSSARY`):

* **MRR(t)** is the sum of the customers' MRR in month t: the ``revenue`` rows whose ``period`` falls in that
  month, summed per customer (as :func:`core.metrics.monthly_mrr`). A customer with no row in a month has 0 that
  month; rows without ``mrr`` are one-off sales and do not count. A customer whose month sums to 0 or less pays
  nothing that month (the importer refuses negative MRR: a credit is not recurring revenue).
* **New**: customers paying in t (MRR above 0) who never paid before t: their MRR in t.
* **Reactivation**: customers paying in t, not paying in t-1, but paying in some month before t-1: their MRR in t.
* **Expansion**: customers paying in both t-1 and t, more in t: the increase.
* **Contraction**: customers paying in both t-1 and t, less in t: the decrease.
* **Churned**: customers paying in t-1 and not in t: their MRR in t-1.

So every month reconciles exactly: ``MRR(t) = MRR(t-1) + new + expansion + reactivation - contraction - churned``
(:func:`check`). Losses (contraction, churned) are positive amounts that are subtracted.

The months run from ``start``'s month to ``end``'s month (the sidebar's date range, the CLI's ``--as-of``), never
before the first month with MRR nor after the last one (the as-of month of :func:`core.history.asof.as_of_month`,
the rule of :func:`core.history.asof.clamp`); a customer's history before ``start`` still decides whether a
returning customer is new or reactivated, and the first month's MRR at start is the month before it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.history import asof
from core.store.dates import datetimes

#: the columns of :func:`mrr_movements`, in order
COLUMNS = ["month", "mrr_start", "new", "expansion", "reactivation", "contraction", "churned", "mrr_end"]
#: movements that add MRR, and those that take it away (shown as positive amounts)
GAINS = ("new", "expansion", "reactivation")
LOSSES = ("contraction", "churned")
#: what a reader sees for each column (money in the store's currency)
HEADERS = {"month": "Month", "mrr_start": "MRR at start ($)", "new": "New ($)", "expansion": "Expansion ($)",
           "reactivation": "Reactivation ($)", "contraction": "Contraction ($)", "churned": "Churned ($)",
           "mrr_end": "MRR at end ($)"}


def customer_months(revenue: pd.DataFrame) -> pd.DataFrame:
    """Each customer's MRR in every month from the first month with MRR to the last (0 where there is no row).

    Returns
    -------
    pandas.DataFrame
        One row per customer (index ``customer_id``), one column per month start, values at least 0; empty (no
        rows, no columns) when no row has MRR.
    """
    rev = revenue.dropna(subset=["mrr"])
    if rev.empty:
        return pd.DataFrame(dtype=float)
    month = datetimes(rev["period"]).dt.to_period("M").dt.to_timestamp()
    wide = rev.assign(month=month).pivot_table(index="customer_id", columns="month", values="mrr", aggfunc="sum",
                                                fill_value=0.0)
    months = pd.date_range(wide.columns.min(), wide.columns.max(), freq="MS")
    return wide.reindex(columns=months, fill_value=0.0).clip(lower=0.0).astype(float)


def _months(wide: pd.DataFrame, start, end) -> pd.DatetimeIndex:
    """The months of the table: ``start``'s to ``end``'s month, within the months that have MRR."""
    return months_between(wide.columns.min(), wide.columns.max(), start, end)


def months_between(first: pd.Timestamp, last: pd.Timestamp, start, end) -> pd.DatetimeIndex:
    """Month starts from ``start``'s to ``end``'s month (None: ``first`` and ``last``), within ``first`` and
    ``last`` (the first and last month with MRR)."""
    end = asof.clamp(end, last).to_period("M").to_timestamp()
    start = first if start is None else max(pd.Timestamp(start).to_period("M").to_timestamp(), first)
    return pd.date_range(start, end, freq="MS") if start <= end else pd.DatetimeIndex([])


def mrr_movements(revenue: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    """MRR movements month by month (see the module docstring for each definition).

    Parameters
    ----------
    revenue : pandas.DataFrame
        Columns ``customer_id, period, mrr`` (already filtered to the customers wanted).
    start, end : date-like, optional
        Any day of the first and of the last month (default: the first and the last month with MRR).

    Returns
    -------
    pandas.DataFrame
        One row per month, the columns of :data:`COLUMNS`: ``month`` (month start) and money amounts, the losses
        as positive amounts; empty when there is no MRR or the range holds no month with it.

    Raises
    ------
    ArithmeticError
        A month does not reconcile (never expected: :func:`check`).
    """
    wide = customer_months(revenue)
    if wide.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "month" else float) for c in COLUMNS})
    now = wide.to_numpy()
    before = np.hstack([np.zeros((len(now), 1)), now[:, :-1]])  # each month's previous month (0 before the first)
    paid, paid_before = now > 0, before > 0
    ever_before = np.hstack([np.zeros((len(now), 1), bool), np.maximum.accumulate(paid, axis=1)[:, :-1]])
    both = paid & paid_before
    change = now - before
    amounts = {"mrr_start": before, "new": np.where(paid & ~ever_before, now, 0.0),
               "expansion": np.where(both & (change > 0), change, 0.0),
               "reactivation": np.where(paid & ~paid_before & ever_before, now, 0.0),
               "contraction": np.where(both & (change < 0), -change, 0.0),
               "churned": np.where(paid_before & ~paid, before, 0.0), "mrr_end": now}
    table = pd.DataFrame({k: v.sum(axis=0) for k, v in amounts.items()}, index=wide.columns)
    table = table.reindex(_months(wide, start, end)).rename_axis("month").reset_index()
    return check(table[COLUMNS])


def check(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` itself, once every month reconciles: MRR at start + gains - losses = MRR at end (to a millionth
    of the largest MRR, for floating-point sums).

    Raises
    ------
    ArithmeticError
        The months that do not reconcile.
    """
    gap = table["mrr_start"] + table[list(GAINS)].sum(axis=1) - table[list(LOSSES)].sum(axis=1) - table["mrr_end"]
    scale = max(1.0, float(table[["mrr_start", "mrr_end"]].abs().to_numpy().max(initial=0.0)))
    wrong = table.loc[gap.abs() > 1e-6 * scale, "month"]
    if len(wrong):
        raise ArithmeticError("MRR movements do not add up in " + ", ".join(f"{m:%b %Y}" for m in wrong))
    return table
