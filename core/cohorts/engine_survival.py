"""Lifetimes counted by an engine: one row per (group, lifetime in days, churned or not) with the number of
customers it stands for, instead of one row per customer; :func:`core.cohorts.survival.kaplan_meier` with
``weights="customers"`` gives the same curves, bands, medians, RMST and log-rank test from them.

The rules are :func:`core.cohorts.survival.durations`' (read its docstring): a lifetime runs from the signup date
to the churn date, censored at the as-of day while active; customers who signed up after it are left out; a
missing signup date or a churn date before the signup is refused with the same message. Dates are whole days.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from core.cohorts.survival import ALL, UNITS
from core.errors import DataValidationError
from core.query.sources import Source

#: the group read off the signup date rather than a customer column
SIGNUP_MONTH = "signup_month"


def lifetime_rows(source: Source, customers: pd.DataFrame | None, as_of=None, unit: str = "month",
                  group: str | None = None) -> pd.DataFrame:
    """``duration`` (in ``unit``), ``event``, ``customers`` and the ``group`` column (when given): the customers'
    lifetimes as of ``as_of`` (default: the latest signup or churn date), counted by ``source``'s engine.

    Raises
    ------
    DataValidationError
        An unknown unit, a missing signup date, or a churn date before its signup date.
    """
    if unit not in UNITS:
        raise DataValidationError(f"Unknown unit '{unit}'. Choose 'month' or 'day'.")
    cust = source.customers(customers, (group,) if group not in (None, SIGNUP_MONTH) else ())
    _refuse_bad_dates(source, cust)
    day = _as_of(source, cust, as_of)
    counted = source.con.execute(lifetimes_expression(cust, day, group))
    out = pd.DataFrame({"duration": counted["days"].to_numpy(dtype="float64") / UNITS[unit],
                        "event": counted["event"].to_numpy(dtype=bool),
                        "customers": counted["customers"].to_numpy(dtype="int64")})
    if group is not None:
        out[group] = counted["label"].to_numpy(dtype=object)
    return out


def lifetimes_expression(cust: ir.Table, day: ir.DateValue, group: str | None = None) -> ir.Table:
    """The grouped lifetimes :func:`lifetime_rows` counts, built without running them (e.g. to compile them to a
    warehouse's SQL); the dates are not checked here (:func:`lifetime_rows` refuses bad ones first).

    Parameters
    ----------
    cust : ibis.Table
        ``customer_id, signup_date, churn_date`` and the ``group`` column (unless it is :data:`SIGNUP_MONTH`).
    day : ibis.DateValue
        The as-of day.
    group : str, optional
        A customer column, :data:`SIGNUP_MONTH`, or None (one group).

    Returns
    -------
    ibis.Table
        ``label, days, event, customers``: customers per group, lifetime in whole days and churned or not.
    """
    c = cust.filter(cust.signup_date <= day)
    event = c.churn_date.notnull() & (c.churn_date <= day)
    rows = c.select(days=ibis.ifelse(event, c.churn_date, day).delta(c.signup_date, unit="day"), event=event,
                    label=_label(c, group))
    return rows.group_by(["label", "days", "event"]).agg(customers=rows.count())


def _label(c: ir.Table, group: str | None) -> ir.StringValue:
    if group is None:
        return ibis.literal(ALL)
    return c.signup_date.strftime("%Y-%m") if group == SIGNUP_MONTH else c[group]


def _as_of(source: Source, cust: ir.Table, as_of) -> ir.DateValue:
    """The as-of day as a date literal: the one given, or the latest signup or churn date."""
    if as_of is None:
        last = source.con.execute(cust.aggregate(s=cust.signup_date.max(), c=cust.churn_date.max()))
        dates = [pd.Timestamp(v) for v in last.iloc[0] if pd.notna(v)]
        as_of = max(dates) if dates else pd.Timestamp.today()
    t = pd.Timestamp(as_of)
    return ibis.date(t.year, t.month, t.day)


def _refuse_bad_dates(source: Source, cust: ir.Table) -> None:
    """:func:`core.cohorts.survival.durations`' refusals, counted by the engine (with three ids as examples)."""
    missing = cust.signup_date.isnull()
    before = cust.churn_date.notnull() & (cust.churn_date < cust.signup_date)
    n_missing, n_before = source.con.execute(cust.aggregate(m=missing.sum(), b=before.sum())).iloc[0]
    if n_missing:
        raise DataValidationError(
            f"{int(n_missing):,} customers have no signup_date (e.g. {_examples(source, cust, missing)}): a "
            "lifetime needs a start. Fill signup_date for them (or re-import with a tenure column and --as-of).")
    if n_before:
        raise DataValidationError(
            f"{int(n_before):,} customers have a churn_date before their signup_date "
            f"(e.g. {_examples(source, cust, before)}). Correct one of the two dates for them.")


def _examples(source: Source, cust: ir.Table, where: ir.BooleanValue) -> str:
    ids = source.con.execute(cust.filter(where).select("customer_id").limit(3))["customer_id"]
    return ", ".join(ids.astype(str))
