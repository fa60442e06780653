"""The sidebar's segment, plan and region on the Service operations page: the tickets of the chosen customers, and
the leading indicators' rows of them (core.history.filters, the rule every page applies). The date range does not
apply here: every ticket whose N days have passed is judged, and the data's last day stays the as-of day."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from core.errors import InsufficientDataError
from core.history.filters import Filters, filter_customers
from core.service.indicators import Flags
from core.service.inputs import ServiceInputs


class ChoiceError(InsufficientDataError):
    """The customers chosen in the sidebar leave nothing to judge (no ticket, or no churn among them) while the store
    holds it: the page says so where tickets are judged and still shows what does not judge them."""


def chosen(f: Filters) -> bool:
    """Whether a segment, plan or region is chosen (the date range never narrows this page)."""
    return bool(f.segments or f.plans or f.regions)


def _choice(f: Filters) -> str:
    return "; ".join(f"{name} {', '.join(values)}" for name, values in
                     (("segment", f.segments), ("plan", f.plans), ("region", f.regions)) if values)


def describe(f: Filters) -> str:
    """Whose tickets the page reads, in words (the chosen values as the data writes them)."""
    if not chosen(f):
        return "All customers; the sidebar's dates do not apply (every ticket whose days have passed is judged)."
    return f"Customers of {_choice(f)} only; the sidebar's dates do not apply."


def _ids(customers: pd.DataFrame, f: Filters) -> set[str]:
    return set(filter_customers(customers, f)["customer_id"].astype(str))


def scoped(inp: ServiceInputs, f: Filters) -> ServiceInputs:
    """``inp`` narrowed to the tickets and customers of the chosen segments, plans and regions.

    Raises
    ------
    ChoiceError
        None of the chosen customers has a ticket, or none of them has churned while others have (churn after a
        ticket cannot be told from staying for them).
    """
    if not chosen(f):
        return inp
    ids = _ids(inp.customers, f)
    tickets = inp.tickets[inp.tickets["customer_id"].astype(str).isin(ids) & inp.tickets["customer_id"].notna()]
    if not len(tickets):
        raise ChoiceError(f"No ticket is from the customers chosen in the sidebar ({_choice(f)}): "
                                    "widen the segment, plan or region.")
    customers = inp.customers[inp.customers["customer_id"].astype(str).isin(ids)]
    if inp.customers["churn_date"].notna().any() and not customers["churn_date"].notna().any():
        raise ChoiceError(f"None of the customers chosen in the sidebar ({_choice(f)}) has churned, so "
                                    "churn after a ticket cannot be measured for them: widen the segment, plan or "
                                    "region.")
    return replace(inp, tickets=tickets, customers=customers)


def scoped_customers(customers: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The customers of the chosen segments, plans and regions (all of them when none is chosen)."""
    return customers[customers["customer_id"].astype(str).isin(_ids(customers, f))] if chosen(f) else customers


def scoped_flags(flags: Flags, customers: pd.DataFrame, f: Filters) -> Flags:
    """The leading indicators' rows of the chosen customers only (``customers``: with segment, plan and region)."""
    if not chosen(f):
        return flags
    rows = flags.rows[flags.rows["customer_id"].isin(_ids(customers, f))].reset_index(drop=True)
    return replace(flags, rows=rows)
