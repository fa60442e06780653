"""The sums behind a play's outcomes, done by an engine (:mod:`core.query.sources`): per contact, the revenue kept in
the window after it, the revenue and the usage of the pre-period before it, and the latest revenue row before it.

They are :func:`core.roi.outcomes.outcomes`' ``revenue_kept``, ``pre_revenue``, ``pre_usage`` (before its log) and
``mrr_before``, equal to the pandas sums there (tested to 1e-9); retention, eligibility and the statistics stay in
Python. The contacts go to the engine as a small table (one row per contact: ``id, customer_id, day``) and are
joined to the fact tables on the customer and the window's days, so only one row per contact comes back.

A revenue row's value is its MRR, else its amount (a sale), as :class:`core.roi.inputs.RoiInputs` reads it; of two
rows of one day before a contact, the later in the store (the larger row id) is the latest, as pandas' stable sort
keeps them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from core.query.exact import exact_sum
from core.query.sources import Source
from core.store.dates import datetimes


def contact_table(contacts: pd.DataFrame) -> ir.Table:
    """``id`` (int64), ``customer_id`` (text) and ``day`` (the contact's date) of ``contacts``, for any engine."""
    days = datetimes(contacts["date"]).to_numpy(dtype="datetime64[D]")
    return ibis.memtable(pa.table({
        "id": pa.array(contacts["id"].astype("int64").to_numpy(), pa.int64()),
        "customer_id": pa.array(contacts["customer_id"].astype(str).to_numpy(dtype=object), pa.string()),
        "day": pa.array(days, pa.date32())}))


def revenue_values(revenue: ir.Table) -> ir.Table:
    """``customer_id, period, value`` (the MRR, else the amount) and ``id`` where the source has it; rows with
    neither left out."""
    value = revenue.mrr.cast("float64")
    if "amount" in revenue.columns:
        value = ibis.coalesce(value, revenue.amount.cast("float64"))
    keep = ["customer_id", "period"] + (["id"] if "id" in revenue.columns else [])
    out = revenue.select(*keep, value=value)
    return out.filter(out.value.notnull())


def revenue_windows(values: ir.Table, contacts: ir.Table, window: int, pre_days: int) -> ir.Table:
    """``id, kept, pre, before``: per contact, the values with a period in ``[day, day + window)``, in
    ``[day - pre_days, day)``, and the latest value before ``day`` (contacts of customers without revenue absent)."""
    j = contacts.join(values, contacts.customer_id == values.customer_id)
    j = j.mutate(ago=j.day.delta(j.period, unit="day"))  # days from the period to the contact: > 0 before it
    sums = j.group_by("id").agg(kept=exact_sum(j.value, where=(j.ago <= 0) & (j.ago > -window)),
                                pre=exact_sum(j.value, where=(j.ago > 0) & (j.ago <= pre_days)))
    earlier = j.filter(j.ago > 0)
    keys = [ibis.desc(earlier.period)] + ([ibis.desc(earlier.id_right)] if "id_right" in earlier.columns else [])
    ranked = earlier.mutate(rank=ibis.row_number().over(group_by=earlier.id, order_by=keys))
    latest = ranked.filter(ranked["rank"] == 0).select("id", before=ranked.value)
    return sums.left_join(latest, sums.id == latest.id).select(sums.id, "kept", "pre", "before")


def usage_before(activity: ir.Table, contacts: ir.Table, pre_days: int) -> ir.Table:
    """``id, use``: per contact, the usage in the ``pre_days`` days before its day (contacts without any absent)."""
    j = contacts.join(activity, contacts.customer_id == activity.customer_id)
    j = j.mutate(ago=j.day.delta(j.date, unit="day"))
    j = j.filter((j.ago > 0) & (j.ago <= pre_days))
    return j.group_by("id").agg(use=exact_sum(j.value))


def window_values(source: Source, contacts: pd.DataFrame, window: int,
                  pre_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(revenue kept, pre-period revenue, latest revenue before, pre-period usage) per row of ``contacts``
    (``id, customer_id, date``), in its order: as :func:`core.roi.outcomes.outcomes` sums them in pandas."""
    table = contact_table(contacts)
    ids = contacts["id"].astype("int64").to_numpy()
    zeros = np.zeros(len(contacts))
    kept, pre, before = zeros, zeros, np.full(len(contacts), np.nan)
    if source.revenue is not None:
        got = source.con.execute(revenue_windows(revenue_values(source.revenue), table, window, pre_days))
        got = got.set_index("id").reindex(ids)
        kept, pre = (got[c].fillna(0).to_numpy(float) for c in ("kept", "pre"))
        before = got["before"].to_numpy(float)
    use = zeros
    if source.activity is not None:
        got = source.con.execute(usage_before(source.activity, table, pre_days)).set_index("id").reindex(ids)
        use = got["use"].fillna(0).to_numpy(float)
    return kept, pre, before, use
