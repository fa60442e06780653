"""A purchase log's buyer figures with the adding done by an engine: per as-of month, the active buyers of its
12-month window, those with purchases on 2 days or more, their purchase days and the revenue net of returns, the
sums :mod:`core.buyers.metrics` turns into its figures, by the same definitions (read :mod:`core.buyers.purchases`
and :mod:`core.buyers.metrics`).

A purchase is a ``purchase`` activity row (the source's ``purchases``) or a one-off sale (a revenue row without MRR)
with a positive amount that is not a return; a purchase day is a customer's calendar day with one. The customers go
to the engine as a small table (the page's filters kept them); the purchases stay where they are and one row per
month comes back, never a row per purchase. Amounts are added exactly (:mod:`core.query.exact`), so the figures
equal the pandas path's to 1e-9 and reproduce bit for bit.
"""

from __future__ import annotations

from dataclasses import asdict

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from core.buyers.metrics import NO_PURCHASES, BuyerFigures, from_sums
from core.errors import InsufficientDataError
from core.history import asof
from core.query import periods
from core.query.exact import exact_sum
from core.query.sources import Source

_EPOCH_MONTH = pd.Period("1970-01", "M")
#: the sums of one window, as :func:`buyer_sums` returns them
SUMS = ("buyers", "repeat", "days", "revenue")


def sales(source: Source, customers: ir.Table | None = None) -> ir.Table | None:
    """``customer_id, date, amount``: the one-off revenue rows of ``customers`` (every customer when None; returns
    as negative amounts, and ``sold``: whether the row is a purchase); None when the source has no revenue."""
    r = source.revenue
    if r is None or "amount" not in r.columns:  # a warehouse's revenue may map no sales' amounts
        return None
    r = _of(r.filter(r.mrr.isnull() & r.amount.notnull()), customers)
    returned = r.is_return.fill_null(False) if "is_return" in r.columns else ibis.literal(False)
    return r.select("customer_id", date=r.period.cast("date"), amount=r.amount, sold=(r.amount > 0) & ~returned)


def purchase_days(source: Source, customers: ir.Table | None = None) -> ir.Table | None:
    """``customer_id, date``: each of ``customers``' distinct purchase days (every customer's when None); None when
    the source holds no purchases and no revenue."""
    parts = []
    if source.purchases is not None:
        p = _of(source.purchases, customers)
        parts.append(p.select("customer_id", date=p.date.cast("date")))
    s = sales(source, customers)
    if s is not None:
        parts.append(s.filter(s.sold).select("customer_id", "date"))
    if not parts:
        return None
    return ibis.union(*parts, distinct=True) if len(parts) > 1 else parts[0].distinct()


def _of(table: ir.Table, customers: ir.Table | None) -> ir.Table:
    return table if customers is None else table.semi_join(customers, "customer_id")


def window_table(months: list[pd.Timestamp]) -> ir.Table:
    """``m`` (the as-of month's number, months since 1970-01) and ``first_m`` (its 12-month window's first month),
    one row per as-of month (:func:`core.history.asof.window`)."""
    windows = [asof.window(m) for m in months]
    return ibis.memtable(pa.table({
        "m": pa.array([(w.as_of - _EPOCH_MONTH).n for w in windows], pa.int64()),
        "first_m": pa.array([(w.start.to_period("M") - _EPOCH_MONTH).n for w in windows], pa.int64())}))


def sums_expression(days: ir.Table, sold: ir.Table | None, windows: ir.Table) -> ir.Table:
    """``m`` and :data:`SUMS` for each window of ``windows`` (:func:`window_table`) with purchase days or sales:
    buyers, repeat buyers and purchase days from ``days`` (:func:`purchase_days`), revenue from ``sold``
    (:func:`sales`, every one-off row: a return lowers it)."""
    per = days.select("customer_id", dm=periods.of_date(days.date, "month"))
    per = per.group_by(["customer_id", "dm"]).agg(n=per.count())
    inside = windows.join(per, (per.dm >= windows.first_m) & (per.dm <= windows.m))
    buyer = inside.group_by([inside.m, inside.customer_id]).agg(n=inside.n.sum())
    out = buyer.group_by("m").agg(buyers=buyer.count(), repeat=(buyer.n >= 2).sum(), days=buyer.n.sum())
    out = windows.select("m").left_join(out, "m").select("m", "buyers", "repeat", "days")
    if sold is None:
        return out.mutate(revenue=ibis.null("float64"))
    month = sold.select("amount", sm=periods.of_date(sold.date, "month"))
    money = windows.join(month, (month.sm >= windows.first_m) & (month.sm <= windows.m))
    money = money.group_by("m").agg(revenue=exact_sum(money.amount))
    return out.left_join(money, "m").select(out.m, *(out[c] for c in SUMS[:3]), money.revenue)


