"""Headline retention metrics: one definition each, used by every page, the CLI and exports.

Conventions (stated once, here, and shown to users through :data:`GLOSSARY`):

* A customer **counts on day t** (the Customers figure) when signed up by t; one without a signup date always
  counts. A customer is **active on day t** when ``signup_date <= t`` and ``churn_date`` is empty or after t.
* The **as-of month** is, by default, the last month with recurring revenue, and a **window** is the 12 whole
  months ending with it; its start is the first day of the first month, and "start customers" are those active
  on the last day before it (both defined in :mod:`core.history.asof`).
* **MRR of a month** is the sum of ``revenue.mrr`` whose ``period`` falls in that month.
* Retention rates follow the start customers only: revenue from customers acquired inside the
  window is expansion of the business, not retention, so it is left out of NRR and GRR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import InsufficientDataError
from core.history import asof
from core.metrics.glossary import GLOSSARY
from core.store.dates import datetimes


def definition(metric: str) -> str | None:
    """The :data:`GLOSSARY` text of a metric as figures and exports name it: ``"ROI (projected)"`` and ``"Revenue
    saved (window)"`` are :data:`GLOSSARY`'s ``ROI`` and ``Revenue saved`` (None for an unknown name).

    Examples
    --------
    >>> definition("ROI (window)") == GLOSSARY["ROI"]
    True
    """
    if metric in GLOSSARY:
        return GLOSSARY[metric]
    base = metric.rsplit(" (", 1)[0]
    return GLOSSARY.get(base)


def definitions_table() -> pd.DataFrame:
    """Every definition, as the exports' definitions sheet: ``metric, definition`` (glossary order)."""
    return pd.DataFrame({"metric": list(GLOSSARY), "definition": list(GLOSSARY.values())})


@dataclass(frozen=True)
class Headline:
    """The Overview's figures for one as-of month (rates as fractions, money in store currency).

    ``customers`` counts those signed up by ``as_of`` (:func:`signed_up_by`), like every count of the Overview,
    the review and the CLI."""

    as_of: dt.date
    customers: int
    active_customers: int
    logo_churn_rate: float
    revenue_churn_rate: float
    mrr: float
    nrr: float
    grr: float


def _month_start(d) -> pd.Timestamp:
    return pd.Timestamp(d).to_period("M").to_timestamp()


def signed_up_by(customers: pd.DataFrame, day) -> pd.Series:
    """Boolean mask of the customers counted on ``day``: signed up on or before it. A customer without a signup
    date always counts: the store holds them and nothing says they joined later (a customer list without dates
    keeps its size on every day)."""
    signup = datetimes(customers["signup_date"])
    return signup.isna() | (signup <= pd.Timestamp(day))


def active_on(customers: pd.DataFrame, day) -> pd.Series:
    """Boolean mask of customers active on ``day`` (see the module conventions)."""
    day = pd.Timestamp(day)
    signup = datetimes(customers["signup_date"])
    churn = datetimes(customers["churn_date"])
    return (signup <= day) & (churn.isna() | (churn > day))


def monthly_mrr(revenue: pd.DataFrame) -> pd.DataFrame:
    """MRR per customer per month.

    Parameters
    ----------
    revenue : pandas.DataFrame
        Columns ``customer_id, period, mrr`` (rows without ``mrr`` are one-off sales and are ignored).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id, month`` (month start), ``mrr``; one row per customer and month.
    """
    rev = revenue.dropna(subset=["mrr"])
    month = datetimes(rev["period"]).dt.to_period("M").dt.to_timestamp()
    return (rev.assign(month=month).groupby(["customer_id", "month"], as_index=False)["mrr"].sum())


#: per as-of month, the revenue sums behind the headline (:func:`revenue_sums`): the start customers' MRR in the
#: base month and in the as-of month, the sum of each one's lower of the two, every customer's MRR in the as-of
#: month, and the MRR and number of the customers paying in it (MRR above 0: ARPA)
SUMS = ("base", "now", "kept", "mrr", "paying_mrr", "paying")

#: a function giving :func:`revenue_sums`' table of the customers at hand for a list of months (month starts)
Sums = Callable[[list[pd.Timestamp]], pd.DataFrame]


def headline(customers: pd.DataFrame, revenue: pd.DataFrame, as_of=None, sums: Sums | None = None) -> Headline:
    """The Overview's headline metrics of ``customers`` (``customer_id, signup_date, churn_date``) for the 12 months
    ending with ``as_of``'s month (any day of it; default :func:`core.history.asof.as_of_month`), their MRR from
    ``sums`` (:data:`Sums`, e.g. an engine's: :func:`core.buyers.engine_headline.revenue_sums`) or else from their
    ``revenue`` rows (``customer_id, period, mrr``: :func:`frame_sums`).

    Raises
    ------
    InsufficientDataError
        No customers, or nobody was active at the start of the window.
    """
    if customers.empty:
        raise InsufficientDataError("There are no customers yet: import a customer file or load the demo data.")
    month = _month_start(asof.as_of_month(customers, revenue) if as_of is None else as_of)
    return _headline(customers, (sums or frame_sums(customers, revenue))([month]).loc[month], month)


def frame_sums(customers: pd.DataFrame, revenue: pd.DataFrame) -> Sums:
    """:func:`revenue_sums` of ``customers`` and their ``revenue`` rows, the customers' MRR per month pivoted once
    for every list of months asked."""
    mrr = monthly_mrr(revenue) if len(revenue) else pd.DataFrame(columns=["customer_id", "month", "mrr"])
    by_cust = mrr.pivot_table(index="customer_id", columns="month", values="mrr", aggfunc="sum", fill_value=0.0)
    return lambda months: revenue_sums(customers, by_cust, months)


