"""The behavioural features of the churn and health models as of a cutoff, with the aggregation over the fact tables
done by an engine (:mod:`core.query.sources`): the groups of :func:`core.history.features.temporal_features`, each
equal to its pandas computation there.

- usage: :func:`core.history.engine_usage.usage_features`;
- tickets: ``tickets_90d`` (opened in the 90 days up to the cutoff), ``tickets_unresolved`` (those of them not
  resolved by the cutoff) and ``hours_to_resolve`` (median hours of the tickets resolved in the 180 days up to it);
- surveys: ``nps_latest, nps_change, csat_latest, csat_change`` (the latest answer and its change against the one
  before; answers of one day in the order the store holds them);
- revenue: ``mrr_latest`` and ``mrr_change_3m`` (against the latest MRR three calendar months before the cutoff);
- failed payments: ``failed_payments_90d``.

A group is empty ({}) when the source has no rows for it up to the cutoff, as in the pandas path; the engine returns
one row per customer that has any, the arrays follow the order of the customers given.

Each expression joins the fact rows to a cutoffs table (:mod:`core.history.engine_cutoffs`), so the features at
many cutoffs come from one query per group: :func:`prepared` asks for all of them at once and the source remembers
the answers, which :func:`behaviour` then reads cutoff by cutoff (a back-test's 16 month ends: 7 queries, not 112).
"""

from __future__ import annotations

from contextlib import contextmanager

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.history import engine_cutoffs as cutoffs
from core.history.engine_usage import has_activity, usage_columns, usage_sums
from core.history.frame_behaviour import GAPS, GROUPS, SURVEYS
from core.query.sources import Source

#: the groups in :func:`core.history.features.temporal_features`' column order
#: the rows of a group that has rows up to a cutoff but none of the customers asked about
EMPTY = {"usage": ["recent", "before", "active_days", "since"], "tickets": ["n", "unresolved", "hours"],
         **{ch: ["last", "prev"] for ch in SURVEYS}, "revenue": ["now", "then"], "payments": ["failed"]}


def behaviour(source: Source, customers: pd.DataFrame, cutoff,
              groups=GROUPS) -> list[tuple[dict[str, np.ndarray], str]]:
    """Each group of ``groups`` (default all) of behavioural features of ``customers`` (``customer_id,
    signup_date``, in this order) as of the end of day ``cutoff``, in :func:`core.history.features.temporal_features`'
    column order, with what is missing when the group is empty. Read from what :func:`prepared` asked for, when it
    covered these customers and these groups."""
    c, groups = pd.Timestamp(cutoff).normalize(), _in_order(groups)
    kept = source.memo.get(("behaviour", c, groups))
    if kept is not None and customers["customer_id"].astype(str).isin(kept[0]).all():
        rows = kept[1]
    else:
        rows = asked(source, customers, [c], groups)[c]
    return [({} if rows[name] is None else _columns(name, rows[name], customers, c), GAPS[name]) for name in groups]


def _in_order(groups) -> tuple[str, ...]:
    """``groups`` in column order (:data:`GROUPS`)."""
    return tuple(name for name in GROUPS if name in groups)


@contextmanager
def prepared(source: Source, customers: pd.DataFrame, at, groups=GROUPS):
    """Ask the engine for the behaviour of ``customers`` at every cutoff of ``at`` in one query per group of
    ``groups`` (default all) and keep the answers on the source while the block runs, for :func:`behaviour` of the
    same groups at each of those cutoffs (of these customers or fewer); forgotten after it (a large store's answers
    at many cutoffs are not kept for longer)."""
    ids, groups = frozenset(customers["customer_id"].astype(str)), _in_order(groups)
    keys = []
    try:
        for c, rows in asked(source, customers, at, groups).items():
            keys.append(("behaviour", c, groups))
            source.memo[keys[-1]] = (ids, rows)
        yield
    finally:
        for key in keys:
            source.memo.pop(key, None)


