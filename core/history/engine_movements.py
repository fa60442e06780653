"""MRR movements month by month with the sums done by an engine: the table of
:func:`core.history.movements.mrr_movements`, by its definitions (read its module docstring), from the months each
customer paid in rather than a customer x month grid.

Each customer's MRR per month is summed; a month it pays in (above 0) looks back at the previous month it paid in:
none is **new**, the month before is **expansion** or **contraction**, an earlier one is **reactivation**; a month
it pays in that is not followed by paying in the next month gives **churned** in that next month. The engine returns
one row per month; Python fills the months without a movement, dates them and reconciles them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from core.history.movements import COLUMNS, check, months_between, mrr_movements
from core.query import choice, periods
from core.query.exact import exact_sum
from core.query.sources import Source

_SUMS = ("new", "expansion", "reactivation", "contraction", "churned", "mrr_end")


def engine_movements(source: Source, customers: pd.DataFrame | None, start=None, end=None) -> pd.DataFrame:
    """:func:`core.history.movements.mrr_movements` of ``customers``' revenue (None: every customer the source
    holds), summed by ``source``'s engine: the same columns, months and amounts."""
    if source.revenue is None:
        return _empty()
    rev = recurring(source.revenue, source.customers(customers))
    span = source.con.execute(rev.aggregate(first=rev.m.min(), last=rev.m.max()))
    if span["first"].isna().iloc[0]:
        return _empty()
    first, last = int(span["first"].iloc[0]), int(span["last"].iloc[0])
    sums = source.con.execute(movements_expression(rev)).set_index("m")
    table = sums.reindex(np.arange(first, last + 1), fill_value=0.0)[list(_SUMS)].astype(float)
    table.insert(0, "mrr_start", np.concatenate([[0.0], table["mrr_end"].to_numpy()[:-1]]))
    table.index = pd.DatetimeIndex(table.index.to_numpy(np.int64).astype("datetime64[M]")).astype("datetime64[ns]")
    shown = months_between(table.index[0], table.index[-1], start, end)
    return check(table.reindex(shown).rename_axis("month").reset_index()[COLUMNS])


def configured_movements(engine: Engine, customers: pd.DataFrame, revenue: pd.DataFrame, start=None,
                         end=None) -> pd.DataFrame:
    """The MRR movements of ``customers`` as the Overview page, ``python -m core overview --movements`` and the
    review sum them: by the configured engine (:mod:`core.query.choice`), else from their ``revenue`` rows
    (:func:`core.history.movements.mrr_movements`); the same table either way."""
    with choice.opened(engine) as source:
        if source is not None:
            return engine_movements(source, customers, start, end)
    return mrr_movements(revenue, start=start, end=end)


def recurring(revenue: ir.Table, cust: ir.Table) -> ir.Table:
    """``customer_id, m, mrr``: the customers' rows with MRR (a sale's row has none), ``m`` the month number."""
    r = revenue.filter(revenue.mrr.notnull()).semi_join(cust, "customer_id")
    return r.select("customer_id", m=periods.of_date(r.period, "month"), mrr=r.mrr)


def movements_expression(recurring: ir.Table) -> ir.Table:
    """``m, new, expansion, reactivation, contraction, churned, mrr_end``: the movements of each month number that
    has one (``recurring``: :func:`recurring`'s rows)."""
    per = recurring.group_by(["customer_id", "m"]).agg(x=exact_sum(recurring.mrr))
    paid = per.filter(per.x > 0)
    w = ibis.window(group_by="customer_id", order_by="m")
    ev = paid.mutate(prev_m=paid.m.lag().over(w), prev_x=paid.x.lag().over(w), next_m=paid.m.lead().over(w))
    zero = ibis.literal(0.0)
    follows = (ev.prev_m == ev.m - 1).fill_null(False)
    change = ev.x - ev.prev_x.fill_null(0.0)
    gains = ev.select(m=ev.m, new=ibis.ifelse(ev.prev_m.isnull(), ev.x, zero),
                      expansion=ibis.ifelse(follows & (change > 0), change, zero),
                      reactivation=ibis.ifelse(ev.prev_m.notnull() & ~follows, ev.x, zero),
                      contraction=ibis.ifelse(follows & (change < 0), -change, zero), churned=zero, mrr_end=ev.x)
    gone = ev.filter(ev.next_m.isnull() | (ev.next_m != ev.m + 1))
    losses = gone.select(m=gone.m + 1, new=zero, expansion=zero, reactivation=zero, contraction=zero,
                         churned=gone.x, mrr_end=zero)
    both = gains.union(losses)
    return both.group_by("m").agg(**{c: exact_sum(both[c]) for c in _SUMS})


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "month" else float) for c in COLUMNS})