def revenue_sums(customers: pd.DataFrame, by_cust: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
    """:data:`SUMS` per month of ``months`` (month starts; the index), from ``by_cust`` (MRR per customer and
    month: a pivot of :func:`monthly_mrr`); the start customers are ``customers`` active the day before each
    month's window."""
    rows = []
    for month in months:
        w = asof.window(month)
        starters = customers.loc[active_on(customers, w.day_before), "customer_id"]
        base = by_cust.get(w.base_month.to_timestamp(), pd.Series(dtype=float)).reindex(starters, fill_value=0.0)
        now = by_cust.get(month, pd.Series(dtype=float)).reindex(starters, fill_value=0.0)
        current = by_cust.get(month, pd.Series(dtype=float))
        paying = current[current > 0]
        rows.append((float(base.sum()), float(now.sum()), float(np.minimum(now.to_numpy(), base.to_numpy()).sum()),
                     float(current.sum()), float(paying.sum()), len(paying)))
    return pd.DataFrame(rows, columns=list(SUMS), index=pd.DatetimeIndex(months, name="month"))


def _headline(customers: pd.DataFrame, sums: pd.Series, end_month: pd.Timestamp) -> Headline:
    """The headline as of ``end_month`` from the customers and their revenue sums for that month (a row of
    :func:`revenue_sums`)."""
    w = asof.window(end_month)
    as_of_day, start_day = w.end, w.day_before

    start_active = active_on(customers, start_day)
    if not start_active.any():
        raise InsufficientDataError(
            f"Nobody was active on {start_day.date()}, the day before the 12-month window starts: "
            "choose a later as-of month or import more history.")
    churn = datetimes(customers.loc[start_active, "churn_date"])
    churned = churn.notna() & (churn <= as_of_day)
    logo = float(churned.mean())

    base_total = float(sums["base"])
    if base_total > 0:
        nrr = float(sums["now"]) / base_total
        grr = float(sums["kept"]) / base_total
    else:
        nrr = grr = float("nan")
    return Headline(
        as_of=as_of_day.date(), customers=int(signed_up_by(customers, as_of_day).sum()),
        active_customers=int(active_on(customers, as_of_day).sum()), logo_churn_rate=logo,
        revenue_churn_rate=1.0 - grr, mrr=float(sums["mrr"]), nrr=nrr, grr=grr)


def trend_months(as_of, months: int = 12) -> list[pd.Timestamp]:
    """The ``months`` month starts ending with ``as_of``'s month, oldest first."""
    end = _month_start(as_of)
    return [end - pd.DateOffset(months=k) for k in range(months - 1, -1, -1)]


def trend(customers: pd.DataFrame, revenue: pd.DataFrame, as_of=None, months: int = 12,
          sums: Sums | None = None) -> pd.DataFrame:
    """The headline metrics for each of the ``months`` months ending with ``as_of`` (for sparklines); ``sums`` as in
    :func:`headline`.

    One row per month (``as_of`` = month end) with the :class:`Headline` fields as columns; months whose window has
    no start customers are left out.
    """
    ends = trend_months(asof.as_of_month(customers, revenue) if as_of is None else as_of, months)
    table = (sums or frame_sums(customers, revenue))(ends)
    rows = []
    for month in ends:
        try:
            rows.append(_headline(customers, table.loc[month], month).__dict__)
        except InsufficientDataError:
            continue
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Lifetime:
    """ARPA, the churn it is divided by, and the resulting LTV (``formula`` spells it out)."""

    arpa: float
    monthly_churn: float
    ltv: float
    months: list[float]
    formula: str


def monthly_churn(customers: pd.DataFrame, month) -> float:
    """Logo churn of one calendar month: churned in it / active on the day before it starts."""
    start = _month_start(month)
    before = start - pd.Timedelta(days=1)
    end = start + pd.offsets.MonthEnd(0)
    active = active_on(customers, before)
    churn = datetimes(customers.loc[active, "churn_date"])
    return float((churn <= end).sum() / active.sum()) if active.any() else float("nan")


def lifetime_value(customers: pd.DataFrame, revenue: pd.DataFrame, as_of=None, months: int = 6) -> Lifetime:
    """LTV = ARPA / mean monthly logo churn over the ``months`` months ending with the as-of month.

    Raises
    ------
    InsufficientDataError
        No recurring revenue in the as-of month, or no churn at all in the window (LTV unbounded).
    """
    if as_of is None:
        as_of = asof.as_of_month(customers, revenue)
    end = _month_start(as_of)
    mrr = monthly_mrr(revenue) if len(revenue) else pd.DataFrame(columns=["customer_id", "month", "mrr"])
    now = mrr[(mrr["month"] == end) & (mrr["mrr"] > 0)]
    if now.empty:
        raise InsufficientDataError(f"No recurring revenue in {end:%b %Y}: ARPA, and so LTV, need MRR.")
    arpa = float(now["mrr"].sum() / now["customer_id"].nunique())
    rates = [monthly_churn(customers, end - pd.DateOffset(months=i)) for i in range(months - 1, -1, -1)]
    mean = float(np.nanmean(rates)) if not all(np.isnan(rates)) else float("nan")
    if not mean > 0:
        raise InsufficientDataError(f"No churn in the last {months} months: LTV would be unbounded.")
    formula = (f"LTV = ARPA / mean monthly churn = {arpa:,.2f} / {mean:.4f} = {arpa / mean:,.0f} "
               f"(churn averaged over {end - pd.DateOffset(months=months - 1):%b %Y} to {end:%b %Y})")
    return Lifetime(arpa=arpa, monthly_churn=mean, ltv=arpa / mean, months=rates, formula=formula)
