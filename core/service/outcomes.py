"""Each ticket's service measures and what followed: hours to first response and to resolution, whether it was
escalated, its reopenings, whether it was resolved at first contact and the effort score it got, the customer's
tenure, plan, segment and MRR when it was opened, and whether the customer churned within N days of the opening day.

A ticket is judged only when all of that can be known: its customer is in the store, had not churned before the
ticket was opened (a churn on the opening day follows it: a cancellation request is such a ticket), and the N days
after the opening day have passed by the data's last day. :class:`Judged` counts the tickets left out for each
reason, so a page can say what it cannot compute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import InsufficientDataError
from core.metrics import monthly_mrr
from core.service.escalation import is_escalated
from core.service.first_contact import resolved_at_first_contact
from core.service.inputs import ServiceInputs

#: tenure at the ticket's opening: band edges in months and their names
TENURE_EDGES, TENURE_BANDS = [0, 3, 12, 24, np.inf], ["under 3 months", "3 to 12 months", "1 to 2 years",
                                                      "2 years or more"]
UNKNOWN = "unknown"
#: churn counts within this many days of a ticket's opening day, by default (the page's and the CLI's)
DEFAULT_DAYS = 90
_MONTH_DAYS = 365.25 / 12
NO_CHURN_DATES = ("No customer in the store has a churn date, so churn after a ticket cannot be measured: import the "
                  "customers with their churn dates (or the revenue or purchases they follow from) on the Data page.")


@dataclass
class Judged:
    """The tickets judged and those left out.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per judged ticket: ``customer_id, opened, category, channel, priority, first_response_hours,
        resolve_hours, escalated, reopens, first_contact, effort, segment, plan, tenure, mrr, churned``
        (``first_contact``: :func:`core.service.first_contact.resolved_at_first_contact`; the three before
        ``segment`` missing when the import did not carry them).
    days : int
        N: churn counts within this many days of the opening day.
    read, unknown_customer, after_churn, too_recent : int
        Tickets read; left out because their customer is not in the store (or they have no customer or opening
        time), because the customer had churned before, or because N days have not passed by ``end``.
    end : pandas.Timestamp
        The data's last day.
    """

    frame: pd.DataFrame
    days: int
    read: int
    unknown_customer: int
    after_churn: int
    too_recent: int
    end: pd.Timestamp


def _hours(later: pd.Series, opened: pd.Series) -> pd.Series:
    """Hours from ``opened`` to ``later``; missing when either is, or when ``later`` comes first (a clock error)."""
    h = (later - opened).dt.total_seconds() / 3600
    return h.where(h >= 0)


def tenure_band(day: pd.Series, signup: pd.Series) -> pd.Series:
    """The tenure band (:data:`TENURE_BANDS`) of each customer on ``day``; :data:`UNKNOWN` without a signup."""
    months = (day - signup.dt.normalize()).dt.days / _MONTH_DAYS
    bands = pd.cut(months, TENURE_EDGES, labels=TENURE_BANDS, right=False)
    return bands.astype(object).where(months.notna() & (months >= 0), UNKNOWN)


def _mrr(t: pd.DataFrame, revenue: pd.DataFrame) -> pd.Series:
    """Each ticket's customer's MRR in the month the ticket was opened (:func:`core.metrics.monthly_mrr`; 0 without a
    recurring row that month)."""
    r = revenue[revenue["customer_id"].notna()]
    by = monthly_mrr(r.assign(customer_id=r["customer_id"].astype(str))).set_index(["customer_id", "month"])["mrr"]
    keys = pd.MultiIndex.from_arrays([t["customer_id"], t["opened"].dt.to_period("M").dt.to_timestamp()])
    return pd.Series(by.reindex(keys).to_numpy(dtype=float), index=t.index).fillna(0.0)  # None (no row): NaN


def judge(inp: ServiceInputs, days: int) -> Judged:
    """The tickets of ``inp`` judged for churn within ``days`` days of their opening day.

    Raises
    ------
    core.errors.InsufficientDataError
        When no customer has a churn date (churn cannot be told from staying), or no ticket can be judged.
    """
    if not inp.customers["churn_date"].notna().any():
        raise InsufficientDataError(NO_CHURN_DATES)
    t = inp.tickets
    known = t["customer_id"].notna() & t["opened"].notna()
    t = t[known].assign(customer_id=lambda d: d["customer_id"].astype(str))
    c = inp.customers.assign(customer_id=inp.customers["customer_id"].astype(str)).drop_duplicates("customer_id")
    t = t.merge(c, on="customer_id", how="inner")
    unknown = len(inp.tickets) - len(t)
    day = t["opened"].dt.normalize()
    alive = t["churn_date"].isna() | (t["churn_date"] >= day)  # a churn on the opening day follows the ticket
    observed = day + pd.Timedelta(days=days) <= inp.end
    t, day = t[alive & observed], day[alive & observed]
    if not len(t):
        raise InsufficientDataError(f"No ticket can be judged yet: churn within {days} days needs tickets opened at "
                                    f"least {days} days before the data's last day ({inp.end:%Y-%m-%d}).")
    frame = pd.DataFrame({
        "customer_id": t["customer_id"], "opened": t["opened"],
        "category": t["category"].fillna(UNKNOWN), "channel": t["channel"].fillna(UNKNOWN),
        "priority": t["priority"].fillna(UNKNOWN),
        "first_response_hours": _hours(t["first_response"], t["opened"]),
        "resolve_hours": _hours(t["resolved"], t["opened"]), "escalated": is_escalated(t),
        "reopens": pd.to_numeric(t["reopens"], errors="coerce"), "first_contact": resolved_at_first_contact(t),
        "effort": pd.to_numeric(t["effort"], errors="coerce"),
        "segment": t["segment"].fillna(UNKNOWN), "plan": t["plan"].fillna(UNKNOWN),
        "tenure": tenure_band(day, t["signup_date"]), "mrr": _mrr(t, inp.revenue),
        "churned": t["churn_date"].notna() & (t["churn_date"] <= day + pd.Timedelta(days=days))}).reset_index(drop=True)
    return Judged(frame, days, len(inp.tickets), unknown, int((~alive).sum()), int((alive & ~observed).sum()), inp.end)
