"""What the Service operations page reads: the tickets with their service times, the customers with their churn
dates (a purchase log's buyers get the lapse rule's, as on every page: core.history.inputs.load_inputs) and the MRR
by month, and the last day the data speaks about (core.history.asof.data_end, the one as-of definition)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from core.errors import InsufficientDataError, NoDataYetError
from core.history import asof
from core.history.inputs import load_inputs
from core.store.dates import datetimes
from core.store.read import load_columns

#: the ticket columns the service measures read
TICKETS = ["ticket_id", "customer_id", "opened", "first_response", "resolved", "priority", "category", "channel",
           "status", "satisfaction", "reopens", "replies", "first_contact", "effort"]
CUSTOMERS = ["customer_id", "segment", "plan", "region", "signup_date", "churn_date"]
REVENUE = ["customer_id", "period", "mrr"]
NO_CUSTOMERS = ("The tickets name no customer in the store, so churn after a ticket cannot be measured: import the "
                "customers (with their churn dates) that the tickets' customer ids name, on the Data page.")
NO_TICKETS = ("No tickets yet: import a help-desk export (ticket id, customer id, opened, first response, resolved, "
              "priority, category, channel) on the Data page to see which service levels keep customers.")


@dataclass
class ServiceInputs:
    """Tickets, customers and MRR, as the service tables read them.

    Attributes
    ----------
    tickets : pandas.DataFrame
        :data:`TICKETS` (times as datetimes).
    customers : pandas.DataFrame
        :data:`CUSTOMERS` (dates as datetimes; churn dates as every page reads them).
    revenue : pandas.DataFrame
        :data:`REVENUE` (``period`` a month start).
    end : pandas.Timestamp
        The last day the data speaks about: a ticket counts only once its N days of churn have been observed.
    """

    tickets: pd.DataFrame
    customers: pd.DataFrame
    revenue: pd.DataFrame
    end: pd.Timestamp


def from_frames(tickets: pd.DataFrame, customers: pd.DataFrame, revenue: pd.DataFrame | None = None,
                end=None) -> ServiceInputs:
    """:class:`ServiceInputs` from frames in store column names (a test's, the demo's); ``end`` defaults to
    :func:`core.history.asof.data_end` of the customers and revenue, the tickets' opening days counting too.

    Raises
    ------
    core.errors.NoDataYetError
        Without tickets.
    """
    if tickets is None or not len(tickets):
        raise NoDataYetError(NO_TICKETS)
    t = tickets.reindex(columns=TICKETS).copy()
    for c in ("opened", "first_response", "resolved"):
        t[c] = datetimes(t[c], format="mixed")
    c = customers.reindex(columns=CUSTOMERS).copy()
    for col in ("signup_date", "churn_date"):
        c[col] = datetimes(c[col], format="mixed")
    r = (revenue if revenue is not None else pd.DataFrame(columns=REVENUE)).reindex(columns=REVENUE).copy()
    r["period"] = datetimes(r["period"], format="mixed")
    if end is None:  # the one definition of where the data ends, the tickets' days counting as dated rows
        end = asof.data_end(c, None, r, extra=[t["opened"]])
    return ServiceInputs(t, c, r, pd.Timestamp(end).normalize())


def _usable(tickets: pd.DataFrame) -> None:
    """Refuse tickets of which none names a customer or none has an opening time, saying which is missing."""
    missing = [what for col, what in (("customer_id", "names a customer"), ("opened", "has an opening time"))
               if not tickets[col].notna().any()]
    if missing:
        raise InsufficientDataError(
            f"None of the {len(tickets):,} tickets {' or '.join(missing)}, so churn after a ticket cannot be measured "
            "(it needs the customer and the day each ticket was opened): import a help-desk export with the "
            "customer id and the opening time of each ticket, and the customers with their churn dates.")


def load_service(engine: Engine) -> ServiceInputs:
    """The store's :class:`ServiceInputs`; ``end`` is :meth:`core.history.inputs.ChurnInputs.end`, or the last
    ticket's day when later (the tickets count as dated rows of :func:`core.history.asof.data_end`).

    Raises
    ------
    core.errors.NoDataYetError
        Without tickets (before anything else is read).
    core.errors.InsufficientDataError
        Without customers.
    """
    tickets = load_columns(engine, "ticket", TICKETS)
    if not len(tickets):
        raise NoDataYetError(NO_TICKETS)
    _usable(tickets)
    if not len(load_columns(engine, "customer", ["customer_id"])):
        raise InsufficientDataError(NO_CUSTOMERS)
    inputs = load_inputs(engine)
    revenue = load_columns(engine, "revenue", REVENUE)
    last = asof.data_end(None, None, None, extra=[tickets["opened"], pd.Series([inputs.end()])])
    return from_frames(tickets, inputs.customers, revenue, end=last)
