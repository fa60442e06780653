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

A group is empty ({}) when the source has no rows for it at all, as in the pandas path; the engine returns one row
per customer that has any, the arrays follow the order of the customers given.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.history.engine_usage import usage_features
from core.history.frame_behaviour import GAPS, SURVEYS
from core.query.sources import Source


def behaviour(source: Source, customers: pd.DataFrame, cutoff) -> list[tuple[dict[str, np.ndarray], str]]:
    """Each group of behavioural features of ``customers`` (``customer_id, signup_date``, in this order) as of the
    end of day ``cutoff``, in :func:`core.history.features.temporal_features`' column order, with what is missing
    when the group is empty."""
    c = pd.Timestamp(cutoff).normalize()
    groups = [("usage", usage_features(source, customers, c)), ("tickets", ticket_features(source, customers, c)),
              *((ch, survey_features(source, customers, c, ch)) for ch in SURVEYS),
              ("revenue", revenue_features(source, customers, c)), ("payments", payment_features(source, customers, c))]
    return [(columns, GAPS[name]) for name, columns in groups]


def _any(source: Source, table: ir.Table | None, key: str) -> bool:
    """Whether ``table`` (the source's table called ``key``) has a row, asked once per source."""
    return table is not None and source.remembered(f"any {key}", lambda: bool(source.con.execute(table.count())))


def _by(source: Source, key: str, rows: ir.Table, column: str, c: pd.Timestamp) -> bool:
    """Whether ``rows`` hold one with ``column`` on or before day ``c``: their first ``column``, asked once per
    source (a back-test asks at every cutoff), compared with ``c``."""
    first = source.remembered(f"first {key}", lambda: source.con.execute(rows[column].min()))
    return first is not None and not pd.isna(first) and pd.Timestamp(first).normalize() <= c


def _day(ts: pd.Timestamp):
    return ibis.date(ts.year, ts.month, ts.day)


def _stamp(ts: pd.Timestamp):
    """A midnight as a timestamp literal (Ibis's PySpark backend compiles no timestamp built from its parts)."""
    return ibis.literal(ts.normalize().to_pydatetime(), type="timestamp")


def _per_customer(source: Source, expr: ir.Table, customers: pd.DataFrame) -> pd.DataFrame:
    """The engine's rows (one per customer, ``customer_id`` first) in the order of ``customers``: NaN for the
    customers it returned nothing for."""
    got = source.con.execute(expr).set_index("customer_id")
    return got.reindex(customers["customer_id"].astype(str))


def ticket_features(source: Source, customers: pd.DataFrame, c: pd.Timestamp) -> dict[str, np.ndarray]:
    """Tickets of the 90 days up to the cutoff, those still open at it, and the median hours to resolve."""
    if not _any(source, source.tickets, "tickets"):
        return {}
    got = _per_customer(source, ticket_expression(source.tickets, source.customers(customers), c), customers)
    return {"tickets_90d": got["n"].fillna(0).to_numpy(float),
            "tickets_unresolved": got["unresolved"].fillna(0).to_numpy(float),
            "hours_to_resolve": got["hours"].to_numpy(float)}


def ticket_expression(tickets: ir.Table, customers: ir.Table, c: pd.Timestamp) -> ir.Table:
    """``customer_id, n, unresolved, hours``: per customer with a ticket opened by the end of day ``c``."""
    next_day = c + pd.Timedelta(days=1)
    t = tickets.semi_join(customers, "customer_id")
    t = t.filter(t.opened < _stamp(next_day))
    recent = t.opened >= _stamp(next_day - pd.Timedelta(days=90))
    open_at = t.resolved.isnull() | (t.resolved >= _stamp(next_day))
    done = ~open_at & (t.resolved >= _stamp(next_day - pd.Timedelta(days=180)))
    hours = t.filter(done).select("customer_id", v=(t.resolved.epoch_seconds() - t.opened.epoch_seconds()) / 3600)
    counts = t.group_by("customer_id").agg(n=recent.sum(), unresolved=(recent & open_at).sum())
    med = median_by(hours, "customer_id", "v")
    joined = counts.left_join(med, counts.customer_id == med.customer_id)
    return joined.select(customer_id=counts.customer_id, n=counts.n, unresolved=counts.unresolved, hours=med.median)


