"""A purchase log's churn label at a cutoff with the judging done by an engine: the definitions of
:func:`core.buyers.lapse_labels.lapse_labels` (read them there) over the buyers' distinct purchase days
(:func:`core.buyers.engine_purchases.purchase_days`), one row per buyer and cutoff coming back, never their purchases.

With p0 a buyer's last purchase day on or before the cutoff c, the purchases from p0 on are p0 and those after c, so
each aggregate below is one pass over the buyer's days: p0, the first purchase after c, and the first lapse among
the days after c (a day p lapses on p + N when no purchase follows within N days).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from core.buyers.engine_purchases import purchase_days
from core.buyers.lapse import check_lapse_days
from core.query import periods
from core.query.sources import Source

_EPOCH = dt.date(1970, 1, 1)
#: the columns :func:`lapse_labels` returns, as the pandas definition's
COLUMNS = ["last_purchase", "active", "lapse_date", "churned"]
#: the lapse day number the engine returns for "no lapse before the data ends", in place of a null: beyond any
#: horizon's end, so :func:`_frame` reads it as no lapse date (an integer column without nulls comes back from every
#: engine as plain integers)
NO_LAPSE = 2**40


def labels_expression(days: ir.Table, n: int, cutoffs: ir.Table) -> ir.Table:
    """``c, customer_id, last, lapse, active``: for each cutoff day number ``c`` of ``cutoffs`` (days since 1970,
    with ``end``: c plus the horizon) and each buyer of ``days`` (``customer_id, date``, distinct) with a purchase
    on or before it, the last such day, the first lapse day from it on (:data:`NO_LAPSE`: none before the data ends)
    and whether the buyer is active (last + N > c)."""
    d = days.select("customer_id", day=periods.day_of(days.date))
    d = d.mutate(after=d.day.lead().over(ibis.window(group_by=d.customer_id, order_by=d.day)))
    d = d.mutate(lapses=d.after.isnull() | (d.after > d.day + n))
    j = cutoffs.join(d, d.day <= cutoffs.end + n)  # a lapse later than the horizon's end is never needed
    per = j.group_by([j.c, j.customer_id]).agg(
        last=j.day.max(where=j.day <= j.c),
        first_after=j.day.min(where=j.day > j.c),
        later=(j.day + n).min(where=(j.day > j.c) & j.lapses))
    per = per.filter(per.last.notnull())
    own = ibis.ifelse(per.first_after.isnull() | (per.first_after > per.last + n), per.last + n, ibis.null("int64"))
    lapse = ibis.least(own, per.later).fill_null(NO_LAPSE)
    return per.select("c", "customer_id", "last", lapse=lapse, active=per.last + n > per.c)


def lapse_labels(source: Source, ids, days: int, cutoff, horizon_days: int) -> pd.DataFrame:
    """:func:`core.buyers.lapse_labels.lapse_labels` of the buyers ``ids`` (their purchases on ``source``'s engine),
    with ``lapse_date`` only when it falls on or before the horizon's end (NaT beyond: the label never reads it)."""
    return asked(source, ids, days, [cutoff], horizon_days)[pd.Timestamp(cutoff).normalize()]


def asked(source: Source, ids, days: int, cutoffs, horizon_days: int) -> dict[pd.Timestamp, pd.DataFrame]:
    """:func:`lapse_labels` at each of ``cutoffs`` in one query."""
    n = check_lapse_days(days)
    at = [pd.Timestamp(c).normalize() for c in cutoffs]
    numbers = [(c.date() - _EPOCH).days for c in at]
    table = ibis.memtable(pa.table({"c": pa.array(numbers, pa.int64()),
                                    "end": pa.array([x + int(horizon_days) for x in numbers], pa.int64())}))
    people = ibis.memtable(pa.table({"customer_id": pa.array([str(i) for i in ids], pa.string())}))
    found = purchase_days(source, people)
    rows = pd.DataFrame(columns=["c", "customer_id", "last", "lapse", "active"]) if found is None else \
        source.con.execute(labels_expression(found, n, table))
    return {c: _frame(rows[rows["c"] == x], x + int(horizon_days)) for c, x in zip(at, numbers, strict=True)}


def _frame(rows: pd.DataFrame, end: int) -> pd.DataFrame:
    rows = rows.sort_values("customer_id")
    lapse = pd.to_numeric(rows["lapse"]).to_numpy(float)
    if np.isnan(lapse).any() or (lapse < rows["last"].to_numpy(float)).any():  # a wrong read fails, never hides
        raise ValueError("The engine returned a lapse day missing or before the last purchase.")
    lapse = np.where(lapse <= end, lapse, np.nan)
    out = pd.DataFrame({"last_purchase": _days(rows["last"].to_numpy(float)),
                        "active": rows["active"].astype(bool).to_numpy(), "lapse_date": _days(lapse)},
                       index=pd.Index(rows["customer_id"].astype(str).to_numpy(), name="customer_id"))
    out["churned"] = out["active"] & out["lapse_date"].notna()
    return out[COLUMNS]


def _days(numbers: np.ndarray) -> pd.DatetimeIndex:
    """Day numbers since 1970 as dates (NaT where missing), in numpy: pandas' to_datetime(unit="D") of a float array
    holding NaN once overflowed on a garbage value it made itself (seen on PostgreSQL and on DuckDB)."""
    known = ~np.isnan(numbers)
    out = np.full(len(numbers), np.datetime64("NaT"), dtype="datetime64[D]")
    out[known] = numbers[known].astype(np.int64).astype("datetime64[D]")
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


def recency_days(source: Source, ids, customer_ids, cutoff) -> np.ndarray:
    """:func:`core.churn.horizon.recency_days` of the rows' ``customer_ids`` (in row order) from the purchases of
    the buyers ``ids`` on ``source``'s engine: days from each one's last purchase on or before ``cutoff`` to it."""
    c = pd.Timestamp(cutoff).normalize()
    last = lapse_labels(source, ids, 1, c, 0)["last_purchase"]
    return (c - pd.Series(customer_ids).astype(str).map(last)).dt.days.to_numpy(float)
