"""The shared customer history: what is read from the store once and then described as of any day.

:class:`ChurnInputs` holds the customers and their dated behaviour (activity, tickets, surveys,
revenue). :func:`load_inputs` reads it from the store; :func:`inputs_from_frames` builds it from
frames in store column names (the demo's, a test's). :mod:`core.history.features` describes the
customers as of a day from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from core.buyers import lapse
from core.errors import InsufficientDataError
from core.history import asof
from core.history.engine_usage import has_activity, last_activity_day
from core.query import choice
from core.query.sources import Source
from core.store.columnar import ActivityPairs, activity_pairs
from core.store.dates import datetimes
from core.store.read import load_columns, load_table

_EPOCH = pd.Timestamp("1970-01-01")
#: the columns read of each fact table besides activity (a warehouse's too: core.history.warehouse_inputs)
TICKETS = ["customer_id", "opened", "resolved"]
FEEDBACK = ["customer_id", "date", "channel", "score"]
REVENUE = ["customer_id", "period", "mrr", "payment_failed"]


@dataclass
class ChurnInputs:
    """Everything the temporal features read, loaded once from the store.

    Attributes
    ----------
    customers : pandas.DataFrame
        ``customer_id, segment, plan, region, channel, signup_date, churn_date, attributes``.
    activity : ActivityPairs or None
        Daily activity with values (read with ``values=True``); None when ``source`` sums the usage: the rows stay
        in the engine (a large store's activity is not read into memory) and only its last day is asked.
    tickets : pandas.DataFrame
        ``customer_id, opened, resolved`` (datetimes).
    feedback : pandas.DataFrame
        ``customer_id, date, channel, score``.
    revenue : pandas.DataFrame
        ``customer_id, period, mrr, payment_failed``.
    lapse : core.buyers.lapse.LapseRule or None
        The churn rule of the buyers-only customers (no purchase within N days), which gave their
        ``customers.churn_date``; None when the store's own churn dates are used for everyone.
    source : core.query.sources.Source or None
        An engine over the same store that sums the behavioural features
        (:func:`core.history.engine_behaviour.behaviour`); None: pandas sums them from the frames above.
    """

    customers: pd.DataFrame
    activity: ActivityPairs | None
    tickets: pd.DataFrame
    feedback: pd.DataFrame
    revenue: pd.DataFrame
    lapse: lapse.LapseRule | None = None
    source: Source | None = None

    def end(self) -> pd.Timestamp:
        """The last day the data speaks about (:func:`core.history.asof.data_end`)."""
        return _end(self.customers, self.activity, self.revenue, self.source)

    def has_behaviour(self) -> bool:
        """Whether there is dated behaviour to build temporal features from (else: snapshot)."""
        active = has_activity(self.source) if self.activity is None else len(self.activity) > 0
        return active or len(self.tickets) > 0 or len(self.feedback) > 0


def _end(customers: pd.DataFrame, activity: ActivityPairs | None, revenue: pd.DataFrame, source) -> pd.Timestamp:
    """:func:`core.history.asof.data_end`, the last activity day asked of ``source`` when ``activity`` is None."""
    if activity is not None or source is None:
        return asof.data_end(customers, activity, revenue)
    return asof.data_end(customers, None, revenue, extra=[pd.Series([last_activity_day(source)])])


def _activity_pairs(activity: pd.DataFrame | None) -> ActivityPairs:
    """:class:`ActivityPairs` with values of an activity frame (``customer_id, date, value``); empty for None."""
    if activity is None or not len(activity):
        return ActivityPairs(pd.Index([], dtype=object), np.array([], np.int64), np.array([], np.int32),
                             value=np.array([], float))
    codes, ids = pd.factorize(activity["customer_id"].astype(object))
    days = (datetimes(activity["date"]) - _EPOCH).dt.days.to_numpy(np.int32)
    return ActivityPairs(pd.Index(ids, dtype=object), codes.astype(np.int64), days,
                         value=activity["value"].to_numpy(float))


def _frame(df: pd.DataFrame | None, cols: list[str], dates: list[str]) -> pd.DataFrame:
    """``df`` with exactly ``cols`` (an empty frame for None), the ``dates`` columns as datetimes."""
    df = pd.DataFrame(columns=cols) if df is None else df.reindex(columns=cols).copy()
    for c in dates:
        df[c] = datetimes(df[c])
    return df


def inputs_from_frames(customers: pd.DataFrame, activity: pd.DataFrame | None = None,
                       tickets: pd.DataFrame | None = None, feedback: pd.DataFrame | None = None,
                       revenue: pd.DataFrame | None = None) -> ChurnInputs:
    """:class:`ChurnInputs` from frames in store column names (for example :func:`core.make_demo`'s)."""
    customers = customers.copy()
    for c in ("signup_date", "churn_date"):
        customers[c] = datetimes(customers[c])
    return ChurnInputs(customers, _activity_pairs(activity), _frame(tickets, TICKETS, ["opened", "resolved"]),
                       _frame(feedback, FEEDBACK, ["date"]), _frame(revenue, REVENUE, ["period"]))


def load_inputs(engine: Engine, lapse_days: int | None = None, source=choice.CONFIGURED) -> ChurnInputs:
    """Read the columns the churn features need (activity from the column store), with ``source`` (a
    :class:`core.query.sources.Source`, or None for pandas) summing the behavioural features; by default the engine
    ``RETENTION_ENGINE`` names (:func:`core.query.choice.configured`: DuckDB when it is not set).

    The one place churn dates are read for the churn model, health and the review: the customers with purchases,
    no recurring revenue and no churn date of their own (a purchase log's buyers, a mix's buyers-only customers:
    :func:`core.buyers.lapse.buyers_only`) get the lapse rule's (:func:`core.buyers.lapse.store_rule`: no purchase
    within ``lapse_days`` days of the last one, default the data's proposal); everyone else keeps its own.

    Raises
    ------
    core.errors.InsufficientDataError
        If the store has no customers.
    """
    customers = load_table(engine, "customer")
    if customers.empty:
        raise InsufficientDataError("There are no customers to model: import a customer file or load the demo "
                                    "on the Data page.")
    for c in ("signup_date", "churn_date"):
        customers[c] = datetimes(customers[c])
    tickets = load_columns(engine, "ticket", TICKETS)
    feedback = load_columns(engine, "feedback", FEEDBACK)
    revenue = load_columns(engine, "revenue", REVENUE)
    for df, cols in ((tickets, ("opened", "resolved")), (feedback, ("date",)), (revenue, ("period",))):
        for c in cols:
            df[c] = datetimes(df[c], format="mixed")
    source = choice.configured(engine) if source == choice.CONFIGURED else source
    # an engine sums the usage: the activity rows stay there (100,000,000 rows would take 2 GB here)
    activity = activity_pairs(engine, values=True) if source is None else None
    # an engine also proposes the lapse rule and judges its labels: the purchases stay there too
    rule = lapse.store_rule(engine, customers, _end(customers, activity, revenue, source), lapse_days, revenue, source)
    return ChurnInputs(lapse.with_churn_dates(customers, rule), activity, tickets, feedback, revenue, lapse=rule,
                       source=source)
