"""The lapse rule's proposal with the gaps counted by an engine: the gaps between each buyer's consecutive purchase
days as (gap, how many) rows, the buyers and the repeat buyers, from which :mod:`core.buyers.lapse` proposes N by
the same definition (:func:`core.buyers.lapse.proposal_from_counts`). A purchase is
:mod:`core.buyers.engine_purchases`'; the purchases stay where they are and one row per distinct gap comes back.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from core.buyers.engine_purchases import purchase_days
from core.buyers.lapse import QUANTILE, LapseProposal, buyers_only, proposal_from_counts
from core.query import periods
from core.query.sources import Source
from core.store.read import load_columns


def gap_counts(days: ir.Table) -> ir.Table:
    """``gap, n``: how many times two consecutive purchase days of one customer are ``gap`` days apart, from
    ``days`` (``customer_id, date``, distinct: :func:`core.buyers.engine_purchases.purchase_days`)."""
    d = days.select("customer_id", day=periods.day_of(days.date))
    d = d.mutate(before=d.day.lag().over(ibis.window(group_by=d.customer_id, order_by=d.day)))
    gaps = d.filter(d.before.notnull()).select(gap=d.day - d.before)
    return gaps.group_by("gap").agg(n=gaps.count())


def buyer_counts(days: ir.Table) -> ir.Table:
    """One row: ``buyers`` (customers with a purchase day) and ``repeat`` (with two or more)."""
    per = days.group_by("customer_id").agg(n=days.count())
    return per.aggregate(buyers=per.count(), repeat=(per.n >= 2).sum())


def buyer_ids(source: Source) -> pd.Index:
    """The ids of every customer with a purchase day, asked of the engine."""
    days = purchase_days(source)
    if days is None:
        return pd.Index([], dtype=object)
    return pd.Index(source.con.execute(days.select("customer_id").distinct())["customer_id"].astype(str))


def proposal(source: Source, ids, quantile: float = QUANTILE) -> LapseProposal:
    """:func:`core.buyers.lapse.propose_lapse_days` of the purchases of the customers ``ids``, the gaps counted by
    ``source``'s engine."""
    people = ibis.memtable(pa.table({"customer_id": pa.array([str(i) for i in ids], pa.string())}))
    days = purchase_days(source, people)
    if days is None:
        return proposal_from_counts(np.array([]), np.array([], int), 0, 0, quantile)
    counts = source.con.execute(gap_counts(days)).sort_values("gap")
    who = source.con.execute(buyer_counts(days)).iloc[0]
    return proposal_from_counts(counts["gap"].to_numpy(float), counts["n"].to_numpy(np.int64),
                                int(who["buyers"] or 0), int(who["repeat"] or 0), quantile)


def store_proposal(engine, source: Source) -> LapseProposal | None:
    """:func:`core.buyers.lapse.store_proposal` with the gaps counted by ``source``'s engine over the store
    ``engine``'s purchases: the proposed N for its buyers-only customers, None for a store without any."""
    ids = buyer_ids(source)
    if ids.empty:
        return None
    customers = load_columns(engine, "customer", ["customer_id", "churn_date"])
    only = buyers_only(customers, pd.DataFrame({"customer_id": ids}),
                       load_columns(engine, "revenue", ["customer_id", "mrr"]))
    return None if only.empty else proposal(source, only)
