"""A purchase log's revenue retention by cohort with the adding done by an engine: each buyer's first purchase month
(their cohort), the buyers per cohort and the one-off revenue per (cohort, month since the first purchase), by the
definitions of :mod:`core.buyers.cohort_revenue`, which lays the cells out as its table
(:func:`core.buyers.cohort_revenue.table`). One row per cohort and one per cell come back, never a row per sale;
amounts are added exactly (:mod:`core.query.exact`), so the table equals the pandas path's to 1e-9.
"""

from __future__ import annotations

import pandas as pd

from core.buyers import engine_purchases
from core.buyers.cohort_revenue import NO_AMOUNTS, CohortRevenue, nobody_by, table
from core.errors import InsufficientDataError
from core.query import periods
from core.query.exact import exact_sum
from core.query.sources import Source


def cohort_revenue(source: Source, customers: pd.DataFrame, as_of=None) -> CohortRevenue:
    """:func:`core.buyers.cohort_revenue.cohort_revenue` of ``customers``' purchase log (``customer_id`` and their
    dates), summed by ``source``'s engine.

    Raises
    ------
    InsufficientDataError
        The log is empty, has no amounts, or nobody had bought by the as-of month.
    """
    last = engine_purchases.default_as_of(source, customers)  # raises on an empty log
    people = source.customers(customers)
    sold = engine_purchases.sales(source, people)
    if sold is None or not int(source.con.execute(sold.count())):
        raise InsufficientDataError(NO_AMOUNTS)
    end = pd.Timestamp(last if as_of is None else as_of).to_period("M")
    days = engine_purchases.purchase_days(source, people)
    first = days.group_by("customer_id").agg(fm=periods.of_date(days.date, "month").min())
    first = first.filter(first.fm <= _number(end))
    sizes = source.con.execute(first.group_by("fm").agg(n=first.count()))
    if sizes.empty:
        raise InsufficientDataError(nobody_by(end))
    rows = sold.select("customer_id", "amount", sm=periods.of_date(sold.date, "month")).join(first, "customer_id")
    cells = source.con.execute(rows.group_by(["fm", (rows.sm - rows.fm).name("k")])
                               .agg(amount=exact_sum(rows.amount)))
    cohort_sizes = pd.Series(sizes["n"].astype(int).to_numpy(), index=_months(sizes["fm"])).sort_index()
    cells = pd.DataFrame({"cohort": _months(cells["fm"]).astype(str), "k": cells["k"].astype(int).to_numpy(),
                          "amount": cells["amount"].astype(float).to_numpy()})
    return table(cells, cohort_sizes, end)


def _number(month: pd.Period) -> int:
    """The month's number as :func:`core.query.periods.of_date` counts it (months since January 1970)."""
    return month.ordinal


def _months(numbers: pd.Series) -> pd.PeriodIndex:
    return pd.PeriodIndex.from_ordinals(numbers.astype("int64").to_numpy(), freq="M")