def asked(source: Source, customers: pd.DataFrame, at,
          groups=GROUPS) -> dict[pd.Timestamp, dict[str, pd.DataFrame | None]]:
    """Per cutoff of ``at`` and group of ``groups`` (default all): the engine's rows by customer id, or None when the
    source has no rows for the group up to that cutoff."""
    days = cutoffs.days(at)
    cust = source.customers(customers)
    out: dict[pd.Timestamp, dict] = {c: {} for c in days}
    for name in _in_order(groups):
        ready = [c for c in days if _ready(source, name, c)]
        got = _query(source, name, cust, cutoffs.table(ready)) if ready else {}
        empty = pd.DataFrame(columns=EMPTY[name], index=pd.Index([], name="customer_id"))
        for c in days:
            out[c][name] = got.get(c, empty) if c in ready else None
    return out


def _ready(source: Source, name: str, c: pd.Timestamp) -> bool:
    """Whether the source has rows of group ``name`` up to the end of day ``c``."""
    rev, f = source.revenue, source.feedback
    if name == "usage":
        return has_activity(source)
    if name == "tickets":
        return _any(source, source.tickets, "tickets")
    if name in SURVEYS:
        return f is not None and _by(source, f"{name} answer", f.filter((f.channel.lower() == name)
                                                                        & f.score.notnull()), "date", c)
    if name == "revenue":
        return rev is not None and _by(source, "mrr", rev.filter(rev.mrr.notnull()), "period", c)
    return (rev is not None and "payment_failed" in rev.columns
            and _by(source, "known payment", rev.filter(rev.payment_failed.notnull()), "period", c))


def _query(source: Source, name: str, cust: ir.Table, at: ir.Table) -> dict[pd.Timestamp, pd.DataFrame]:
    """Group ``name``'s rows at every cutoff of ``at``, by cutoff."""
    if name == "usage":
        return usage_sums(source, cust, at)
    if name == "tickets":
        expr = ticket_expression(source.tickets, cust, at)
    elif name in SURVEYS:
        expr = latest_two(survey_rows(source.feedback, at, name).semi_join(cust, "customer_id"), "date", "score")
    elif name == "revenue":
        expr = mrr_now_and_then(mrr_rows(source.revenue, at).semi_join(cust, "customer_id"))
    else:
        expr = payment_expression(known_payments(source.revenue, at), cust)
    return cutoffs.split(source.con.execute(expr))