def median_by(rows: ir.Table, key: str, value: str) -> ir.Table:
    """``key, median``: the exact median of ``value`` per ``key``, the mean of the middle two of an even count as
    pandas takes it, in window functions every engine has (BigQuery has no median aggregate; PySpark's median with
    a filter does not compile)."""
    v = rows.filter(rows[value].notnull())
    v = v.mutate(k=ibis.row_number().over(group_by=v[key], order_by=v[value]), n=v[value].count().over(group_by=v[key]))
    mid = v.filter((v.k == (v.n - 1) // 2) | (v.k == v.n // 2))
    return mid.group_by(key).agg(median=mid[value].mean())


def latest_two(rows: ir.Table, order: str, value: str) -> ir.Table:
    """``customer_id, last, prev``: the latest and the previous ``value`` of each customer's ``rows`` by ``order``,
    then by the row ``id`` (the store's order of rows of one day), when the rows have one."""
    keys = [ibis.desc(rows[order])] + ([ibis.desc(rows.id)] if "id" in rows.columns else [])
    ranked = rows.mutate(rank=ibis.row_number().over(group_by=rows.customer_id, order_by=keys))
    top = ranked.filter(ranked["rank"] < 2)
    return top.group_by("customer_id").agg(last=top[value].max(where=top["rank"] == 0),
                                           prev=top[value].max(where=top["rank"] == 1))


def _latest_two(source: Source, rows: ir.Table, order: str, value: str, customers: pd.DataFrame):
    """:func:`latest_two` as arrays in the order of ``customers`` (NaN where there is none)."""
    got = _per_customer(source, latest_two(rows, order, value), customers)
    return got["last"].to_numpy(float), got["prev"].to_numpy(float)


def survey_rows(feedback: ir.Table, c: pd.Timestamp, channel: str) -> ir.Table:
    """The scored answers of one survey channel (any case) dated up to the end of day ``c``, of every customer."""
    return feedback.filter((feedback.channel.lower() == channel) & (feedback.date < _day(c + pd.Timedelta(days=1)))
                           & feedback.score.notnull())


def survey_features(source: Source, customers: pd.DataFrame, c: pd.Timestamp, channel: str) -> dict[str, np.ndarray]:
    """The latest answer of one survey channel (``nps``, ``csat``) before the end of the cutoff, and its change."""
    if source.feedback is None:
        return {}
    f = source.feedback
    if not _by(source, f"{channel} answer", f.filter((f.channel.lower() == channel) & f.score.notnull()), "date", c):
        return {}  # no answer up to the cutoff
    rows = survey_rows(f, c, channel)
    last, prev = _latest_two(source, rows.semi_join(source.customers(customers), "customer_id"), "date", "score",
                             customers)
    return {f"{channel}_latest": last, f"{channel}_change": last - prev}


def mrr_rows(revenue: ir.Table, c: pd.Timestamp) -> ir.Table:
    """The MRR rows of billing periods up to the end of day ``c``, of every customer."""
    return revenue.filter((revenue.period < _day(c + pd.Timedelta(days=1))) & revenue.mrr.notnull())


def revenue_features(source: Source, customers: pd.DataFrame, c: pd.Timestamp) -> dict[str, np.ndarray]:
    """The latest MRR on or before the cutoff and its relative change against three calendar months before."""
    if source.revenue is None:
        return {}
    if not _by(source, "mrr", source.revenue.filter(source.revenue.mrr.notnull()), "period", c):
        return {}  # no MRR up to the cutoff
    r = mrr_rows(source.revenue, c)
    r = r.semi_join(source.customers(customers), "customer_id")
    now, _ = _latest_two(source, r, "period", "mrr", customers)
    then, _ = _latest_two(source, r.filter(r.period <= _day(c - pd.DateOffset(months=3))), "period", "mrr",
                          customers)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(then > 0, now / then - 1, np.nan)
    return {"mrr_latest": now, "mrr_change_3m": change}


def known_payments(revenue: ir.Table, c: pd.Timestamp) -> ir.Table:
    """The revenue rows up to the end of day ``c`` that say whether their payment failed, of every customer."""
    return revenue.filter(revenue.payment_failed.notnull() & (revenue.period < _day(c + pd.Timedelta(days=1))))


def payment_expression(known: ir.Table, customers: ir.Table, c: pd.Timestamp) -> ir.Table:
    """``customer_id, failed``: failed payments of the billing periods in the 90 days up to the end of day ``c``."""
    k = known.semi_join(customers, "customer_id")
    recent = (k.period >= _day(c + pd.Timedelta(days=1) - pd.Timedelta(days=90))) & k.payment_failed
    return k.group_by("customer_id").agg(failed=recent.sum())


def payment_features(source: Source, customers: pd.DataFrame, c: pd.Timestamp) -> dict[str, np.ndarray]:
    """Failed payments of the billing periods in the 90 days up to the cutoff ({} when no revenue row up to it says
    whether its payment failed)."""
    if source.revenue is None or "payment_failed" not in source.revenue.columns:
        return {}
    rev = source.revenue
    if not _by(source, "known payment", rev.filter(rev.payment_failed.notnull()), "period", c):
        return {}  # no payment known up to the cutoff
    known = known_payments(rev, c)
    got = _per_customer(source, payment_expression(known, source.customers(customers), c), customers)
    return {"failed_payments_90d": got["failed"].fillna(0).to_numpy(float)}
