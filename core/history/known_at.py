"""The churn model's inputs as they were known at the end of a past day: what a back-test fits and scores on.

Everything dated after the day is gone (activity, tickets opened, answers, revenue months); what was still to come
is unknown: a churn dated after the day is no churn yet, a ticket resolved after it is still open. Customers who
signed up after the day are not there. So a model fitted on these inputs, and its scores, are what the workbench
would have shown that day (the leakage rules of :func:`core.history.features.temporal_features`, applied to the
whole store). Read from the frames (pandas); the buyers' lapse rule is dropped, their churn dates cut the same way.
A revenue month dated on or before the day is kept, and counts to its month's end (the as-of rule of
:mod:`core.history.asof`), so a back-test cuts at month ends (:mod:`core.forecast.backtest`).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from core.errors import DataValidationError
from core.history.inputs import ChurnInputs
from core.store.column_pairs import ActivityPairs

_EPOCH = pd.Timestamp("1970-01-01")


def known_at(inputs: ChurnInputs, day) -> ChurnInputs:
    """``inputs`` as known at the end of ``day`` (see the module docstring).

    Raises
    ------
    DataValidationError
        ``inputs`` sum their usage in an engine (read them with ``source=None`` to cut them).
    """
    if inputs.activity is None:
        raise DataValidationError("Inputs summed by an engine cannot be cut at a past day: load them with pandas.")
    c = pd.Timestamp(day).normalize()
    nxt = c + pd.Timedelta(days=1)
    cust = inputs.customers[inputs.customers["signup_date"] < nxt].copy()
    cust.loc[cust["churn_date"] >= nxt, "churn_date"] = pd.NaT
    acts = inputs.activity
    keep = acts.days <= (c - _EPOCH).days
    activity = ActivityPairs(acts.ids, acts.codes[keep], acts.days[keep],
                             value=None if acts.value is None else acts.value[keep])
    tickets = inputs.tickets[inputs.tickets["opened"] < nxt].copy()
    tickets.loc[tickets["resolved"] >= nxt, "resolved"] = pd.NaT
    feedback = inputs.feedback[inputs.feedback["date"] < nxt]
    revenue = inputs.revenue[inputs.revenue["period"] < nxt]
    return replace(inputs, customers=cust.reset_index(drop=True), activity=activity,
                   tickets=tickets.reset_index(drop=True), feedback=feedback.reset_index(drop=True),
                   revenue=revenue.reset_index(drop=True), lapse=None, source=None)

