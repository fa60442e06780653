"""The Overview's figures from a company's warehouse (:mod:`core.query.warehouse`), one rule for the page and
``python -m core overview``: the warehouse's own customers, the recurring-revenue headline with its sparklines
(:func:`core.buyers.overview.build`, its revenue sums added in the warehouse by
:func:`core.buyers.engine_headline.revenue_sums`) and the MRR movements of the 12 months ending with the as-of month
(:func:`core.history.engine_movements.engine_movements`). The customers' ids and dates are read (the headline's start
customers are decided on them, as on a store); of the revenue only sums come back. Nothing is written.

A warehouse whose mapping names purchases (``[purchases]``) or sales (``[revenue]`` amount on rows without MRR) is a
purchase log, or a mix beside recurring revenue: its Overview adds the buyer figures and revenue retention by cohort,
summed in the warehouse (:mod:`core.buyers.engine_purchases`, :mod:`core.buyers.engine_cohort_revenue`), and a mix's
buyers without recurring revenue churn by the lapse rule (:func:`core.buyers.engine_lapse.rule_for`: one row per
buyer comes back, their last purchase day). Its MRR at risk is :mod:`core.review.warehouse_at_risk`'s.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.buyers import cohort_revenue, engine_purchases
from core.buyers.overview import Overview, build
from core.history import asof
from core.history.engine_movements import engine_movements
from core.history.warehouse_inputs import NO_CUSTOMERS, warehouse_customers
from core.query.sources import Source
from core.query.warehouse import answered
from core.store.profile import Holding, StoreProfile

NO_MRR = ("The warehouse's revenue holds no MRR ([revenue] table and its mrr column in the mapping file), so the "
          "Overview cannot show MRR, ARR, ARPA, NRR, GRR, revenue churn or the MRR movements: map the column "
          "holding each customer's monthly recurring revenue.")
NO_MRR_BUYERS = ("The warehouse's revenue holds no MRR, so it is a purchase log: the Overview shows buyer figures "
                 "instead of MRR, ARR, ARPA, NRR, GRR, revenue churn and the MRR movements. Map the column holding "
                 "each customer's monthly recurring revenue ([revenue] mrr in the mapping file) to see them.")
NO_AMOUNTS = ("Revenue retention by cohort needs the purchases' amounts, and the mapping names none: map a table of "
              "sales as [revenue] with its amount column (and is_return for returns).")
NO_CHURN = (" Without churn dates ([customers] churn_date) it cannot show active customers or logo churn either.")


@answered
def last_mrr_month(source: Source) -> pd.Timestamp | None:
    """The first day of the last month with MRR in the warehouse's revenue (None: no MRR)."""
    if source.revenue is None:
        return None
    r = source.revenue
    last = source.con.execute(r.filter(r.mrr.notnull()).aggregate(last=r.period.max()))["last"].iloc[0]
    return None if pd.isna(last) else pd.Timestamp(last).to_period("M").to_timestamp()


@answered
def profile(source: Source, customers: pd.DataFrame) -> StoreProfile:
    """What the Overview reads of the warehouse, as a store's profile says it (:mod:`core.store.profile`): its
    ``customers``, its recurring revenue (rows with MRR, their first and last days) and its churn dates."""
    held = [Holding("customers", len(customers))] if len(customers) else []
    if source.revenue is not None:
        r = source.revenue.filter(source.revenue.mrr.notnull())
        got = source.con.execute(r.aggregate(rows=r.count(), first=r.period.min(), last=r.period.max()))
        if int(got["rows"].iloc[0]):
            held.append(Holding("recurring_revenue", int(got["rows"].iloc[0]), _day(got["first"].iloc[0]),
                                _day(got["last"].iloc[0])))
    held += _purchase_holdings(source)
    churned = int(customers["churn_date"].notna().sum()) if len(customers) else 0
    if churned:
        held.append(Holding("churn_dates", churned))
    return StoreProfile(tuple(held))


def _purchase_holdings(source: Source) -> list[Holding]:
    """The warehouse's one-off revenue (sales and returns) and purchases, as a store's profile names them."""
    held = []
    sold = engine_purchases.sales(source)
    for key, table, column in (("one_off_revenue", sold, "date"), ("purchases", source.purchases, "date")):
        if table is None:
            continue
        got = source.con.execute(table.aggregate(rows=table.count(), first=table[column].min(),
                                                 last=table[column].max()))
        if int(got["rows"].iloc[0]):
            held.append(Holding(key, int(got["rows"].iloc[0]), _day(got["first"].iloc[0]), _day(got["last"].iloc[0])))
    return held


def _day(value) -> dt.date:
    return pd.Timestamp(value).date()


def last_month_row(month: pd.Timestamp | None) -> pd.DataFrame:
    """A stand-in for the revenue rows that holds only what :func:`core.history.asof.as_of_month` reads of them: the
    last month with MRR (the sums themselves are added in the warehouse)."""
    if month is None:
        return pd.DataFrame({"customer_id": pd.Series(dtype=object), "period": pd.Series(dtype="datetime64[ns]"),
                             "mrr": pd.Series(dtype=float)})
    return pd.DataFrame({"customer_id": [None], "period": [month], "mrr": [0.0]})


@answered
def overview(source: Source, end=None, start=None) -> Overview:
    """The Overview of the warehouse's customers as of ``end`` (default: its last month with MRR), sparklines from
    ``start`` (default: 12 months); a note for what it cannot show, and what to map.

    Raises
    ------
    EngineError
        The warehouse failed to answer (:func:`answered`).
    """
    customers = warehouse_customers(source)[["customer_id", "signup_date", "churn_date"]]
    if customers.empty:
        return Overview((), (NO_CUSTOMERS,), None, "")
    found = profile(source, customers)
    ov = build(found, customers, last_month_row(last_mrr_month(source)), None, end, start, source=source)
    # the store's import advice, said here for the mapping
    notes = [n for n in ov.notes if not n.startswith(("This store", "There is no recurring revenue in this store"))]
    if not found.has("recurring_revenue"):
        buyers = found.has("purchases") or found.has("one_off_revenue")
        notes.insert(0, (NO_MRR_BUYERS if buyers else NO_MRR) + ("" if found.has("churn_dates") else NO_CHURN))
    cohort_note = NO_AMOUNTS if ov.cohort_note == cohort_revenue.NO_AMOUNTS else ov.cohort_note
    return Overview(ov.sections, tuple(notes), ov.cohorts, cohort_note)


@answered
def movements(source: Source, end=None) -> pd.DataFrame:
    """The MRR movements of the warehouse's customers (:func:`core.history.movements.mrr_movements`' table) over the
    12 months ending with the as-of month (``end``, never after its last month with MRR), summed in the warehouse;
    empty without MRR."""
    last = last_mrr_month(source)
    if last is None:
        return engine_movements(source, None)
    as_of = asof.clamp(end, last + pd.offsets.MonthEnd(0))
    return engine_movements(source, None, start=asof.window(as_of).start, end=as_of)
