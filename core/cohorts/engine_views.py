"""The Cohort curves page's views with the heavy counting done by an engine (:mod:`core.query.choice`): the table as
of the reader's end date, its breakdown by a customer attribute, and one cell's customers. Each equals what the
rows' path (:mod:`core.cohorts.table`) gives for the same customers; only the activity and revenue rows stay in
the engine (a few numbers per cohort and period come back, or one row per customer of the cell).
"""

from __future__ import annotations

from dataclasses import replace

import ibis.expr.types as ir
import pandas as pd

from core.cohorts.engine_counts import active_periods, cohorts_of
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.periods import period_labels, period_number
from core.cohorts.settings import CohortSettings
from core.cohorts.table import NO_RECURRING_REVENUE, CohortTable, curves_by_group, require_columns
from core.errors import DataValidationError, InsufficientDataError
from core.history import asof
from core.query.sources import Source
from core.store.dates import datetimes


def as_of_on(source: Source, customers: pd.DataFrame, s: CohortSettings, end=None) -> pd.Timestamp:
    """The table's as-of day: the reader's ``end`` (the sidebar's), never later than where these customers' data
    ends (:func:`core.history.asof.data_end` over their dates, and their activity and revenue when the settings
    read them), the last activity and revenue asked of the engine.

    Raises
    ------
    InsufficientDataError
        A revenue measure and none of these customers has recurring revenue.
    """
    cust = source.customers(customers)
    extra, revenue = [], None
    if s.needs_activity and source.activity is not None:
        extra.append(pd.Series([source.con.execute(source.activity.semi_join(cust, "customer_id").date.max())]))
    if s.needs_revenue:
        r = None if source.revenue is None else source.revenue.semi_join(cust, "customer_id")
        got = None if r is None else source.con.execute(r.aggregate(last=r.period.max(), mrr=r.mrr.count()))
        if got is None or not int(got["mrr"].iloc[0]):  # as the rows' path says for these customers
            raise InsufficientDataError(NO_RECURRING_REVENUE)
        revenue = pd.DataFrame({"period": datetimes(got["last"])})
    return asof.clamp(end, asof.data_end(customers, None, revenue, extra=[datetimes(e) for e in extra]))


def table_until(source: Source, customers: pd.DataFrame, s: CohortSettings, end=None) -> CohortTable:
    """The cohort table of ``customers`` as of :func:`as_of_on` (the page's table)."""
    return engine_cohort_table(source, customers, replace(s, as_of=as_of_on(source, customers, s, end)))


def compare_groups_on(source: Source, customers: pd.DataFrame, s: CohortSettings, group: str,
                      end=None) -> pd.DataFrame:
    """The average curve of each value of ``group``, one as-of day for all (:func:`core.cohorts.table.compare_groups`'
    frame: ``group, period, value, customers``)."""
    require_columns(customers, (group,), f"A breakdown by {group}")
    s = replace(s, as_of=as_of_on(source, customers, s, end))
    labels = customers[group].fillna("(not set)").to_numpy()
    return curves_by_group(labels, group, lambda member: engine_cohort_table(source, customers[member], s))


def cell_on(source: Source, customers: pd.DataFrame, s: CohortSettings, cohort: str, k: int) -> pd.DataFrame:
    """The customers of the cohort labelled ``cohort`` (``2024-03`` ...) with whether each was retained in its
    period ``k`` (:func:`core.cohorts.table.cell_customers`, retained first), and each one's first and last active
    day when the settings read activity.

    Raises
    ------
    DataValidationError
        No such cohort for these choices, or the choices need activity the source has not.
    """
    if s.needs_activity and source.activity is None:
        raise DataValidationError("This choice needs activity data (customer_id, date).")
    cust = source.customers(customers)
    placed = source.con.execute(cohorts_of(cust, source.activity, s))
    mine = placed[pd.Series(period_labels(placed["cohort"].to_numpy(), s.period), index=placed.index) == cohort]
    if mine.empty:
        raise DataValidationError(f"No cohort '{cohort}' for these choices.")
    ids = set(mine["customer_id"])
    out = customers[customers["customer_id"].astype(str).isin(ids)].copy()
    target = int(mine["cohort"].iloc[0]) + int(k)
    out["retained"] = _retained(source, out, s, target)
    out = out.sort_values(["retained", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    if not s.needs_activity:
        return out
    return out.join(_span(source, source.customers(out)), on="customer_id")


def _retained(source: Source, people: pd.DataFrame, s: CohortSettings, target: int) -> pd.Series:
    """Per row of ``people``: retained in period number ``target``, by the settings' definitions."""
    if s.retained_by == "subscription":
        churned = datetimes(people["churn_date"]).notna().to_numpy()
        return pd.Series(~churned | (period_number(people["churn_date"], s.period) >= target), index=people.index)
    a = active_periods(source.customers(people), source.activity, s.period)
    hit = a.filter(a.p == target if s.definition == "on" else a.p >= target).select("customer_id").distinct()
    ids = set(source.con.execute(hit)["customer_id"])
    return people["customer_id"].astype(str).isin(ids)


def _span(source: Source, cust: ir.Table) -> pd.DataFrame:
    """``first_activity, last_activity`` (datetime64) per customer id of ``cust`` that has activity."""
    act = source.activity.semi_join(cust, "customer_id")
    span = source.con.execute(act.group_by("customer_id").agg(first_activity=act.date.min(),
                                                            last_activity=act.date.max()))
    for c in ("first_activity", "last_activity"):
        span[c] = datetimes(span[c]).astype("datetime64[ns]")
    return span.set_index("customer_id")
