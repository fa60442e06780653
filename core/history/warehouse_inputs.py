"""The churn model's inputs from a company's warehouse (:mod:`core.query.warehouse`): its customers, support
tickets, survey answers and revenue read as frames in the store's column names, its activity left there and summed
by it (:func:`core.history.engine_behaviour.behaviour`), exactly as :func:`core.history.inputs.load_inputs` leaves
a store's activity to its engine. Nothing is written to the warehouse.

A purchase log's buyers (``[purchases]``, or sales in ``[revenue]``) without MRR or a churn date of their own churn by
the lapse rule, proposed, dated and judged at each cutoff in the warehouse
(:func:`core.buyers.engine_lapse.valued_rule`, :mod:`core.buyers.engine_lapse_labels`), as a store's on an engine;
every other customer keeps its own churn date. Map the orders as ``[activity]`` too for the usage features a store's
purchase activity gives.
"""

from __future__ import annotations

from dataclasses import replace

import ibis.expr.types as ir
import pandas as pd

from core.buyers import engine_lapse, lapse
from core.buyers.lapse import LapseProposal
from core.errors import InsufficientDataError
from core.history.inputs import FEEDBACK, REVENUE, TICKETS, ChurnInputs
from core.query.sources import Source
from core.query.warehouse import answered
from core.store.dates import datetimes

#: the customer columns the models and the lists read (name, segment, plan, region, channel: those the mapping names)
CUSTOMERS = ("customer_id", "name", "segment", "plan", "region", "channel", "signup_date", "churn_date")
NO_CUSTOMERS = ("The warehouse's customer table ([customers] table in the mapping file) has no customers to model: "
                "check the table the mapping names.")


@answered
def warehouse_inputs(source: Source, lapse_days: int | None = None) -> ChurnInputs:
    """:class:`~core.history.inputs.ChurnInputs` of the warehouse ``source``, customers in the order of their ids
    (a fit reproduces whatever order the warehouse returns rows in); a purchase log's buyers churn by the lapse rule,
    N proposed there or ``lapse_days`` (another N tried on the Churn drivers page, or ``--lapse-days``).

    Raises
    ------
    InsufficientDataError
        The customer table is empty.
    EngineError
        The warehouse failed to answer (:func:`core.query.warehouse.answered`).
    """
    customers = warehouse_customers(source)
    if customers.empty:
        raise InsufficientDataError(NO_CUSTOMERS)
    tickets = _frame(source, source.tickets, TICKETS, ("opened", "resolved"))
    feedback = _frame(source, source.feedback, FEEDBACK, ("date",))
    feedback["channel"] = feedback["channel"].astype("string").str.lower().astype(object)
    revenue = _frame(source, source.revenue, REVENUE, ("period",))
    inputs = ChurnInputs(customers, None, tickets, feedback, revenue, lapse=None, source=source)
    people = customers[["customer_id", "signup_date", "churn_date"]]
    # the data's last day counts the purchases too (a store's are activity rows; a warehouse's need not be mapped so)
    as_of = max(inputs.end(), engine_lapse.data_end(source, people))
    rule = engine_lapse.valued_rule(source, people, lapse_days, as_of)
    if rule is None:
        return inputs
    return replace(inputs, customers=lapse.with_churn_dates(customers, rule), lapse=rule)


@answered
def warehouse_proposal(source: Source) -> LapseProposal | None:
    """The lapse period proposed for the warehouse's buyers who have no MRR and no churn date of their own (a purchase
    log's: :func:`core.buyers.engine_lapse.proposal_for`); None when it holds no such buyers."""
    return engine_lapse.proposal_for(source, warehouse_customers(source)[["customer_id", "signup_date", "churn_date"]])


@answered
def warehouse_customers(source: Source) -> pd.DataFrame:
    """The warehouse's customers: :data:`CUSTOMERS` (the columns the mapping names), in the order of their ids, dates
    as datetimes (the Churn drivers page's customer list names them with these)."""
    table = source.store_customers
    customers = source.con.execute(table.select(*[c for c in CUSTOMERS if c in table.columns]))
    customers = customers.sort_values("customer_id", kind="stable").reset_index(drop=True)
    for c in ("signup_date", "churn_date"):
        customers[c] = _datetimes(customers[c])
    return customers


def _frame(source: Source, table: ir.Table | None, columns: list[str], dates: tuple[str, ...]) -> pd.DataFrame:
    """``columns`` of a mapped fact table (an optional column the mapping leaves out: empty), dates as datetimes;
    an empty frame when the mapping names no such table."""
    if table is None:
        frame = pd.DataFrame(columns=columns)
    else:
        frame = source.con.execute(table.select(*[c for c in columns if c in table.columns])).reindex(columns=columns)
    for c in dates:
        frame[c] = _datetimes(frame[c])
    return frame


def _datetimes(values: pd.Series) -> pd.Series:
    """Dates in nanoseconds, as the store's are read (a warehouse's come in the unit of its type)."""
    return datetimes(values).astype("datetime64[ns]")
