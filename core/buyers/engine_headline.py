"""The Overview's headline revenue sums with the adding done by an engine: per as-of month, the start customers'
MRR in the base month and in the as-of month and the sum of each one's lower of the two (NRR and GRR), every
customer's MRR in the month, and the MRR and number of the customers paying in it (ARPA): the table of
:func:`core.metrics.revenue_sums`, by its definitions (read :mod:`core.metrics`' docstring).

The customers go to the engine as a small table (their signup and churn dates decide the start customers of each
window); the revenue stays where it is and one row per month comes back, never a customer x month grid. Amounts are
added exactly (:mod:`core.query.exact`), so the figures equal the pandas path's to 1e-9 and reproduce bit for bit.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from core.history import asof
from core.metrics import SUMS
from core.query import periods
from core.query.exact import AMOUNT, decimal_sum, exact_sum
from core.query.sources import Source

_EPOCH_MONTH = pd.Period("1970-01", "M")


def revenue_sums(source: Source, customers: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
    """:func:`core.metrics.revenue_sums` of ``customers`` (``customer_id, signup_date, churn_date``) for ``months``
    (month starts), summed by ``source``'s engine over its revenue: the same columns and index."""
    index = pd.DatetimeIndex(months, name="month")
    if source.revenue is None or not len(months):
        return pd.DataFrame(0.0, index=index, columns=list(SUMS)).astype({"paying": int})
    numbers = [(pd.Timestamp(m).to_period("M") - _EPOCH_MONTH).n for m in months]
    got = source.con.execute(sums_expression(source.revenue, source.customers(customers), month_table(months)))
    table = got.set_index("m").reindex(numbers).fillna(0.0)
    out = table[list(SUMS)].astype(float).astype({"paying": int})
    out.index = index
    return out


def month_table(months: list[pd.Timestamp]) -> ir.Table:
    """``m`` (the as-of month's number, months since 1970-01), ``base_m`` (its window's base month) and ``day_before``
    (the last day before its window, whose active customers are the start customers), one row per month."""
    windows = [asof.window(m) for m in months]
    return ibis.memtable(pa.table({
        "m": pa.array([(w.as_of - _EPOCH_MONTH).n for w in windows], pa.int64()),
        "base_m": pa.array([(w.base_month - _EPOCH_MONTH).n for w in windows], pa.int64()),
        "day_before": pa.array(np.array([w.day_before for w in windows], dtype="datetime64[D]"), pa.date32())}))


def monthly(revenue: ir.Table, customers: ir.Table) -> ir.Table:
    """``customer_id, m, x``: each customer's MRR per month number (rows without MRR, a sale's, left out), added
    exactly and kept as a decimal."""
    r = revenue.filter(revenue.mrr.notnull()).semi_join(customers, "customer_id")
    r = r.select("customer_id", "mrr", m=periods.of_date(r.period, "month"))
    return r.group_by(["customer_id", "m"]).agg(x=decimal_sum(r.mrr))


def sums_expression(revenue: ir.Table, customers: ir.Table, months: ir.Table) -> ir.Table:
    """``m`` and :data:`core.metrics.SUMS`: one row per month of ``months`` (:func:`month_table`) that has start
    customers or MRR."""
    per = monthly(revenue, customers)
    starters = customers.cross_join(months)
    starters = starters.filter((starters.signup_date <= starters.day_before)
                               & (starters.churn_date.isnull() | (starters.churn_date > starters.day_before)))
    starters = starters.select("customer_id", "m", "base_m")
    base = starters.join(per, [starters.customer_id == per.customer_id, starters.base_m == per.m])
    base = base.select(customer_id=starters.customer_id, m=starters.m, base=per.x)
    now = starters.join(per, [starters.customer_id == per.customer_id, starters.m == per.m])
    now = now.select(customer_id=starters.customer_id, m=starters.m, now=per.x)
    both = base.outer_join(now, [base.customer_id == now.customer_id, base.m == now.m])
    zero = ibis.literal(0).cast(AMOUNT)
    both = both.select(m=ibis.coalesce(base.m, now.m), base=ibis.coalesce(base.base, zero),
                       now=ibis.coalesce(now.now, zero))
    kept = both.group_by("m").agg(base=exact_sum(both.base), now=exact_sum(both.now),
                                  kept=exact_sum(ibis.least(both.base, both.now)))
    month = per.semi_join(months, per.m == months.m)
    current = month.group_by("m").agg(mrr=exact_sum(month.x), paying_mrr=exact_sum(month.x, where=month.x > 0),
                                      paying=(month.x > 0).sum())
    out = months.left_join(kept, months.m == kept.m).left_join(current, months.m == current.m)
    return out.select(months.m, *(out[c] for c in SUMS))
