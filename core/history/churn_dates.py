"""The customers' churn dates as every figure reads them: each customer's own, and the lapse rule's for the
buyers-only customers (:func:`core.buyers.lapse.buyers_only`: purchases, no recurring revenue, no churn date of
their own, as in a purchase log or beside a recurring-revenue book in a mix).

:func:`core.history.inputs.load_inputs` fills them for the churn model, health and the review; :func:`with_lapse`
fills the same dates for any other reader (the Cohort curves page's survival and lifetime value, ``python -m core
cohorts``): the rule is learnt from the whole store and ends at the store's last day
(:func:`core.history.asof.data_end` of its customers, activity and revenue), whatever subset of customers it is
then applied to, so a filter never changes a customer's churn date.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from core.buyers import lapse
from core.history import asof
from core.store.columnar import ActivityPairs, activity_pairs
from core.store.read import load_columns

_CUSTOMERS = ["customer_id", "signup_date", "churn_date"]
_REVENUE = ["customer_id", "period", "mrr"]


def store_lapse(engine: Engine, activity: ActivityPairs | None = None,
                lapse_days: int | None = None) -> lapse.LapseRule | None:
    """The store's lapse rule as :func:`core.history.inputs.load_inputs` applies it (None without buyers-only
    customers).

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    activity : ActivityPairs, optional
        The store's activity (:func:`core.store.columnar.activity_pairs`), when the caller holds it already; read
        otherwise.
    lapse_days : int, optional
        N; default the data's proposal.
    """
    customers = load_columns(engine, "customer", _CUSTOMERS)
    revenue = load_columns(engine, "revenue", _REVENUE)
    if activity is None:
        activity = activity_pairs(engine)
    return lapse.store_rule(engine, customers, asof.data_end(customers, activity, revenue), lapse_days, revenue)


def with_lapse(engine: Engine, customers: pd.DataFrame, activity: ActivityPairs | None = None,
               lapse_days: int | None = None) -> pd.DataFrame:
    """``customers`` (all of the store's or any subset, ``customer_id, churn_date`` at least) with the lapse rule's
    churn dates for the buyers-only customers among them; every other customer keeps its own (unchanged when the
    store has no buyers-only customers).

    Examples
    --------
    >>> with_lapse(engine, core.load_table(engine, "customer"))  # doctest: +SKIP
    """
    return lapse.with_churn_dates(customers, store_lapse(engine, activity, lapse_days))
