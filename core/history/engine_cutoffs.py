"""The cutoffs an engine computes the behavioural features at, as a small table its expressions join the fact rows
to: one row per cutoff with every bound of its windows worked out here (pandas' calendar, so each engine compares
dates and never does date arithmetic of its own), so the features at many cutoffs (a back-test's month ends, a churn
model's training cutoffs) come from one query per group of features instead of one per cutoff.

Columns (the cutoff ``c`` is a day; its events count):

- ``cutoff`` (date): ``c``; ``next_day`` (date): ``c`` + 1 day; ``year_before`` (date): ``c`` - 365 days (usage looks
  at the 365 days up to ``c``);
- ``day_90`` (date): ``c`` + 1 - 90 days (failed payments of the 90 days up to ``c``); ``months_3`` (date): ``c``
  less three calendar months (the MRR to compare with);
- ``next_stamp``, ``stamp_90``, ``stamp_180`` (timestamps): midnight after ``c``, and 90 and 180 days before it
  (tickets).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from core.store.dates import datetimes

#: the columns of a cutoffs table and their types
SCHEMA = {"cutoff": "date", "next_day": "date", "year_before": "date", "day_90": "date", "months_3": "date",
          "next_stamp": "timestamp", "stamp_90": "timestamp", "stamp_180": "timestamp"}


def days(cutoffs) -> list[pd.Timestamp]:
    """The distinct cutoffs as midnights, in order."""
    return sorted({pd.Timestamp(c).normalize() for c in cutoffs})


def bounds(cutoffs) -> pa.Table:
    """One row per distinct cutoff with :data:`SCHEMA`'s columns."""
    c = pd.DatetimeIndex(days(cutoffs))
    nxt = c + pd.Timedelta(days=1)
    as_date = {"cutoff": c, "next_day": nxt, "year_before": c - pd.Timedelta(days=365),
               "day_90": nxt - pd.Timedelta(days=90), "months_3": c - pd.DateOffset(months=3)}
    as_stamp = {"next_stamp": nxt, "stamp_90": nxt - pd.Timedelta(days=90), "stamp_180": nxt - pd.Timedelta(days=180)}
    cols = {k: pa.array(v.to_numpy(dtype="datetime64[D]"), pa.date32()) for k, v in as_date.items()}
    cols |= {k: pa.array(v.to_numpy(dtype="datetime64[us]"), pa.timestamp("us")) for k, v in as_stamp.items()}
    return pa.table({k: cols[k] for k in SCHEMA})


def table(cutoffs) -> ir.Table:
    """:func:`bounds` as a table an expression can join (uploaded to the engine that runs it)."""
    return ibis.memtable(bounds(cutoffs))


def split(rows: pd.DataFrame) -> dict[pd.Timestamp, pd.DataFrame]:
    """An engine's rows (``cutoff, customer_id, ...``) per cutoff, indexed by ``customer_id`` (text)."""
    rows = rows.assign(cutoff=datetimes(rows["cutoff"]).dt.normalize(),
                       customer_id=rows["customer_id"].astype(str))
    return {pd.Timestamp(c): part.drop(columns="cutoff").set_index("customer_id")
            for c, part in rows.groupby("cutoff", sort=True)}
