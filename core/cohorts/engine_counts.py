"""Cohort sizes and retained customers per cohort and period, as Ibis expressions: what the cohort table needs from
the fact tables, and nothing more (a few thousand rows however many activity rows there are).

Definitions are :mod:`core.cohorts.table`'s: a cohort is the period of a customer's signup or first activity;
period k is the k-th period after the cohort's own. Retained in k:

- by activity, ``on``: active in period k (:func:`active_cells`: customers per cohort and k);
- by activity, ``on_or_after``: active in k or later, so a customer counts up to its last active period
  (:func:`last_periods`: customers per cohort and last k, cumulated in Python);
- by subscription: not churned before period k starts, so up to its churn period (:func:`last_periods` too).

Activity of customers outside ``customers`` and activity before a customer's cohort are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.cohorts.settings import CohortSettings
from core.query import periods
from core.query.sources import Source

#: the last k of a customer retained in every period (no churn date)
FOREVER = np.iinfo(np.int32).max


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
    """Run the expressions of the settings ``s`` on ``source`` for ``customers`` (None: every customer in the
    store, where the source holds them). Logo retention only: the revenue measures stay in Python."""
    cust = source.customers(customers)
    cohorts = _cohorts(cust, source.activity, s)
    sizes = cohorts.group_by("cohort").agg(customers=cohorts.count())
    if s.retained_by == "subscription":
        cells, cumulative = _churn_last(cust, cohorts, s.period), True
    elif s.definition == "on":
        cells, cumulative = active_cells(_periods(cust, source.activity, s.period), cohorts), False
    else:
        cells, cumulative = last_periods(_periods(cust, source.activity, s.period), cohorts), True
    last = source.activity.day.max()
    size_df, cell_df, last_day = (source.con.execute(e) for e in (sizes, cells, last))
    return CohortCounts(sizes=size_df.set_index("cohort")["customers"].astype(np.int64).sort_index(),
                        cells=cell_df.astype(np.int64), cumulative=cumulative,
                        last_activity_day=None if pd.isna(last_day) else int(last_day))


def _periods(cust: ir.Table, activity: ir.Table, period: str) -> ir.Table:
    """``customer_id, p``: each period in which each of ``cust`` was active, once."""
    a = activity.select("customer_id", p=periods.of_day(activity.day, period)).distinct()
    return a.semi_join(cust, "customer_id")


def _cohorts(cust: ir.Table, activity: ir.Table, s: CohortSettings) -> ir.Table:
    """``customer_id, cohort``: every customer that has a cohort."""
    if s.cohort_by == "signup":
        c = cust.select("customer_id", cohort=periods.of_date(cust.signup_date, s.period))
        return c.filter(c.cohort.notnull())
    a = _periods(cust, activity, s.period)
    return a.group_by("customer_id").agg(cohort=a.p.min())


def _since_cohort(active: ir.Table, cohorts: ir.Table) -> ir.Table:
    """``customer_id, cohort, k``: the active periods counted from each customer's cohort (k >= 0 only)."""
    j = active.join(cohorts, "customer_id")
    j = j.select("customer_id", "cohort", k=j.p - j.cohort)
    return j.filter(j.k >= 0)


def active_cells(active: ir.Table, cohorts: ir.Table) -> ir.Table:
    """``cohort, k, customers``: customers of each cohort active in its period k."""
    j = _since_cohort(active, cohorts)
    return j.group_by(["cohort", "k"]).agg(customers=j.count())


def last_periods(active: ir.Table, cohorts: ir.Table) -> ir.Table:
    """``cohort, k, customers``: customers of each cohort whose last active period is its period k."""
    j = _since_cohort(active, cohorts)
    last = j.group_by(["customer_id", "cohort"]).agg(k=j.k.max())
    return last.group_by(["cohort", "k"]).agg(customers=last.count())


def _churn_last(cust: ir.Table, cohorts: ir.Table, period: str) -> ir.Table:
    """``cohort, k, customers``: customers of each cohort whose churn period is its period k (never churned:
    :data:`FOREVER`; churned before the cohort's period: below 0, retained nowhere)."""
    j = cohorts.join(cust, "customer_id")
    churn_k = periods.of_date(j.churn_date, period) - j.cohort
    j = j.select("cohort", k=ibis.ifelse(j.churn_date.isnull(), FOREVER, churn_k))
    return j.group_by(["cohort", "k"]).agg(customers=j.count())
