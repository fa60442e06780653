"""Cohort sizes and retained customers per cohort and period, as Ibis expressions: what the cohort table needs from
the fact tables, and nothing more (a few thousand rows however many activity rows there are).

Definitions are :mod:`core.cohorts.table`'s: a cohort is the period of a customer's signup or first activity;
period k is the k-th period after the cohort's own. Retained in k:

- by activity, ``on``: active in period k (:func:`active_cells`: customers per cohort and k);
- by activity, ``on_or_after``: active in k or later, so a customer counts up to its last active period
  (:func:`last_periods`: customers per cohort and last k, cumulated in Python);
- by subscription: not churned before period k starts, so up to its churn period (cumulated alike).

Activity of customers outside ``customers`` and activity before a customer's cohort are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.cohorts.settings import CohortSettings
from core.errors import DataValidationError
from core.query import periods
from core.query.sources import Source

#: the last k of a customer retained in every period (no churn date)
FOREVER = np.iinfo(np.int32).max
_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class CohortCounts:
    """What an engine returned for one cohort table.

    Attributes
    ----------
    sizes : pandas.Series
        Customers per cohort, indexed by the cohort's period number (only cohorts with customers).
    cells : pandas.DataFrame
        ``cohort, k, customers``: for ``on``, customers active in period k; otherwise customers whose last
        retained period is k (:data:`FOREVER` for never churned).
    cumulative : bool
        Whether ``cells`` holds last periods (to be cumulated) rather than per-period counts.
    last_activity_day : int or None
        The store's last activity day (days since 1970-01-01), for the as-of rule; None without activity.
    """

    sizes: pd.Series
    cells: pd.DataFrame
    cumulative: bool
    last_activity_day: int | None


def cohort_counts(source: Source, s: CohortSettings, customers: pd.DataFrame | None = None) -> CohortCounts:
    """Run the expression of the settings ``s`` on ``source`` for ``customers`` (None: every customer in the
    store, where the source holds them): one query for the sizes and the cells, one for the last activity day.
    Logo retention only: the revenue measures stay in Python."""
    cust = source.customers(customers)
    if s.needs_activity and source.activity is None:
        raise DataValidationError(f"These cohorts need activity, and {source.name} has none: map an activity "
                                  "table, or build cohorts by signup with subscription retention.")
    both = source.con.execute(counts_expression(source.activity, s, cust))
    last = None if source.activity is None else source.con.execute(source.activity.date.max())
    size_rows, cell_rows = both[both["part"] == "size"], both[both["part"] == "cell"]
    return CohortCounts(sizes=size_rows.set_index("cohort")["customers"].astype(np.int64).sort_index(),
                        cells=cell_rows[["cohort", "k", "customers"]].astype(np.int64).reset_index(drop=True),
                        cumulative=is_cumulative(s),
                        last_activity_day=None if last is None or pd.isna(last)
                        else int((pd.Timestamp(last) - _EPOCH).days))


def counts_expression(activity: ir.Table | None, s: CohortSettings, cust: ir.Table) -> ir.Table:
    """The one query :func:`cohort_counts` runs, built without running it (e.g. to compile it to a warehouse's SQL).

    Parameters
    ----------
    activity : ibis.Table or None
        ``customer_id`` (string), ``date`` (date); None only for settings that need no activity.
    s : CohortSettings
        The cohort table's settings.
    cust : ibis.Table
        ``customer_id, signup_date, churn_date``: the customers counted.

    Returns
    -------
    ibis.Table
        ``part, cohort, k, customers``: ``part`` is ``size`` (customers per cohort, ``k`` 0) or ``cell``
        (:class:`CohortCounts`' cells; last periods when :func:`is_cumulative`).
    """
    if s.retained_by == "subscription":
        cohorts = cohorts_of(cust, activity, s)
        sizes, cells = _sizes(cohorts), _churn_last(cust, cohorts, s.period)
    else:
        placed = _placed(cust, activity, s)
        cells = last_periods(placed) if is_cumulative(s) else active_cells(placed)
        sizes = _sizes(cohorts_of(cust, activity, s) if s.cohort_by == "signup"
                       else placed.filter(placed.k == 0))
    return _tagged(sizes, "size").union(_tagged(cells, "cell"))


def is_cumulative(s: CohortSettings) -> bool:
    """Whether the settings' cells are last periods, to be cumulated, rather than per-period counts."""
    return s.retained_by == "subscription" or s.definition != "on"


def _tagged(t: ir.Table, part: str) -> ir.Table:
    """``part, cohort, k, customers`` in one type on every engine, so sizes and cells travel in one query."""
    k = t.k if "k" in t.columns else ibis.literal(0)
    return t.select(part=ibis.literal(part), cohort=t.cohort.cast("int64"), k=k.cast("int64"),
                    customers=t.customers.cast("int64"))


def _sizes(cohorts: ir.Table) -> ir.Table:
    """``cohort, customers``: customers per cohort (one row per customer in ``cohorts``)."""
    return cohorts.group_by("cohort").agg(customers=cohorts.count())


def active_periods(cust: ir.Table, activity: ir.Table, period: str) -> ir.Table:
    """``customer_id, p``: each period in which each of ``cust`` was active, once."""
    a = activity.select("customer_id", p=periods.of_date(activity.date, period)).distinct()
    return a.semi_join(cust, "customer_id")


def cohorts_of(cust: ir.Table, activity: ir.Table, s: CohortSettings) -> ir.Table:
    """``customer_id, cohort``: every customer that has a cohort."""
    if s.cohort_by == "signup":
        c = cust.select("customer_id", cohort=periods.of_date(cust.signup_date, s.period))
        return c.filter(c.cohort.notnull())
    a = active_periods(cust, activity, s.period)
    return a.group_by("customer_id").agg(cohort=a.p.min())


def _placed(cust: ir.Table, activity: ir.Table, s: CohortSettings) -> ir.Table:
    """``customer_id, cohort, k``: each active period counted from the customer's cohort (k >= 0 only). By first
    activity the cohort is a window minimum over the customer's own periods: one pass, no join."""
    a = active_periods(cust, activity, s.period)
    if s.cohort_by == "signup":
        j = a.join(cohorts_of(cust, activity, s), "customer_id")
        j = j.select("customer_id", "cohort", k=j.p - j.cohort)
        return j.filter(j.k >= 0)
    w = a.mutate(cohort=a.p.min().over(group_by="customer_id"))
    return w.select("customer_id", "cohort", k=w.p - w.cohort)


def active_cells(placed: ir.Table) -> ir.Table:
    """``cohort, k, customers``: customers of each cohort active in its period k."""
    return placed.group_by(["cohort", "k"]).agg(customers=placed.count())


def last_periods(placed: ir.Table) -> ir.Table:
    """``cohort, k, customers``: customers of each cohort whose last active period is its period k."""
    last = placed.group_by(["customer_id", "cohort"]).agg(k=placed.k.max())
    return last.group_by(["cohort", "k"]).agg(customers=last.count())


def _churn_last(cust: ir.Table, cohorts: ir.Table, period: str) -> ir.Table:
    """``cohort, k, customers``: customers of each cohort whose churn period is its period k (never churned:
    :data:`FOREVER`; churned before the cohort's period: below 0, retained nowhere)."""
    j = cohorts.join(cust, "customer_id")
    churn_k = periods.of_date(j.churn_date, period) - j.cohort
    j = j.select("cohort", k=ibis.ifelse(j.churn_date.isnull(), FOREVER, churn_k))
    return j.group_by(["cohort", "k"]).agg(customers=j.count())