def buyer_sums(source: Source, customers: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
    """:data:`SUMS` of ``customers`` (``customer_id`` and their dates) for the 12-month window ending with each of
    ``months`` (month starts), summed by ``source``'s engine, indexed by month; ``revenue`` is NaN when the
    customers have no one-off revenue at all (a log without amounts), 0 in a window without any."""
    index = pd.DatetimeIndex(months, name="month")
    people = source.customers(customers)
    days = purchase_days(source, people)
    out = pd.DataFrame({"buyers": 0, "repeat": 0, "days": 0, "revenue": float("nan")}, index=index)
    if days is None or not len(months):
        return out
    sold = sales(source, people)
    has_amounts = sold is not None and bool(source.con.execute(sold.count()))
    got = source.con.execute(sums_expression(days, sold if has_amounts else None, window_table(months)))
    table = got.set_index("m").reindex([(pd.Timestamp(m).to_period("M") - _EPOCH_MONTH).n for m in months])
    for col in SUMS[:3]:
        out[col] = pd.to_numeric(table[col]).fillna(0).astype(int).to_numpy()
    if has_amounts:
        out["revenue"] = pd.to_numeric(table["revenue"]).astype(float).fillna(0.0).to_numpy()
    return out


def last_day(source: Source, customers: pd.DataFrame) -> pd.Timestamp:
    """The last day of ``customers``' purchase log (a purchase, a sale or a return), asked of the engine; NaT when
    the log is empty (:meth:`core.buyers.purchases.PurchaseLog.last_day`)."""
    people = source.customers(customers)
    tables = [t for t in (purchase_days(source, people), sales(source, people)) if t is not None]
    lasts = [source.con.execute(t.date.max()) for t in tables]
    lasts = [pd.Timestamp(d) for d in lasts if d is not None and not pd.isna(d)]
    return max(lasts) if lasts else pd.NaT


def buyer_figures(source: Source, customers: pd.DataFrame, as_of=None) -> BuyerFigures:
    """:func:`core.buyers.metrics.buyer_figures` of ``customers``' purchase log, summed by ``source``'s engine.

    Raises
    ------
    InsufficientDataError
        The log is empty.
    """
    last = default_as_of(source, customers)
    w = asof.window(last if as_of is None else as_of)
    row = buyer_sums(source, customers, [w.as_of.to_timestamp()]).iloc[0]
    return from_sums(w, int(row["buyers"]), int(row["repeat"]), int(row["days"]), float(row["revenue"]))


def buyer_trend(source: Source, customers: pd.DataFrame, as_of=None, months: int = 12) -> pd.DataFrame:
    """:func:`core.buyers.metrics.buyer_trend` of ``customers``' purchase log, summed by ``source``'s engine in one
    query for all ``months``."""
    last = default_as_of(source, customers)
    end = pd.Timestamp(last if as_of is None else as_of).to_period("M")
    ends = [(end - k).to_timestamp() for k in range(months - 1, -1, -1)]
    sums = buyer_sums(source, customers, ends)
    rows = [asdict(from_sums(asof.window(m), int(r.buyers), int(r.repeat), int(r.days), float(r.revenue)))
            for m, r in zip(ends, sums.itertuples(), strict=True)]
    return pd.DataFrame(rows, columns=list(BuyerFigures.__dataclass_fields__))


def default_as_of(source: Source, customers: pd.DataFrame) -> pd.Timestamp:
    """:func:`core.buyers.metrics.default_as_of` of ``customers``' purchase log, asked of ``source``'s engine.

    Raises
    ------
    InsufficientDataError
        The log is empty.
    """
    last = last_day(source, customers)
    if pd.isna(last):
        raise InsufficientDataError(NO_PURCHASES)
    return last.normalize()