def _columns(name: str, rows: pd.DataFrame, customers: pd.DataFrame, c: pd.Timestamp) -> dict[str, np.ndarray]:
    """Group ``name``'s features of ``customers`` (in their order; NaN or 0 where the engine had no row)."""
    if name == "usage":
        return usage_columns(rows, customers, c)
    got = rows.reindex(customers["customer_id"].astype(str))
    if name == "tickets":
        return {"tickets_90d": got["n"].fillna(0).to_numpy(float),
                "tickets_unresolved": got["unresolved"].fillna(0).to_numpy(float),
                "hours_to_resolve": got["hours"].to_numpy(float)}
    if name in SURVEYS:
        last, prev = got["last"].to_numpy(float), got["prev"].to_numpy(float)
        return {f"{name}_latest": last, f"{name}_change": last - prev}
    if name == "revenue":
        now, then = got["now"].to_numpy(float), got["then"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(then > 0, now / then - 1, np.nan)
        return {"mrr_latest": now, "mrr_change_3m": change}
    return {"failed_payments_90d": got["failed"].fillna(0).to_numpy(float)}


def _any(source: Source, table: ir.Table | None, key: str) -> bool:
    """Whether ``table`` (the source's table called ``key``) has a row, asked once per source."""
    return table is not None and source.remembered(f"any {key}", lambda: bool(source.con.execute(table.count())))


def _by(source: Source, key: str, rows: ir.Table, column: str, c: pd.Timestamp) -> bool:
    """Whether ``rows`` hold one with ``column`` on or before day ``c``: their first ``column``, asked once per
    source (a back-test asks at every cutoff), compared with ``c``."""
    first = source.remembered(f"first {key}", lambda: source.con.execute(rows[column].min()))
    return first is not None and not pd.isna(first) and pd.Timestamp(first).normalize() <= c


BY = ["cutoff", "customer_id"]


def ticket_expression(tickets: ir.Table, customers: ir.Table, at: ir.Table) -> ir.Table:
    """``cutoff, customer_id, n, unresolved, hours``: per cutoff of ``at`` (a cutoffs table) and customer with a
    ticket opened by its end."""
    t = tickets.semi_join(customers, "customer_id")
    t = t.join(at, t.opened < at.next_stamp)
    recent = t.opened >= t.stamp_90
    open_at = t.resolved.isnull() | (t.resolved >= t.next_stamp)
    done = ~open_at & (t.resolved >= t.stamp_180)
    hours = t.filter(done).select(*BY, v=(t.resolved.epoch_seconds() - t.opened.epoch_seconds()) / 3600)
    counts = t.group_by(BY).agg(n=recent.sum(), unresolved=(recent & open_at).sum())
    med = median_by(hours, BY, "v")
    joined = counts.left_join(med, [counts.cutoff == med.cutoff, counts.customer_id == med.customer_id])
    return joined.select(cutoff=counts.cutoff, customer_id=counts.customer_id, n=counts.n,
                         unresolved=counts.unresolved, hours=med.median)


def median_by(rows: ir.Table, keys: list[str], value: str) -> ir.Table:
    """``*keys, median``: the exact median of ``value`` per ``keys``, the mean of the middle two of an even count as
    pandas takes it, in window functions every engine has (BigQuery has no median aggregate; PySpark's median with
    a filter does not compile)."""
    v = rows.filter(rows[value].notnull())
    group = [v[k] for k in keys]
    v = v.mutate(k=ibis.row_number().over(group_by=group, order_by=v[value]), n=v[value].count().over(group_by=group))
    mid = v.filter((v.k == (v.n - 1) // 2) | (v.k == v.n // 2))
    return mid.group_by(keys).agg(median=mid[value].mean())


def latest_two(rows: ir.Table, order: str, value: str) -> ir.Table:
    """``cutoff, customer_id, last, prev``: the latest and the previous ``value`` of each customer's ``rows`` at each
    cutoff by ``order``, then by the row ``id`` (the store's order of rows of one day), when the rows have one."""
    keys = [ibis.desc(rows[order])] + ([ibis.desc(rows.id)] if "id" in rows.columns else [])
    ranked = rows.mutate(rank=ibis.row_number().over(group_by=[rows.cutoff, rows.customer_id], order_by=keys))
    top = ranked.filter(ranked["rank"] < 2)
    return top.group_by(BY).agg(last=top[value].max(where=top["rank"] == 0),
                                prev=top[value].max(where=top["rank"] == 1))


def survey_rows(feedback: ir.Table, at: ir.Table, channel: str) -> ir.Table:
    """The scored answers of one survey channel (any case) dated up to the end of each cutoff of ``at``, of every
    customer, with the cutoffs' columns."""
    f = feedback.filter((feedback.channel.lower() == channel) & feedback.score.notnull())
    return f.join(at, f.date < at.next_day)


def mrr_rows(revenue: ir.Table, at: ir.Table) -> ir.Table:
    """The MRR rows of billing periods up to the end of each cutoff of ``at``, of every customer, with the cutoffs'
    columns."""
    r = revenue.filter(revenue.mrr.notnull())
    return r.join(at, r.period < at.next_day)


def mrr_now_and_then(rows: ir.Table) -> ir.Table:
    """``cutoff, customer_id, now, then``: the latest MRR of :func:`mrr_rows` and the latest three calendar months
    before the cutoff (null when there is none)."""
    now = latest_two(rows, "period", "mrr")
    then = latest_two(rows.filter(rows.period <= rows.months_3), "period", "mrr")
    joined = now.left_join(then, [now.cutoff == then.cutoff, now.customer_id == then.customer_id])
    return joined.select(cutoff=now.cutoff, customer_id=now.customer_id, now=now["last"], then=then["last"])


def known_payments(revenue: ir.Table, at: ir.Table) -> ir.Table:
    """The revenue rows up to the end of each cutoff of ``at`` that say whether their payment failed, of every
    customer, with the cutoffs' columns."""
    k = revenue.filter(revenue.payment_failed.notnull())
    return k.join(at, k.period < at.next_day)


def payment_expression(known: ir.Table, customers: ir.Table) -> ir.Table:
    """``cutoff, customer_id, failed``: failed payments of the billing periods in the 90 days up to the end of each
    cutoff."""
    k = known.semi_join(customers, "customer_id")
    recent = (k.period >= k.day_90) & k.payment_failed
    return k.group_by(BY).agg(failed=recent.sum())
