"""Customer lifetime value with the counting done by an engine: each buyer's frequency, recency, age and spend
(:func:`core.buyers.clv.rfm`'s definitions) and purchase days in a hold-out are summed where the purchases are, one
row per buyer comes back, and the models are fitted on those rows as on a store's (:func:`core.buyers.clv.
summary_values`, :func:`core.buyers.clv.summary_holdout`).

A purchase day's amount is the day's sales that are purchases (:func:`core.buyers.engine_purchases.sales`: positive,
not returns; 0 for a day with a purchase and no such sale), as :func:`core.buyers.clv.transactions` adds them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.buyers import clv
from core.buyers.engine_purchases import purchase_days, sales
from core.errors import InsufficientDataError
from core.query.sources import Source


def day_amounts(source: Source) -> ir.Table | None:
    """``customer_id, date, amount``: each purchase day with the amount of its purchases (:func:`clv.transactions`);
    None when the source holds no purchases."""
    days = purchase_days(source)
    if days is None:
        return None
    sold = sales(source)
    if sold is None:
        return days.mutate(amount=ibis.literal(0.0, "float64"))
    paid = sold.filter(sold.sold)
    by_day = paid.group_by(["customer_id", "date"]).agg(paid=paid.amount.sum().cast("float64"))
    joined = days.left_join(by_day, [days.customer_id == by_day.customer_id, days.date == by_day.date])
    return joined.select(customer_id=days.customer_id, date=days.date, amount=by_day.paid.fill_null(0.0))


def rfm(source: Source, end) -> pd.DataFrame:
    """:func:`core.buyers.clv.rfm` of ``source``'s purchase log up to ``end``, summed by its engine: one row per
    buyer, in the order of their ids."""
    end = pd.Timestamp(end).normalize()
    t = day_amounts(source)
    if t is None:
        return clv.rfm(pd.DataFrame(columns=["customer_id", "date", "amount"]), end)
    t = t.filter(t.date <= end.date())
    per = t.group_by("customer_id").agg(first=t.date.min(), last=t.date.max(), n=t.count())
    later = t.inner_join(per.select("customer_id", "first"), "customer_id")
    later = later.filter(later.date > later.first)
    repeat = later.group_by("customer_id").agg(spend=later.amount.mean())
    got = source.con.execute(per.left_join(repeat, per.customer_id == repeat.customer_id).select(
        per.customer_id, per.first, per.last, per.n, repeat.spend))
    got = got.assign(customer_id=got["customer_id"].astype(str)).sort_values("customer_id", kind="stable")
    first, last = pd.to_datetime(got["first"]).to_numpy(), pd.to_datetime(got["last"]).to_numpy()
    return pd.DataFrame({
        "frequency": got["n"].to_numpy(float) - 1, "recency": (last - first) / np.timedelta64(1, "D") / clv.UNIT_DAYS,
        "T": (end.to_datetime64() - first) / np.timedelta64(1, "D") / clv.UNIT_DAYS,
        "monetary_value": got["spend"].astype(float).fillna(0.0).to_numpy(), "first": first},
        index=pd.Index(got["customer_id"].to_numpy(), name="customer_id"))


def bought_between(source: Source, after, end) -> pd.Series:
    """Each buyer's purchase days in (``after``, ``end``], by customer id (buyers without any left out)."""
    t = purchase_days(source)
    if t is None:
        return pd.Series(dtype=np.int64)
    after, end = pd.Timestamp(after).date(), pd.Timestamp(end).date()
    t = t.filter((t.date > after) & (t.date <= end))
    got = source.con.execute(t.group_by("customer_id").agg(n=t.count()))
    return pd.Series(got["n"].to_numpy(np.int64), index=got["customer_id"].astype(str).to_numpy())


def span(source: Source) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last purchase days (NaT, NaT without purchases)."""
    t = purchase_days(source)
    if t is None:
        return pd.NaT, pd.NaT
    got = source.con.execute(t.aggregate(first=t.date.min(), last=t.date.max()))
    return pd.Timestamp(got["first"].iloc[0]), pd.Timestamp(got["last"].iloc[0])


def buyer_values(source: Source | None, engine=None, as_of=None, days: int = 90, horizon_months: int = 12,
                 monthly_discount: float = 0.01) -> tuple[clv.ClvFit, pd.DataFrame]:
    """:func:`core.buyers.clv.buyer_values` of ``source``'s purchase log (as of its last purchase day by default);
    with ``source`` None, of the store ``engine``'s purchase rows, on pandas."""
    if source is None:
        return clv.buyer_values(clv.read_transactions(engine), as_of, days, horizon_months, monthly_discount)
    end = span(source)[1] if as_of is None else pd.Timestamp(as_of)
    if pd.isna(end):
        raise InsufficientDataError(clv.NO_PURCHASES)
    return clv.summary_values(rfm(source, end), end, days, horizon_months, monthly_discount)


def holdout_check(source: Source | None, engine=None,
                  top: int = 7) -> tuple[pd.Timestamp, pd.Timestamp, clv.HoldoutCheck]:
    """The pages' hold-out check: (the calibration's end, :func:`clv.holdout_cut`; the last purchase day; the
    check, :func:`core.buyers.clv.holdout_check`), counted by ``source``'s engine; with ``source`` None, on pandas
    over the store ``engine``'s purchase rows."""
    if source is None:
        tr = clv.read_transactions(engine)
        first, last = tr["date"].min(), tr["date"].max()
        cut = clv.holdout_cut(first, last)
        return cut, last, clv.holdout_check(tr, cut, last, top)
    first, last = span(source)
    if pd.isna(last):
        raise InsufficientDataError(clv.NO_PURCHASES)
    cut = clv.holdout_cut(first, last)
    return cut, last, clv.summary_holdout(rfm(source, cut), bought_between(source, cut, last), cut, last, top)
