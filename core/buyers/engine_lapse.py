"""The lapse rule's proposal with the gaps counted by an engine: the gaps between each buyer's consecutive purchase
days as (gap, how many) rows, the buyers and the repeat buyers, from which :mod:`core.buyers.lapse` proposes N by
the same definition (:func:`core.buyers.lapse.proposal_from_counts`). A purchase is
:mod:`core.buyers.engine_purchases`'; the purchases stay where they are and one row per distinct gap comes back.
"""

from __future__ import annotations

from dataclasses import replace

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from core.buyers import engine_purchases
from core.buyers.engine_purchases import purchase_days
from core.buyers.lapse import QUANTILE, LapseProposal, LapseRule, buyers_only, check_lapse_days, proposal_from_counts
from core.history import asof
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


def rule_for(source: Source, customers: pd.DataFrame, lapse_days: int | None = None, as_of=None) -> LapseRule | None:
    """:func:`core.buyers.lapse.rule_for` of ``customers`` (``customer_id, signup_date, churn_date``) with their
    purchases on ``source``'s engine, as of ``as_of`` (default :func:`data_end`): the buyers-only customers (no MRR,
    no churn date of their own), N proposed from their gaps (or ``lapse_days``) and their churn dates, the last
    purchase day plus N when that day is reached; None without such customers. One row per buyer comes back (their
    last purchase day), not their purchases; the rule holds no purchase days (``purchases`` is None: the labels at a
    cutoff are judged there too, :mod:`core.buyers.engine_lapse_labels`)."""
    last, ids = _buyers_only(source, customers)
    if ids.empty:
        return None
    found = proposal(source, ids)
    n = found.days if lapse_days is None else check_lapse_days(lapse_days)
    as_of = data_end(source, customers) if as_of is None else pd.Timestamp(as_of).normalize()
    churn = last[ids] + pd.Timedelta(days=n)
    churn = churn.where(churn <= as_of).rename("churn_date").rename_axis("customer_id")
    return LapseRule(n, found, as_of, churn)


def proposal_for(source: Source, customers: pd.DataFrame) -> LapseProposal | None:
    """The proposed N of :func:`rule_for` alone: from the gaps of ``customers``' buyers-only customers (no MRR, no
    churn date of their own), counted by ``source``'s engine; None without such customers."""
    _, ids = _buyers_only(source, customers)
    return None if ids.empty else proposal(source, ids)


def _buyers_only(source: Source, customers: pd.DataFrame) -> tuple[pd.Series, pd.Index]:
    """(each of ``customers``' buyers' last purchase day by customer id, the ids of the buyers-only customers among
    them); one row per buyer comes back, and nothing when ``source`` holds no purchases."""
    people = source.customers(customers)
    days = purchase_days(source, people)
    if days is None:
        return pd.Series(dtype="datetime64[ns]"), pd.Index([], dtype=object)
    last = source.con.execute(days.group_by("customer_id").agg(last=days.date.max()))
    last = pd.Series(pd.to_datetime(last["last"]).to_numpy(), index=last["customer_id"].astype(str))
    return last, buyers_only(customers, pd.DataFrame({"customer_id": last.index}), _recurring(source, people))


def valued_rule(source: Source, customers: pd.DataFrame, lapse_days: int | None = None, as_of=None) -> LapseRule | None:
    """:func:`rule_for` with the value of a buyer (the churn model's default value of a save): its buyers' revenue
    per buyer over the 12 months to the as-of day (:func:`core.buyers.engine_purchases.buyer_figures`), as
    :func:`core.buyers.lapse.store_rule` gives it."""
    rule = rule_for(source, customers, lapse_days, as_of)
    if rule is None:
        return None
    buyers = customers[customers["customer_id"].astype(str).isin(rule.churn_dates.index)]
    value = engine_purchases.buyer_figures(source, buyers, rule.as_of).revenue_per_buyer
    return replace(rule, value_per_buyer=float(value))


def _recurring(source: Source, people: ir.Table) -> pd.DataFrame | None:
    """``customer_id, mrr``: one row per customer of ``people`` with any MRR (None: the source has no revenue)."""
    if source.revenue is None:
        return None
    r = source.revenue.semi_join(people, "customer_id")
    ids = source.con.execute(r.filter(r.mrr.notnull()).select("customer_id").distinct())["customer_id"]
    return pd.DataFrame({"customer_id": ids.astype(str), "mrr": 1.0})


def data_end(source: Source, customers: pd.DataFrame) -> pd.Timestamp:
    """:func:`core.history.asof.data_end` of ``customers``' dates, purchase days and revenue (a revenue row counts to
    its month's last day), the last purchase day and revenue period asked of ``source``'s engine."""
    people = source.customers(customers)
    days, sold = purchase_days(source, people), source.revenue
    last_day = None if days is None else source.con.execute(days.date.max())
    last_period = None if sold is None else source.con.execute(sold.semi_join(people, "customer_id").period.max())
    purchases = pd.DataFrame({"date": pd.to_datetime([last_day]).dropna()})
    revenue = pd.DataFrame({"period": pd.to_datetime([last_period]).dropna()})
    return asof.data_end(customers, purchases, revenue)
