"""The store's incidents and what they cost (:mod:`core.service.incident_effects`), read for the page and the CLI
alike: the customers with their churn dates as every page reads them (a purchase log's buyers get the lapse rule's),
the days with activity, and the data's last day (:meth:`core.history.inputs.ChurnInputs.end`, the one as-of
definition)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from core.errors import NoDataYetError
from core.history.filters import Filters, filter_customers
from core.history.inputs import load_inputs
from core.service.incident_effects import Outages, measure
from core.service.incidents import NO_INCIDENTS, load_incidents
from core.store.columnar import activity_pairs

#: the sheet of the severities in a workbook, and of the incidents
SHEET, LIST_SHEET = "Incidents by severity", "Incidents"
#: the incident list's columns
LIST_COLUMNS = ["incident", "title", "severity", "start", "end", "hours", "affected", "comparison", "judged"]


@dataclass
class OutageInputs:
    """What :func:`load_outage_inputs` reads: the incident rows, the customers (churn dates as every page reads
    them), the days with activity (``customer_id, date``) and the data's last day."""

    rows: pd.DataFrame
    customers: pd.DataFrame
    activity: pd.DataFrame
    end: pd.Timestamp


def load_outage_inputs(engine: Engine) -> OutageInputs:
    """The store's :class:`OutageInputs`.

    Raises
    ------
    core.errors.NoDataYetError
        Without incidents (before anything else is read).
    core.errors.InsufficientDataError
        Without customers.
    """
    rows = load_incidents(engine)
    if not len(rows):
        raise NoDataYetError(NO_INCIDENTS)
    inputs = load_inputs(engine)
    pairs = activity_pairs(engine)
    activity = pd.DataFrame({"customer_id": pairs.ids[pairs.codes], "date": pairs.dates()})
    return OutageInputs(rows, inputs.customers, activity, pd.Timestamp(inputs.end()).normalize())


def outages(inp: OutageInputs, days: int, f: Filters | None = None) -> Outages:
    """:func:`core.service.incident_effects.measure` with windows of ``days`` days over the customers of the
    sidebar's segments, plans and regions (``f``; all without): both the affected and the comparison are theirs."""
    customers = inp.customers if f is None else filter_customers(inp.customers, f)
    return measure(inp.rows, customers, inp.activity, days, inp.end)


def load_outages(engine: Engine, days: int) -> Outages:
    """:func:`outages` of every customer of the store (the CLI's)."""
    return outages(load_outage_inputs(engine), days)


def incident_list(o: Outages) -> pd.DataFrame:
    """:data:`LIST_COLUMNS`, one row per incident, earliest first: its hours down (NaN while ongoing), customers
    on each side, and "yes" or why it is not judged."""
    return pd.DataFrame([{
        "incident": i.key, "title": i.title, "severity": i.severity, "start": i.start, "end": i.end,
        "hours": (i.end - i.start).total_seconds() / 3600 if pd.notna(i.end) else float("nan"),
        "affected": len(i.affected), "comparison": len(i.comparison), "judged": i.reason or "yes"}
        for i in o.incidents], columns=LIST_COLUMNS)
